"""Exports a torchvision model (random weights) with torch.onnx.export at
opset 13: export_torchvision.py NAME RESOLUTION OUT.onnx"""
import sys

import torch
import torchvision.models as tv

name, resolution, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
model = getattr(tv, name)(weights=None).eval()
with torch.no_grad():
    torch.onnx.export(model, torch.randn(1, 3, resolution, resolution), out, opset_version=13,
                      input_names=["image"], output_names=["logits"])
