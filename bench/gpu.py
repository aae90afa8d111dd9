"""cnnc on a GPU against PyTorch, in one prepared run.

    bench/gpu.sh build [--target cuda] [--resolution R] [--networks a,b]
    bench/gpu.sh run [--results DIR] [--runs N] [--compile a,b]

`build` (here, where cnnc is) compiles every network at batch 1 and 32 for
the target into build/bench/gpu, with a manifest of shapes and FLOPs. The
folder travels to the GPU machine (binaries only, about 1 MB each); the
weights are made there, from torchvision's modules, since they are far too
big to carry.

`run` (on the GPU machine, with PyTorch) gives each network seeded weights
(batch norm statistics randomised too, so folding them is tested), writes
them as safetensors in torchvision's names (the zoo's), and for each batch
checks the binary's output against PyTorch float32 on the same weights and
input, then times the binary (`--bench`: each run waits for its last
kernel) against PyTorch eager, a captured CUDA graph and torch.compile, all
in float32 with TF32 off (cuDNN's benchmark mode on, as a user would run
it). It writes <results>/gpu-<date>-<device>.md and .json.

Without CUDA (a CPU stand-in: build --target opencl, run on pocl) PyTorch
runs on the CPU, and only its eager mode is timed.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "build", "bench", "gpu")
NETWORKS = {  # bench name -> (zoo file, params, compare_pytorch's twin)
    "resnet50": ("resnet50", [], "resnet50"),
    "mobilenet_v2": ("mobilenet_v2", [], "mobilenet_v2"),
    "efficientnet_b0": ("efficientnet", ["variant=0"], "efficientnet_b0"),
    "densenet121": ("densenet121", [], "densenet121"),
    "vgg16": ("vgg16", [], "vgg16"),
    "googlenet": ("googlenet", [], "googlenet"),
}
BATCHES = [1, 32]
TOLERANCE = 1e-4  # relative L2 error against PyTorch float32


def build(args):
    cnnc = os.path.join(ROOT, "build", "bin", "cnnc")
    os.makedirs(OUT, exist_ok=True)
    manifest = {"target": args.target, "resolution": args.resolution, "networks": {}}
    for name in args.networks.split(","):
        file, params, _ = NETWORKS[name]
        for batch in BATCHES:
            flags = [a for p in params + [f"batch={batch}", f"resolution={args.resolution}"]
                     for a in ("--param", p)]
            model = os.path.join(ROOT, "models", file + ".cnn")
            binary = f"{name}_b{batch}"
            subprocess.run([cnnc, model, f"--target={args.target}", "-o",
                            os.path.join(OUT, binary)] + flags, check=True)
            summary = json.loads(subprocess.run([cnnc, "summary", "--json", model] + flags,
                                                check=True, capture_output=True,
                                                text=True).stdout)
            manifest["networks"][binary] = {"network": name, "batch": batch,
                                            "flops": 2 * summary["total_macs"]}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"gpu bench: {len(manifest['networks'])} binaries in {OUT}")


def seeded_module(twin, torch):
    """torchvision's module with seeded weights and batch norm statistics."""
    sys.path.insert(0, os.path.join(ROOT, "test", "Models", "Inputs"))
    import compare_pytorch
    torch.manual_seed(0)
    module = compare_pytorch.MODELS[twin][2]().eval()
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, torch.nn.BatchNorm2d):
                layer.running_mean.normal_(0, 0.1)
                layer.running_var.uniform_(0.5, 1.5)
                layer.weight.uniform_(0.5, 1.5)
                layer.bias.normal_(0, 0.1)
    return module


def write_weights(module, path):
    import numpy as np
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import safetensors_io
    tensors = {k: np.ascontiguousarray(v.detach().cpu().float().numpy())
               for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    safetensors_io.write(path, tensors)


def timed(function, runs, synchronize):
    for _ in range(3):
        function()
    synchronize()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def peers(module, image, runs, compile_it, torch):
    """Median ms of PyTorch's modes on `image`."""
    cuda = image.is_cuda
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    result = {}
    with torch.no_grad():
        result["eager"] = timed(lambda: module(image), runs, sync)
        if cuda:
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                for _ in range(3):
                    module(image)
            torch.cuda.current_stream().wait_stream(stream)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                module(image)
            result["cuda graph"] = timed(graph.replay, runs, sync)
        if compile_it:
            compiled = torch.compile(module)
            start = time.perf_counter()
            compiled(image)
            result["compile seconds"] = time.perf_counter() - start
            result["torch.compile"] = timed(lambda: compiled(image), runs, sync)
    return result


def run_binary(binary, weights, arguments):
    out = subprocess.run([binary, "--weights", weights] + arguments, check=True,
                         capture_output=True, text=True).stdout
    return out


def bench(args):
    import numpy as np
    import torch
    with open(os.path.join(args.binaries, "manifest.json")) as f:
        manifest = json.load(f)
    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    device_name = torch.cuda.get_device_name() if cuda else f"CPU stand-in ({manifest['target']})"
    compile_networks = set(filter(None, args.compile.split(","))) if cuda else set()
    resolution = manifest["resolution"]
    rows = []
    work = tempfile.mkdtemp(prefix="cnnc-gpu-bench-")
    modules = {}
    for binary, entry in manifest["networks"].items():
        name, batch = entry["network"], entry["batch"]
        weights = os.path.join(work, name + ".safetensors")
        if name not in modules:
            modules.clear()  # one network's weights on the device at a time
            modules[name] = seeded_module(NETWORKS[name][2], torch)
            write_weights(modules[name], weights)
        module = modules[name].to(device)
        rng = np.random.default_rng(batch)
        image = rng.standard_normal((batch, 3, resolution, resolution)).astype(np.float32)
        input_path, output_path = os.path.join(work, "x.npy"), os.path.join(work, "y.npy")
        np.save(input_path, image)
        path = os.path.join(args.binaries, binary)
        run_binary(path, weights, ["--input", input_path, "--output", output_path])
        with torch.no_grad():
            expected = module(torch.from_numpy(image).to(device)).float().cpu().numpy()
        found = np.load(output_path).astype(np.float64)
        error = float(np.linalg.norm(found - expected) / np.linalg.norm(expected))
        runs = args.runs if batch == 1 else max(5, args.runs // 4)
        out = run_binary(path, weights, ["--bench", str(runs)])
        cnnc_ms = float(re.search(r"median ([\d.]+) ms", out).group(1))
        timings = peers(module, torch.from_numpy(image).to(device), runs,
                        name in compile_networks, torch)
        row = {"network": name, "batch": batch, "cnnc": cnnc_ms, "error": error,
               "flops": entry["flops"], **timings}
        rows.append(row)
        print(json.dumps(row), flush=True)
        module.cpu()
        if cuda:
            torch.cuda.empty_cache()
    write_results(args.results, device_name, manifest, rows)


def write_results(directory, device_name, manifest, rows):
    os.makedirs(directory, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", device_name).strip("-").lower()
    base = os.path.join(directory, f"gpu-{stamp}-{slug}")
    with open(base + ".json", "w") as f:
        json.dump({"device": device_name, "manifest": manifest, "rows": rows}, f, indent=1)
    modes = ["eager", "cuda graph", "torch.compile"]
    lines = [f"# cnnc on {device_name}", "",
             f"Target {manifest['target']}, {manifest['resolution']}x{manifest['resolution']} "
             "inputs, float32, TF32 off. Median ms per run; ratio = the best PyTorch mode's "
             "time / cnnc's (above 1: cnnc is faster); error = relative L2 error of cnnc's "
             f"output against PyTorch float32 on the same weights (bound {TOLERANCE:g}).", "",
             "| network | batch | cnnc ms | cnnc GFLOP/s | " + " | ".join(modes) +
             " | ratio | error |", "| --- " * (len(modes) + 6) + "|"]
    for row in rows:
        peer_times = [row[m] for m in modes if m in row]
        cells = [f"{row[m]:.3f}" if m in row else "n/a" for m in modes]
        ratio = min(peer_times) / row["cnnc"] if peer_times else float("nan")
        verdict = "" if row["error"] < TOLERANCE else " FAIL"
        lines.append(f"| {row['network']} | {row['batch']} | {row['cnnc']:.3f} | "
                     f"{row['flops'] / row['cnnc'] / 1e6:.0f} | " + " | ".join(cells) +
                     f" | {ratio:.2f} | {row['error']:.1e}{verdict} |")
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"gpu bench: wrote {base}.md")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build")
    b.add_argument("--target", default="cuda")
    b.add_argument("--resolution", type=int, default=224)
    b.add_argument("--networks", default=",".join(NETWORKS))
    r = commands.add_parser("run")
    r.add_argument("--binaries", default=OUT)
    r.add_argument("--results", default=os.path.join(HERE, "results"))
    r.add_argument("--runs", type=int, default=50)
    r.add_argument("--compile", default="resnet50,mobilenet_v2",
                   help="networks also timed with torch.compile (each compiles for a minute)")
    args = parser.parse_args()
    build(args) if args.command == "build" else bench(args)


if __name__ == "__main__":
    main()
