"""Inputs for roi_pool on wide and tall grids, and the check against
torchvision: every output must equal torchvision's exactly (a max pool picks
an input value, so the only way to differ is a cell edge on another pixel)."""
import sys

import numpy as np
import torch
import torchvision

CASES = {
    # name: image shape, boxes [batch, x1, y1, x2, y2], grid, scale
    'wide': ((1, 8, 4, 300), [[0, 0, 0, 299, 3]], [4, 300], 1.0),
    'tall': ((1, 8, 300, 4), [[0, 0, 0, 3, 299]], [300, 4], 1.0),
    'scaled': ((2, 4, 40, 640), [[1, 7.3, 3.1, 9000.2, 600.7], [0, 100, 80, 4700, 333],
                                 [1, 0, 0, 10239, 639]], [7, 251], 1 / 16),
}

command, name, directory = sys.argv[1], sys.argv[2], sys.argv[3]
shape, boxes, grid, scale = CASES[name]
if command == 'input':
    np.save(f'{directory}/x.npy', np.random.RandomState(1).randn(*shape).astype('f4'))
    np.save(f'{directory}/r.npy', np.array(boxes, 'f4'))
    sys.exit(0)
x = torch.from_numpy(np.load(f'{directory}/x.npy'))
rois = torch.from_numpy(np.load(f'{directory}/r.npy'))
want = torchvision.ops.roi_pool(x, rois, grid, scale).numpy()
for output in sys.argv[4:]:
    got = np.load(f'{directory}/{output}')
    print(f'{name} {output}: {(got != want).sum()} of {want.size} differ')
