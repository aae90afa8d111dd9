#!/usr/bin/env bash
# Tunes networks with cnnc-tune and reports, per configuration, the tuning
# time and the tuned model against the default one (cnnc-tune's own A/B/A/B
# of the two binaries in one run). Writes results/tune-<date-time>.md, each
# run's report beside it, and keeps the databases in build/bench/tuning, where
# `bench/run.sh --tuning-dir build/bench/tuning` times the tuned binaries
# against the peers.
#
#   bench/tune.sh [--budget 10m] [--networks resnet50,mobilenet_v2,...]
#                 [--configs 1x1,1x2,8x2]   (batch x threads)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
budget=10m
networks=resnet50,mobilenet_v2,efficientnet_b0,googlenet
configs=1x1,1x2,8x2
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget=$2; shift 2 ;;
    --networks) networks=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    *) echo "usage: bench/tune.sh [--budget 10m] [--networks a,b] [--configs BxT,...]" >&2; exit 2 ;;
  esac
done
"$root/scripts/build.sh" >/dev/null
mkdir -p "$here/results"
out="$here/results/tune-$(date +%Y-%m-%d-%H%M).md"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
databases="$root/build/bench/tuning"
mkdir -p "$databases"
{
  echo "# cnnc-tune, budget $budget, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
  echo
  echo "| network | batch | threads | tuning s | default ms | tuned ms | gain | kernels changed |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
} > "$out"
for network in ${networks//,/ }; do
  for config in ${configs//,/ }; do
    batch=${config%x*} threads=${config#*x}
    db="$databases/$network-$config.db"
    model=(--param batch="$batch" "$root/models/$network.cnn")
    [ "$network" = efficientnet_b0 ] &&
      model=(--param batch="$batch" --param variant=0 "$root/models/efficientnet.cnn")
    rm -f "$db" "$db.report"  # a database left from before would be resumed, not tuned afresh
    start=$(date +%s.%N)
    "$root/build/bin/cnnc-tune" "${model[@]}" \
      --threads "$threads" --budget "$budget" -o "$db" > "$work/report" 2> "$work/log" ||
      { echo "cnnc-tune failed on $network $config:"; tail "$work/log"; exit 1; } >&2
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    line=$(grep -m1 "the whole model" "$work/report" || true)
    default=$(echo "$line" | sed -n 's/.*default \([0-9.]*\) ms.*/\1/p')
    tuned=$(echo "$line" | sed -n 's/.*tuned \([0-9.]*\) ms.*/\1/p')
    gain=$(echo "$line" | sed -n 's/.*ms, \([-+][0-9.]*%\).*/\1/p')
    changed=$(grep -c "^target=.* => [a-z_]*=" "$db" || true)
    printf "| %s | %s | %s | %.0f | %s | %s | %s | %s |\n" "$network" "$batch" "$threads" \
      "$seconds" "${default:--}" "${tuned:--}" "${gain:-no change}" "$changed" >> "$out"
    cp "$work/report" "$here/results/tune-$network-$config.report"
    echo "$network batch $batch threads $threads: ${gain:-no change} (${seconds%.*} s)" >&2
  done
done
echo "wrote $out" >&2
