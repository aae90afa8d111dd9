"""Reads the text of an image with PaddleOCR's PP-OCRv4 models, each compiled
by cnnc into a standalone program: the detector finds text regions, the
orientation classifier turns upside-down lines, the recognizer reads each
line (CTC greedy decoding over ppocr_keys_v1.txt). scripts/ocr.sh is the
entry point; this file is its logic.

    ocr.py --cnnc CNNC --models DIR --programs DIR IMAGE...

prints, per image, one line per text region in reading order:
`text<TAB>confidence<TAB>left,top,right,bottom` (page pixels). Programs are
compiled on first use into --programs (one per input size) and reused.

The steps follow PaddleOCR's defaults: the detector sees the page resized
so that its longer side is at most 960 pixels and each side a multiple of
32 (BGR, ImageNet's mean and std); a region is a 4-connected component of
probability > 0.3 whose mean probability is at least 0.6, grown by
area * 1.5 / perimeter on every side (DB's unclip); the classifier sees the
line at height 48, padded to 192; the recognizer at height 48, padded to
the narrowest multiple of 160 pixels from 320 to 1600 that holds it
(squeezed beyond).
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile

import numpy

DETECTOR = "ch_PP-OCRv4_det_infer.onnx"
CLASSIFIER = "ch_ppocr_mobile_v2.0_cls_infer.onnx"
RECOGNIZER = "ch_PP-OCRv4_rec_infer.onnx"
KEYS = "ppocr_keys_v1.txt"
# The recognizer's input widths: a line is padded to the narrowest that holds
# it. PaddleOCR pads a batch to its widest line; much more padding than that
# changes what the recognizer reads (it drops spaces between words), so the
# steps are small, at a compiled program per step.
LINE_WIDTHS = tuple(range(320, 1601, 160))


def regions(probability, threshold=0.3, min_area=16):
    """4-connected components of probability > threshold: (top, left,
    bottom, right, mean probability over the component), bottom and right
    exclusive."""
    mask = probability > threshold
    seen = numpy.zeros(mask.shape, bool)
    found = []
    for y0, x0 in zip(*numpy.nonzero(mask)):
        if seen[y0, x0]:
            continue
        queue, seen[y0, x0] = collections.deque([(y0, x0)]), True
        top, bottom, left, right = y0, y0, x0, x0
        total, count = 0.0, 0
        while queue:
            y, x = queue.popleft()
            total, count = total + probability[y, x], count + 1
            top, bottom, left, right = min(top, y), max(bottom, y), min(left, x), max(right, x)
            for v, u in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if 0 <= v < mask.shape[0] and 0 <= u < mask.shape[1] and mask[v, u] \
                        and not seen[v, u]:
                    seen[v, u] = True
                    queue.append((v, u))
        if (bottom - top + 1) * (right - left + 1) >= min_area:
            found.append((int(top), int(left), int(bottom) + 1, int(right) + 1, total / count))
    return found


def unclip(top, left, bottom, right):
    """DB's maps mark each line's shrunk core; it grows back by
    area * 1.5 / perimeter on every side."""
    height, width = bottom - top, right - left
    grow = height * width * 1.5 / (2 * (height + width))
    return top - grow, left - grow, bottom + grow, right + grow


class Reader:
    def __init__(self, cnnc, models, programs):
        self.cnnc, self.models, self.programs = cnnc, models, programs
        os.makedirs(programs, exist_ok=True)
        with open(os.path.join(models, KEYS), encoding="utf-8") as f:
            keys = f.read().split("\n")
        if keys and keys[-1] == "":
            keys.pop()
        # Index 0 is CTC's blank; the recognizer's last class is a space.
        self.characters = [""] + keys + [" "]

    def program(self, model, height, width, preprocess):
        """The compiled program for `model` at 1x3xHEIGHTxWIDTH, compiled on
        first use."""
        stem = model[:-len(".onnx")]
        path = os.path.join(self.programs, f"{stem}-{height}x{width}")
        if not os.path.exists(path):
            compiled = subprocess.run([self.cnnc, os.path.join(self.models, model), "-q",
                                       "--input-shape", f"x=1x3x{height}x{width}",
                                       "--preprocess", preprocess, "-o", path],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True)
            if compiled.returncode != 0:
                sys.stderr.write(compiled.stderr)
                compiled.check_returncode()
        return path

    def run(self, program, image, work):
        out = os.path.join(work, "out.npy")
        subprocess.run([program, "--input", image, "--output", out], check=True)
        return numpy.load(out)

    def detect(self, page_path, page_size, work):
        width, height = page_size
        scale = min(1.0, 960 / max(width, height))
        h = max(32, int(round(height * scale / 32)) * 32)
        w = max(32, int(round(width * scale / 32)) * 32)
        detector = self.program(DETECTOR, h, w,
                                f"resize={h}x{w},mean=0.485,0.456,0.406,"
                                "std=0.229,0.224,0.225,layout=bgr")
        probability = self.run(detector, page_path, work)[0, 0].astype("f8")
        boxes = []
        for top, left, bottom, right, score in regions(probability):
            if score < 0.6:
                continue
            top, left, bottom, right = unclip(top, left, bottom, right)
            box = (max(0, int(left * width / w)), max(0, int(top * height / h)),
                   min(width, int(numpy.ceil(right * width / w))),
                   min(height, int(numpy.ceil(bottom * height / h))))
            if box[2] - box[0] >= 4 and box[3] - box[1] >= 4:
                boxes.append(box)
        # Reading order: by line (tops within half a line's height), then
        # left to right.
        boxes.sort(key=lambda b: (b[1], b[0]))
        ordered, row = [], []
        for box in boxes:
            if row and box[1] > row[0][1] + (row[0][3] - row[0][1]) / 2:
                ordered += sorted(row)
                row = []
            row.append(box)
        return ordered + sorted(row)

    def read_line(self, line, work):
        """(text, confidence) of one cropped line image."""
        path = os.path.join(work, "line.png")
        line.save(path)
        classifier = self.program(CLASSIFIER, 48, 192,
                                  "height=48,pad=48x192,mean=0.5,std=0.5,layout=bgr")
        turned = self.run(classifier, path, work).ravel()
        if turned.argmax() == 1 and turned[1] > 0.9:
            line = line.rotate(180)
            line.save(path)
        needed = 48 * line.size[0] / max(1, line.size[1])
        width = next((w for w in LINE_WIDTHS if w >= needed), LINE_WIDTHS[-1])
        recognizer = self.program(RECOGNIZER, 48, width,
                                  f"height=48,pad=48x{width},mean=0.5,std=0.5,layout=bgr")
        probabilities = self.run(recognizer, path, work)[0]
        return self.decode(probabilities)

    def decode(self, probabilities):
        """CTC greedy decoding: the best class per step, repeats merged,
        blanks dropped."""
        best = probabilities.argmax(axis=-1)
        text, scores, previous = [], [], 0
        for step, index in enumerate(best):
            if index != 0 and index != previous:
                text.append(self.characters[index] if index < len(self.characters) else "?")
                scores.append(float(probabilities[step, index]))
            previous = index
        return "".join(text), (sum(scores) / len(scores) if scores else 0.0)

    def read(self, page_path):
        from PIL import Image
        page = Image.open(page_path).convert("RGB")
        with tempfile.TemporaryDirectory() as work:
            results = []
            for box in self.detect(page_path, page.size, work):
                text, confidence = self.read_line(page.crop(box), work)
                if text.strip():
                    results.append((text, confidence, box))
            return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--programs", required=True)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    for image in args.images:
        if not os.path.isfile(image):
            sys.exit(f"ocr: {image}: not a readable file")
    reader = Reader(args.cnnc, args.models, args.programs)
    for image in args.images:
        if len(args.images) > 1:
            print(f"== {image}")
        for text, confidence, box in reader.read(image):
            print(f"{text}\t{confidence:.3f}\t{','.join(map(str, box))}")


if __name__ == "__main__":
    try:
        main()
    except OSError as error:  # PIL's UnidentifiedImageError among them
        sys.exit(f"ocr: {error}")
    except subprocess.CalledProcessError as error:
        sys.exit(f"ocr: {' '.join(map(str, error.cmd))} failed (exit {error.returncode})")
