"""Compares two .npy files: relative L2 error under --tolerance (default 1e-5)."""
import argparse
import sys

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("got")
parser.add_argument("want")
parser.add_argument("--tolerance", type=float, default=1e-5)
args = parser.parse_args()
got, want = np.load(args.got).astype(np.float64), np.load(args.want).astype(np.float64)
if got.shape != want.shape:
    sys.exit("shape %s, expected %s" % (got.shape, want.shape))
error = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-30)
print("relative L2 error %s tolerance" % ("within" if error < args.tolerance else "OVER"))
sys.exit(0 if error < args.tolerance else 1)
