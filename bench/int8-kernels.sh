#!/usr/bin/env bash
# Times the int8 kernels (precision=int8) on ResNet-50's and MobileNet v2's
# layer shapes, on one thread, against the machine's measured VNNI and fp32
# peaks (bench/peak.c), after checking each against the naive reference.
#   bench/int8-kernels.sh [runs]     (default 50; build first: scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-50}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
grep -m1 "model name" /proc/cpuinfo
echo "features: $(grep -m1 flags /proc/cpuinfo | tr ' ' '\n' | grep -E 'avx512_vnni|avx512_bf16|amx|avx512_fp16' | tr '\n' ' ')"
cc -O3 -mavx512f -mfma "$root/bench/peak.c" -o "$work/peak" -lpthread
"$work/peak" 1 | sed 's/^/fp32 peak: /'
"$work/peak" 1 --int8 | sed 's/^/int8 peak: /'
"$root/build/bin/cnnc-kernelgen" "$root/bench/int8-kernels.spec" -o "$work" >/dev/null
c++ -std=c++17 -O2 -rdynamic -I/usr/include/halide14 "$root/test/Codegen/Inputs/check_int8.cpp" \
  "$work"/*.o -o "$work/check" -lpthread -ldl
HL_NUM_THREADS=1 "$work/check" "$root/bench/int8-kernels.spec" --bench "$runs" | grep -v ": ok"
