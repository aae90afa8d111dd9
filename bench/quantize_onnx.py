"""An fp32 ONNX model -> the int8 QDQ model ONNX Runtime fuses into
QLinearConv, QLinearAdd and QGemm: the int8 peer of `bench/run.sh
--precision int8`, and an input for cnnc's QDQ import.

    quantize_onnx.py MODEL.onnx OUT.onnx --inputs a.npy,b.npy,...
                     [--method minmax|percentile] [--percentile 99.99]
                     [--ops Conv,Gemm,...]

It quantizes as cnnc does: weights symmetric per output channel to s8
(scale max|w| / 127, zero point 0), biases to s32 at scale s_x * s_w,
activations per tensor to u8 over a range that contains 0, with cnnc's
calibration methods (runtime/src/calibrate.c: minmax, or the P-th
percentile of |x| from a 2048-bin histogram, the sign of the minimum kept).
A float tensor gets a QuantizeLinear/DequantizeLinear pair when one of its
readers is an operator of --ops; ONNX Runtime then runs that reader on
integers (a ReLU or clip before the pair is fused away, its range starting
at 0). Activation ranges come from ONNX Runtime itself (bench/ort_tensors.js)
running the fp32 model on the samples, grouped into the model's batch.

Written with python3-onnx alone: there is no onnxruntime Python package here.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OPS = "Conv,Gemm,MatMul,Add,MaxPool,AveragePool,GlobalAveragePool,Concat"
BINS = 2048


class Ranges:
    """Per tensor: min, max and a histogram of |x| (the second pass)."""

    def __init__(self, names):
        self.low = {n: 0.0 for n in names}
        self.high = {n: 0.0 for n in names}
        self.histogram = {n: np.zeros(BINS) for n in names}

    def observe_extremes(self, name, values):
        self.low[name] = min(self.low[name], float(values.min()))
        self.high[name] = max(self.high[name], float(values.max()))

    def magnitude(self, name):
        return max(-self.low[name], self.high[name])

    def observe_histogram(self, name, values):
        top = self.magnitude(name)
        if top > 0:
            self.histogram[name] += np.histogram(np.abs(values), BINS, (0, top))[0]

    def chosen(self, name, method, percentile):
        low, high = self.low[name], self.high[name]
        top = self.magnitude(name)
        if method == "percentile" and top > 0:
            counts = np.cumsum(self.histogram[name])
            limit = (np.searchsorted(counts, counts[-1] * percentile / 100) + 1) * top / BINS
            low, high = max(low, -limit), min(high, limit)
        return low, high


def affine_u8(low, high):
    """Scale and zero point of a range, as cnnc's affineU8 computes them."""
    if not high - low > 0:
        return 1.0, 0
    scale = (high - low) / 255
    return scale, int(np.clip(np.round(-low / scale), 0, 255))


def model_input(model):
    initializers = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    if len(inputs) != 1:
        sys.exit(f"expected one input, found {len(inputs)}")
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
    if not all(d > 0 for d in dims):
        sys.exit(f"input {inputs[0].name}: needs fixed dimensions, found {dims}")
    return inputs[0].name, dims


def tensors_to_quantize(model, ops):
    """Float activations read by an operator of `ops` (not weights)."""
    initializers = {i.name for i in model.graph.initializer}
    chosen = []
    for node in model.graph.node:
        if node.op_type not in ops:
            continue
        activations = node.input[:1] if node.op_type in ("Conv", "Gemm") else node.input
        for name in activations:
            if name and name not in initializers and name not in chosen:
                chosen.append(name)
    return chosen


def run_with_outputs(model, names, feeds, work):
    """{name: array} for `names`, made outputs of a copy of the model."""
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    existing = {o.name for o in probe.graph.output}
    for name in names:
        if name not in existing:
            probe.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    path = os.path.join(work, "probe.onnx")
    onnx.save(probe, path)
    arguments = []
    for k, (name, array) in enumerate(feeds.items()):
        raw = os.path.join(work, f"input{k}.f32")
        array.astype("<f4").tofile(raw)
        arguments.append(f"{name}:{'x'.join(map(str, array.shape))}:{raw}")
    subprocess.run(["node", os.path.join(HERE, "ort_tensors.js"), path, work] + arguments,
                   check=True, env=dict(os.environ, NODE_PATH=os.path.join(
                       HERE, ".peers", "node_modules")))
    with open(os.path.join(work, "outputs.json")) as f:
        manifest = json.load(f)
    return {name: np.fromfile(os.path.join(work, f"{k}.f32"), "<f4")
            for k, (name, _) in enumerate(manifest) if name in names}


def batches(samples, batch):
    """The samples (each 1xCxHxW) grouped into the model's batch; the last
    group is filled up from the first samples."""
    groups = []
    for start in range(0, len(samples), batch):
        group = [samples[(start + i) % len(samples)] for i in range(batch)]
        groups.append(np.concatenate(group, axis=0))
    return groups


def calibrate(model, names, samples, method, percentile):
    input_name, dims = model_input(model)
    for sample in samples:
        if list(sample.shape[1:]) != dims[1:] or sample.shape[0] != 1:
            sys.exit(f"sample of shape {list(sample.shape)}, expected [1, {dims[1:]}]")
    ranges = Ranges(names)
    passes = [ranges.observe_extremes] + ([ranges.observe_histogram]
                                          if method == "percentile" else [])
    with tempfile.TemporaryDirectory() as work:
        for observe in passes:
            for group in batches(samples, dims[0]):
                for name, values in run_with_outputs(model, names, {input_name: group},
                                                     work).items():
                    if not np.all(np.isfinite(values)):
                        sys.exit(f"{name}: not finite on a calibration sample")
                    observe(name, values)
    return {n: ranges.chosen(n, method, percentile) for n in names}


def quantized_weight(array, axis):
    """Symmetric per-channel s8 along `axis`: (int8 values, scales)."""
    moved = np.moveaxis(array, axis, 0).reshape(array.shape[axis], -1)
    scales = np.abs(moved).max(axis=1) / 127
    scales[scales == 0] = 1
    shape = [1] * array.ndim
    shape[axis] = -1
    values = np.clip(np.round(array / scales.reshape(shape)), -127, 127).astype(np.int8)
    return values, scales.astype(np.float32)


def quantize(model, ranges, ops):
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    weights_done, new_initializers, prologue = {}, [], []
    activation_scale = {}

    def constant(name, array):
        new_initializers.append(numpy_helper.from_array(array, name))
        return name

    def dequantized_weight(name, axis):
        if name in weights_done:
            return weights_done[name]
        values, scales = quantized_weight(numpy_helper.to_array(initializers[name]), axis)
        out = name + "_dequantized"
        prologue.append(helper.make_node(
            "DequantizeLinear", [constant(name + "_s8", values), constant(name + "_scale", scales),
                                 constant(name + "_zero", np.zeros(len(scales), np.int8))],
            [out], axis=axis))
        weights_done[name] = (out, scales)
        return weights_done[name]

    def dequantized_bias(name, input_scale, weight_scales):
        scales = (input_scale * weight_scales).astype(np.float32)
        values = numpy_helper.to_array(initializers[name]).astype(np.float64)
        q = np.clip(np.round(values / scales), -2**31, 2**31 - 1).astype(np.int32)
        out = name + "_dequantized"
        prologue.append(helper.make_node(
            "DequantizeLinear", [constant(name + "_s32", q), constant(name + "_scale", scales),
                                 constant(name + "_zero", np.zeros(len(scales), np.int32))],
            [out], axis=0))
        return out

    def qdq_pair(name):
        scale, zero = affine_u8(*ranges[name])
        activation_scale[name] = scale
        s = constant(name + "_qscale", np.array(scale, np.float32))
        z = constant(name + "_qzero", np.array(zero, np.uint8))
        return [helper.make_node("QuantizeLinear", [name, s, z], [name + "_q"]),
                helper.make_node("DequantizeLinear", [name + "_q", s, z], [name + "_dq"])]

    body = []
    for graph_input in graph.input:
        if graph_input.name in ranges:
            body += qdq_pair(graph_input.name)
    for node in graph.node:
        if node.op_type in ops:
            inputs = list(node.input)
            for i, name in enumerate(inputs):
                if name in ranges:
                    inputs[i] = name + "_dq"
            weighted = node.op_type in ("Conv", "Gemm") and len(inputs) > 1 and \
                inputs[1] in initializers
            transposed_b = any(a.name == "transB" and a.i for a in node.attribute)
            if weighted:
                axis = 0 if node.op_type == "Conv" or transposed_b else 1
                inputs[1], weight_scales = dequantized_weight(node.input[1], axis)
                if len(inputs) > 2 and inputs[2] in initializers:
                    inputs[2] = dequantized_bias(inputs[2], activation_scale[node.input[0]],
                                                 weight_scales)
            del node.input[:]
            node.input.extend(inputs)
        body.append(node)
        for output in node.output:
            if output in ranges:
                body += qdq_pair(output)
    del graph.node[:]
    graph.node.extend(prologue + body)
    used = {name for node in graph.node for name in node.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_initializers)
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("output")
    parser.add_argument("--inputs", required=True, help="comma-separated .npy samples, 1xCxHxW")
    parser.add_argument("--method", choices=["minmax", "percentile"], default="percentile")
    parser.add_argument("--percentile", type=float, default=99.99)
    parser.add_argument("--ops", default=DEFAULT_OPS)
    args = parser.parse_args()
    model = onnx.load(args.model)
    ops = set(args.ops.split(","))
    names = tensors_to_quantize(model, ops)
    samples = [np.load(p).astype(np.float32) for p in args.inputs.split(",")]
    ranges = calibrate(model, names, samples, args.method, args.percentile)
    model = quantize(model, ranges, ops)
    onnx.checker.check_model(model)
    onnx.save(model, args.output)
    print(f"{args.output}: {len(names)} activations quantized ({args.method})")


if __name__ == "__main__":
    main()
