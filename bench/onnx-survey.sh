#!/usr/bin/env bash
# Every torchvision 0.14 classification model, exported by torch.onnx.export
# at opset 13, imported, compiled and compared with PyTorch in float64
# (test/Onnx/Inputs/check_torchvision.py). Slow (an hour or so on 2 cores):
# the suite runs four of them. Writes a markdown table for docs/onnx.md.
#   bench/onnx-survey.sh [--resolution 64] [--report bench/results/onnx-survey.md]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/../scripts/build.sh" >/dev/null
# A small model of each family first, so that a survey stopped early has
# covered every family; then the rest.
first="alexnet squeezenet1_0 squeezenet1_1 resnet18 mobilenet_v2 mobilenet_v3_small
mobilenet_v3_large mnasnet0_5 shufflenet_v2_x0_5 efficientnet_b0 efficientnet_v2_s
regnet_x_400mf regnet_y_400mf googlenet inception_v3 densenet121 resnext50_32x4d
wide_resnet50_2 convnext_tiny vgg11 vgg11_bn swin_t swin_v2_t vit_b_32 maxvit_t"
models=$(/usr/bin/python3 -c "
import sys, torchvision.models as tv
first = sys.argv[1].split()
print(' '.join(first + [n for n in tv.list_models(module=tv) if n not in first]))" "$first")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
exec /usr/bin/python3 "$here/../test/Onnx/Inputs/check_torchvision.py" \
  --cnnc "$here/../build/bin/cnnc" --work "$work" --report "$here/results/onnx-survey.md" \
  --keep-going "$@" $models
