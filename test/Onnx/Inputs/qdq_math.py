"""The arithmetic of quantized graphs in float64, for the test models'
expected values (make_qdq.py, make_qoperators.py)."""
import numpy as np
from onnx import numpy_helper


def conv(x, w, b, pad):
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    y = np.zeros((n, o, h, wd))
    for i in range(k):
        for j in range(k):
            y += np.einsum("nchw,oc->nohw", xp[:, :, i:i + h, j:j + wd], w[:, :, i, j])
    return y + b.reshape(1, -1, 1, 1)


def fake(x, scale, zero):
    return (np.clip(np.round(x / scale) + zero, 0, 255) - zero) * scale


def affine(t):
    low, high = min(t.min(), 0), max(t.max(), 0)
    scale = np.float32((high - low) / 255)
    return scale, int(np.round(-low / scale))


def symmetric(w):
    scales = (np.abs(w.reshape(w.shape[0], -1)).max(axis=1) / 127).astype(np.float32)
    q = np.clip(np.round(w / scales.reshape(-1, *[1] * (w.ndim - 1))), -127, 127)
    return q.astype(np.int8), scales


class Initializers:
    """A graph's constants, each added once by name (a tensor's scale is
    read by its producer and by its readers)."""

    def __init__(self):
        self.tensors = []

    def add(self, name, array):
        if name not in (t.name for t in self.tensors):
            self.tensors.append(numpy_helper.from_array(array, name))
        return name

    def grid(self, name, scale, zero):
        """The names of a u8 grid's scale and zero point."""
        return [self.add(name + "_s", np.array(scale, np.float32)),
                self.add(name + "_z", np.array(zero, np.uint8))]
