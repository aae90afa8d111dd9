"""Checks that two kernel plans (cnnc --emit=plan) make the same kernels and
call them in the same order: the kernel specs are compared as sets, the
calls as the sequence of kernel names (layer names may differ)."""
import sys


def read(path):
    kernels, calls = set(), []
    with open(path) as f:
        for line in f:
            if line.startswith("kernel "):
                kernels.add(line.strip())
            elif line.startswith("call "):
                calls.append(line.split()[1])
    return kernels, calls


(ka, ca), (kb, cb) = read(sys.argv[1]), read(sys.argv[2])
for kernel in sorted(ka ^ kb):
    print("only in %s: %s" % (sys.argv[1] if kernel in ka else sys.argv[2], kernel))
if ca != cb:
    print("the calls differ: %d and %d calls" % (len(ca), len(cb)))
print("%d kernels, %d calls: %s" % (len(ka), len(ca), "same" if ka == kb and ca == cb else "DIFFERENT"))
sys.exit(0 if ka == kb and ca == cb else 1)
