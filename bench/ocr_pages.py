"""Text pages for PP-OCR's detector, and int8 against fp32 on them.

  ocr_pages.py render DIR FIRST COUNT SIZE
      COUNT pages (seeds FIRST...) of rendered text lines, preprocessed as
      PaddleOCR's detector expects (BGR, /255, ImageNet mean and std), as
      1x3xSIZExSIZE .npy files
  ocr_pages.py compare FP32_DIR INT8_DIR PAGE...
      per page: the probability map's SQNR, and the text regions (probability
      > 0.3, 4-connected components, at least 16 pixels of box) of each,
      matched at box IoU >= 0.8
"""
import collections
import random
import sys

import numpy

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = ("the quick brown fox jumps over a lazy dog while compilers turn tensors into "
         "kernels that calibrate scales and zero points").split()


def render(directory, first, count, size):
    from PIL import Image, ImageDraw, ImageFont
    for seed in range(first, first + count):
        rng = random.Random(seed)
        page = Image.new("RGB", (size, size), (255, 255, 255))
        draw = ImageDraw.Draw(page)
        y = 20
        while y < size - 40:
            points = rng.randint(16, 34)
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))
            draw.text((rng.randint(10, 120), y), text, fill=(rng.randint(0, 80),) * 3,
                      font=ImageFont.truetype(FONT, points))
            y += points + rng.randint(12, 40)
        x = numpy.asarray(page, dtype=numpy.float32)[:, :, ::-1] / 255.0
        x = (x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
        numpy.save(f"{directory}/page{seed}.npy", x.transpose(2, 0, 1)[None].astype("float32"))


def regions(probability):
    mask = probability > 0.3
    seen = numpy.zeros(mask.shape, bool)
    boxes = []
    for y0, x0 in zip(*numpy.nonzero(mask)):
        if seen[y0, x0]:
            continue
        queue, seen[y0, x0] = collections.deque([(y0, x0)]), True
        top, bottom, left, right = y0, y0, x0, x0
        while queue:
            y, x = queue.popleft()
            top, bottom, left, right = min(top, y), max(bottom, y), min(left, x), max(right, x)
            for v, u in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if 0 <= v < mask.shape[0] and 0 <= u < mask.shape[1] and mask[v, u] \
                        and not seen[v, u]:
                    seen[v, u] = True
                    queue.append((v, u))
        if (bottom - top + 1) * (right - left + 1) >= 16:
            boxes.append((top, left, bottom + 1, right + 1))
    return boxes


def iou(a, b):
    h = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    w = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])
    return h * w / (area(a) + area(b) - h * w)


def compare(fp32_dir, int8_dir, pages):
    total = matched = 0
    for page in pages:
        f = numpy.load(f"{fp32_dir}/{page}.npy")[0, 0].astype("f8")
        q = numpy.load(f"{int8_dir}/{page}.npy")[0, 0].astype("f8")
        boxes_f, boxes_q = regions(f), regions(q)
        same = sum(1 for a in boxes_f if any(iou(a, b) >= 0.8 for b in boxes_q))
        sqnr = 10 * numpy.log10((f ** 2).sum() / max(((f - q) ** 2).sum(), 1e-30))
        print(f"| {page} | {len(boxes_f)} | {len(boxes_q)} | {same} | {sqnr:.1f} dB |")
        total, matched = total + len(boxes_f), matched + same
    print(f"regions matched at IoU >= 0.8: {matched} of {total}")


if __name__ == "__main__":
    if sys.argv[1] == "render":
        render(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        compare(sys.argv[2], sys.argv[3], sys.argv[4:])
