"""Compiles long_reductions.cnn and compares each output of the binary with
the float64 reference interpreter on inputs far from zero (100 + N(0, 1)
pixels, 3 + N(0, 1) features, logits spread over 20 units), printing each
output's error relative to its largest value and whether it is under its
bound. The bounds are what blocked sums meet with room to spare and what a
float32 sum taken in one run, as the kernels summed before, does not (the
same inputs, summed serially in NumPy: 8.1e-6 for the pool, 3.4e-6 for the
softmax, 9.5e-7 for the layer norm; blocked, the kernels give 6.1e-7,
1.9e-7 and 6.8e-8).

  reduction_accuracy.py CNNC MODEL WORK
"""
import os
import subprocess
import sys

import numpy as np

BOUNDS = {"pooled": 1e-6, "probabilities": 1e-6, "normed": 3e-7}


def main():
    cnnc, model, work = sys.argv[1:4]
    rng = np.random.RandomState(3)
    inputs = {"image": 100 + rng.randn(1, 8, 320, 320),
              "logits": 20 * rng.rand(2, 4000),
              "tokens": 3 + rng.randn(4, 2048)}
    arguments = []
    for name, value in inputs.items():
        path = os.path.join(work, name + ".npy")
        np.save(path, value.astype(np.float32))
        arguments += ["--input", f"{name}={path}"]
    names = ["pooled", "probabilities", "normed"]
    want = [os.path.join(work, f"want_{n}.npy") for n in names]
    got = [os.path.join(work, f"got_{n}.npy") for n in names]
    weights = os.path.join(work, "weights.safetensors")
    subprocess.run([cnnc, "weights", model, "-o", weights], check=True)
    subprocess.run([cnnc, "run", model, "--weights", weights, "-q"] + arguments +
                   sum((["--output", p] for p in want), []), check=True)
    binary = os.path.join(work, "reductions")
    subprocess.run([cnnc, model, "-q", "-o", binary], check=True)
    subprocess.run([binary, "--weights", weights, "-q"] + arguments +
                   sum((["--output", p] for p in got), []), check=True)
    failed = 0
    for name, w, g in zip(names, want, got):
        reference = np.load(w).astype(np.float64)
        error = np.max(np.abs(np.load(g) - reference)) / np.max(np.abs(reference))
        bound = BOUNDS[name]
        verdict = "ok" if error < bound else "over the bound %g" % bound
        failed += error >= bound
        print(f"{name}: error {error:.2e} of the largest value: {verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
