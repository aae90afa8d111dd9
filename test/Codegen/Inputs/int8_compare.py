"""Samples for calibration and a held-out input, or how far int8 is from fp32.

  int8_compare.py samples DIR N C H W   N calibration samples and held.npy
  int8_compare.py poison W.safetensors TENSOR OUT.safetensors
                                        a copy whose TENSOR starts with a NaN
  int8_compare.py compare F.npy Q.npy DB
                                        the int8 output's SQNR against the fp32
                                        one, which must be at least DB, and
                                        whether the arg-max agrees
  int8_compare.py sqnr F1.npy Q1.npy [F2.npy Q2.npy]...
                                        the SQNR over all pairs, as `cnnc
                                        quantize-report` prints a model output's
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
elif sys.argv[1] == "sqnr":
    signal = noise = 0
    for f, q in zip(sys.argv[2::2], sys.argv[3::2]):
        f, q = numpy.load(f).astype("f8"), numpy.load(q).astype("f8")
        signal, noise = signal + (f ** 2).sum(), noise + ((f - q) ** 2).sum()
    print(f"output 0: SQNR {10 * numpy.log10(signal / noise):.1f} dB")
else:
    f, q = numpy.load(sys.argv[2]).astype("f8"), numpy.load(sys.argv[3]).astype("f8")
    noise = ((f - q) ** 2).sum()
    sqnr = 10 * numpy.log10((f ** 2).sum() / noise) if noise else float("inf")
    assert sqnr >= float(sys.argv[4]), f"SQNR {sqnr:.1f} dB, below {sys.argv[4]}"
    print(f"SQNR at least {sys.argv[4]} dB; same arg-max: {f.argmax() == q.argmax()}")
