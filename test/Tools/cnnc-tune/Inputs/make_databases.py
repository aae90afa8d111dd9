"""Writes tuning databases for the database tests.

  make_databases.py DIR [PLAN]

  big-a.db, big-b.db  20,000 entries each, half of them the same kernels
  times.db            tiny and huge times, to read back exactly
  implausible.db      a tuned time 1000 times below its default
  conflict-a.db,      with PLAN (cnnc small.cnn --emit=plan): two schedules
  conflict-b.db       of small.cnn's dense layer for this machine, and two of
                      a kernel it does not have; no cpu line, so that any
                      machine may re-measure them
"""
import os
import sys

GEMM = "gemm m={m} k=32 n=16 bias=1 residual=0 affine=0 act=none"
SCHEDULE = "k_block=32 m_block=48 parallel=m tile_m=12 tile_n=16 vec=16 wblock=0"


def write(path, lines):
    with open(path, "w") as f:
        f.write("cpu Some CPU\n" + "".join(line + "\n" for line in lines))


def main():
    out = sys.argv[1]
    for name, start in (("big-a.db", 0), ("big-b.db", 10000)):
        write(os.path.join(out, name), [
            "target=avx512 threads=1 | %s => %s | default=%.17gms tuned=%.17gms"
            % (GEMM.format(m=start + i + 1), SCHEDULE, 1.0 + i * 1e-6, 0.9 + (i % 7) * 1e-3)
            for i in range(20000)])
    write(os.path.join(out, "times.db"), [
        "target=avx512 threads=1 | %s => %s | default=%sms tuned=%sms"
        % (GEMM.format(m=m), SCHEDULE, default, tuned)
        for m, default, tuned in ((1, "1.2345678901234567e-05", "1.0000000000000001e-05"),
                                  (2, "9999999.9999999981", "9000000.0000000019"),
                                  (3, "0.30000000000000004", "0.1"))])
    write(os.path.join(out, "implausible.db"), [
        "target=avx512 threads=1 | %s => %s | default=1ms tuned=0.001ms" % (GEMM.format(m=5),
                                                                           SCHEDULE)])
    if len(sys.argv) > 2:
        conflicts(out, sys.argv[2])


def conflicts(out, plan):
    kernels = [line.split(" ", 2)[2] for line in open(plan) if line.startswith("kernel ")]
    # The heuristic's vector for the 32-channel convolution: 16 lanes on AVX-512.
    isa = "avx512" if " vec=16 " in " " + kernels[0] + " " else "avx2"
    head = next(k for k in kernels if k.startswith("gemm m=1 k=32 n=10 "))
    signature = head.split(" k_block=")[0]
    other = GEMM.format(m=7)
    context = "target=%s threads=1 | " % isa
    with open(os.path.join(out, "conflict-a.db"), "w") as f:
        f.write(context + signature + " => default | default=1ms tuned=1ms\n")
        f.write(context + other + " => default | default=1ms tuned=1ms\n")
    with open(os.path.join(out, "conflict-b.db"), "w") as f:
        f.write(context + signature + " => k_block=16 m_block=1 parallel=n tile_m=1 tile_n=8 "
                "vec=8 wblock=0 | default=1ms tuned=0.5ms\n")
        f.write(context + other + " => " + SCHEDULE + " | default=1ms tuned=0.5ms\n")


if __name__ == "__main__":
    main()
