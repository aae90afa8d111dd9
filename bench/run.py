"""cnnc against PyTorch and ONNX Runtime, side by side, in one run.

    bench/run.sh [--networks resnet50,mobilenet_v2,det.onnx@1x3x640x640]
                 [--batches 1,8] [--threads 1,2] [--runs 20] [--tuning-dir DIR]
                 [--precision fp32|int8]

For every network, batch size and thread count it times cnnc's binary
(`--bench`), PyTorch eager, PyTorch TorchScript (traced, frozen, optimized
for inference) and ONNX Runtime, all on the same weights, and measures the
machine's fp32 FMA peak and memory bandwidth (bench/peak.c,
bench/bandwidth.c). It checks each network's output at batch 1 against
PyTorch in float64 on the same weights and input. It writes
bench/results/<date>.md (the tables: per network median/min/max, ratio to
the best peer, GFLOP/s and share of peak, relative error; per layer of
ResNet-50 and MobileNet v2 on one thread, GFLOP/s and share of peak for
convolutions and GEMMs, and time against the bandwidth bound for depthwise
convolutions) and bench/results/<date>.png (latency per network and runtime);
<date> includes the time, so runs never overwrite each other.

With --tuning-dir (bench/tune.sh writes build/bench/tuning), a configuration
whose database DIR/<network>-<batch>x<threads>.db exists also times a binary
built with it (`cnnc --tuning-db --tuning-threads`), as "cnnc tuned".

With --precision int8 the rows are int8 instead: cnnc calibrated with
`cnnc calibrate` (percentile) on 8 random samples and compiled with
`--quantize=int8`, against ONNX Runtime on the same export quantized to QDQ
by bench/quantize_onnx.py (per-channel s8 weights, u8 activations, the same
calibration method and samples) and PyTorch's static int8 (FX graph mode,
oneDNN engine, the same samples); cnnc's fp32 binary is timed beside them.
GOP/s is then against the VNNI peak (bench/peak.c --int8), and each int8
runtime's output is compared with its own fp32 output on an input the
calibration did not see (SQNR, dB). The zoo networks also get a "cnnc bf16"
row (`--quantize=bf16`, no calibration), against the vdpbf16ps peak
(bench/peak.c --bf16) where the CPU has AVX512-BF16, with its SQNR.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CNNC = os.path.join(ROOT, "build", "bin", "cnnc")
PYTHON = "/usr/bin/python3"

# bench name -> (.cnn file, --param overrides)
NETWORKS = {
    "resnet50": ("resnet50", []), "mobilenet_v2": ("mobilenet_v2", []),
    "vgg16": ("vgg16", []), "densenet121": ("densenet121", []),
    "googlenet": ("googlenet", []), "efficientnet_b0": ("efficientnet", ["variant=0"]),
    "mobilenet_v3_large": ("mobilenet_v3_large", []),
    "mobilenet_v3_small": ("mobilenet_v3_small", []),
    "shufflenet_v2_x1_0": ("shufflenet_v2_x1_0", []), "regnet_y_400mf": ("regnet_y_400mf", []),
    "convnext_tiny": ("convnext_tiny", []), "resnext50_32x4d": ("resnext50_32x4d", []),
}
PROFILED = ["resnet50", "mobilenet_v2"]


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def peer_environment():
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)  # set to Haswell here: halves OpenBLAS
    return env


def stats(times):
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def measure_peak(work, kind=""):
    """{threads: GFLOP/s} of fp32 FMAs, or (kind "int8", "bf16") GOP/s of
    VNNI dot products, GFLOP/s of bf16 pair products."""
    binary = os.path.join(work, "peak")
    run(["cc", "-O3", "-mavx512f", "-mfma", os.path.join(HERE, "peak.c"), "-o", binary,
         "-lpthread"])
    peaks = {}
    for line in run([binary, "2"] + (["--" + kind] if kind else [])).splitlines():
        match = re.match(r"threads (\d+): ([\d.]+)", line)  # or: no VNNI on this CPU
        if match:
            peaks[int(match.group(1))] = float(match.group(2))
    return peaks


def measure_bandwidth(work):
    """{(buffer bytes, threads): copy GB/s} from bench/bandwidth.c."""
    binary = os.path.join(work, "bandwidth")
    run(["cc", "-O3", "-mavx512f", os.path.join(HERE, "bandwidth.c"), "-o", binary, "-lpthread"])
    bandwidth = {}
    for line in run([binary, "2"]).splitlines():
        size, threads, copy = re.match(r"bytes (\d+) threads (\d+): .* copy ([\d.]+)", line).groups()
        bandwidth[(int(size), int(threads))] = float(copy)
    return bandwidth


def check_output(work, name, binary, weights):
    """cnnc's output at batch 1 against PyTorch's (float64), relative L2."""
    import numpy as np
    image = os.path.join(work, f"{name}.input.npy")
    output = os.path.join(work, f"{name}.output.npy")
    np.save(image, np.random.RandomState(1).randn(1, 3, 224, 224).astype(np.float32))
    run([binary, "--weights", weights, "--input", image, "--output", output])
    out = run([PYTHON, os.path.join(HERE, "peers.py"), "check", name, weights, image, output],
              env=peer_environment())
    return float(out.split(":")[1])


def depthwise_rows(summary, profile_out, bandwidth):
    """Depthwise convolutions against their memory-bandwidth bound: the
    bytes they must move (input, output, weights) over the copy bandwidth
    bench/bandwidth.c measured for a buffer of that size on one thread."""
    times = {}
    for line in profile_out.splitlines():
        match = re.match(r"(\S+)\s+(conv2d|fused_conv2d)\s+([\d.]+)\s", line)
        if match:
            times[match.group(1)] = float(match.group(3))
    layers = summary["layers"]
    rows = []
    for i, layer in enumerate(layers):
        channels = layer["output"][1]
        outputs = 1
        for d in layer["output"]:
            outputs *= d
        per_output = layer["macs"] / outputs if outputs else 0
        depthwise = (layer["op"] == "conv2d" and 0 < per_output <= 49 and
                     layer["weights"] == channels * per_output)
        if not depthwise or layer["name"] not in times or i == 0:
            continue
        inputs = 1
        for d in layers[i - 1]["output"]:
            inputs *= d
        moved = 4 * (inputs + outputs + layer["weights"])
        size = min([s for (s, t) in bandwidth if t == 1 and s >= moved] or
                   [max(s for (s, _) in bandwidth)])
        bound = moved / (bandwidth[(size, 1)] * 1e9) * 1e3
        rows.append((layer["name"], times[layer["name"]], moved, bound))
    return rows


def model_flags(name, batch):
    file, params = NETWORKS[name]
    flags = [a for p in params + [f"batch={batch}"] for a in ("--param", p)]
    return os.path.join(ROOT, "models", file + ".cnn"), flags


def cnnc_binary(work, name, batch, tuning=None):
    """The compiled binary; `tuning` is (database, threads)."""
    model, flags = model_flags(name, batch)
    binary = os.path.join(work, f"{name}_b{batch}")
    if tuning:
        binary += f"_tuned{tuning[1]}"
        flags += ["--tuning-db", tuning[0], "--tuning-threads", str(tuning[1])]
    run([CNNC, model, "-o", binary] + flags)
    return binary


def flops_per_run(name, batch):
    model, flags = model_flags(name, batch)
    return 2.0 * json.loads(run([CNNC, "summary", "--json", model] + flags))["total_macs"]


def fixed_shape(work, spec):
    """`model.onnx@NxCxHxW`: a copy of the model whose one input has those
    sizes (detectors leave them symbolic); a plain path as it is."""
    if "@" not in spec:
        return spec
    import onnx
    path, dims = spec.rsplit("@", 1)
    model = onnx.load(path)
    initializers = {i.name for i in model.graph.initializer}
    (graph_input,) = [i for i in model.graph.input if i.name not in initializers]
    for dim, size in zip(graph_input.type.tensor_type.shape.dim, dims.split("x")):
        dim.Clear()
        dim.dim_value = int(size)
    fixed = os.path.join(work, os.path.basename(path)[:-5] + f"_{dims}.onnx")
    onnx.save(model, fixed)
    return fixed


def imported_binary(work, onnx, label):
    """cnnc's program compiled from an ONNX file; its weights are the file's."""
    binary = os.path.join(work, label)
    run([CNNC, onnx, "-o", binary])
    return binary, binary + ".safetensors"


def time_cnnc(binaries, weights, threads, runs, rounds=4):
    """{label: median, min, max} for cnnc's binaries, timed in alternating
    rounds (A B A B ...) so that the VM's drift falls on all of them alike;
    the median is the median of the rounds' medians. A binary given as
    (binary, weights) uses its own weights."""
    rounds_of = {label: [] for label in binaries}
    for _ in range(rounds):
        for label, binary in binaries.items():
            binary, weights_of = binary if isinstance(binary, tuple) else (binary, weights)
            out = run([binary, "--weights", weights_of, "--threads", str(threads), "--bench",
                       str(max(1, runs // rounds))])
            rounds_of[label].append(tuple(map(float, re.search(
                r"median ([\d.]+) ms, min ([\d.]+) ms, max ([\d.]+) ms", out).groups())))
    return {label: {"median": statistics.median(r[0] for r in measured),
                    "min": min(r[1] for r in measured), "max": max(r[2] for r in measured)}
            for label, measured in rounds_of.items()}


def sqnr(reference, found):
    import numpy as np
    reference, found = np.asarray(reference, np.float64), np.asarray(found, np.float64)
    return 10 * np.log10((reference ** 2).sum() / max(((reference - found) ** 2).sum(), 1e-30))


def calibration_samples(work, shape, count=8):
    """Random 1xCxHxW samples (the zoo's weights are random too) and one
    more the calibration does not see, for the SQNR."""
    import numpy as np
    directory = os.path.join(work, "calibration-" + "x".join(map(str, shape)))
    os.makedirs(directory, exist_ok=True)
    paths = []
    for i in range(count + 1):
        paths.append(os.path.join(directory, f"{i}.npy"))
        np.save(paths[-1], np.random.RandomState(100 + i).randn(1, *shape).astype(np.float32))
    return paths[:-1], paths[-1]


def ort_outputs(onnx, input_name, sample, work):
    """The model's first output on `sample`, from ONNX Runtime."""
    import numpy as np
    directory = os.path.join(work, "ort-out")
    os.makedirs(directory, exist_ok=True)
    raw = os.path.join(directory, "input.f32")
    np.load(sample).astype("<f4").tofile(raw)
    dims = "x".join(map(str, np.load(sample).shape))
    run(["node", os.path.join(HERE, "ort_tensors.js"), onnx, directory,
         f"{input_name}:{dims}:{raw}"], env=ort_environment())
    return np.fromfile(os.path.join(directory, "0.f32"), "<f4")


def ort_environment():
    return dict(peer_environment(), NODE_PATH=os.path.join(HERE, ".peers", "node_modules"))


def calibrate(work, model, flags, label, weights, samples):
    qparams = os.path.join(work, label + ".qparams")
    run([CNNC, "calibrate", model, "--inputs", ",".join(samples), "-o", qparams] +
        (["--weights", weights] if weights else []) + flags)
    return qparams


def int8_build(work, model, flags, label, qparams, samples, fp32_onnx):
    """cnnc's int8 binary and ONNX Runtime's QDQ model of one network."""
    binary = os.path.join(work, label + "_int8")
    run([CNNC, model, "--quantize=int8", "--qparams", qparams, "-o", binary] + flags)
    qdq = os.path.join(work, label + "_qdq.onnx")
    run([PYTHON, os.path.join(HERE, "quantize_onnx.py"), fp32_onnx, qdq, "--inputs",
         ",".join(samples)], env=ort_environment())
    return binary, qdq


def cnnc_output(binary, weights, sample, work):
    import numpy as np
    output = os.path.join(work, "cnnc-output.npy")
    run([binary, "--weights", weights, "--input", sample, "--output", output])
    return np.load(output)


def time_ort(onnx, batch, threads, runs, input_spec=None):
    out = run(["node", os.path.join(HERE, "ort.js"), onnx, str(batch), str(threads), str(runs)] +
              ([input_spec] if input_spec else []), env=ort_environment())
    return stats([float(v) for v in out.split(":", 1)[1].split()])


def time_torch(command, name, weights, batch, threads, runs, *extra):
    """peers.py's `torch` or `torch-int8` rows: {"PyTorch <mode>": stats}."""
    out = run([PYTHON, os.path.join(HERE, "peers.py"), command, name, weights, str(batch),
               str(threads), str(runs), *extra], env=peer_environment())
    results = {}
    for line in out.splitlines():
        label, values = line.split(":", 1)
        results["PyTorch " + label] = stats([float(v) for v in values.split()])
    return results


def time_peers(name, weights, onnx, batch, threads, runs):
    results = time_torch("torch", name, weights, batch, threads, runs)
    results["ONNX Runtime"] = time_ort(onnx, batch, threads, runs)
    return results


def profile(binary, weights, peak):
    out = run([binary, "--weights", weights, "--threads", "1", "--profile", "--bench", "10"])
    return out, profile_rows(out, peak)


def profile_rows(out, peak):
    rows = []
    for line in out.splitlines():
        match = re.match(r"(\S+)\s+(conv2d|fused_conv2d|gemm)\s+([\d.]+)\s+([\d.]+)%\s+([\d.]+)$",
                         line)
        if match:
            layer, op, ms, share, gflops = match.groups()
            rows.append((layer, op, float(ms), float(share), float(gflops),
                         100 * float(gflops) / peak))
    return rows


def plot(results, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    configs = sorted({(b, t) for (_, b, t) in results})
    runtimes = list(dict.fromkeys(label for entry in results.values() for label in entry))
    figure, axes = plt.subplots(len(configs), 1, figsize=(10, 3.2 * len(configs)), squeeze=False)
    for axis, (batch, threads) in zip(axes[:, 0], configs):
        names = [n for (n, b, t) in results if (b, t) == (batch, threads)]
        width = 0.8 / len(runtimes)
        for i, runtime in enumerate(runtimes):
            values = [results[(n, batch, threads)].get(runtime, {}).get("median", 0) for n in names]
            axis.bar([x + i * width for x in range(len(names))], values, width, label=runtime)
        axis.set_xticks([x + 0.4 - width / 2 for x in range(len(names))], names)
        axis.set_ylabel("ms (median)")
        axis.set_title(f"batch {batch}, {threads} thread(s)")
        axis.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--networks", default=",".join(NETWORKS))
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tuning-dir", help="cnnc-tune databases, <network>-<batch>x<threads>.db")
    parser.add_argument("--precision", choices=["fp32", "int8"], default="fp32",
                        help="int8: cnnc int8 against ONNX Runtime's and PyTorch's int8")
    parser.add_argument("--imported", action="store_true",
                        help="also time each network as cnnc imports the peers' ONNX export "
                             "of it (same weights), against the zoo's .cnn")
    args = parser.parse_args()
    networks = args.networks.split(",")
    batches = [int(b) for b in args.batches.split(",")]
    thread_counts = [int(t) for t in args.threads.split(",")]

    work = os.path.join(ROOT, "build", "bench")
    os.makedirs(work, exist_ok=True)
    peaks = measure_peak(work)
    print(f"FMA peak: {peaks[1]:.1f} GFLOP/s on 1 thread, {peaks.get(2, 0):.1f} on 2", flush=True)
    bandwidth = measure_bandwidth(work)
    int8 = args.precision == "int8"
    int8_peaks = measure_peak(work, "int8") if int8 else {}
    bf16_peaks = measure_peak(work, "bf16") if int8 else {}
    if int8:
        print(f"VNNI peak: {int8_peaks.get(1, 0):.1f} GOP/s on 1 thread, "
              f"{int8_peaks.get(2, 0):.1f} on 2; bf16 peak {bf16_peaks.get(1, 0):.1f} GFLOP/s "
              f"on 1 thread, {bf16_peaks.get(2, 0):.1f} on 2", flush=True)
    accuracy = {}  # (network, runtime) -> SQNR of int8 against its fp32, dB

    results, profiles, flops, errors, depthwise = {}, {}, {}, {}, {}
    for name in [fixed_shape(work, n) for n in networks if ".onnx" in n]:
        # An ONNX file of any origin: cnnc against ONNX Runtime on that file,
        # at the batch the file fixes.
        label = os.path.splitext(os.path.basename(name))[0]
        binary = imported_binary(work, name, label)
        summary = json.loads(run([CNNC, "summary", "--json", name]))
        # Its one input, as the cnn dialect declares it: tensor<1x3x224x224xf32> {cnn.name = "x"}
        dims, input_name = re.search(r"%arg0: tensor<([\dx]+)xf32> \{cnn.name = \"([^\"]+)\"",
                                     run([CNNC, name])).groups()
        batch = int(dims.split("x")[0])
        flops[(label, batch)] = 2.0 * summary["total_macs"]
        binaries = {"cnnc": binary}
        if int8:
            samples, test = calibration_samples(work, [int(d) for d in dims.split("x")[1:]])
            qparams = calibrate(work, name, [], label, None, samples)
            int8_binary, qdq = int8_build(work, name, [], label, qparams, samples, name)
            binaries["cnnc int8"] = (int8_binary, binary[1])
            accuracy[(label, "cnnc int8")] = sqnr(cnnc_output(binary[0], binary[1], test, work),
                                                  cnnc_output(int8_binary, binary[1], test, work))
            accuracy[(label, "ONNX Runtime int8")] = sqnr(
                ort_outputs(name, input_name, test, work), ort_outputs(qdq, input_name, test, work))
        for threads in thread_counts:
            entry = time_cnnc(binaries, None, threads, args.runs)
            peer = "ONNX Runtime int8" if int8 else "ONNX Runtime"
            entry[peer] = time_ort(qdq if int8 else name, batch, threads, args.runs,
                                   f"{input_name}:{dims}")
            results[(label, batch, threads)] = entry
            print(f"{label}, {threads} thread(s): " + ", ".join(
                f"{k} {v['median']:.2f} ms" for k, v in entry.items()), flush=True)
    networks = [n for n in networks if ".onnx" not in n]
    for name in networks:
        file, params = NETWORKS[name]
        weights = os.path.join(work, f"{name}.safetensors")
        flags = [a for p in params for a in ("--param", p)]
        model = os.path.join(ROOT, "models", file + ".cnn")
        run([CNNC, "weights", model, "-o", weights] + flags)
        if int8:
            samples, test = calibration_samples(work, [3, 224, 224])
            qparams = calibrate(work, model, flags, name, weights, samples)
        for batch in batches:
            binary, flops[(name, batch)] = cnnc_binary(work, name, batch), flops_per_run(name, batch)
            onnx = os.path.join(work, f"{name}_b{batch}.onnx")
            run([PYTHON, os.path.join(HERE, "peers.py"), "export", name, weights, str(batch), onnx],
                env=peer_environment())
            if int8:
                int8_binary, qdq = int8_build(work, model, model_flags(name, batch)[1],
                                              f"{name}_b{batch}", qparams, samples, onnx)
                bf16_binary = os.path.join(work, f"{name}_b{batch}_bf16")
                run([CNNC, model, "--quantize=bf16", "-o", bf16_binary] +
                    model_flags(name, batch)[1])
                if batch == 1:
                    accuracy[(name, "cnnc int8")] = sqnr(
                        cnnc_output(binary, weights, test, work),
                        cnnc_output(int8_binary, weights, test, work))
                    accuracy[(name, "cnnc bf16")] = sqnr(
                        cnnc_output(binary, weights, test, work),
                        cnnc_output(bf16_binary, weights, test, work))
                    accuracy[(name, "ONNX Runtime int8")] = sqnr(
                        ort_outputs(onnx, "image", test, work),
                        ort_outputs(qdq, "image", test, work))
            for threads in thread_counts:
                if int8:
                    entry = time_cnnc({"cnnc": binary, "cnnc int8": int8_binary,
                                       "cnnc bf16": bf16_binary}, weights, threads, args.runs)
                    entry["ONNX Runtime int8"] = time_ort(qdq, batch, threads, args.runs)
                    entry.update(time_torch("torch-int8", name, weights, batch, threads,
                                            args.runs, ",".join(samples)))
                    results[(name, batch, threads)] = entry
                    best = min(v["median"] for k, v in entry.items() if not k.startswith("cnnc"))
                    ours = entry["cnnc int8"]["median"]
                    print(f"{name} batch {batch}, {threads} thread(s): cnnc int8 {ours:.2f} ms "
                          f"(best int8 peer {best:.2f} ms, ratio {best / ours:.2f}; cnnc fp32 "
                          f"{entry['cnnc']['median']:.2f} ms, {entry['cnnc']['median'] / ours:.2f}x; "
                          f"cnnc bf16 {entry['cnnc bf16']['median']:.2f} ms)", flush=True)
                    continue
                binaries = {"cnnc": binary}
                database = os.path.join(args.tuning_dir or "", f"{name}-{batch}x{threads}.db")
                if args.tuning_dir and os.path.exists(database):
                    binaries["cnnc tuned"] = cnnc_binary(work, name, batch, (database, threads))
                if args.imported:
                    binaries["cnnc imported"] = imported_binary(work, onnx,
                                                                f"{name}_b{batch}_imported")
                entry = time_cnnc(binaries, weights, threads, args.runs)
                entry.update(time_peers(name, weights, onnx, batch, threads, args.runs))
                results[(name, batch, threads)] = entry
                best = min(v["median"] for k, v in entry.items() if not k.startswith("cnnc"))
                ours = " ".join(f"{k} {v['median']:.2f} ms (ratio {best / v['median']:.2f})"
                                for k, v in entry.items() if k.startswith("cnnc"))
                if "cnnc imported" in entry:
                    share = entry["cnnc imported"]["median"] / entry["cnnc"]["median"]
                    ours += f", imported / zoo {share:.3f}"
                print(f"{name} batch {batch}, {threads} thread(s): {ours}, best peer {best:.2f} ms",
                      flush=True)
            if batch == 1:
                errors[name] = check_output(work, name, binary, weights)
                print(f"{name}: relative error against PyTorch (float64) {errors[name]:.2e}",
                      flush=True)
            if batch == 1 and name in PROFILED and int8:
                # int8 layers against the VNNI peak; the ones left in float
                # (the stem) show the same GOP/s against it.
                profiles[name] = profile(int8_binary, weights, int8_peaks.get(1, 1))[1]
            elif batch == 1 and name in PROFILED:
                out, profiles[name] = profile(binary, weights, peaks[1])
                summary = json.loads(run([CNNC, "summary", "--json",
                                          os.path.join(ROOT, "models", file + ".cnn")] + flags))
                depthwise[name] = depthwise_rows(summary, out, bandwidth)

    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    out_dir = os.path.join(HERE, "results")
    os.makedirs(out_dir, exist_ok=True)
    lines = [f"# cnnc against its peers, {stamp}", "",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
             f"fp32 FMA peak {peaks[1]:.1f} GFLOP/s on 1 thread, {peaks.get(2, 0):.1f} on 2 "
             f"(bench/peak.c). Command: `bench/run.sh --networks {args.networks} --batches "
             f"{args.batches} --threads {args.threads} --runs {args.runs}"
             f"{' --precision int8' if int8 else ''}"
             f"{' --tuning-dir ' + args.tuning_dir if args.tuning_dir else ''}"
             f"{' --imported' if args.imported else ''}`. Latencies in ms over "
             f"{args.runs} runs; ratio = best peer's median / cnnc's median (above 1: cnnc is "
             f"faster). GFLOP/s counts the direct form's multiply-adds: Winograd convolutions "
             f"do fewer, so their share of peak can pass 100%.", "",
             "Memory bandwidth (bench/bandwidth.c, copy, GB/s): " + ", ".join(
                 f"{size >> 10} KB on {threads} thread(s) {gbs:.0f}"
                 for (size, threads), gbs in sorted(bandwidth.items())) + ".", "",
             "cnnc's output at batch 1 against PyTorch in float64, same weights and input "
             "(relative L2 error): " + ", ".join(f"{n} {e:.1e}" for n, e in errors.items()) +
             ".", ""]
    if int8:
        lines += [f"VNNI peak (bench/peak.c --int8) {int8_peaks.get(1, 0):.1f} GOP/s on 1 thread, "
                  f"{int8_peaks.get(2, 0):.1f} on 2; int8 rows' GOP/s and share are against it. "
                  "The ratio is against the best int8 peer; `cnnc` is cnnc's fp32 binary. "
                  f"bf16 peak (bench/peak.c --bf16, vdpbf16ps) {bf16_peaks.get(1, 0):.1f} GFLOP/s "
                  f"on 1 thread, {bf16_peaks.get(2, 0):.1f} on 2; `cnnc bf16` rows' share is "
                  "against it (no calibration: `--quantize=bf16`). "
                  "Each int8 or bf16 output against the same runtime's fp32 output on an input the "
                  "calibration did not see (SQNR, dB): " + ", ".join(
                      f"{n} {r} {db:.1f}" for (n, r), db in accuracy.items()) + ".", ""]
    lines += ["| network | batch | threads | runtime | median | min | max | ratio to best peer | GFLOP/s | share of peak |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    def peak_of(runtime):
        return int8_peaks if "int8" in runtime else bf16_peaks if "bf16" in runtime else peaks

    for (name, batch, threads), entry in results.items():
        best = min(v["median"] for k, v in entry.items() if not k.startswith("cnnc"))
        for runtime, s in entry.items():
            gflops = flops[(name, batch)] / (s["median"] * 1e-3) * 1e-9
            ratio = f"{best / s['median']:.2f}" if runtime.startswith("cnnc") else ""
            lines.append(f"| {name} | {batch} | {threads} | {runtime} | {s['median']:.2f} | "
                         f"{s['min']:.2f} | {s['max']:.2f} | {ratio} | {gflops:.1f} | "
                         f"{100 * gflops / peak_of(runtime).get(threads, float('nan')):.0f}% |")
    for name, rows in profiles.items():
        lines += ["", f"## {name}, batch 1, 1 thread: convolutions and GEMMs (`--profile`"
                  f"{' of the int8 binary; share of the VNNI peak' if int8 else ''})", "",
                  "| layer | op | ms | share of run | GFLOP/s | share of peak |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for layer, op, ms, share, gflops, of_peak in rows:
            lines.append(f"| {layer} | {op} | {ms:.3f} | {share:.1f}% | {gflops:.1f} | {of_peak:.0f}% |")
        if depthwise.get(name):
            lines += ["", f"## {name}, batch 1, 1 thread: depthwise convolutions against the "
                      "memory-bandwidth bound", "",
                      "| layer | ms | bytes moved | bound (ms) | time / bound |",
                      "| --- | --- | --- | --- | --- |"]
            for layer, ms, moved, bound in depthwise[name]:
                lines.append(f"| {layer} | {ms:.3f} | {moved} | {bound:.3f} | {ms / bound:.2f} |")
    report = os.path.join(out_dir, f"{stamp}.md")
    with open(report, "w") as f:
        f.write("\n".join(lines) + "\n")
    plot(results, os.path.join(out_dir, f"{stamp}.png"), f"latency per network and runtime, {stamp}")
    print(f"wrote {report} and {stamp}.png")


if __name__ == "__main__":
    main()
