"""The QOperator nodes test/Onnx/qdq.test's block does not use, in one
model, and what it computes.

    make_qoperators.py OUT_DIR   writes qop_ops.onnx, qop_x.npy and
                                 qop_expected.npy

x [1, 8, 12, 12] -> QuantizeLinear -> QLinearConv a (3x3, ReLU as zero
point 0) -> MaxPool of the u8 tensor -> QLinearSigmoid; and QLinearConv b
(1x1, no ReLU) -> QLinearLeakyRelu -> QLinearAveragePool; both joined by
QLinearConcat -> Reshape of the u8 tensor -> QLinearMatMul (a constant s8
matrix) -> QLinearMul of it with itself -> DequantizeLinear. Activations
u8 per tensor, ranges from the float model on this input; weights s8 per
output channel (per column for the matrix). qop_expected.npy is the
graph's function with every quantization applied as ONNX defines it, in
float64.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

from qdq_math import Initializers, affine as tight_affine, conv, fake, symmetric

out_dir = sys.argv[1]
rng = np.random.RandomState(11)
x = rng.randn(1, 8, 12, 12).astype(np.float32)
w = {"a": rng.randn(8, 8, 3, 3) * 0.2, "b": rng.randn(8, 8, 1, 1) * 0.4}
bias = {k: rng.randn(8) * 0.1 for k in w}
matrix = rng.randn(576, 10) * 0.05


def affine(t):
    """A range with 5% to spare: a maximum exactly on the grid's last step
    would round either way with float32's and float64's last bits."""
    return tight_affine(t * 1.05)


def max_pool(t):
    n, c, h, wd = t.shape
    return t.reshape(n, c, h // 2, 2, wd // 2, 2).max(axis=(3, 5))


def avg_pool(t):
    n, c, h, wd = t.shape
    return t.reshape(n, c, h // 2, 2, wd // 2, 2).mean(axis=(3, 5))


def leaky(t):
    return np.where(t > 0, t, 0.1 * t)


def sigmoid(t):
    return 1 / (1 + np.exp(-t))


def quantized_conv(layer, t, scale):
    """The conv's weights and bias as the model holds them, and its float
    result on them."""
    q, scales = symmetric(w[layer])
    bias_scales = (np.float32(scale) * scales).astype(np.float32)
    qb = np.round(bias[layer] / bias_scales).astype(np.int32)
    dw = q.astype(np.float64) * scales.reshape(-1, 1, 1, 1)
    pad = 1 if w[layer].shape[2] == 3 else 0
    return (q, scales, qb), conv(t, dw, qb * bias_scales.astype(np.float64), pad)


# The float model for the ranges, then the quantized one, step by step.
qp = {"x": affine(x)}
xq = fake(x, *qp["x"])
_, a = quantized_conv("a", xq, qp["x"][0])
qp["a"] = affine(np.maximum(a, 0))
_, b = quantized_conv("b", xq, qp["x"][0])
qp["b"] = affine(b)
params = {}
params["a"], a = quantized_conv("a", xq, qp["x"][0])
params["b"], b = quantized_conv("b", xq, qp["x"][0])
aq = fake(np.maximum(a, 0), *qp["a"])
bq = fake(b, *qp["b"])
m = max_pool(aq)  # on the u8 grid: the max of grid values
qp["sig"] = affine(sigmoid(m))
sq = fake(sigmoid(m), *qp["sig"])
qp["leaky"] = affine(leaky(bq))
lq = fake(leaky(bq), *qp["leaky"])
qp["avg"] = affine(avg_pool(lq))
pq = fake(avg_pool(lq), *qp["avg"])
qp["cat"] = affine(np.concatenate([sq, pq], axis=1))
cq = fake(np.concatenate([sq, pq], axis=1), *qp["cat"])
# Symmetric per column, as cnnc quantizes weights (per output channel): a
# per-tensor scale would be quantized again per column at load, which
# moves some weights by a step.
mq_transposed, mq_scale = symmetric(matrix.T)
mq_weights = np.ascontiguousarray(mq_transposed.T)
product = cq.reshape(1, 576) @ (mq_weights.astype(np.float64) * mq_scale)
qp["mm"] = affine(product)
mmq = fake(product, *qp["mm"])
qp["mul"] = affine(mmq * mmq)
expected = fake(mmq * mmq, *qp["mul"])

nodes, inits = [], Initializers()
const = inits.add


def grid(name):
    return inits.grid(name, *qp[name])


def qconv(layer, out, name):
    q, scales, qb = params[layer]
    weights = [const(layer + "_w", q), const(layer + "_ws", scales),
               const(layer + "_wz", np.zeros(len(scales), np.int8))]
    pad = [1, 1, 1, 1] if q.shape[2] == 3 else [0, 0, 0, 0]
    nodes.append(helper.make_node("QLinearConv", ["x_q"] + grid("x") + weights + grid(out) +
                                  [const(layer + "_b", qb)], [out + "_q"], name=name, pads=pad))


ms = "com.microsoft"
nodes.append(helper.make_node("QuantizeLinear", ["x"] + grid("x"), ["x_q"], name="quant"))
qconv("a", "a", "conv_a")
qconv("b", "b", "conv_b")
nodes.append(helper.make_node("MaxPool", ["a_q"], ["m_q"], name="pool", kernel_shape=[2, 2],
                              strides=[2, 2]))
nodes.append(helper.make_node("QLinearSigmoid", ["m_q"] + grid("a") + grid("sig"), ["sig_q"],
                              name="sigmoid", domain=ms))
nodes.append(helper.make_node("QLinearLeakyRelu", ["b_q"] + grid("b") + grid("leaky"),
                              ["leaky_q"], name="leaky", domain=ms, alpha=0.1))
nodes.append(helper.make_node("QLinearAveragePool", ["leaky_q"] + grid("leaky") + grid("avg"),
                              ["avg_q"], name="average", domain=ms, kernel_shape=[2, 2],
                              strides=[2, 2]))
nodes.append(helper.make_node("QLinearConcat", grid("cat") + ["sig_q"] + grid("sig") +
                              ["avg_q"] + grid("avg"), ["cat_q"], name="join", domain=ms, axis=1))
nodes.append(helper.make_node("Reshape", ["cat_q", const("shape", np.array([1, 576], np.int64))],
                              ["flat_q"], name="flat"))
nodes.append(helper.make_node("QLinearMatMul", ["flat_q"] + grid("cat") + [
    const("m_w", mq_weights), const("m_ws", mq_scale),
    const("m_wz", np.zeros(10, np.int8))] +
    grid("mm"), ["mm_q"], name="product"))
nodes.append(helper.make_node("QLinearMul", ["mm_q"] + grid("mm") + ["mm_q"] + grid("mm") +
                              grid("mul"), ["mul_q"], name="square", domain=ms))
nodes.append(helper.make_node("DequantizeLinear", ["mul_q"] + grid("mul"), ["y"], name="out"))
graph = helper.make_graph(
    nodes, "qop_ops", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 12, 12])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits.tensors)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                helper.make_opsetid(ms, 1)],
                          producer_name="onnxruntime.quantization")
onnx.save(model, os.path.join(out_dir, "qop_ops.onnx"))
np.save(os.path.join(out_dir, "qop_x.npy"), x)
np.save(os.path.join(out_dir, "qop_expected.npy"), expected.astype(np.float32))
