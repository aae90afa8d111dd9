"""Writes ONNX models that ONNX's checker accepts but that a faithful
importer must refuse at the node, or import exactly: attributes outside
what the operator defines, weights that disagree with attributes, values
that are not numbers, names that collide or carry punctuation.

  make_hostile.py DIR        writes DIR/<case>.onnx for every case below
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def tensor(name, rank=4, shape=None):
    dims = shape if shape is not None else [f"d{i}" for i in range(rank)]
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def save(directory, case, nodes, initializers=None, inputs=None, outputs=None, opset=13,
         producer=None):
    graph = helper.make_graph(
        nodes, case, inputs if inputs is not None else [tensor("x", shape=[1, 4, 8, 8])],
        outputs if outputs is not None else [tensor("y")],
        [numpy_helper.from_array(v, k) for k, v in (initializers or {}).items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    if producer is not None:
        model.producer_name = producer
    onnx.save(model, os.path.join(directory, case + ".onnx"))


def conv(directory, case, weight=None, **attributes):
    attributes.setdefault("pads", [1, 1, 1, 1])
    w = weight if weight is not None else np.ones((4, 4, 3, 3), np.float32)
    save(directory, case, [helper.make_node("Conv", ["x", "w"], ["y"], name=case, **attributes)],
         {"w": w})


def main():
    out = sys.argv[1]
    # Windows: values and lengths that ONNX's shape inference trusts.
    conv(out, "stride_zero", strides=[0, 1])
    conv(out, "dilation_zero", dilations=[0, 0])
    conv(out, "pads_negative", pads=[-5, 1, 1, 1])
    conv(out, "strides_long", strides=[1, 1, 1, 1, 1])
    save(out, "pool_kernel_negative",
         [helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[-2, 2])])
    # Convolutions whose weight disagrees with the input or the attributes.
    conv(out, "group_zero", group=0)
    conv(out, "group_not_dividing", group=3)
    conv(out, "kernel_shape_disagrees", kernel_shape=[5, 5])
    nan = np.ones((4, 4, 3, 3), np.float32)
    nan[1, 2, 0, 0] = np.nan
    conv(out, "weight_nan", weight=nan)
    conv(out, "weight_infinite", weight=np.full((4, 4, 3, 3), np.inf, np.float32))
    save(out, "variance_negative",
         [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], name="bn")],
         {"s": np.ones(4, np.float32), "b": np.zeros(4, np.float32),
          "m": np.zeros(4, np.float32), "v": np.array([1, 1, -1, 1], np.float32)})
    save(out, "alpha_nan",
         [helper.make_node("LeakyRelu", ["x"], ["y"], name="leaky", alpha=float("nan"))])
    # Edge cases of the operators' definitions.
    save(out, "lrn_even", [helper.make_node("LRN", ["x"], ["y"], name="lrn", size=4)])
    save(out, "squeeze_out_of_range",
         [helper.make_node("Squeeze", ["x", "axes"], ["y"], name="squeeze")],
         {"axes": np.array([7], np.int64)}, inputs=[tensor("x", shape=[1, 4, 1, 1])],
         outputs=[tensor("y", 3)])
    save(out, "squeeze_not_one",
         [helper.make_node("Squeeze", ["x", "axes"], ["y"], name="squeeze")],
         {"axes": np.array([1], np.int64)}, inputs=[tensor("x", shape=[1, 4, 1, 1])],
         outputs=[tensor("y", 3)])
    save(out, "layer_norm_axis",
         [helper.make_node("LayerNormalization", ["x", "s"], ["y"], name="ln",
                           axis=9223372036854775807)],
         {"s": np.ones(8, np.float32)}, opset=17)
    save(out, "clip_crossed", [helper.make_node("Clip", ["x"], ["y"], name="clip", min=2.0, max=0.5)],
         opset=6)
    save(out, "epsilon_zero",
         [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], name="bn",
                           epsilon=0.0)],
         {"s": np.ones(4, np.float32), "b": np.zeros(4, np.float32),
          "m": np.zeros(4, np.float32), "v": np.ones(4, np.float32)})
    save(out, "window_too_large",
         [helper.make_node("AveragePool", ["x"], ["y"], name="pool", kernel_shape=[3, 3],
                           strides=[2, 2], ceil_mode=1)],
         inputs=[tensor("x", shape=[1, 4, 2, 4])], opset=11)
    save(out, "output_padding_past_stride",
         [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", kernel_shape=[3, 3],
                           strides=[3, 2], output_padding=[1, 2])],
         {"w": np.ones((4, 4, 3, 3), np.float32)}, opset=11)
    save(out, "perm_short", [helper.make_node("Transpose", ["x"], ["y"], name="t", perm=[1, 0])],
         inputs=[tensor("x", shape=[2, 3, 4])], outputs=[tensor("y", 3)])
    save(out, "split_whole", [helper.make_node("Split", ["x"], ["y"], name="split", axis=1)])
    save(out, "squeeze_to_scalar", [helper.make_node("Squeeze", ["x"], ["y"], name="squeeze")],
         inputs=[tensor("x", shape=[1, 1])], outputs=[tensor("y", 0)])
    save(out, "no_outputs", [helper.make_node("Relu", ["x"], ["y"], name="relu")], outputs=[])
    save(out, "unnamed_node", [helper.make_node("Conv", ["x", "w"], ["features"], group=3)],
         {"w": np.ones((4, 4, 3, 3), np.float32)}, outputs=[tensor("features")])
    # Names: outputs that differ only in punctuation keep their own names;
    # a node named like another's derived name does not take it; nothing
    # from the file reaches the program's text unescaped.
    save(out, "punctuation",
         [helper.make_node("Relu", ["x"], ["y.a"], name="r1"),
          helper.make_node("Sigmoid", ["x"], ["y_a"], name="r2"),
          helper.make_node("Tanh", ["x"], ["y-a"], name="r3"),
          helper.make_node("LeakyRelu", ["x"], ['q"uote\\'], name="r4")],
         outputs=[tensor("y.a"), tensor("y_a"), tensor("y-a"), tensor('q"uote\\')])
    save(out, "derived_names",
         [helper.make_node("Relu", ["x"], ["r"], name="a.constant"),
          helper.make_node("Add", ["r", "c"], ["y"], name="a")],
         {"c": np.arange(4, dtype=np.float32).reshape(1, 4, 1, 1)})
    save(out, "producer_text", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
         producer='evil"\n}\nmodel pwned(x: [1]):\n  return x\n')
    long_name = "n" * 300
    save(out, "output_name_long", [helper.make_node("Relu", ["x"], [long_name], name="relu")],
         outputs=[tensor(long_name)])


if __name__ == "__main__":
    main()
