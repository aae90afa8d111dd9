"""Text pages for PP-OCR's detector, text lines for its orientation
classifier, and int8 against fp32 on them.

  ocr_pages.py render DIR FIRST COUNT SIZE
      COUNT pages (seeds FIRST...) of rendered text lines, preprocessed as
      PaddleOCR's detector expects (BGR, /255, ImageNet mean and std), as
      1x3xSIZExSIZE .npy files
  ocr_pages.py compare FP32_DIR INT8_DIR PAGE...
      per page: the probability map's SQNR, and the text regions (probability
      > 0.3, 4-connected components, at least 16 pixels of box) of each,
      matched at box IoU >= 0.8
  ocr_pages.py lines DIR FIRST COUNT
      COUNT text lines (seeds FIRST...), each upright and turned 180 degrees,
      preprocessed as PaddleOCR's classifier expects (BGR, height 48, width
      at most 192 keeping the aspect, padded with 0 after (x / 255 - 0.5) /
      0.5), as line<seed>_<0|180>.npy of 1x3x48x192
  ocr_pages.py decisions FP32_DIR INT8_DIR LINE...
      per line: the classifier's decision (0 or 180 degrees) and confidence
      in fp32 and int8, and the truth (the file name's angle)
  ocr_pages.py images DIR
      the getting-started images as PNG files: page.png (a page of text),
      line.png and line-turned.png (one text line, upright and turned 180
      degrees), and angles.txt (the classifier's labels)
  ocr_pages.py boxes PROBABILITY.npy PAGE.png OUT.png
      the detector's text regions drawn on the page, and their count
  ocr_pages.py fixed MODEL.onnx OUT.onnx SIZE
      a copy of the detector whose input is 1x3xSIZExSIZE (ONNX Runtime's
      quantizer here, bench/quantize_onnx.py, needs fixed sizes)
  ocr_pages.py raw IN.f32 OUT.npy SIZE
      ONNX Runtime's raw output (bench/ort_tensors.js) as a 1x1xSIZExSIZE .npy
"""
import os
import random
import sys

import numpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import ocr  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = ("the quick brown fox jumps over a lazy dog while compilers turn tensors into "
         "kernels that calibrate scales and zero points").split()


def draw_page(seed, size):
    """A size x size white page of dark text lines of random words."""
    from PIL import Image, ImageDraw, ImageFont
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
    return page


def draw_line(seed):
    """One 48-pixel-high text line of random words."""
    from PIL import Image, ImageDraw, ImageFont
    rng = random.Random(seed)
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
    font = ImageFont.truetype(FONT, rng.randint(22, 34))
    width = int(draw_width(font, text)) + 16
    line = Image.new("RGB", (width, 48), (255, 255, 255))
    ImageDraw.Draw(line).text((8, 4), text, fill=(rng.randint(0, 80),) * 3, font=font)
    return line


def render(directory, first, count, size):
    for seed in range(first, first + count):
        page = draw_page(seed, size)
        x = numpy.asarray(page, dtype=numpy.float32)[:, :, ::-1] / 255.0
        x = (x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
        numpy.save(f"{directory}/page{seed}.npy", x.transpose(2, 0, 1)[None].astype("float32"))


def lines(directory, first, count):
    for seed in range(first, first + count):
        line = draw_line(seed)
        width = line.size[0]
        for angle in (0, 180):
            turned = line.rotate(angle) if angle else line
            resized = turned.resize((min(192, width), 48))  # already 48 high
            x = numpy.asarray(resized, dtype=numpy.float32)[:, :, ::-1] / 255.0
            x = ((x - 0.5) / 0.5).transpose(2, 0, 1)
            padded = numpy.zeros((3, 48, 192), numpy.float32)
            padded[:, :, :x.shape[2]] = x
            numpy.save(f"{directory}/line{seed}_{angle}.npy", padded[None])


def draw_width(font, text):
    left, _, right, _ = font.getbbox(text)
    return right - left


def decisions(fp32_dir, int8_dir, names):
    same = right = 0
    print("| line | truth | fp32 | int8 |")
    print("| --- | --- | --- | --- |")
    for name in names:
        truth = int(name.rsplit("_", 1)[1])
        f = numpy.load(f"{fp32_dir}/{name}.npy").ravel()
        q = numpy.load(f"{int8_dir}/{name}.npy").ravel()
        angle = lambda p: (0, 180)[int(p.argmax())]
        print(f"| {name} | {truth} | {angle(f)} ({f.max():.3f}) | {angle(q)} ({q.max():.3f}) |")
        same += angle(f) == angle(q)
        right += angle(q) == truth
    print(f"int8 decides as fp32 on {same} of {len(names)} lines; int8 is right on {right}")


def regions(probability):
    """Text regions (top, left, bottom, right), as scripts/ocr.py finds them."""
    return [region[:4] for region in ocr.regions(probability)]


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


def images(directory):
    draw_page(7, 640).save(f"{directory}/page.png")
    line = draw_line(4)
    line.save(f"{directory}/line.png")
    line.rotate(180).save(f"{directory}/line-turned.png")
    with open(f"{directory}/angles.txt", "w") as labels:
        labels.write("upright (0 degrees)\nturned (180 degrees)\n")


def boxes(probability_path, page_path, out_path):
    from PIL import Image, ImageDraw
    probability = numpy.load(probability_path)[0, 0].astype("f8")
    page = Image.open(page_path).convert("RGB")
    # The map may be smaller than the page when the program resized it.
    sy, sx = page.size[1] / probability.shape[0], page.size[0] / probability.shape[1]
    found = regions(probability)
    draw = ImageDraw.Draw(page)
    for region in found:
        top, left, bottom, right = ocr.unclip(*region)
        draw.rectangle((left * sx, top * sy, right * sx, bottom * sy), outline=(220, 30, 30),
                       width=2)
    page.save(out_path)
    print(f"{len(found)} text regions drawn on {out_path}")


def fixed(model_path, out_path, size):
    import onnx
    model = onnx.load(model_path)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for dim, value in zip(dims, [1, 3, size, size]):
        dim.ClearField("dim_param")
        dim.dim_value = value
    onnx.save(model, out_path)


if __name__ == "__main__":
    if sys.argv[1] == "render":
        render(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "lines":
        lines(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "images":
        images(sys.argv[2])
    elif sys.argv[1] == "boxes":
        boxes(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "decisions":
        decisions(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif sys.argv[1] == "fixed":
        fixed(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "raw":
        size = int(sys.argv[4])
        numpy.save(sys.argv[3], numpy.fromfile(sys.argv[2], "<f4").reshape(1, 1, size, size))
    else:
        compare(sys.argv[2], sys.argv[3], sys.argv[4:])
