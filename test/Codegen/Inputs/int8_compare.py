"""Samples for calibration and a held-out input, or how far int8 is from fp32.

  int8_compare.py samples DIR N C H W   N calibration samples and held.npy
  int8_compare.py poison W.safetensors TENSOR OUT.safetensors
                                        a copy whose TENSOR starts with a NaN
  int8_compare.py compare F.npy Q.npy DB
                                        the int8 output's SQNR against the fp32
                                        one, which must be at least DB, and
                                        whether the arg-max agrees
"""
import sys

import numpy

if sys.argv[1] == "samples":
    directory, count = sys.argv[2], int(sys.argv[3])
    shape = (1,) + tuple(int(d) for d in sys.argv[4:7])
    for i in range(count):
        numpy.save(f"{directory}/s{i}.npy", numpy.random.RandomState(i).randn(*shape).astype("f4"))
    numpy.save(f"{directory}/../held.npy", numpy.random.RandomState(99).randn(*shape).astype("f4"))
elif sys.argv[1] == "poison":
    import json, struct
    data = bytearray(open(sys.argv[2], "rb").read())
    length = struct.unpack("<Q", data[:8])[0]
    begin = json.loads(data[8:8 + length])[sys.argv[3]]["data_offsets"][0] + 8 + length
    data[begin:begin + 4] = struct.pack("<f", float("nan"))
    open(sys.argv[4], "wb").write(data)
else:
    f, q = numpy.load(sys.argv[2]).astype("f8"), numpy.load(sys.argv[3]).astype("f8")
    sqnr = 10 * numpy.log10((f ** 2).sum() / ((f - q) ** 2).sum())
    assert sqnr >= float(sys.argv[4]), f"SQNR {sqnr:.1f} dB, below {sys.argv[4]}"
    print(f"SQNR at least {sys.argv[4]} dB; same arg-max: {f.argmax() == q.argmax()}")
