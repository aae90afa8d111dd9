#!/usr/bin/env bash
# Sets up, builds, and shows the main job as far as cnnc goes today: a zoo
# model elaborated into the cnn dialect, summarised, optimised (with the
# passes' remarks and the memory plan), and run on the reference interpreter.
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
grep -v "cnn.parameter" "$out/resnet50.mlir" | sed -n '2,8p'
echo "== cnnc summary (first and last layers)"
sed -n '2,5p' "$out/summary.txt"
echo "..."
tail -n 3 "$out/summary.txt"
echo "== cnnc --emit=opt: folded, fused, lowered to GEMMs, weights transformed at load, memory planned"
"$cnnc" "$model" --emit=opt --remarks -o "$out/opt.mlir" 2>"$out/remarks.txt"
awk '/func.func @init/{exit} /= cnn\./ && !/cnn.weight/' "$out/opt.mlir" |
  grep -oE "= cnn\.[a-z_0-9]+" | sort | uniq -c
grep "memory plan" "$out/remarks.txt" | sed 's/^.*remark: //'
echo "== cnnc run: the reference interpreter, seeded weights and input"
"$cnnc" run "$model"
