"""Exports torchvision classification models with torch.onnx.export (opset
13), imports and compiles them with cnnc, and compares the compiled model
with PyTorch in float64 on the same weights and input.

The weights are torchvision's seeded initialisation with batch-norm
statistics made non-trivial, so a folded or misnamed parameter shows.
Tolerance: relative L2 error under 1e-4 on the output.

    check_torchvision.py --cnnc build/bin/cnnc --work DIR [--resolution 64] model...
    check_torchvision.py ... --keep-going --report table.md model...   (the survey:
                                                bench/onnx-survey.sh)
"""

import argparse
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torchvision.models as tv

TOLERANCE = 1e-4
# torch.onnx exports an adaptive pooling only where the output divides the
# input: these run at their own resolution.
# Inception v3 needs 75x75 at least; the vision transformers are exported
# only at the resolution their position embeddings were made for.
RESOLUTION = {"alexnet": 224, "vgg": 224, "inception": 96, "vit": 224, "swin": 224,
              "maxvit": 224}


def build(name, seed):
    torch.manual_seed(seed)
    model = getattr(tv, name)(weights=None)
    if hasattr(model, "aux_logits"):
        model.aux_logits = False
        model.AuxLogits = None
        if hasattr(model, "aux1"):
            model.aux1 = model.aux2 = None
    generator = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            shape = module.running_mean.shape
            module.running_mean.copy_(torch.randn(shape, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(shape, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(shape, generator=generator) + 0.5)
            module.bias.data.copy_(torch.randn(shape, generator=generator) * 0.1)
    return model.eval()


def check(name, args):
    model = build(name, args.seed)
    resolution = max([args.resolution] + [r for prefix, r in RESOLUTION.items()
                                            if name.startswith(prefix)])
    x = torch.randn(1, 3, resolution, resolution,
                    generator=torch.Generator().manual_seed(args.seed))
    onnx_path = os.path.join(args.work, name + ".onnx")
    with torch.no_grad():
        try:
            torch.onnx.export(model, x, onnx_path, opset_version=13, input_names=["image"],
                              output_names=["logits"])
        except Exception as e:  # noqa: BLE001 - the exporter's own refusal
            return "does not export", str(e).splitlines()[0][:160]
        reference = model.double()(x.double()).numpy()
    binary = os.path.join(args.work, name)
    started = time.time()
    compiled = subprocess.run([args.cnnc, onnx_path, "-o", binary], capture_output=True,
                              text=True)
    seconds = time.time() - started
    if compiled.returncode != 0:
        message = compiled.stderr.strip().splitlines()
        return "does not import", message[0] if message else "(no message)"
    np.save(os.path.join(args.work, name + "-x.npy"), x.numpy())
    output = os.path.join(args.work, name + "-y.npy")
    ran = subprocess.run([binary, "--weights", binary + ".safetensors", "--input",
                          os.path.join(args.work, name + "-x.npy"), "--output", output],
                         capture_output=True, text=True)
    if ran.returncode != 0:
        return "fails to run", ran.stderr.strip()
    y = np.load(output).astype(np.float64)
    error = np.linalg.norm(y - reference) / np.linalg.norm(reference)
    verdict = "matches" if error < TOLERANCE else "differs"
    return verdict, "relative L2 error %.2e, compiled in %.0f s" % (error, seconds)


def write_report(path, rows):
    with open(path, "w") as report:
        report.write("| model | result | detail |\n| --- | --- | --- |\n")
        for row in rows:
            report.write("| %s | %s | %s |\n" % row)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report")
    parser.add_argument("--keep-going", action="store_true",
                        help="a model that does not export or import is a row, not a failure")
    parser.add_argument("models", nargs="*")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    failures = 0
    rows = []
    for name in args.models:
        try:
            verdict, detail = check(name, args)
        except Exception as e:  # noqa: BLE001 - a survey row, e.g. out of memory
            verdict, detail = "does not export", str(e).splitlines()[0][:160]
        for suffix in (".onnx", ".safetensors", ""):  # the survey's files are large
            path = os.path.join(args.work, name + suffix)
            if args.keep_going and os.path.isfile(path):
                os.remove(path)
        print("%-22s %-16s %s" % (name, verdict, detail), flush=True)
        rows.append((name, verdict, detail))
        if args.report:  # after every model: a long survey can be stopped
            write_report(args.report, rows)
        failures += verdict != "matches" and (not args.keep_going or
                                              verdict in ("differs", "fails to run"))
    print("%d models, %d failed" % (len(args.models), failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
