"""Property test of tuning-database schedules: a random schedule within the
documented ranges (docs/tuning.md) either compiles to a program whose output
matches the reference interpreter, or is refused with an error at the
database's line. Nothing else: no crash, no Halide error text, no error that
names a temporary file, no wrong answer.

Each case takes one kernel of the model's plan, changes one to three of its
heuristic schedule's keys to values drawn from the documented ranges
(biased toward the sizes schedules use), and compiles the model with a
one-line database holding it.

  random_schedules.py CNNC MODEL WORK [--cases N] [--seed S]

Prints one line per case and a summary; exits 1 if any case is neither.
"""
import argparse
import os
import random
import subprocess
import sys

import numpy as np

# The schedule keys of each family and their documented ranges.
RANGES = {
    "conv": {"vec": (1, 64), "tile_c": (1, 1024), "tile_x": (1, 1024), "ci_block": (1, 4096),
             "rows": (1, 256), "wblock": (0, 4096), "winograd": (0, 4), "rotated": (0, 1),
             "block_x": (1, 1024), "ksplit": (1, 1024), "images": (1, 64), "cgroup": (1, 4096)},
    "gemm": {"vec": (1, 64), "tile_n": (1, 1024), "tile_m": (1, 1024), "k_block": (1, 4096),
             "m_block": (1, 4096), "wblock": (0, 4096), "ksplit": (1, 1024)},
}
# The sizes schedules use, so that some draws are valid; any value in range
# is drawn too.
USUAL = [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256]
TOLERANCE = 1e-4


def plan_kernels(cnnc, model):
    """(family, signature, {key: value}) for each tunable kernel of the plan."""
    plan = subprocess.run([cnnc, model, "--emit=plan"], capture_output=True, text=True,
                          check=True).stdout
    kernels = []
    for line in plan.splitlines():
        words = line.split()
        if len(words) < 3 or words[0] != "kernel" or words[2] not in RANGES:
            continue
        family = words[2]
        signature, keys = [], {}
        for word in words[2:]:
            key, _, value = word.partition("=")
            if key in RANGES[family] or key == "parallel":
                keys[key] = value
            else:
                signature.append(word)
        kernels.append((family, " ".join(signature), keys))
    return kernels


def draw(rng, family, keys):
    schedule = dict(keys)
    for key in rng.sample(sorted(RANGES[family]), rng.randint(1, 3)):
        low, high = RANGES[family][key]
        if rng.random() < 0.7:
            value = rng.choice([v for v in USUAL if low <= v <= high])
        else:
            value = rng.randint(low, high)
        schedule[key] = str(value)
    return " ".join(f"{k}={v}" for k, v in sorted(schedule.items()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cnnc")
    parser.add_argument("model")
    parser.add_argument("work")
    parser.add_argument("--cases", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = random.Random(args.seed)
    kernels = plan_kernels(args.cnnc, args.model)
    weights = os.path.join(args.work, "weights.safetensors")
    reference = os.path.join(args.work, "reference.npy")
    subprocess.run([args.cnnc, "weights", args.model, "-o", weights], check=True)
    subprocess.run([args.cnnc, "run", args.model, "--weights", weights, "--seed", "1",
                    "--output", reference, "-q"], check=True)
    want = np.load(reference).astype(np.float64)
    counts = {"compiled and matched": 0, "refused at the line": 0, "failed": 0}
    for case in range(args.cases):
        family, signature, keys = rng.choice(kernels)
        schedule = draw(rng, family, keys)
        database = os.path.join(args.work, f"random{case}.db")
        with open(database, "w") as f:
            f.write(f"{signature} => {schedule}\n")
        program = os.path.join(args.work, f"program{case}")
        built = subprocess.run([args.cnnc, args.model, "--tuning-db", database, "-q", "-o",
                                program], capture_output=True, text=True, errors="replace",
                               timeout=600)
        first = (built.stderr.strip().splitlines() or [""])[0]
        if built.returncode != 0:
            clean = (built.returncode == 1 and f"{database}:1: " in first and
                     "Halide" not in built.stderr and "Error:" not in built.stderr)
            verdict = "refused at the line" if clean else "failed"
            detail = first
        else:
            output = os.path.join(args.work, f"output{case}.npy")
            ran = subprocess.run([program, "--weights", weights, "--seed", "1", "--output", output,
                                  "-q"], capture_output=True, text=True, timeout=300)
            if ran.returncode != 0:
                verdict, detail = "failed", "does not run: " + ran.stderr.strip()[-200:]
            else:
                got = np.load(output).astype(np.float64)
                error = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-30)
                verdict = "compiled and matched" if error < TOLERANCE else "failed"
                detail = f"relative L2 error {error:.1e}"
        counts[verdict] += 1
        print(f"case {case}: {family} {schedule}: {verdict}: {detail}", flush=True)
    print("random schedules: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    sys.exit(1 if counts["failed"] else 0)


if __name__ == "__main__":
    main()
