"""Writes a small ONNX model whose batch size is left open: a 3x3 conv, a
ReLU and a 1x1 conv, for cnnc-tune to read as cnnc does.

  make_onnx.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    rng = np.random.RandomState(0)
    weights = [
        numpy_helper.from_array(rng.randn(16, 8, 3, 3).astype(np.float32), "w1"),
        numpy_helper.from_array(rng.randn(16).astype(np.float32), "b1"),
        numpy_helper.from_array(rng.randn(4, 16, 1, 1).astype(np.float32), "w2"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4, 16, 16])],
        weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[1])


if __name__ == "__main__":
    main()
