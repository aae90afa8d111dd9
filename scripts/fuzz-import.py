#!/usr/bin/python3
"""End-to-end fuzzing of `cnnc import`: structured mutations of real ONNX
models, each imported by the real binary, which elaborates the program it
wrote and loads its weights before it exits 0.

libFuzzer's cnnc-fuzz-onnx mutates bytes, and most of its inputs stop at the
protobuf parser or the checker; the mutations here keep the file a valid
ONNX model and change what a hostile or careless exporter changes: attribute
values and lengths, weights (NaN, infinities, shapes), names (punctuation,
quotes, collisions, 300 bytes), input sizes, op types, opsets, the node list
and the outputs. A case is a finding when cnnc

  - dies by a signal or runs past the time limit,
  - says a program it wrote does not load ("a bug in the importer"),
  - prints a crash banner, a sanitizer report or C++ library text
    (map::at, _M_range_check, terminate called), or says the case went
    unchecked;
  - or, after a successful import, fails to plan the program with anything
    but a clear error (`cnnc model.cnn --weights W --emit=plan`).

  scripts/fuzz-import.py [--cnnc build/bin/cnnc] [--seconds 600 | --cases N]
                         [--seed 1] [--jobs 2] [--findings DIR]

Prints one line per finding and a summary: cases, imported, refused with a
message, findings. Exits 1 if there are findings.
"""
import argparse
import concurrent.futures
import glob
import os
import random
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTDATA = "/usr/share/libonnx-testdata/data"
# Node tests of the operators the importer reads, and small whole networks.
SEED_PATTERNS = [
    "node/test_conv*", "node/test_convtranspose*", "node/test_maxpool*", "node/test_averagepool*",
    "node/test_batchnorm*", "node/test_relu*", "node/test_gemm*", "node/test_matmul_2d*",
    "node/test_concat*", "node/test_split*", "node/test_slice*", "node/test_reshape*",
    "node/test_squeeze*", "node/test_unsqueeze*", "node/test_transpose*", "node/test_resize*",
    "node/test_lrn*", "node/test_layer_normalization*", "node/test_softmax*", "node/test_clip*",
    "node/test_flatten*", "node/test_globalaveragepool*", "node/test_leakyrelu*", "node/test_prelu*",
    "node/test_add*", "node/test_mul*", "node/test_sub*", "node/test_div*", "node/test_pad*",
    "node/test_sigmoid*", "node/test_tanh*", "node/test_hardswish*", "node/test_quantizelinear*",
    "node/test_dequantizelinear*", "pytorch-operator/*", "pytorch-converted/test_*Conv*",
    "pytorch-converted/test_*Pool*", "pytorch-converted/test_*BatchNorm*",
]
# Messages that are never a clear error about the user's file.
BAD_TEXT = re.compile(r"PLEASE submit|Stack dump|AddressSanitizer|UndefinedBehaviorSanitizer|"
                      r"runtime error:|map::at|_M_range_check|basic_string|terminate called|"
                      r"std::|unchecked case|a bug in the importer|internal error|"
                      r"Assertion .* failed")
STRANGE_NAMES = ["y.a", "y_a", "y-a", 'q"uote', "back\\slash", "model", "return", "conv",
                 "x" * 300, "", " ", "a.constant", "a.weight", "0start", "ünï", "a b",
                 "$(touch pwned)", "logits:0"]
INTERESTING_INTS = [-(1 << 63), -(1 << 31), -2, -1, 0, 1, 2, 3, 4, 7, 64, 1 << 16, 1 << 31,
                    (1 << 63) - 1]
INTERESTING_FLOATS = [float("nan"), float("inf"), -float("inf"), 0.0, -1.0, 1e-45, 1e38, -0.5]
SUPPORTED_OPS = ["Conv", "Relu", "MaxPool", "AveragePool", "Add", "Mul", "Concat", "Reshape",
                 "Transpose", "Softmax", "Gemm", "BatchNormalization", "Squeeze", "Flatten",
                 "LRN", "Clip", "Split", "Slice", "Pad", "Resize", "LayerNormalization", "MatMul",
                 "ReduceMean"]


def seeds():
    paths = []
    for pattern in SEED_PATTERNS:
        paths += sorted(glob.glob(os.path.join(TESTDATA, pattern, "model.onnx")))
    return paths


def mutate(model, rng):
    """One to three structural changes, each of a kind an exporter makes."""
    graph = model.graph
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["int", "ints", "float", "weight", "weight_shape", "name", "input_dims",
                           "op_type", "opset", "drop_node", "outputs", "node_name"])
        nodes = list(graph.node)
        if kind in ("int", "ints", "float") and nodes:
            node = rng.choice(nodes)
            wanted = {"int": onnx.AttributeProto.INT, "ints": onnx.AttributeProto.INTS,
                      "float": onnx.AttributeProto.FLOAT}[kind]
            attributes = [a for a in node.attribute if a.type == wanted]
            if not attributes:
                name = rng.choice(["group", "axis", "size", "strides", "pads", "dilations",
                                   "kernel_shape", "alpha", "epsilon"])
                value = {"int": rng.choice(INTERESTING_INTS),
                         "ints": [rng.choice(INTERESTING_INTS[3:10])] * rng.randint(0, 5),
                         "float": rng.choice(INTERESTING_FLOATS)}[kind]
                node.attribute.append(onnx.helper.make_attribute(name, value))
                continue
            a = rng.choice(attributes)
            if kind == "int":
                a.i = rng.choice(INTERESTING_INTS)
            elif kind == "float":
                a.f = rng.choice(INTERESTING_FLOATS)
            elif a.ints and rng.random() < 0.6:
                a.ints[rng.randrange(len(a.ints))] = rng.choice(INTERESTING_INTS)
            elif a.ints and rng.random() < 0.5:
                a.ints.pop()
            else:
                a.ints.append(rng.choice(INTERESTING_INTS[3:10]))
        elif kind in ("weight", "weight_shape") and graph.initializer:
            init = rng.choice(list(graph.initializer))
            try:
                array = numpy_helper.to_array(init).copy()
            except Exception:
                continue
            if kind == "weight" and array.size and array.dtype.kind == "f":
                flat = array.reshape(-1)
                flat[rng.randrange(flat.size)] = rng.choice(INTERESTING_FLOATS)
            elif kind == "weight" and array.size and array.dtype.kind in "iu":
                flat = array.reshape(-1)
                flat[rng.randrange(flat.size)] = rng.choice([0, -1, 1, 127, -128, 255])
            elif array.ndim:
                shape = list(array.shape)
                axis = rng.randrange(len(shape))
                shape[axis] = max(1, shape[axis] + rng.choice([-1, 1]))
                array = np.resize(array, shape)
            replacement = numpy_helper.from_array(array, init.name)
            init.CopyFrom(replacement)
        elif kind == "name" and nodes:
            # Rename a value everywhere it appears, to a name chosen to clash.
            node = rng.choice(nodes)
            if not node.output:
                continue
            old, new = node.output[0], rng.choice(STRANGE_NAMES + [n.output[0] for n in nodes
                                                                  if n.output])
            for n in graph.node:
                for i, name in enumerate(n.input):
                    if name == old:
                        n.input[i] = new
                for i, name in enumerate(n.output):
                    if name == old:
                        n.output[i] = new
            for info in list(graph.output) + list(graph.value_info):
                if info.name == old:
                    info.name = new
        elif kind == "node_name" and nodes:
            rng.choice(nodes).name = rng.choice(STRANGE_NAMES)
        elif kind == "input_dims" and graph.input:
            info = rng.choice(list(graph.input))
            dims = info.type.tensor_type.shape.dim
            if dims:
                dims[rng.randrange(len(dims))].dim_value = rng.choice([1, 2, 3, 5, 8, 1 << 20])
        elif kind == "op_type" and nodes:
            rng.choice(nodes).op_type = rng.choice(SUPPORTED_OPS)
        elif kind == "opset" and model.opset_import:
            model.opset_import[0].version = rng.choice([6, 7, 9, 11, 12, 13, 15, 17, 18, 19, 20])
        elif kind == "drop_node" and len(nodes) > 1:
            del graph.node[rng.randrange(len(nodes))]
        elif kind == "outputs":
            if graph.output and rng.random() < 0.5:
                del graph.output[rng.randrange(len(graph.output))]
            elif nodes and nodes[0].output:
                graph.output.append(onnx.helper.make_tensor_value_info(
                    nodes[0].output[0], onnx.TensorProto.FLOAT, None))
    return model


def run_case(cnnc, seed_path, case_seed, work):
    rng = random.Random(case_seed)
    model = onnx.load(seed_path)
    mutate(model, rng)
    case = os.path.join(work, f"case{case_seed}")
    os.makedirs(case, exist_ok=True)
    path = os.path.join(case, "model.onnx")
    try:
        onnx.save(model, path)
    except Exception:
        return "skipped", "", path  # the mutation broke serialisation itself
    command = [cnnc, "import", path, "-o", os.path.join(case, "model.cnn")]
    outcome, message = check(command, timeout=60)
    if outcome == "ok":
        plan = [cnnc, os.path.join(case, "model.cnn"), "--weights",
                os.path.join(case, "model.safetensors"), "--emit=plan", "-o", os.devnull]
        outcome, message = check(plan, timeout=120)
        outcome = "imported" if outcome in ("ok", "refused") else outcome
    return outcome, message, path


def check(command, timeout):
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", f"no answer in {timeout} s"
    text = done.stderr.strip()
    if done.returncode < 0 or done.returncode >= 128:
        return "crash", f"exit {done.returncode}: {text[-400:]}"
    if "a bug in the importer" in text:
        return "does-not-load", text[-600:]
    if BAD_TEXT.search(text):
        return "unclear", text[-600:]
    if done.returncode != 0:
        first = text.splitlines()[0] if text else ""
        if not first:
            return "unclear", "a non-zero exit with nothing said"
        return "refused", first
    return "ok", ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cnnc", default=os.path.join(ROOT, "build", "bin", "cnnc"))
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--cases", type=int, default=0, help="stop after N cases")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--findings", default="fuzz-import-findings")
    args = parser.parse_args()
    seed_paths = seeds()
    if not seed_paths:
        sys.exit(f"fuzz-import: no seed models under {TESTDATA} (Debian's libonnx-testdata)")
    counts = {"imported": 0, "refused": 0, "skipped": 0}
    findings = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cnnc-fuzz-import-") as work, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        rng = random.Random(args.seed)
        pending, issued = set(), 0

        def more():
            nonlocal issued
            while len(pending) < 2 * args.jobs and (not args.cases or issued < args.cases) and \
                    time.monotonic() - start < args.seconds:
                seed_path = rng.choice(seed_paths)
                pending.add(pool.submit(run_case, args.cnnc, seed_path, rng.getrandbits(48),
                                        work))
                issued += 1

        more()
        while pending:
            done, _ = concurrent.futures.wait(pending, return_when="FIRST_COMPLETED")
            for future in done:
                pending.discard(future)
                outcome, message, path = future.result()
                if outcome in counts:
                    counts[outcome] += 1
                else:
                    os.makedirs(args.findings, exist_ok=True)
                    kept = os.path.join(args.findings, f"{outcome}-{len(findings)}.onnx")
                    with open(path, "rb") as source, open(kept, "wb") as target:
                        target.write(source.read())
                    findings.append((outcome, kept, message))
                    print(f"fuzz-import: {outcome}: {kept}: {message.splitlines()[-1] if message else ''}",
                          flush=True)
                case_dir = os.path.dirname(path)
                for name in os.listdir(case_dir):
                    os.remove(os.path.join(case_dir, name))
                os.rmdir(case_dir)
            more()
    cases = sum(counts.values()) + len(findings)
    print(f"fuzz-import: {cases} cases in {time.monotonic() - start:.0f} s from "
          f"{len(seed_paths)} seed models: {counts['imported']} imported and planned, "
          f"{counts['refused']} refused with a message, {counts['skipped']} skipped, "
          f"{len(findings)} findings")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
