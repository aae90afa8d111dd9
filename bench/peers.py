"""The peers cnnc is measured against, on the same networks and weights.

    peers.py export NAME WEIGHTS BATCH OUT.onnx   # torchvision module -> ONNX
    peers.py torch NAME WEIGHTS BATCH THREADS RUNS # eager and TorchScript
    peers.py check NAME WEIGHTS INPUT.npy OUTPUT.npy # cnnc's output against
                                                    # PyTorch in float64
    peers.py torch-int8 NAME WEIGHTS BATCH THREADS RUNS a.npy,b.npy,...
                                                    # static int8 (oneDNN)

The weights are cnnc's (`cnnc weights`), loaded by name into torchvision's
module, so all runtimes compute the same function. `torch` prints two lines,
`eager: <ms per run...>` and `torchscript: ...` (traced, frozen and
optimized for inference, PyTorch's fastest CPU mode here). `torch-int8`
quantizes the module statically (FX graph mode, the `onednn` engine and its
default qconfig: per-channel s8 weights, u8 activations; Debian's torch has
no fbgemm), calibrated on the given 1xCxHxW samples, and prints `int8
eager: ...` and `int8 torchscript: ...` (traced and frozen).
"""

import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "Models", "Inputs"))
import compare_pytorch  # noqa: E402  (the zoo's PyTorch twins)

# bench name -> compare_pytorch's model name
TWINS = {"resnet50": "resnet50", "mobilenet_v2": "mobilenet_v2", "vgg16": "vgg16",
         "densenet121": "densenet121", "googlenet": "googlenet",
         "efficientnet_b0": "efficientnet_b0", "mobilenet_v3_large": "mobilenet_v3_large",
         "mobilenet_v3_small": "mobilenet_v3_small", "shufflenet_v2_x1_0": "shufflenet_v2_x1_0",
         "regnet_y_400mf": "regnet_y_400mf", "convnext_tiny": "convnext_tiny",
         "resnext50_32x4d": "resnext50_32x4d"}


def module_with_weights(name, weights):
    build = compare_pytorch.MODELS[TWINS[name]][2]
    module, problem = compare_pytorch.load_module(build, weights)
    if problem:
        sys.exit(f"{name}: weights do not load: {problem}")
    return module


def check(name, weights, input_path, output_path):
    """Prints the relative L2 error of cnnc's output against PyTorch's, which
    runs in float64 on the same weights and input."""
    import numpy as np
    module = module_with_weights(name, weights).double()
    with torch.no_grad():
        expected = module(torch.from_numpy(np.load(input_path)).double()).numpy()
    found = np.load(output_path).astype(np.float64)
    error = np.linalg.norm(found - expected) / np.linalg.norm(expected)
    print(f"relative error: {error:.3e}")


def timed(function, runs):
    function()  # warm-up (and TorchScript's profiling runs)
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def quantized_module(module, samples, example):
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    import numpy as np
    torch.backends.quantized.engine = "onednn"
    prepared = prepare_fx(module.eval(), get_default_qconfig_mapping("onednn"), (example,))
    with torch.no_grad():
        for path in samples:
            prepared(torch.from_numpy(np.load(path)))
    return convert_fx(prepared)


def main():
    command, name, weights = sys.argv[1], sys.argv[2], sys.argv[3]
    batch = int(sys.argv[4]) if command != "check" else 0
    if command == "check":
        check(name, weights, sys.argv[4], sys.argv[5])
        return
    module = module_with_weights(name, weights)
    image = torch.randn(batch, 3, 224, 224)
    if command == "export":
        torch.onnx.export(module, image, sys.argv[5], opset_version=13,
                          input_names=["image"], output_names=["logits"])
        return
    threads, runs = int(sys.argv[5]), int(sys.argv[6])
    torch.set_num_threads(threads)
    if command == "torch-int8":
        module = quantized_module(module, sys.argv[7].split(","), image[:1])
        with torch.no_grad():
            eager = timed(lambda: module(image), runs)
            traced = torch.jit.freeze(torch.jit.trace(module, image))
            script = timed(lambda: traced(image), runs)
        print("int8 eager:", " ".join(f"{t:.3f}" for t in eager))
        print("int8 torchscript:", " ".join(f"{t:.3f}" for t in script))
        return
    with torch.no_grad():
        eager = timed(lambda: module(image), runs)
        traced = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(module, image)))
        script = timed(lambda: traced(image), runs)
    print("eager:", " ".join(f"{t:.3f}" for t in eager))
    print("torchscript:", " ".join(f"{t:.3f}" for t in script))


if __name__ == "__main__":
    main()
