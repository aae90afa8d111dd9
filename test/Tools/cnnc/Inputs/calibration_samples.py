"""Writes calibration samples for LeNet-5 and checks a minmax calibration.

  calibration_samples.py write DIR           three 1x1x32x32 samples
  calibration_samples.py check DIR Q.qparams OUTPUT
                                              the input's range is the samples'
                                              extremes, OUTPUT's that of the
                                              outputs the model wrote
  calibration_samples.py within A.qparams B.qparams
                                              every range of A lies inside B's
"""
import sys

import numpy


def read_ranges(path):
    ranges = {}
    for line in open(path):
        if line.startswith("tensor "):
            name, low, high = line[len("tensor "):].rsplit(" ", 2)
            ranges[name.strip('"')] = (float(low), float(high))
    return ranges


if sys.argv[1] == "write":
    for i in range(3):
        sample = numpy.random.RandomState(i).uniform(-2 + i, 3 + i, (1, 1, 32, 32))
        numpy.save(f"{sys.argv[2]}/sample{i}.npy", sample.astype("float32"))
elif sys.argv[1] == "within":
    inner, outer = read_ranges(sys.argv[2]), read_ranges(sys.argv[3])
    assert inner.keys() == outer.keys()
    for name, (low, high) in inner.items():
        assert outer[name][0] <= low <= 0 <= high <= outer[name][1], (name, low, high)
    print(f"{len(inner)} ranges within")
else:
    directory, ranges = sys.argv[2], read_ranges(sys.argv[3])
    samples = [numpy.load(f"{directory}/sample{i}.npy") for i in range(3)]
    outputs = [numpy.load(f"{directory}/out{i}.npy") for i in range(3)]
    for name, values in (("image", samples), (sys.argv[4], outputs)):
        low = min(0.0, min(float(v.min()) for v in values))
        high = max(0.0, max(float(v.max()) for v in values))
        found = ranges[name]
        assert numpy.allclose(found, (low, high), rtol=1e-6), (name, found, (low, high))
        print(f"{name}: [{low:.6g}, {high:.6g}] as observed")
