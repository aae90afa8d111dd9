"""Compiles zoo models for --target=cuda and checks what can be checked on
a machine without a GPU: the binary holds the kernels' PTX (for the
capability asked), and running it ends with one clear message and exit
status 1, not an abort or a signal.

    check_cuda.py CNNC MODELS_DIR WORK name...
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Inputs"))
from work_files import remove_outputs  # noqa: E402


def check(cnnc, models, work, name):
    binary = os.path.join(work, name)
    subprocess.run([cnnc, os.path.join(models, name + ".cnn"), "--target=cuda", "-o", binary],
                   check=True, stdout=subprocess.DEVNULL)
    with open(binary, "rb") as f:
        image = f.read()
    kernels = image.count(b".visible .entry")
    ptx = b".target sm_86" in image and kernels > 0
    # -q: the one line expected is the error, not the random-weights note.
    run = subprocess.run([binary, "-q"], capture_output=True, text=True)
    lines = run.stderr.strip().splitlines()
    clear = (run.returncode == 1 and len(lines) == 1 and "cannot use the GPU" in lines[0]
             and not run.stdout)
    ok = ptx and clear
    print(f"{name}: {len(image)} bytes, {kernels} PTX entry points, without a GPU: "
          f"status {run.returncode}, {lines[-1] if lines else 'no message'}: "
          f"{'ok' if ok else 'FAIL'}", flush=True)
    if ok:
        remove_outputs(work, name)
    return ok


def main():
    cnnc, models, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    results = [check(cnnc, models, work, name) for name in sys.argv[4:]]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
