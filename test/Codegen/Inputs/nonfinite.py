"""Makes an input with NaN, +inf and -inf, or checks a run's outputs (an .npz
archive) against PyTorch's on it: NaN exactly where PyTorch has NaN, the
rest within 1e-4 (infinities equal)."""
import sys

import numpy as np
import torch
import torch.nn.functional as F

NAMES = ['relu', 'relu6', 'leaky', 'sig', 'tanh', 'silu', 'hswish', 'maxpool', 'avgpool',
         'gmp', 'gap', 'soft', 'elu', 'selu', 'softplus', 'mish', 'abs', 'exp', 'log', 'sqrt',
         'maximum', 'minimum', 'amax', 'amin', 'total']

if sys.argv[1] == 'input':
    x = np.random.RandomState(0).randn(1, 16, 4, 4).astype('f4')
    x[0, 3, 1, 2] = np.nan
    x[0, 5, 0, 0] = np.inf
    x[0, 6, 2, 2] = -np.inf
    np.save(sys.argv[2], x)
    sys.exit(0)

x = torch.from_numpy(np.load(sys.argv[2]))
reference = {'relu': F.relu(x), 'relu6': F.relu6(x), 'leaky': F.leaky_relu(x, 0.01),
             'sig': torch.sigmoid(x), 'tanh': torch.tanh(x), 'silu': F.silu(x),
             'hswish': F.hardswish(x), 'maxpool': F.max_pool2d(x, 2),
             'avgpool': F.avg_pool2d(x, 2), 'gmp': F.adaptive_max_pool2d(x, 1),
             'gap': F.adaptive_avg_pool2d(x, 1), 'soft': F.softmax(x, 1),
             'elu': F.elu(x, 0.5), 'selu': F.selu(x), 'softplus': F.softplus(x),
             'mish': F.mish(x), 'abs': torch.abs(x), 'exp': torch.exp(x), 'log': torch.log(x),
             'sqrt': torch.sqrt(x), 'maximum': torch.maximum(x, F.relu(x)),
             'minimum': torch.minimum(x, F.relu(x)), 'amax': torch.amax(x, 1),
             'amin': torch.amin(x, (2, 3)), 'total': torch.sum(x, 1)}
outputs = np.load(sys.argv[3])
for name in NAMES:
    want = reference[name].numpy()
    got = outputs[name]
    same_nan = np.array_equal(np.isnan(got), np.isnan(want))
    known = ~np.isnan(want)
    close = same_nan and np.allclose(got[known], want[known], rtol=1e-4, atol=1e-5)
    print(f'{name}: {np.isnan(got).sum()} NaN (PyTorch {np.isnan(want).sum()}): '
          f'{"ok" if close else "WRONG"}')
