"""Writes ONNX models whose sizes are wrong in ways an importer must name
honestly: a tensor of 2^40 elements, and an input with a zero dimension.

  make_sizes.py DIR
"""
import os
import sys

import onnx
from onnx import TensorProto, helper


def relu_model(path, input_shape, output_shape):
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "sizes",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def main():
    out = sys.argv[1]
    relu_model(os.path.join(out, "huge.onnx"), [1, 1, 1 << 20, 1 << 20], [1, 1, 1 << 20, 1 << 20])
    relu_model(os.path.join(out, "zero.onnx"), [1, 0, 4, 4], [1, 0, 4, 4])
    relu_model(os.path.join(out, "open.onnx"), ["N", 3, 4, 4], ["N", 3, 4, 4])


if __name__ == "__main__":
    main()
