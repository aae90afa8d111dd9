"""Writes small ONNX models the way exporters other than torch.onnx write
them, each with an input and its expected output computed here in numpy:

- paddle_style: weights in Constant nodes, symbolic input sizes, hardswish
  decomposed as x * clip(x + 3, 0, 6) / 6, a Pad before a convolution,
  SiLU as x * sigmoid(x), squeeze-and-excitation with HardSigmoid, a Reshape whose target a shape
  subgraph computes (Shape, Gather, Unsqueeze, Concat), MatMul + Add, Softmax;
- svtr_style: PP-OCRv4's recognizer's attention block as Paddle2ONNX writes
  it: a feature row to tokens (Reshape, Transpose), layer norm decomposed
  (ReduceMean, Sub, Pow, Sqrt, Div), MatMul of rank 3 by a constant, the
  heads split by a rank-5 Reshape, Transpose, Slice and Squeeze, the
  scores' scale as a Mul, batched MatMuls of rank 4, Softmax on the last
  axis, a MatMul whose batch dimensions broadcast (rank 3 by a rank-2
  computed tensor), and the residual;
- folding: a Reshape whose target a shape subgraph computes as tf2onnx
  and Keras exports do (Split, Greater, Not, And, Where, Mod, Sign,
  Reciprocal, Tile, Cast), every node folded at import;
- activations: Elu, Selu, Softplus, Mish as x * tanh(softplus(x)), Abs,
  Neg, Exp, Log, Sqrt, Max and Min (with a number, of tensors, of three
  operands one a constant) and Pow with constant exponents, each an output;
- reductions: ReduceSum (axes as an input), ReduceMax over channels (a
  detector's best class score), ReduceMin, ReduceL2 and ReduceMean over
  other axes, with and without keepdims;
- movement: DepthToSpace (DCR and CRD), SpaceToDepth, InstanceNormalization,
  Tile and Expand of computed tensors;
- opset18, opset19: the forms those opsets changed (and Mish, new in 18) (a Reduce's axes as an
  input, from an initializer and from a Constant node; Split's num_outputs;
  Resize's antialias and keep_aspect_ratio_policy at their defaults;
  AveragePool's dilations of 1; Cast's saturate; IR version 9), and
  opset18_* models with what opset 17 cannot say, for the errors;
- nhwc: TensorFlow's layout, a Transpose at the input and at the output;
- unsupported: a node no layer computes (Mod), for the error message;
- invalid: a node that reads a value nothing defines (the checker's error);
- external: weights in an external data file (ONNX's format past 2 GiB);
- chain: 100,000 unnamed Relus in a row (names and liveness in linear
  time, without recursion).

    make_models.py OUTDIR
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)


def conv(x, w, b=None, pad=0, stride=1):
    n, c, h, width = x.shape
    k = w.shape[2]
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - k) // stride + 1, (width + 2 * pad - k) // stride + 1
    y = np.zeros((n, w.shape[0], oh, ow))
    for i in range(k):
        for j in range(k):
            patch = x[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def constant(name, value):
    return helper.make_node("Constant", [], [name], name=name + "_const",
                            value=numpy_helper.from_array(value.astype(value.dtype), name))


def save_model(out, name, nodes, x_shape, outputs):
    """A checked opset-13 model of one input x and the named outputs
    (name -> shape)."""
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name + ".onnx"))


def save_arrays(out, name, x, want):
    """The input as NAME-x.npy, each expected output as NAME-<output>.npy."""
    np.save(os.path.join(out, f"{name}-x.npy"), x)
    for output, value in want.items():
        np.save(os.path.join(out, f"{name}-{output}.npy"), value.astype(np.float32))


def paddle_style(out):
    w1 = rng.normal(0, 0.3, (8, 3, 3, 3)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 8).astype(np.float32)
    w2 = rng.normal(0, 0.3, (8, 8, 3, 3)).astype(np.float32)
    wr = rng.normal(0, 0.3, (4, 8, 1, 1)).astype(np.float32)
    we = rng.normal(0, 0.3, (8, 4, 1, 1)).astype(np.float32)
    wd = rng.normal(0, 0.3, (8, 5)).astype(np.float32)
    bd = rng.normal(0, 0.1, 5).astype(np.float32)
    f = lambda v: np.array(v, dtype=np.float32)  # noqa: E731
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    nodes = [
        constant("w1", w1), constant("b1", b1), constant("w2", w2), constant("wr", wr),
        constant("we", we), constant("wd", wd), constant("bd", bd),
        constant("three", f(3)), constant("zero", f(0)), constant("six", f(6)),
        constant("pads", i64([0, 0, 1, 1, 0, 0, 1, 1])),
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv2d_0", pads=[1, 1, 1, 1],
                         strides=[2, 2]),
        helper.make_node("Add", ["c1", "three"], ["a1"], name="hardswish_0_add"),
        helper.make_node("Clip", ["a1", "zero", "six"], ["r1"], name="hardswish_0_clip"),
        helper.make_node("Mul", ["c1", "r1"], ["m1"], name="hardswish_0_mul"),
        helper.make_node("Div", ["m1", "six"], ["h1"], name="hardswish_0_div"),
        helper.make_node("Pad", ["h1", "pads"], ["p2"], name="pad2d_0", mode="constant"),
        helper.make_node("Conv", ["p2", "w2"], ["c2"], name="conv2d_1"),
        helper.make_node("Sigmoid", ["c2"], ["s2"], name="silu_0_sigmoid"),
        helper.make_node("Mul", ["c2", "s2"], ["r2"], name="silu_0"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="pool_0"),
        helper.make_node("Conv", ["g", "wr"], ["sr"], name="se_reduce"),
        helper.make_node("Relu", ["sr"], ["sr_relu"], name="se_relu"),
        helper.make_node("Conv", ["sr_relu", "we"], ["se"], name="se_expand"),
        helper.make_node("HardSigmoid", ["se"], ["gate"], name="se_gate", alpha=0.2, beta=0.5),
        helper.make_node("Mul", ["r2", "gate"], ["scaled"], name="se_scale"),
        helper.make_node("GlobalAveragePool", ["scaled"], ["pooled"], name="pool_1"),
        helper.make_node("Shape", ["pooled"], ["shape"], name="shape_0"),
        constant("zero_index", i64(0)),
        helper.make_node("Gather", ["shape", "zero_index"], ["batch"], name="gather_0", axis=0),
        constant("unsqueeze_axes", i64([0])),
        helper.make_node("Unsqueeze", ["batch", "unsqueeze_axes"], ["batch1"], name="unsqueeze_0"),
        constant("minus_one", i64([-1])),
        helper.make_node("Concat", ["batch1", "minus_one"], ["target"], name="concat_0", axis=0),
        helper.make_node("Reshape", ["pooled", "target"], ["flat"], name="reshape_0"),
        helper.make_node("MatMul", ["flat", "wd"], ["mm"], name="linear_0"),
        helper.make_node("Add", ["mm", "bd"], ["logits"], name="linear_0_bias"),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax_0", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "paddle_style",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 5])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="PaddlePaddle")
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "paddle_style.onnx"))

    x = rng.normal(0, 1, (1, 3, 16, 16)).astype(np.float32)
    d = lambda a: a.astype(np.float64)  # noqa: E731
    c1 = conv(d(x), d(w1), d(b1), pad=1, stride=2)
    h1 = c1 * np.clip(c1 + 3, 0, 6) / 6
    c2 = conv(h1, d(w2), pad=1)
    r2 = c2 / (1 + np.exp(-c2))
    g = r2.mean(axis=(2, 3), keepdims=True)
    se = conv(np.maximum(conv(g, d(wr)), 0), d(we))
    scaled = r2 * np.clip(0.2 * se + 0.5, 0, 1)
    logits = scaled.mean(axis=(2, 3)) @ d(wd) + d(bd)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.save(os.path.join(out, "paddle_style-x.npy"), x)
    np.save(os.path.join(out, "paddle_style-y.npy"), (e / e.sum(axis=1, keepdims=True)).astype(np.float32))


def svtr_style(out):
    c, t, heads = 12, 10, 3
    width = c // heads
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    f = lambda v: np.array(v, dtype=np.float32)  # noqa: E731
    wqkv = rng.normal(0, 0.3, (c, 3 * c)).astype(np.float32)
    bqkv = rng.normal(0, 0.1, 3 * c).astype(np.float32)
    wo = rng.normal(0, 0.3, (c, c)).astype(np.float32)
    gamma = rng.normal(1, 0.1, c).astype(np.float32)
    beta = rng.normal(0, 0.1, c).astype(np.float32)
    nodes = [
        constant("wqkv", wqkv), constant("bqkv", bqkv), constant("wo", wo),
        constant("gamma", gamma), constant("beta", beta), constant("two", f(2)),
        constant("eps", f(1e-5)), constant("scale", f(width ** -0.5)),
        constant("tokens_shape", i64([1, c, t])),
        helper.make_node("Reshape", ["x", "tokens_shape"], ["flat"], name="flatten_0"),
        helper.make_node("Transpose", ["flat"], ["tokens"], name="transpose_0", perm=[0, 2, 1]),
        helper.make_node("ReduceMean", ["tokens"], ["mean"], name="layer_norm_0.mean", axes=[-1]),
        helper.make_node("Sub", ["tokens", "mean"], ["centred"], name="layer_norm_0.sub"),
        helper.make_node("Pow", ["centred", "two"], ["squares"], name="layer_norm_0.pow"),
        helper.make_node("ReduceMean", ["squares"], ["variance"], name="layer_norm_0.var",
                         axes=[-1]),
        helper.make_node("Add", ["variance", "eps"], ["variance_eps"], name="layer_norm_0.add"),
        helper.make_node("Sqrt", ["variance_eps"], ["deviation"], name="layer_norm_0.sqrt"),
        helper.make_node("Div", ["centred", "deviation"], ["normal"], name="layer_norm_0.div"),
        helper.make_node("Mul", ["normal", "gamma"], ["scaled"], name="layer_norm_0.mul"),
        helper.make_node("Add", ["scaled", "beta"], ["normed"], name="layer_norm_0"),
        helper.make_node("MatMul", ["normed", "wqkv"], ["qkv0"], name="linear_0"),
        helper.make_node("Add", ["qkv0", "bqkv"], ["qkv"], name="linear_0.bias"),
        constant("heads_shape", i64([0, -1, 3, heads, width])),
        helper.make_node("Reshape", ["qkv", "heads_shape"], ["qkv5"], name="reshape_0"),
        helper.make_node("Transpose", ["qkv5"], ["qkvt"], name="transpose_1",
                         perm=[2, 0, 3, 1, 4]),
    ]
    for i, part in enumerate("qkv"):
        nodes += [
            constant(f"start_{part}", i64([i])), constant(f"end_{part}", i64([i + 1])),
            constant(f"axis_{part}", i64([0])),
            helper.make_node("Slice", ["qkvt", f"start_{part}", f"end_{part}", f"axis_{part}"],
                             [f"{part}5"], name=f"slice_{part}"),
            helper.make_node("Squeeze", [f"{part}5", f"axis_{part}"], [part],
                             name=f"squeeze_{part}"),
        ]
    nodes += [
        helper.make_node("Mul", ["q", "scale"], ["qs"], name="scale_0"),
        helper.make_node("Transpose", ["k"], ["kt"], name="transpose_2", perm=[0, 1, 3, 2]),
        helper.make_node("MatMul", ["qs", "kt"], ["scores"], name="matmul_0"),
        helper.make_node("Softmax", ["scores"], ["weights"], name="softmax_0", axis=3),
        helper.make_node("MatMul", ["weights", "v"], ["mixed"], name="matmul_1"),
        helper.make_node("Transpose", ["mixed"], ["mixedt"], name="transpose_3",
                         perm=[0, 2, 1, 3]),
        constant("merged_shape", i64([0, -1, c])),
        helper.make_node("Reshape", ["mixedt", "merged_shape"], ["merged"], name="reshape_1"),
        helper.make_node("MatMul", ["merged", "wo"], ["projected"], name="linear_1"),
        helper.make_node("Add", ["tokens", "projected"], ["residual"], name="add_0"),
        # Rank 3 by a computed matrix: the residual's first token row,
        # broadcast over the batch (the left operand's rank is higher).
        constant("row_start", i64([0])), constant("row_end", i64([1])),
        constant("row_axis", i64([1])),
        helper.make_node("Slice", ["residual", "row_start", "row_end", "row_axis"], ["row"],
                         name="slice_row"),
        constant("row_shape", i64([c, 1])),
        helper.make_node("Reshape", ["row", "row_shape"], ["column"], name="reshape_row"),
        helper.make_node("MatMul", ["residual", "column"], ["y"], name="matmul_2"),
    ]
    graph = helper.make_graph(
        nodes, "svtr_style",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 1, t])],
        [helper.make_tensor_value_info("residual", TensorProto.FLOAT, [1, t, c]),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, t, 1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="PaddlePaddle")
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "svtr_style.onnx"))

    x = rng.normal(0, 1, (1, c, 1, t)).astype(np.float32)
    d = lambda a: a.astype(np.float64)  # noqa: E731
    tokens = d(x).reshape(1, c, t).transpose(0, 2, 1)
    centred = tokens - tokens.mean(-1, keepdims=True)
    normed = centred / np.sqrt((centred ** 2).mean(-1, keepdims=True) + 1e-5) * d(gamma) + d(beta)
    qkv = (normed @ d(wqkv) + d(bqkv)).reshape(1, t, 3, heads, width).transpose(2, 0, 3, 1, 4)
    q, k, v = qkv[0] * width ** -0.5, qkv[1], qkv[2]
    scores = q @ k.transpose(0, 1, 3, 2)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    mixed = (e / e.sum(-1, keepdims=True)) @ v
    residual = tokens + mixed.transpose(0, 2, 1, 3).reshape(1, t, c) @ d(wo)
    y = residual @ residual[:, 0, :].reshape(c, 1)
    np.save(os.path.join(out, "svtr_style-x.npy"), x)
    np.save(os.path.join(out, "svtr_style-residual.npy"), residual.astype(np.float32))
    np.save(os.path.join(out, "svtr_style-y.npy"), y.astype(np.float32))


def folding(out):
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    nodes = [
        constant("two_two", i64([2, 2])), constant("three", i64([3, 3])),
        constant("five", i64(5)), constant("one", i64([1])), constant("twice", i64([2])),
        constant("half", np.array(0.5, np.float32)),
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Split", ["shape", "two_two"], ["nc", "hw"], name="split", axis=0),
        helper.make_node("Greater", ["hw", "three"], ["big"], name="greater"),
        helper.make_node("Not", ["big"], ["small"], name="not"),
        helper.make_node("Not", ["small"], ["big2"], name="not2"),
        helper.make_node("And", ["big", "big2"], ["both"], name="and"),
        helper.make_node("Where", ["both", "hw", "three"], ["sides"], name="where"),
        helper.make_node("ReduceProd", ["sides"], ["area"], name="area", keepdims=1),
        helper.make_node("Mod", ["area", "five"], ["rest"], name="mod"),  # 16 % 5 = 1
        helper.make_node("Sign", ["rest"], ["sign"], name="sign"),
        helper.make_node("Reciprocal", ["half"], ["two_f"], name="reciprocal"),
        helper.make_node("Cast", ["two_f"], ["two"], name="cast", to=TensorProto.INT64),
        helper.make_node("Mul", ["two", "area"], ["doubled"], name="double"),  # 32
        helper.make_node("Tile", ["one", "twice"], ["ones"], name="tile"),  # [1, 1]
        helper.make_node("Slice", ["ones", "one", "twice"], ["tail"], name="slice"),  # [1]
        helper.make_node("Mul", ["tail", "sign"], ["batch"], name="batch"),
        helper.make_node("Concat", ["batch", "doubled", "twice"], ["target"], name="target",
                         axis=0),  # [1, 32, 2]
        helper.make_node("Reshape", ["x", "target"], ["y"], name="reshape"),
    ]
    graph = helper.make_graph(
        nodes, "folding", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", "C", "L"])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "folding.onnx"))
    x = rng.normal(0, 1, (1, 4, 4, 4)).astype(np.float32)
    np.save(os.path.join(out, "folding-x.npy"), x)
    np.save(os.path.join(out, "folding-y.npy"), x.reshape(1, 32, 2))


def learnable_affine(out):
    """PaddlePaddle's learnable affine blocks (PP-OCRv4's backbone): a
    scalar `* s + b` after each convolution and after each activation; the
    first fold into the convolution before them, those before an unpadded
    convolution into it, the one before a padded convolution stays."""
    f = lambda v: np.array(v, dtype=np.float32)  # noqa: E731
    w1 = rng.normal(0, 0.3, (8, 1, 3, 3)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 8).astype(np.float32)
    w2 = rng.normal(0, 0.3, (6, 8, 1, 1)).astype(np.float32)
    w3 = rng.normal(0, 0.3, (4, 6, 3, 3)).astype(np.float32)
    b3 = rng.normal(0, 0.1, 4).astype(np.float32)
    s = [0.9, 0.45, 1.9, 0.63, 1.3, 0.7]
    b = [0.5, -0.01, 0.8, -0.55, 0.2, -0.3]
    nodes = [constant("w1", w1), constant("b1", b1), constant("w2", w2), constant("w3", w3),
             constant("b3", b3)]
    for i in range(6):
        nodes += [constant(f"s{i}", f(s[i])), constant(f"t{i}", f([b[i]]))]

    def lab(x, i):
        nodes.extend([helper.make_node("Mul", [x, f"s{i}"], [f"m{i}"], name=f"lab{i}_mul"),
                      helper.make_node("Add", [f"m{i}", f"t{i}"], [f"a{i}"], name=f"lab{i}_add")])
        return f"a{i}"
    nodes += [constant("three", f(3)), constant("zero", f(0)), constant("six", f(6))]

    def hardswish_of(x, name):  # as opset-13 exporters write it
        nodes.extend([
            helper.make_node("Add", [x, "three"], [name + "_a"], name=name + "_add"),
            helper.make_node("Clip", [name + "_a", "zero", "six"], [name + "_r"],
                             name=name + "_clip"),
            helper.make_node("Mul", [x, name + "_r"], [name + "_m"], name=name + "_mul"),
            helper.make_node("Div", [name + "_m", "six"], [name], name=name)])
        return name
    nodes.append(helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", group=8,
                                  pads=[1, 1, 1, 1]))
    hardswish_of(lab("c1", 0), "h1")
    nodes.append(helper.make_node("Conv", [lab("h1", 1), "w2"], ["c2"], name="conv2"))
    hardswish_of(lab("c2", 2), "h2")
    nodes.append(helper.make_node("Conv", [lab("h2", 3), "w3", "b3"], ["c3"], name="conv3",
                                  pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Mul", [lab("c3", 4), "s5"], ["y"], name="scale_out"))
    save_model(out, "learnable_affine", nodes, [1, 8, 6, 6], {"y": [1, 4, 6, 6]})

    x = rng.normal(0, 1, (1, 8, 6, 6)).astype(np.float32)
    d = lambda a: a.astype(np.float64)  # noqa: E731
    hardswish = lambda v: v * np.clip(v + 3, 0, 6) / 6  # noqa: E731
    c1 = np.concatenate([conv(d(x[:, i:i + 1]), d(w1[i:i + 1]), d(b1[i:i + 1]), pad=1)
                         for i in range(8)], axis=1)
    h1 = hardswish(c1 * s[0] + b[0]) * s[1] + b[1]
    h2 = hardswish(conv(h1, d(w2)) * s[2] + b[2]) * s[3] + b[3]
    y = (conv(h2, d(w3), d(b3), pad=1) * s[4] + b[4]) * s[5]
    save_arrays(out, "learnable_affine", x, {"y": y})


def activations(out):
    x = rng.normal(0, 2, (1, 3, 4, 5)).astype(np.float32)
    nodes = [
        helper.make_node("Elu", ["x"], ["elu"], name="elu", alpha=0.5),
        helper.make_node("Selu", ["x"], ["selu"], name="selu"),
        helper.make_node("Softplus", ["x"], ["softplus"], name="softplus"),
        helper.make_node("Tanh", ["softplus"], ["t"], name="mish.tanh"),
        helper.make_node("Mul", ["x", "t"], ["mish"], name="mish"),
        helper.make_node("Abs", ["x"], ["abs"], name="abs"),
        helper.make_node("Neg", ["abs"], ["neg"], name="neg"),
        helper.make_node("Exp", ["neg"], ["exp"], name="exp"),
        helper.make_node("Log", ["softplus"], ["log"], name="log"),
        helper.make_node("Sqrt", ["abs"], ["sqrt"], name="sqrt"),
        constant("half", np.array(0.5, np.float32)), constant("two", np.array(2, np.float32)),
        constant("three", np.array(3, np.float32)),
        constant("one_half", np.array(1.5, np.float32)),
        constant("row", rng.normal(0, 1, (5,)).astype(np.float32)),
        helper.make_node("Max", ["x", "half"], ["max_scalar"], name="max_scalar"),
        helper.make_node("Min", ["x", "elu"], ["min"], name="min"),
        helper.make_node("Max", ["x", "selu", "row"], ["max3"], name="max3"),
        helper.make_node("Pow", ["x", "two"], ["square"], name="square"),
        helper.make_node("Pow", ["x", "three"], ["cube"], name="cube"),
        helper.make_node("Pow", ["abs", "half"], ["root"], name="root"),
        helper.make_node("Pow", ["abs", "one_half"], ["pow15"], name="pow15"),
    ]
    names = ["elu", "selu", "softplus", "mish", "neg", "exp", "log", "sqrt", "max_scalar", "min",
             "max3", "square", "cube", "root", "pow15"]
    save_model(out, "activations", nodes, x.shape, {n: x.shape for n in names})
    d = x.astype(np.float64)
    softplus = np.log1p(np.exp(d))
    want = {"elu": np.where(d > 0, d, 0.5 * np.expm1(d)),
            "selu": 1.0507009873554805 * np.where(d > 0, d, 1.6732632423543772 * np.expm1(d)),
            "softplus": softplus, "mish": d * np.tanh(softplus), "neg": -np.abs(d),
            "exp": np.exp(-np.abs(d)), "log": np.log(softplus), "sqrt": np.sqrt(np.abs(d))}
    row = [n for n in nodes if n.output[0] == "row"][0].attribute[0].t
    want.update({"max_scalar": np.maximum(d, 0.5), "min": np.minimum(d, want["elu"]),
                 "max3": np.maximum(np.maximum(d, want["selu"]),
                                    numpy_helper.to_array(row).astype(np.float64)),
                 "square": d ** 2, "cube": d ** 3, "root": np.abs(d) ** 0.5,
                 "pow15": np.abs(d) ** 1.5})
    save_arrays(out, "activations", x, want)


def reductions(out):
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    nodes = [
        constant("sum_axes", i64([1, 3])),
        helper.make_node("ReduceSum", ["x", "sum_axes"], ["sum"], name="sum", keepdims=0),
        helper.make_node("ReduceMax", ["x"], ["best"], name="best", axes=[1], keepdims=1),
        helper.make_node("ReduceMin", ["x"], ["least"], name="least", axes=[2, 3], keepdims=1),
        helper.make_node("ReduceL2", ["x"], ["norm"], name="norm", axes=[-1], keepdims=0),
        helper.make_node("ReduceMean", ["x"], ["mean"], name="mean", axes=[0, 1, 2, 3],
                         keepdims=1),
    ]
    shapes = {"sum": [2, 5], "best": [2, 1, 5, 7], "least": [2, 6, 1, 1], "norm": [2, 6, 5],
              "mean": [1, 1, 1, 1]}
    save_model(out, "reductions", nodes, [2, 6, 5, 7], shapes)
    x = (rng.normal(0, 1, (2, 6, 5, 7)) + 3).astype(np.float32)
    d = x.astype(np.float64)
    want = {"sum": d.sum(axis=(1, 3)), "best": d.max(axis=1, keepdims=True),
            "least": d.min(axis=(2, 3), keepdims=True), "norm": np.sqrt((d * d).sum(axis=-1)),
            "mean": d.mean(keepdims=True)}
    save_arrays(out, "reductions", x, want)


def movement(out):
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    scale = rng.normal(1, 0.2, 8).astype(np.float32)
    shift = rng.normal(0, 0.2, 8).astype(np.float32)
    nodes = [
        constant("scale", scale), constant("shift", shift),
        constant("repeats", i64([1, 2, 1, 3])), constant("target", i64([2, 8, 4, 4])),
        helper.make_node("DepthToSpace", ["x"], ["dcr"], name="d2s_dcr", blocksize=2),
        helper.make_node("DepthToSpace", ["x"], ["crd"], name="d2s_crd", blocksize=2,
                         mode="CRD"),
        helper.make_node("SpaceToDepth", ["dcr"], ["s2d"], name="s2d", blocksize=2),
        helper.make_node("InstanceNormalization", ["x", "scale", "shift"], ["instance"],
                         name="instance", epsilon=1e-5),
        helper.make_node("Tile", ["x"] + ["repeats"], ["tiled"], name="tile"),
        helper.make_node("ReduceMean", ["x"], ["pooled"], name="pool", axes=[2, 3],
                         keepdims=1),
        helper.make_node("Expand", ["pooled", "target"], ["expanded"], name="expand"),
    ]
    names = {"dcr": [1, 2, 8, 8], "crd": [1, 2, 8, 8], "s2d": [1, 8, 4, 4],
             "instance": [1, 8, 4, 4], "tiled": [1, 16, 4, 12], "expanded": [2, 8, 4, 4]}
    save_model(out, "movement", nodes, [1, 8, 4, 4], names)
    x = rng.normal(0, 1, (1, 8, 4, 4)).astype(np.float32)
    d = x.astype(np.float64)
    b = 2
    dcr = d.reshape(1, b, b, 2, 4, 4).transpose(0, 3, 4, 1, 5, 2).reshape(1, 2, 8, 8)
    crd = d.reshape(1, 2, b, b, 4, 4).transpose(0, 1, 4, 2, 5, 3).reshape(1, 2, 8, 8)
    s2d = dcr.reshape(1, 2, 4, b, 4, b).transpose(0, 3, 5, 1, 2, 4).reshape(1, 8, 4, 4)
    mean = d.mean(axis=(2, 3), keepdims=True)
    var = ((d - mean) ** 2).mean(axis=(2, 3), keepdims=True)
    instance = (d - mean) / np.sqrt(var + 1e-5) * scale.reshape(1, 8, 1, 1) + \
        shift.reshape(1, 8, 1, 1)
    want = {"dcr": dcr, "crd": crd, "s2d": s2d, "instance": instance,
            "tiled": np.tile(d, (1, 2, 1, 3)), "expanded": np.broadcast_to(mean, (2, 8, 4, 4))}
    save_arrays(out, "movement", x, want)


def opset18(out):
    w = rng.normal(0, 0.3, (8, 4, 3, 3)).astype(np.float32)
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    nodes = [
        constant("w", w), constant("max_axes", i64([2, 3])),
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Split", ["c"], ["a", "b"], name="halves", axis=1, num_outputs=2),
        helper.make_node("Mish", ["a"], ["a_mish"], name="mish"),
        helper.make_node("Mul", ["a_mish", "b"], ["gated"], name="gate"),
        helper.make_node("ReduceMean", ["gated", "mean_axes"], ["pooled"], name="pool",
                         keepdims=1),
        helper.make_node("ReduceMax", ["gated", "max_axes"], ["peak"], name="peak", keepdims=1),
        helper.make_node("Resize", ["gated", "", "scales"], ["up"], name="up", mode="nearest",
                         coordinate_transformation_mode="asymmetric", nearest_mode="floor",
                         antialias=0, keep_aspect_ratio_policy="stretch"),
    ]
    graph = helper.make_graph(
        nodes, "opset18", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 6, 6])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [1, 4, 1, 1]),
         helper.make_tensor_value_info("peak", TensorProto.FLOAT, [1, 4, 1, 1]),
         helper.make_tensor_value_info("up", TensorProto.FLOAT, [1, 4, 12, 12])],
        initializer=[numpy_helper.from_array(i64([2, 3]), "mean_axes"),
                     numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")])
    # Written as-is: the python-onnx here checks up to opset 17.
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)],
                                ir_version=8), os.path.join(out, "opset18.onnx"))
    x = rng.normal(0, 1, (1, 4, 6, 6)).astype(np.float32)
    c = conv(x.astype(np.float64), w.astype(np.float64), pad=1)
    a = c[:, :4]
    gated = a * np.tanh(np.log1p(np.exp(a))) * c[:, 4:]
    np.save(os.path.join(out, "opset18-x.npy"), x)
    np.save(os.path.join(out, "opset18-pooled.npy"), gated.mean(axis=(2, 3), keepdims=True))
    np.save(os.path.join(out, "opset18-peak.npy"), gated.max(axis=(2, 3), keepdims=True))
    np.save(os.path.join(out, "opset18-up.npy"), gated.repeat(2, axis=2).repeat(2, axis=3))

    # What opset 17 cannot say, one model each: axes computed at run time,
    # antialiasing, a new operator.
    def broken(name, nodes, inputs, initializer=()):
        g = helper.make_graph(nodes, name, inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              initializer=list(initializer))
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)],
                                    ir_version=8), os.path.join(out, name + ".onnx"))
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 6, 6])
    broken("opset18_axes", [helper.make_node("ReduceMean", ["x", "axes"], ["y"], name="mean")],
           [x_info, helper.make_tensor_value_info("axes", TensorProto.INT64, [2])])
    broken("opset18_antialias",
           [helper.make_node("Resize", ["x", "", "scales"], ["y"], name="smooth",
                             mode="linear", antialias=1)],
           [x_info], [numpy_helper.from_array(np.array([1, 1, 0.5, 0.5], np.float32), "scales")])
    broken("opset18_groupnorm",
           [helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"], name="gn",
                             num_groups=2)],
           [x_info], [numpy_helper.from_array(np.ones(2, np.float32), "s"),
                      numpy_helper.from_array(np.zeros(2, np.float32), "b")])


def opset19(out):
    nodes = [
        helper.make_node("AveragePool", ["x"], ["p"], name="pool", kernel_shape=[2, 2],
                         strides=[2, 2], dilations=[1, 1]),
        helper.make_node("Cast", ["p"], ["y"], name="cast", to=TensorProto.FLOAT, saturate=1),
    ]
    graph = helper.make_graph(
        nodes, "opset19", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 2, 2])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)],
                                ir_version=9), os.path.join(out, "opset19.onnx"))
    x = rng.normal(0, 1, (1, 3, 4, 4)).astype(np.float32)
    np.save(os.path.join(out, "opset19-x.npy"), x)
    np.save(os.path.join(out, "opset19-y.npy"),
            x.astype(np.float64).reshape(1, 3, 2, 2, 2, 2).mean(axis=(3, 5)))
    next(a for a in graph.node[0].attribute if a.name == "dilations").ints[:] = [2, 2]
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)],
                                ir_version=9), os.path.join(out, "opset19_dilated.onnx"))
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)],
                                ir_version=9), os.path.join(out, "opset20.onnx"))


def nhwc(out):
    w = rng.normal(0, 0.3, (6, 3, 3, 3)).astype(np.float32)
    b = rng.normal(0, 0.1, 6).astype(np.float32)
    nodes = [
        helper.make_node("Transpose", ["image"], ["nchw"], name="to_nchw", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["nchw", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Transpose", ["r"], ["y"], name="to_nhwc", perm=[0, 2, 3, 1]),
    ]
    graph = helper.make_graph(
        nodes, "nhwc", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 12, 12, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 12, 12, 6])],
        initializer=[numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "nhwc.onnx"))
    x = rng.normal(0, 1, (1, 12, 12, 3)).astype(np.float32)
    y = np.maximum(conv(x.transpose(0, 3, 1, 2).astype(np.float64), w.astype(np.float64),
                        b.astype(np.float64), pad=1), 0).transpose(0, 2, 3, 1)
    np.save(os.path.join(out, "nhwc-x.npy"), x)
    np.save(os.path.join(out, "nhwc-y.npy"), y.astype(np.float32))


def unsupported(out):
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu_0"),
             helper.make_node("Mod", ["r", "k"], ["y"], name="wrap_around", fmod=1)]
    graph = helper.make_graph(
        nodes, "unsupported", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        initializer=[numpy_helper.from_array(np.array([2.0], dtype=np.float32), "k")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, os.path.join(out, "unsupported.onnx"))


def invalid(out):
    nodes = [helper.make_node("Relu", ["ghost"], ["y"], name="relu_0")]
    graph = helper.make_graph(
        nodes, "invalid", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, os.path.join(out, "invalid.onnx"))


def external(out):
    w = np.ones((4, 4), dtype=np.float32)
    nodes = [helper.make_node("Gemm", ["x", "w"], ["y"], name="fc")]
    graph = helper.make_graph(
        nodes, "external", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        initializer=[numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, os.path.join(out, "external.onnx"), save_as_external_data=True,
              all_tensors_to_one_file=True, location="external.data", size_threshold=0)


def chain(out, length=100000):
    names = ["x"] + ["r%d" % i for i in range(length - 1)] + ["y"]
    nodes = [helper.make_node("Relu", [names[i]], [names[i + 1]]) for i in range(length)]
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(out, "chain.onnx"))


if __name__ == "__main__":
    os.makedirs(sys.argv[1], exist_ok=True)
    paddle_style(sys.argv[1])
    svtr_style(sys.argv[1])
    learnable_affine(sys.argv[1])
    activations(sys.argv[1])
    folding(sys.argv[1])
    movement(sys.argv[1])
    reductions(sys.argv[1])
    opset18(sys.argv[1])
    opset19(sys.argv[1])
    nhwc(sys.argv[1])
    unsupported(sys.argv[1])
    invalid(sys.argv[1])
    external(sys.argv[1])
    chain(sys.argv[1])
