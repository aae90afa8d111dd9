"""Writes .npz archives for two.cnn, as NumPy writes them and damaged.

  make_npz.py DIR
"""
import os
import sys
import zipfile

import numpy as np


def main():
    out = sys.argv[1]
    left = np.arange(18, dtype="f4").reshape(1, 2, 3, 3) - 9
    right = np.full((1, 2, 3, 3), 2, "f4")
    np.savez(os.path.join(out, "in.npz"), left=left, right=right)
    np.savez_compressed(os.path.join(out, "compressed.npz"), right=right, left=left.astype("f8"))
    np.savez(os.path.join(out, "left-only.npz"), left=left)
    np.savez(os.path.join(out, "wrong-shape.npz"), left=left, right=right[:, :1])
    with zipfile.ZipFile(os.path.join(out, "not-npy.npz"), "w") as z:
        z.writestr("left.txt", "not an array")
    # A flipped byte inside the stored data: the CRC-32 catches it.
    data = bytearray(open(os.path.join(out, "in.npz"), "rb").read())
    data[data.index(b"NUMPY") + 140] ^= 0xFF
    open(os.path.join(out, "damaged.npz"), "wb").write(bytes(data))
    # A deflated member that claims far more bytes than its data can give.
    with zipfile.ZipFile(os.path.join(out, "bomb.npz"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("left.npy", b"\0" * 4096)
    data = bytearray(open(os.path.join(out, "bomb.npz"), "rb").read())
    central = data.rindex(b"PK\x01\x02")
    data[central + 24:central + 28] = (1 << 31).to_bytes(4, "little")
    open(os.path.join(out, "bomb.npz"), "wb").write(bytes(data))
    open(os.path.join(out, "truncated.npz"), "wb").write(
        open(os.path.join(out, "in.npz"), "rb").read()[:300])


if __name__ == "__main__":
    main()
