"""Renders a page of known text lines for scripts/ocr.sh: several fonts
and sizes, one line turned upside down (the orientation classifier's
case), dark text on white, every line inside the page.

    ocr_page.py OUT.png EXPECTED.txt

EXPECTED.txt holds the lines in reading order, one a line.
"""
import sys

from PIL import Image, ImageDraw, ImageFont

FONTS = "/usr/share/fonts/truetype/dejavu/"
LINES = [  # text, font, size in points, upside down
    # Lines of similar width (48 * width / height between 480 and 640, the
    # recognizer's input width), so that one recognizer program reads them:
    # a second would add half a minute to the test.
    ("turn tensors into kernels", "DejaVuSans.ttf", 26, False),
    ("Halide 14 and MLIR 22", "DejaVuSerif.ttf", 30, False),
    ("norm folds into a conv", "DejaVuSansMono.ttf", 22, False),
    ("a quick brown fox jumps", "DejaVuSans-Bold.ttf", 34, False),
    ("calibrate scales and zero points", "DejaVuSansCondensed.ttf", 24, False),
    ("this line reads upside down", "DejaVuSans.ttf", 28, True),
]


def main(page_path, expected_path):
    width, margin, gap = 640, 24, 26
    rendered = []
    for text, font_name, size, turned in LINES:
        font = ImageFont.truetype(FONTS + font_name, size)
        left, top, right, bottom = font.getbbox(text)
        line = Image.new("RGB", (right - left + 16, bottom - top + 16), (255, 255, 255))
        ImageDraw.Draw(line).text((8 - left, 8 - top), text, fill=(30, 30, 30), font=font)
        if line.size[0] > width - 2 * margin:
            sys.exit(f"ocr_page: '{text}' is wider than the page")
        rendered.append(line.rotate(180) if turned else line)
    height = sum(line.size[1] + gap for line in rendered) + 2 * margin
    page = Image.new("RGB", (width, height), (255, 255, 255))
    y = margin
    for i, line in enumerate(rendered):
        page.paste(line, (margin + 20 * (i % 3), y))
        y += line.size[1] + gap
    page.save(page_path)
    with open(expected_path, "w") as f:
        f.write("".join(text + "\n" for text, _, _, _ in LINES))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
