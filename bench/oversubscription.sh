#!/usr/bin/env bash
# Two compiled models sharing this machine's cores: each alone, then two at
# once, at --threads 1 and at --threads (cores). The thread pool's workers
# spin between kernels; when more threads want the cores than there are,
# spinning must not take the cores from the threads with work.
#
#   bench/oversubscription.sh [network] [runs]     (default resnet18, 40)
#
# Prints each binary's median latency; with two at once, both medians.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
network="${1:-resnet18}"
runs="${2:-40}"
cores="$(nproc)"
"$root/scripts/build.sh" >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/build/bin/cnnc" "$root/models/$network.cnn" -o "$work/model" >/dev/null

median() { sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' "$1"; }
alone() {
  "$work/model" --threads "$1" --bench "$runs" > "$work/alone.txt"
  echo "$network --threads $1 alone: $(median "$work/alone.txt") ms"
}
together() {
  "$work/model" --threads "$1" --bench "$runs" > "$work/a.txt" &
  local first=$!
  "$work/model" --threads "$1" --bench "$runs" > "$work/b.txt"
  wait "$first"
  echo "$network --threads $1, two at once: $(median "$work/a.txt") ms and $(median "$work/b.txt") ms"
}
for threads in 1 "$cores"; do
  alone "$threads"
  together "$threads"
done
