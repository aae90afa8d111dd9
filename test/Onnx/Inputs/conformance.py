"""Runs ONNX's own backend conformance tests (Debian's libonnx-testdata)
through cnnc: import, compile (or, with --interpret, the reference
interpreter), run on the test's inputs, and compare with its outputs at
ONNX's backend tolerance (rtol 1e-3, atol 1e-7; the float64 interpreter is
held to rtol 1e-4).

A test whose import cnnc refuses with its unsupported-node error is
"unsupported"; one that imports must then compile, run and match, or it
"failed". Operators whose weights are graph inputs in the test (Conv's W,
BatchNormalization's statistics, ...) are retried with every input but the
first bound from the test's own data as an initializer, as a deployed model
holds them, whenever the import as written is refused; these count as
"passed (constant inputs)".

    conformance.py --cnnc build/bin/cnnc --work DIR [--interpret] [--jobs N]
                   [--match PATTERN] [--leave-out PATTERN] [--list]
                   [--skip-listed FILE | --check-list FILE]

Most tests (four in five) are refused at import, each a process start of
cnnc. --skip-listed FILE leaves out the tests FILE lists as unsupported
(suite/name per line: Inputs/conformance-unsupported.txt), which every
test run does; --check-list FILE runs them all and fails if the list is
stale: a listed test that now imports, or an unsupported one not listed
(scripts/test-slow.sh runs it; --write-list FILE rewrites it).
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

DATA = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator"]


def load_tensors(folder, prefix):
    tensors = []
    for path in sorted(glob.glob(os.path.join(folder, prefix + "_*.pb")),
                       key=lambda p: int(re.findall(r"_(\d+)\.pb$", p)[0])):
        tensor = onnx.TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        tensors.append(numpy_helper.to_array(tensor))
    return tensors


def bind_inputs(model_path, inputs, out_path):
    """The model with inputs 1.. as initializers holding the test's data."""
    model = onnx.load(model_path)
    graph = model.graph
    initialized = {i.name for i in graph.initializer}
    real = [i for i in graph.input if i.name not in initialized]
    for value_info, data in list(zip(real, inputs))[1:]:
        graph.initializer.append(numpy_helper.from_array(data, value_info.name))
        graph.input.remove(value_info)
    onnx.save(model, out_path)


def key(folder):
    """suite/name, as the list of unsupported tests names a test."""
    return os.path.basename(os.path.dirname(folder)) + "/" + os.path.basename(folder)


def run_one(cnnc, folder, work, interpret):
    name = os.path.basename(folder)
    sets = sorted(glob.glob(os.path.join(folder, "test_data_set_*")))
    if not sets:
        return name, "unsupported", "no test data"
    try:
        inputs = load_tensors(sets[0], "input")
        expected = load_tensors(sets[0], "output")
    except Exception:  # sequences, optionals, maps: not tensors
        return name, "unsupported", "test data that is not a tensor"
    os.makedirs(work, exist_ok=True)
    model = os.path.join(folder, "model.onnx")
    bound = False

    def try_import(path):
        return subprocess.run([cnnc, "import", path, "-o", os.path.join(work, "m.cnn")],
                              capture_output=True, text=True, timeout=120)

    imported = try_import(model)
    if imported.returncode > 0 and len(inputs) > 1:
        copy = os.path.join(work, "bound.onnx")
        bind_inputs(model, inputs, copy)
        model, bound, inputs = copy, True, inputs[:1]
        imported = try_import(model)
    if imported.returncode < 0:
        return name, "failed", "the importer crashed (signal %d)" % -imported.returncode
    if imported.returncode != 0:
        message = imported.stderr.strip().splitlines()
        return name, "unsupported", message[0] if message else ""
    if any(x.dtype != np.float32 for x in inputs) or any(y.dtype != np.float32 for y in expected):
        return name, "unsupported", "non-float inputs or outputs"
    input_paths = []
    for i, x in enumerate(inputs):
        path = os.path.join(work, "input_%d.npy" % i)
        np.save(path, np.ascontiguousarray(x))
        input_paths.append(path)
    output_paths = [os.path.join(work, "output_%d.npy" % i) for i in range(len(expected))]
    arguments = []
    for path in input_paths:
        arguments += ["--input", path]
    for path in output_paths:
        arguments += ["--output", path]
    if interpret:
        ran = subprocess.run([cnnc, "run", model] + arguments, capture_output=True, text=True,
                             timeout=300)
    else:
        binary = os.path.join(work, "model")
        built = subprocess.run([cnnc, model, "-o", binary], capture_output=True, text=True,
                               timeout=600)
        if built.returncode != 0:
            return name, "failed", "does not compile: " + built.stderr.strip()[-300:]
        ran = subprocess.run([binary, "--weights", binary + ".safetensors", "--threads", "1"]
                             + arguments, capture_output=True, text=True, timeout=300)
    if ran.returncode != 0:
        return name, "failed", "does not run: " + ran.stderr.strip()[-300:]
    rtol = 1e-4 if interpret else 1e-3
    for i, (path, want) in enumerate(zip(output_paths, expected)):
        got = np.load(path)
        if got.shape != want.shape:
            return name, "failed", "output %d has shape %s, expected %s" % (i, got.shape, want.shape)
        # NaN where ONNX's output has NaN (sqrt and log below 0), nowhere else.
        if not np.allclose(got, want, rtol=rtol, atol=1e-7 if not interpret else 1e-6,
                           equal_nan=True):
            worst = np.nanmax(np.abs(got.astype(np.float64) - want))
            return name, "failed", "output %d differs by up to %.3g" % (i, worst)
    shutil.rmtree(work, ignore_errors=True)
    return name, "passed (constant inputs)" if bound else "passed", ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--interpret", action="store_true")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--match", default="")
    parser.add_argument("--leave-out", default="", metavar="PATTERN",
                        help="tests (suite/name) to leave out, counted as not run")
    parser.add_argument("--list", action="store_true", help="print every test's result")
    listing = parser.add_mutually_exclusive_group()
    listing.add_argument("--skip-listed", metavar="FILE")
    listing.add_argument("--check-list", metavar="FILE")
    listing.add_argument("--write-list", metavar="FILE")
    args = parser.parse_args()
    listed = set()
    if args.skip_listed or args.check_list:
        with open(args.skip_listed or args.check_list) as f:
            listed = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    folders = []
    skipped = left_out = 0
    for suite in SUITES:
        for folder in sorted(glob.glob(os.path.join(DATA, suite, "test_*"))):
            if not re.search(args.match, os.path.basename(folder)):
                continue
            if args.skip_listed and key(folder) in listed:
                skipped += 1
                continue
            if args.leave_out and re.search(args.leave_out, key(folder)):
                left_out += 1
                continue
            folders.append(folder)
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_one, args.cnnc, folder,
                               os.path.join(args.work, os.path.basename(os.path.dirname(folder)) +
                                            "-" + os.path.basename(folder)), args.interpret)
                   for folder in folders]
        for folder, future in zip(folders, futures):
            results.append((key(folder),) + future.result()[1:])
    counts = {}
    for name, verdict, detail in results:
        counts[verdict] = counts.get(verdict, 0) + 1
        if verdict == "failed" or args.list:
            print("%-50s %-26s %s" % (name, verdict, detail))
    passed = counts.get("passed", 0) + counts.get("passed (constant inputs)", 0)
    unsupported = {name for name, verdict, _ in results if verdict == "unsupported"}
    stale = 0
    if args.check_list:
        for name in sorted(listed - unsupported):
            print("%-50s listed as unsupported, but it imports now (or is gone): update %s"
                  % (name, args.check_list))
        for name in sorted(unsupported - listed):
            print("%-50s unsupported, but not listed in %s" % (name, args.check_list))
        stale = len(listed ^ unsupported)
    if args.write_list:
        with open(args.write_list, "w") as f:
            f.write("# ONNX backend tests cnnc refuses at import (conformance.py --write-list);\n"
                    "# every test run leaves them out, scripts/test-slow.sh checks the list.\n")
            f.writelines(name + "\n" for name in sorted(unsupported))
    print("conformance: %d tests: %d passed (%d with constant inputs), %d failed, %d unsupported"
          % (len(results) + skipped + left_out, passed, counts.get("passed (constant inputs)", 0),
             counts.get("failed", 0), counts.get("unsupported", 0) + skipped)
          + (" (%d listed, not run)" % skipped if skipped else "")
          + (", %d left out" % left_out if left_out else "")
          + (", %d stale in the list" % stale if args.check_list else ""))
    sys.exit(1 if counts.get("failed", 0) or stale else 0)


if __name__ == "__main__":
    main()
