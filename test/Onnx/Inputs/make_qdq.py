"""A QDQ model as ONNX Runtime's quantizer writes one, and what it computes.

    make_qdq.py OUT_DIR   writes qdq_block.onnx, the same model in the QOperator
                          format (qop_block.onnx), x.npy and expected.npy
    make_qdq.py hostile OUT_DIR
                          models whose pairs cnnc must refuse, by name
    make_qdq.py check OUT_DIR DUMP_DIR
                          the int8 binary's u8 layers (--dump-layers) against
                          the QDQ graph's tensors, in quantization steps

The model: x [1, 8, 12, 12] -> conv c1 3x3 + ReLU -> c2 1x1 and c3 1x1 side by
side -> their sum + ReLU -> global average pool -> flatten -> dense fc (10).
Every activation a Conv, Gemm or Add reads has a QuantizeLinear/
DequantizeLinear pair (u8, per tensor), every weight a DequantizeLinear of
int8 per output channel (axis 0), every bias one of int32 at s_x * s_w.
expected.npy is the QDQ graph's own function, the pairs applied as ONNX
defines them (round half to even, saturate), in float64.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from qdq_math import Initializers, affine, conv, fake, symmetric

rng = np.random.RandomState(7)
out_dir = sys.argv[2] if sys.argv[1] in ("check", "hostile") else sys.argv[1]


def hostile(name, scale, zero, reshaped=False):
    """x -> QuantizeLinear(scale, zero) -> [Reshape ->] DequantizeLinear ->
    Relu: the Reshape leaves an integer tensor cnnc's layers do not make."""
    inits = [numpy_helper.from_array(scale, "s"), numpy_helper.from_array(zero, "z"),
             numpy_helper.from_array(np.array([1, 4, 16], np.int64), "shape")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"])]
    if reshaped:
        nodes.append(helper.make_node("Reshape", ["q", "shape"], ["r"]))
    nodes += [helper.make_node("DequantizeLinear", ["r" if reshaped else "q", "s", "z"], ["d"]),
              helper.make_node("Relu", ["d"], ["y"])]
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                       [1, 4, 16] if reshaped else [1, 4, 4, 4])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(out_dir, name + ".onnx"))


def qop_hostile(name, last):
    """x -> QuantizeLinear -> `last` (a QOperator node reading "q" at scale
    "s", zero point "z", writing "y8") -> DequantizeLinear -> y; the input
    wf quantized is "wq", a weight computed while the model runs."""
    inits = [numpy_helper.from_array(np.array(0.1, np.float32), "s"),
             numpy_helper.from_array(np.array(128, np.uint8), "z"),
             numpy_helper.from_array(np.array(0.2, np.float32), "s2"),
             numpy_helper.from_array(np.ones((4, 4, 1, 1), np.int8), "w"),
             numpy_helper.from_array(np.ones(3, np.float32), "ws3"),
             numpy_helper.from_array(np.zeros(3, np.int8), "wz3"),
             numpy_helper.from_array(np.array(0.5, np.float32), "ws"),
             numpy_helper.from_array(np.array(0, np.int8), "wz")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"]),
             helper.make_node("QuantizeLinear", ["wf", "ws", "wz"], ["wq"])]
    nodes += last if isinstance(last, list) else [last]
    nodes += [helper.make_node("DequantizeLinear", ["y8", "s", "z"], ["y"])]
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 4, 4]),
                      helper.make_tensor_value_info("wf", TensorProto.FLOAT, [4, 4, 1, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 4, 4])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                      helper.make_opsetid("com.microsoft", 1)]),
              os.path.join(out_dir, name + ".onnx"))


if sys.argv[1] == "hostile":
    # A weight computed while the model runs; a reader at another scale
    # than its writer's; per-channel scales of the wrong count; a float
    # operator on an integer tensor; a QOperator cnnc does not read.
    qop_hostile("qop_computed_weight", helper.make_node(
        "QLinearConv", ["q", "s", "z", "wq", "ws", "wz", "s", "z"], ["y8"], name="conv"))
    qop_hostile("qop_rescaled", helper.make_node(
        "QLinearConv", ["q", "s2", "z", "w", "ws", "wz", "s", "z"], ["y8"], name="conv"))
    qop_hostile("qop_scale_count", helper.make_node(
        "QLinearConv", ["q", "s", "z", "w", "ws3", "wz3", "s", "z"], ["y8"], name="conv"))
    qop_hostile("qop_float_op", [
        helper.make_node("QLinearConv", ["q", "s", "z", "w", "ws", "wz", "s", "z"], ["c8"],
                         name="conv"),
        helper.make_node("Max", ["c8", "c8"], ["y8"], name="max")])
    qop_hostile("qop_softmax", helper.make_node(
        "QLinearSoftmax", ["q", "s", "z", "s", "z"], ["y8"], name="softmax",
        domain="com.microsoft", axis=1, opset=13))
    hostile("zero_scale", np.array(0, np.float32), np.array(0, np.uint8))
    hostile("nan_scale", np.array(np.nan, np.float32), np.array(0, np.uint8))
    hostile("per_channel", np.ones(4, np.float32), np.zeros(4, np.uint8))
    hostile("int32_activation", np.array(1, np.float32), np.array(0, np.int32))
    hostile("reshaped_q", np.array(1, np.float32), np.array(0, np.uint8), True)
    sys.exit(0)


weights = {"c1": rng.randn(16, 8, 3, 3) * 0.2, "c2": rng.randn(16, 16, 1, 1) * 0.3,
           "c3": rng.randn(16, 16, 1, 1) * 0.3, "fc": rng.randn(10, 16) * 0.3}
biases = {k: rng.randn(v.shape[0]) * 0.1 for k, v in weights.items()}
x = rng.randn(1, 8, 12, 12).astype(np.float32)

# Ranges from the float model (a calibration on this one input).
a1 = np.maximum(conv(x, weights["c1"], biases["c1"], 1), 0)
b2, b3 = conv(a1, weights["c2"], biases["c2"], 0), conv(a1, weights["c3"], biases["c3"], 0)
s = np.maximum(b2 + b3, 0)
g = s.mean(axis=(2, 3))
qp = {"x": affine(x), "a1": affine(a1), "b2": affine(b2), "b3": affine(b3), "s": affine(s),
      "g": affine(g)}

nodes, inits = [], []


def constant(name, array):
    inits.append(numpy_helper.from_array(array, name))
    return name


def qdq(name):
    scale, zero = qp[name]
    s_name, z_name = constant(name + "_s", np.array(scale, np.float32)), \
        constant(name + "_z", np.array(zero, np.uint8))
    nodes.append(helper.make_node("QuantizeLinear", [name, s_name, z_name], [name + "_q"]))
    nodes.append(helper.make_node("DequantizeLinear", [name + "_q", s_name, z_name],
                                  [name + "_dq"]))
    return name + "_dq"


dequantized = {}


def weight_and_bias(layer, input_scale):
    q, scales = symmetric(weights[layer])
    nodes.append(helper.make_node(
        "DequantizeLinear", [constant(layer + "_w", q), constant(layer + "_ws", scales),
                             constant(layer + "_wz", np.zeros(len(scales), np.int8))],
        [layer + "_wdq"], axis=0))
    bias_scales = (np.float32(input_scale) * scales).astype(np.float32)
    qb = np.round(biases[layer] / bias_scales).astype(np.int32)
    nodes.append(helper.make_node(
        "DequantizeLinear", [constant(layer + "_b", qb), constant(layer + "_bs", bias_scales),
                             constant(layer + "_bz", np.zeros(len(scales), np.int32))],
        [layer + "_bdq"], axis=0))
    dequantized[layer] = (q.astype(np.float64) * scales.reshape(-1, *[1] * (q.ndim - 1)),
                          qb.astype(np.float64) * bias_scales)
    return [layer + "_wdq", layer + "_bdq"]


xq = qdq("x")
nodes.append(helper.make_node("Conv", [xq] + weight_and_bias("c1", qp["x"][0]), ["c1"],
                              pads=[1, 1, 1, 1], name="c1"))
nodes.append(helper.make_node("Relu", ["c1"], ["a1"], name="r1"))
a1q = qdq("a1")
nodes.append(helper.make_node("Conv", [a1q] + weight_and_bias("c2", qp["a1"][0]), ["b2"],
                              name="c2"))
nodes.append(helper.make_node("Conv", [a1q] + weight_and_bias("c3", qp["a1"][0]), ["b3"],
                              name="c3"))
b2q, b3q = qdq("b2"), qdq("b3")
nodes.append(helper.make_node("Add", [b2q, b3q], ["sum"], name="add"))
nodes.append(helper.make_node("Relu", ["sum"], ["s"], name="r2"))
sq = qdq("s")
nodes.append(helper.make_node("GlobalAveragePool", [sq], ["gp"], name="gap"))
nodes.append(helper.make_node("Flatten", ["gp"], ["g"], name="flat"))
gq = qdq("g")
nodes.append(helper.make_node("Gemm", [gq] + weight_and_bias("fc", qp["g"][0]), ["y"],
                              transB=1, name="fc"))
graph = helper.make_graph(nodes, "qdq_block",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 12, 12])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="onnxruntime.quantization")
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out_dir, "qdq_block.onnx"))
np.save(os.path.join(out_dir, "x.npy"), x)


def qoperator_model():
    """The same model in ONNX Runtime's QOperator format: QLinearConv (its
    ReLU the clamp of a zero point of 0), QLinearAdd, QLinearGlobalAveragePool,
    a Flatten of the u8 tensor, and QGemm with a float output."""
    qnodes, qinits = [], Initializers()
    const = qinits.add

    def params(name):
        return qinits.grid(name, *qp[name])

    def weights_of(layer, input_scale):
        q, scales = symmetric(weights[layer])
        bias_scales = (np.float32(input_scale) * scales).astype(np.float32)
        qb = np.round(biases[layer] / bias_scales).astype(np.int32)
        return [const(layer + "_w", q), const(layer + "_ws", scales),
                const(layer + "_wz", np.zeros(len(scales), np.int8))], const(layer + "_b", qb)

    def qconv(layer, x, xname, out, **attrs):
        w, b = weights_of(layer, qp[xname][0])
        qnodes.append(helper.make_node("QLinearConv", [x] + params(xname) + w + params(out) + [b],
                                       [out + "_q"], name=layer, **attrs))
        return out + "_q"

    qnodes.append(helper.make_node("QuantizeLinear", ["x"] + params("x"), ["x_q"], name="quant"))
    a1 = qconv("c1", "x_q", "x", "a1", pads=[1, 1, 1, 1])
    b2, b3 = qconv("c2", a1, "a1", "b2"), qconv("c3", a1, "a1", "b3")
    qnodes.append(helper.make_node("QLinearAdd", [b2] + params("b2") + [b3] + params("b3") +
                                   params("s"), ["s_q"], name="add", domain="com.microsoft"))
    qnodes.append(helper.make_node("QLinearGlobalAveragePool", ["s_q"] + params("s") + params("g"),
                                   ["gp_q"], name="gap", domain="com.microsoft",
                                   channels_last=0))
    qnodes.append(helper.make_node("Flatten", ["gp_q"], ["g_q"], name="flat"))
    w, b = weights_of("fc", qp["g"][0])
    qnodes.append(helper.make_node("QGemm", ["g_q"] + params("g") + w + [b], ["y"], name="fc",
                                   domain="com.microsoft", transB=1))
    graph = helper.make_graph(
        qnodes, "qop_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 12, 12])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], qinits.tensors)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                   helper.make_opsetid("com.microsoft", 1)],
                             producer_name="onnxruntime.quantization")


onnx.save(qoperator_model(), os.path.join(out_dir, "qop_block.onnx"))

# The QDQ graph's function.
w, b = dequantized["c1"]
a1 = fake(np.maximum(conv(fake(x, *qp["x"]), w, b, 1), 0), *qp["a1"])
b2 = fake(conv(a1, *dequantized["c2"], 0), *qp["b2"])
b3 = fake(conv(a1, *dequantized["c3"], 0), *qp["b3"])
s = fake(np.maximum(b2 + b3, 0), *qp["s"])
g = fake(s.mean(axis=(2, 3)), *qp["g"])
w, b = dequantized["fc"]
np.save(os.path.join(out_dir, "expected.npy"), (g @ w.T + b).astype(np.float32))

if sys.argv[1] == "check":
    # Layers whose u8 output cnnc keeps, and c2, the sum fused into it (f32
    # for the average pool, on the sum's grid): each element within one
    # step of the QDQ graph's (the kernels round from s32 sums, and round
    # c2's own result to its grid before the sum, as ONNX Runtime's
    # QLinearConv and QLinearAdd do).
    dump = sys.argv[3]
    steps = {}
    for line in open(os.path.join(dump, "layers.txt")):
        index, count, op, kind, name = line.split(" ", 4)
        steps[name.strip().strip('"')] = int(index)
    for layer, tensor, name in (("c1", a1, "a1"), ("c3", b3, "b3"), ("c2", s, "s")):
        got = np.fromfile(os.path.join(dump, f"{steps[layer]}.f32"), "<f4")
        got = got.reshape(1, 12, 12, -1).transpose(0, 3, 1, 2)  # channels innermost
        worst = np.abs(got - tensor).max() / qp[name][0]
        assert worst <= 1.0001, f"{layer}: {worst:.2f} steps from the QDQ graph"
        print(f"{layer}: within one step of the QDQ graph")
