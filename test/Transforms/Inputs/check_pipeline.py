"""Checks that the optimisation pipeline changes no numbers.

For each zoo model: seeded weights, the reference interpreter on the model
as written and on `cnnc --emit=opt`'s output, outputs compared (relative L2
error under 1e-5). Prints the op counts before and after.
"""

import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Inputs"))
from work_files import remove_outputs  # noqa: E402

TOLERANCE = 1e-5
SMALL = ["--param", "resolution=32"]
# The passes do not care how wide a classifier is; at 4096 the VGGs',
# AlexNets', SPP's and FCN's weights (60-140M parameters) cost more time
# than the rest.
NARROW = ["--param", "hidden=256"]
MODELS = {
    "lenet5": [], "alexnet": NARROW, "alexnet_tv": ["--param", "resolution=64"] + NARROW,
    "vgg16": SMALL + NARROW, "vgg19": SMALL + NARROW,
    "googlenet": SMALL, "resnet18": SMALL, "resnet34": SMALL, "resnet50": SMALL,
    "resnet101": SMALL, "resnet152": SMALL, "densenet121": SMALL, "mobilenet_v1": SMALL,
    "mobilenet_v2": SMALL, "efficientnet": SMALL, "spp": ["--param", "resolution=64"] + NARROW,
    "fcn32s": ["--param", "height=32", "--param", "width=32"] + NARROW,
    "rpn": ["--param", "height=32", "--param", "width=32", "--param", "proposals=2"],
    "yolov1": ["--param", "resolution=128"] + NARROW,
}


def count_ops(path):
    with open(path) as f:
        ops = re.findall(r"= (cnn\.[a-z_0-9]+)", f.read())
    return sum(1 for op in ops if op != "cnn.weight")


def check(cnnc, models, work, name):
    flags = MODELS[name]
    model = f"{models}/{name}.cnn"
    plain, optimised = f"{work}/{name}.mlir", f"{work}/{name}.opt.mlir"
    weights = f"{work}/{name}.safetensors"
    subprocess.run([cnnc, model, "-o", plain] + flags, check=True)
    subprocess.run([cnnc, model, "--emit=opt", "-o", optimised] + flags, check=True)
    subprocess.run([cnnc, "weights", plain, "-o", weights], check=True)
    outputs = []
    for ir in (plain, optimised):
        ir_outputs = [f"{ir}.out{i}.npy" for i in range(3 if name == "rpn" else 1)]
        command = [cnnc, "run", ir, "--weights", weights]
        command += [arg for path in ir_outputs for arg in ("--output", path)]
        subprocess.run(command, check=True)
        outputs.append([np.load(path).astype(np.float64) for path in ir_outputs])
    error = max(np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-30)
                for a, b in zip(*outputs))
    verdict = "ok" if error < TOLERANCE else "FAIL"
    print(f"{name}: ops {count_ops(plain)} -> {count_ops(optimised)}, "
          f"relative L2 error {error:.2e}: {verdict}")
    if error < TOLERANCE:
        remove_outputs(work, name)
    return error < TOLERANCE


def main():
    cnnc, models, work = sys.argv[1:4]
    names = sys.argv[4:] or list(MODELS)
    os.makedirs(work, exist_ok=True)
    results = [check(cnnc, models, work, name) for name in names]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
