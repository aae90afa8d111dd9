"""Converts a PyTorch checkpoint into a safetensors weights file for cnnc.

    convert_weights.py model.pt|state_dict.pth OUT.safetensors

`cnnc weights convert` runs this (with Debian's python3-torch) for PyTorch
files. The checkpoint may be a state_dict or a dict holding one under
"state_dict" or "model" (training scripts' habit); it is unpickled with
weights_only, so a whole pickled nn.Module (which runs code when loaded)
is refused with a message saying to save its state_dict. Floating-point tensors are written as float32 under their
state_dict names, the names cnnc's programs and torchvision share; integer
buffers (batch norm's num_batches_tracked) are left out and counted.
Prints one line; exits 1 with a message on a file it cannot read.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402


def state_dict_of(loaded):
    if isinstance(loaded, dict):
        for key in ("state_dict", "model"):
            if isinstance(loaded.get(key), dict):
                return loaded[key]
        return loaded
    return None


def main(source, destination):
    import numpy
    import torch
    try:
        # Only tensors and plain containers are unpickled: a checkpoint is a
        # file from elsewhere, and a full pickle can run any code it holds.
        loaded = torch.load(source, map_location="cpu", weights_only=True)
    except Exception as error:
        print(f"cnnc weights convert: {source}: not a checkpoint of tensors that torch reads "
              f"without running its code ({str(error).splitlines()[0][:200]}); save "
              f"model.state_dict() with torch.save instead", file=sys.stderr)
        return 1
    state = state_dict_of(loaded)
    if not isinstance(state, dict) or not state:
        print(f"cnnc weights convert: {source}: holds no state_dict (found "
              f"{type(loaded).__name__})", file=sys.stderr)
        return 1
    tensors, skipped = {}, []
    for name, value in state.items():
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            skipped.append(name)
            continue
        tensors[str(name)] = numpy.ascontiguousarray(value.detach().cpu().float().numpy())
    if not tensors:
        print(f"cnnc weights convert: {source}: no floating-point tensors", file=sys.stderr)
        return 1
    safetensors_io.write(destination, tensors)
    print(f"cnnc weights convert: {len(tensors)} tensors from {source} to {destination}"
          + (f" ({len(skipped)} non-float entries left out)" if skipped else ""))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: convert_weights.py model.pt|state_dict.pth OUT.safetensors", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
