"""Compiles zoo models to binaries and checks them against the reference
interpreter on the same seeded weights and input.

For each model: `cnnc weights` (seeded, batch-norm statistics calibrated),
a seeded normal input, `cnnc run` (the interpreter, float64 inside) and the
compiled binary; the outputs are compared by relative L2 error, which must
be under 1e-4 (float32 kernels against a float64 reference).

MobileNet v2 and EfficientNet run at 96x96: at 32x32 their last stages see
1x1 feature maps, the seeded batch-norm statistics hit their variance
floors there, and the network amplifies float32 rounding past 1e-4 (PyTorch
in float32 does the same on those weights). At 96x96 both sit near 1e-5.
"""

import os
import re
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Inputs"))
from work_files import remove_outputs  # noqa: E402

TOLERANCE = 1e-4
SMALL = ["--param", "resolution=32"]
# AlexNet compiles with its real 4096-wide classifier, FCN-32s with its
# 4096-channel 7x7 convolution; torchvision's AlexNet, the VGGs, SPP and
# YOLOv1 (at 128x128) with a narrow one, which covers the same kernels
# without another 100-200M parameters to generate, write and run.
# vgg16.test compares the whole VGG-16 with PyTorch; scripts/test-slow.sh
# YOLOv1.
NARROW = ["--param", "hidden=256"]
MODELS = {
    "lenet5": [], "alexnet": [], "alexnet_tv": ["--param", "resolution=64"] + NARROW,
    "vgg16": SMALL + NARROW, "vgg19": SMALL + NARROW, "googlenet": SMALL, "resnet18": SMALL, "resnet34": SMALL, "resnet50": SMALL,
    "resnet101": SMALL, "resnet152": SMALL, "densenet121": SMALL, "mobilenet_v1": SMALL,
    "mobilenet_v2": ["--param", "resolution=96"], "efficientnet": ["--param", "resolution=96"], "spp": ["--param", "resolution=64"] + NARROW,
    "fcn32s": ["--param", "height=32", "--param", "width=32"],
    "rpn": ["--param", "height=32", "--param", "width=32", "--param", "proposals=2"],
    "yolov1": ["--param", "resolution=128"] + NARROW,
    "mobilenet_v3_large": ["--param", "resolution=96"],
    "mobilenet_v3_small": ["--param", "resolution=96", "--param", "batch=2"],
    "regnet_y_400mf": ["--param", "resolution=64"],
    "shufflenet_v2_x1_0": ["--param", "resolution=64", "--param", "batch=2"],
    "convnext_tiny": ["--param", "resolution=64"],
    "resnext50_32x4d": SMALL,
    # Not zoo models: edge cases for every kernel family (test/Codegen).
    "ops": [], "kernels": [], "winograd": [], "attention": [],
}


def signature(ir_path):
    """The model function's argument shapes and its number of results."""
    with open(ir_path) as f:
        text = f.read()
    match = re.search(r"func\.func @\w+\((.*?)\)\s*->\s*(.*?)\s*\{\s*$", text, re.M)
    shapes = re.findall(r"tensor<([0-9x]+)xf32>", match.group(1))
    results = len(re.findall(r"tensor<", match.group(2)))
    return [[int(d) for d in s.split("x")] for s in shapes], results


def check(cnnc, models, work, name, flags, target):
    here = os.path.dirname(os.path.abspath(__file__))
    model = next(path for path in (f"{models}/{name}.cnn", f"{here}/{name}.cnn",
                                   f"{here}/../../Models/Inputs/{name}.cnn")
                 if os.path.exists(path))
    base = f"{work}/{name}"
    started = time.monotonic()
    subprocess.run([cnnc, model, "-o", base + ".mlir"] + flags, check=True)
    subprocess.run([cnnc, "weights", base + ".mlir", "-o", base + ".safetensors"], check=True)
    rng = np.random.RandomState(7)
    inputs = []
    shapes, outputs = signature(base + ".mlir")
    for i, shape in enumerate(shapes):
        path = f"{base}.in{i}.npy"
        data = rng.randn(*shape).astype(np.float32)
        if name == "rpn" and i == 1:  # region boxes: [batch index, x1, y1, x2, y2]
            data = np.array([[0, 0, 0, 31, 31], [0, 4, 8, 20, 30]][: shape[0]], np.float32)
        np.save(path, data)
        inputs += ["--input", path]
    reference = [f"{base}.ref{i}.npy" for i in range(outputs)]
    compiled = [f"{base}.out{i}.npy" for i in range(outputs)]
    subprocess.run([cnnc, "run", base + ".mlir", "--weights", base + ".safetensors"] + inputs +
                   [a for p in reference for a in ("--output", p)], check=True)
    subprocess.run([cnnc, model, "-o", base, "--target=" + target] + flags, check=True)
    subprocess.run([base, "--weights", base + ".safetensors"] + inputs +
                   [a for p in compiled for a in ("--output", p)], check=True)
    error = 0.0
    for r, c in zip(reference, compiled):
        a, b = np.load(r).astype(np.float64), np.load(c).astype(np.float64)
        error = max(error, np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-30))
    verdict = "ok" if error < TOLERANCE else "FAIL"
    # The time says where the suite's minutes go (scripts/test.sh's budget).
    print(f"{name}: relative L2 error {error:.2e}: {verdict} ({time.monotonic() - started:.1f} s)",
          flush=True)
    if error < TOLERANCE:
        remove_outputs(work, name)
    return error < TOLERANCE


def main():
    arguments = sys.argv[1:]
    # --target T compiles the binaries for T (e.g. opencl, run on pocl).
    target = "host"
    if "--target" in arguments:
        at = arguments.index("--target")
        target = arguments[at + 1]
        del arguments[at:at + 2]
    cnnc, models, work = arguments[:3]
    names = arguments[3:] or list(MODELS)
    os.makedirs(work, exist_ok=True)
    ok = True
    for name in names:
        # `model:param=value[,param=value...]` sets those params over the
        # model's own here.
        model, _, given = name.partition(":")
        params = dict(MODELS[model][i + 1].split("=", 1) for i in range(0, len(MODELS[model]), 2))
        params.update(p.split("=", 1) for p in given.split(",") if p)
        flags = [a for key, value in params.items() for a in ("--param", f"{key}={value}")]
        ok &= check(cnnc, models, work, model, flags, target)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
