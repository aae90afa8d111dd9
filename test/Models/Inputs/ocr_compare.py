"""Compares scripts/ocr.sh's lines (text<TAB>confidence<TAB>box) with the
rendered ones, in order, spaces aside; prints each mismatch and the count.

    ocr_compare.py READ.txt EXPECTED.txt
"""
import sys


def squeezed(text):
    return "".join(text.split())


read = [line.split("\t")[0] for line in open(sys.argv[1], encoding="utf-8").read().splitlines()]
expected = open(sys.argv[2], encoding="utf-8").read().splitlines()
same = 0
for i, want in enumerate(expected):
    got = read[i] if i < len(read) else "(nothing)"
    if squeezed(got) == squeezed(want):
        same += 1
    else:
        print(f"line {i + 1}: read '{got}', rendered '{want}'")
if len(read) > len(expected):
    print(f"{len(read) - len(expected)} regions more than the rendered lines: {read[len(expected):]}")
print(f"{same} of {len(expected)} lines read as rendered" +
      ("" if len(read) == len(expected) else f", {len(read)} regions found"))
