#!/usr/bin/env bash
# Every torchvision 0.14 classification model, exported by torch.onnx.export
# at opset 13, imported, compiled and compared with PyTorch in float64
# (test/Onnx/Inputs/check_torchvision.py). Slow (an hour or so on 2 cores):
# the suite runs four of them. Writes a markdown table for docs/onnx.md.
#   bench/onnx-survey.sh [--resolution 64] [--report bench/results/onnx-survey.md]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/../scripts/build.sh" >/dev/null
models=$(/usr/bin/python3 -c "import torchvision.models as tv; print(' '.join(tv.list_models(module=tv)))")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
exec /usr/bin/python3 "$here/../test/Onnx/Inputs/check_torchvision.py" \
  --cnnc "$here/../build/bin/cnnc" --work "$work" --report "$here/results/onnx-survey.md" \
  --keep-going "$@" $models
