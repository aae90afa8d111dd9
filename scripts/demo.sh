#!/usr/bin/env bash
# Sets up, builds, and shows the main job as far as cnnc goes today: a zoo
# model elaborated into the cnn dialect, verified, and summarised.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh" >/dev/null
cnnc="$root/build/bin/cnnc"
model="$root/models/resnet50.cnn"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$cnnc" --version
"$cnnc" "$model" -o "$out/resnet50.mlir"
"$cnnc" summary "$model" -o "$out/summary.txt"
echo "== $model in the cnn dialect ($(grep -c ' = cnn\.' "$out/resnet50.mlir") ops), the first layers:"
grep -v "cnn.parameter" "$out/resnet50.mlir" | sed -n '2,12p'
echo "== cnnc summary (first and last layers)"
sed -n '2,6p' "$out/summary.txt"
echo "..."
tail -n 4 "$out/summary.txt"
