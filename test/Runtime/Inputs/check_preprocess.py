"""A compiled program's image inputs against torchvision's transforms.

    check_preprocess.py CNNC IMAGES WORK

Compiles identity models (a 1x1 convolution whose weights are the identity
and whose bias is zero, so the output is the input, bit for bit) with a
--preprocess spec and --weights recorded at compile time, runs them on each
image, and compares the output with torchvision's Resize, CenterCrop,
ToTensor and Normalize on the same file opened by Pillow. Prints one line
per case and the largest difference; exits 1 when any exceeds 1e-6.
"""
import math
import subprocess
import sys
from pathlib import Path

import numpy
import torch
from PIL import Image
from torchvision import transforms

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
import safetensors_io  # noqa: E402

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def identity_program(cnnc, work, name, shape, spec):
    n, c, h, w = shape
    source = work / f"{name}.cnn"
    source.write_text(f"model {name}(image: [{n}, {c}, {h}, {w}]):\n"
                      f"  return conv(image, {c}, 1) as pass\n")
    weights = work / f"{name}.safetensors"
    safetensors_io.write(weights, {
        "pass.weight": numpy.eye(c, dtype=numpy.float32).reshape(c, c, 1, 1),
        "pass.bias": numpy.zeros(c, numpy.float32)})
    program = work / name
    subprocess.run([cnnc, str(source), "--weights", str(weights), "--preprocess", spec, "-o",
                    str(program)], check=True)
    return program


def run(program, images):
    out = program.parent / "out.npy"
    command = [str(program)] + [f"--input={image}" for image in images] + ["--output", str(out)]
    subprocess.run(command, check=True)
    return numpy.load(out)


def main(cnnc, images, work):
    images, work = Path(images), Path(work)
    work.mkdir(parents=True, exist_ok=True)
    normalize = transforms.Normalize(MEAN, STD)
    imagenet_like = transforms.Compose([transforms.Resize(128), transforms.CenterCrop(112),
                                        transforms.ToTensor(), normalize])
    spec = "resize=128,crop=112,mean=0.485,0.456,0.406,std=0.229,0.224,0.225"
    cases = []
    rgb = identity_program(cnnc, work, "rgb", (1, 3, 112, 112), spec)
    for image in sorted(images.iterdir()):
        cases.append((image.name, rgb, [image],
                      imagenet_like(Image.open(image).convert("RGB")).unsqueeze(0)))
    exact = identity_program(cnnc, work, "exact", (1, 3, 112, 112), "resize=112x112")
    photo = Image.open(images / "photo.png").convert("RGB")
    cases.append(("photo.png resize=112x112", exact, [images / "photo.png"],
                  transforms.Compose([transforms.Resize((112, 112)),
                                      transforms.ToTensor()])(photo).unsqueeze(0)))
    bgr = identity_program(cnnc, work, "bgr", (1, 3, 112, 112), spec + ",layout=bgr")
    # BGR reads channels in reverse; mean and std stay in the model's order.
    flipped = transforms.Compose([transforms.Resize(128), transforms.CenterCrop(112),
                                  transforms.ToTensor()])(photo).flip(0)
    cases.append(("photo.png layout=bgr", bgr, [images / "photo.png"],
                  normalize(flipped).unsqueeze(0)))
    grey = identity_program(cnnc, work, "grey", (1, 1, 64, 64), "resize=64x64,layout=gray")
    cases.append(("tall.ppm layout=gray", grey, [images / "tall.ppm"],
                  transforms.Compose([transforms.Resize((64, 64)), transforms.ToTensor()])(
                      Image.open(images / "tall.ppm").convert("L")).unsqueeze(0)))
    # PaddleOCR's text lines: height 48 keeping the aspect (rounded up), a
    # wider line squeezed to 192, padded with zeros after normalising.
    line = identity_program(cnnc, work, "line", (1, 3, 48, 192),
                            "height=48,pad=48x192,mean=0.5,std=0.5,layout=bgr")
    for name in ("tall.png", "photo.png"):
        image = Image.open(images / name).convert("RGB")
        width = min(192, math.ceil(48 * (image.size[0] / float(image.size[1]))))
        x = transforms.Compose([transforms.Resize((48, width)), transforms.ToTensor(),
                                transforms.Normalize([0.5] * 3, [0.5] * 3)])(image).flip(0)
        padded = torch.zeros(1, 3, 48, 192)
        padded[0, :, :, :width] = x
        cases.append((f"{name} height=48,pad=48x192", line, [images / name], padded))
    batch = identity_program(cnnc, work, "batch", (2, 3, 112, 112), spec)
    pair = [images / "photo.jpg", images / "tall.png"]
    cases.append(("batch of photo.jpg, tall.png", batch, pair,
                  torch.stack([imagenet_like(Image.open(p).convert("RGB")) for p in pair])))

    worst = 0.0
    for name, program, inputs, expected in cases:
        ours = run(program, inputs)
        difference = float(numpy.abs(ours - expected.numpy()).max())
        worst = max(worst, difference)
        print(f"{name}: shape {list(ours.shape)}, max |difference| {difference:.3g}")
    print(f"largest difference {worst:.3g}")
    return 0 if worst <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
