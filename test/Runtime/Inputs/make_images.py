"""Writes small images of every kind the runtime reads into a directory.

    make_images.py DIR

Each has texture (a gradient plus seeded noise) so that resampling and
colour handling show. PIL writes most; a 16-bit RGB PNG, which PIL cannot
write, is assembled here with zlib.
"""
import struct
import sys
import zlib
from pathlib import Path

import numpy
from PIL import Image


def texture(width, height, seed):
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[0:height, 0:width]
    base = numpy.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1),
                        (x + y) * 127 // max(width + height - 2, 1)], axis=-1)
    noise = rng.integers(-40, 41, size=(height, width, 3))
    return numpy.clip(base + noise, 0, 255).astype(numpy.uint8)


def png16(path, rgb16):
    height, width, _ = rgb16.shape
    raw = b"".join(b"\0" + row.astype(">u2").tobytes() for row in rgb16)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                           chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main(directory):
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    photo = Image.fromarray(texture(300, 200, 1))   # wider than tall: shrinks
    tall = Image.fromarray(texture(97, 131, 2))     # odd sizes: enlarges
    photo.save(out / "photo.png")
    tall.save(out / "tall.png")
    photo.convert("L").save(out / "grey.png")
    photo.convert("1").save(out / "bilevel.png")
    photo.convert("P", palette=Image.ADAPTIVE, colors=16).save(out / "palette.png",
                                                               transparency=3)
    rgba = photo.convert("RGBA")
    rgba.putalpha(Image.fromarray(texture(300, 200, 3)[:, :, 0]))
    rgba.save(out / "alpha.png")
    photo.save(out / "photo.jpg", quality=90)
    photo.save(out / "progressive.jpg", quality=75, progressive=True)
    photo.convert("L").save(out / "grey.jpg", quality=90)
    tall.save(out / "tall.ppm")
    tall.convert("L").save(out / "tall.pgm")
    photo.save(out / "photo.bmp")
    photo.convert("P", palette=Image.ADAPTIVE, colors=64).save(out / "palette.bmp")
    rgba.save(out / "alpha.bmp")
    wide = texture(64, 48, 4).astype(numpy.uint16) * 257 + numpy.uint16(99)
    png16(out / "deep.png", wide)


if __name__ == "__main__":
    main(sys.argv[1])
