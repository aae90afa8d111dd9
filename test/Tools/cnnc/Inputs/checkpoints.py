"""PyTorch checkpoints of torchvision's ResNet-18 (seeded) for `cnnc weights
convert`, and the reference output of the network on a seeded input.

    checkpoints.py DIR      writes state_dict.pth, checkpoint.pth (a dict
                            holding it under "state_dict"), whole.pt (the
                            pickled module), x.npy and torch.npy
    checkpoints.py compare A.npy B.npy
                            prints the largest difference relative to B's
                            largest magnitude
"""
import sys

import numpy
import torch
import torchvision


def write(directory):
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, torch.nn.BatchNorm2d):
                layer.running_mean.normal_(0, 0.1)
                layer.running_var.uniform_(0.5, 1.5)
    torch.save(model.state_dict(), f"{directory}/state_dict.pth")
    torch.save({"state_dict": model.state_dict(), "epoch": 7}, f"{directory}/checkpoint.pth")
    torch.save(model, f"{directory}/whole.pt")
    x = torch.randn(1, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    numpy.save(f"{directory}/x.npy", x.numpy())
    with torch.no_grad():
        numpy.save(f"{directory}/torch.npy", model(x).numpy())


def compare(a, b):
    a, b = numpy.load(a).astype("f8"), numpy.load(b).astype("f8")
    print(f"relative difference {numpy.abs(a - b).max() / numpy.abs(b).max():.1e}")


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        write(sys.argv[1])
