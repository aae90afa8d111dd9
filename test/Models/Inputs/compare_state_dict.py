"""Checks that a zoo model declares exactly torchvision's parameters.

For each model, the names and shapes of the `cnn.parameter` symbols that
`cnnc` emits must equal the keys and shapes of the torchvision model's
state_dict (less `num_batches_tracked`, a training counter), so weights
saved from PyTorch load unchanged.
"""

import re
import subprocess
import sys

import torchvision.models as tv

MODELS = {
    "alexnet_tv": lambda: tv.alexnet(),
    "vgg16": lambda: tv.vgg16(),
    "vgg19": lambda: tv.vgg19(),
    "googlenet": lambda: tv.googlenet(aux_logits=False, init_weights=False),
    "resnet18": lambda: tv.resnet18(),
    "resnet34": lambda: tv.resnet34(),
    "resnet50": lambda: tv.resnet50(),
    "resnet101": lambda: tv.resnet101(),
    "resnet152": lambda: tv.resnet152(),
    "densenet121": lambda: tv.densenet121(),
    "mobilenet_v2": lambda: tv.mobilenet_v2(),
    "mobilenet_v3_large": lambda: tv.mobilenet_v3_large(),
    "mobilenet_v3_small": lambda: tv.mobilenet_v3_small(),
    "regnet_y_400mf": lambda: tv.regnet_y_400mf(),
    "shufflenet_v2_x1_0": lambda: tv.shufflenet_v2_x1_0(),
    "convnext_tiny": lambda: tv.convnext_tiny(),
    "resnext50_32x4d": lambda: tv.resnext50_32x4d(),
}
for variant in range(8):
    MODELS[f"efficientnet:{variant}"] = getattr(tv, f"efficientnet_b{variant}")

# Symbols with characters beyond [\w.] (RegNet's `block1-0`) print quoted.
PARAMETER = re.compile(r'cnn\.parameter @(?:"([^"]+)"|([\w.]+)) : tensor<((?:\d+x)*)f32>')


def cnnc_parameters(cnnc, models_dir, name):
    file, _, variant = name.partition(":")
    command = [cnnc, f"{models_dir}/{file}.cnn"]
    if variant:
        command += ["--param", f"variant={variant}"]
    ir = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return {m[1] or m[2]: tuple(int(d) for d in m[3].split("x") if d)
            for m in PARAMETER.finditer(ir)}


def torch_parameters(build):
    return {k: tuple(v.shape) for k, v in build().state_dict().items()
            if not k.endswith("num_batches_tracked")}


def main():
    cnnc, models_dir = sys.argv[1], sys.argv[2]
    failures = 0
    for name, build in MODELS.items():
        ours, theirs = cnnc_parameters(cnnc, models_dir, name), torch_parameters(build)
        missing = sorted(set(theirs) - set(ours))
        extra = sorted(set(ours) - set(theirs))
        shapes = sorted(k for k in set(ours) & set(theirs) if ours[k] != theirs[k])
        if missing or extra or shapes:
            failures += 1
            print(f"{name}: MISMATCH")
            for k in missing[:5]:
                print(f"  missing {k} {theirs[k]}")
            for k in extra[:5]:
                print(f"  extra {k} {ours[k]}")
            for k in shapes[:5]:
                print(f"  shape {k}: ours {ours[k]}, torchvision {theirs[k]}")
        else:
            print(f"{name}: {len(ours)} parameters match")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
