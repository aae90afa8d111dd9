"""Compares two .npy files: relative L2 error under --tolerance (default 1e-5).

With an .npz archive first, each of its arrays NAME is compared with the
file WANT + NAME + ".npy" (WANT a prefix such as out/model-).
"""
import argparse
import sys

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("got")
parser.add_argument("want")
parser.add_argument("--tolerance", type=float, default=1e-5)
args = parser.parse_args()

if args.got.endswith(".npz"):
    archive = np.load(args.got)
    pairs = [(name, archive[name], np.load(args.want + name + ".npy")) for name in archive.files]
else:
    pairs = [("", np.load(args.got), np.load(args.want))]
failed = False
for name, got, want in pairs:
    got, want = got.astype(np.float64), want.astype(np.float64)
    if got.shape != want.shape:
        sys.exit("%sshape %s, expected %s" % (name and name + ": ", got.shape, want.shape))
    error = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-30)
    failed |= not error < args.tolerance
    print("%srelative L2 error %s tolerance" % (name and name + ": ",
                                                "within" if error < args.tolerance else "OVER"))
sys.exit(1 if failed else 0)
