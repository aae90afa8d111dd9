"""Checks on cnnc-tune's databases and on plans compiled with them.

  check_tuning.py entries DB PLAN [LOG]
                                        every conv/GEMM kernel of PLAN has an entry
                                        (but those LOG says the budget did not reach)
  check_tuning.py applied DB PLAN DEFAULT_PLAN
                                        PLAN uses each entry's schedule (the
                                        default plan's where it says default)
  check_tuning.py same-keys A B        A and B have entries for the same kernels
  check_tuning.py close Y REF          two .npy outputs agree (relative 1e-4)
  check_tuning.py unreached DB LOG N   of N kernels, those LOG says the budget
                                        did not reach are not in DB; the others are
  check_tuning.py resumed LOG1 LOG2    every kernel run 1 (LOG1) settled is "in the
                                        database" in run 2 (LOG2)
"""
import sys


def entries(path):
    cpu, found = None, {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("cpu "):
            cpu = line[4:]
            continue
        parts = line.split(" | ")
        context = parts[0] if "=>" not in parts[0] else ""
        body = next(p for p in parts if "=>" in p)
        signature, schedule = (s.strip() for s in body.split("=>"))
        found[(context, signature)] = schedule
    return cpu, found


def kernels(plan):
    """description (family and keys up to the schedule) -> the whole line."""
    lines = [l.split(" ", 2)[2].strip() for l in open(plan) if l.startswith("kernel ")]
    return [l for l in lines if l.split(" ")[0] in ("conv", "gemm")]


def schedule_of(plan_lines, signature):
    for line in plan_lines:
        if line.startswith(signature + " "):
            return line[len(signature) + 1:]
    sys.exit("no kernel '%s' in the plan" % signature)


def progress(log, outcome):
    """The kernels ("layer (family)") whose final progress line says `outcome`."""
    found = set()
    for line in open(log):
        if line.startswith("[") and "]" in line and outcome in line:
            found.add(line.split("] ", 1)[1].split(":", 1)[0])
    return found


def main():
    command = sys.argv[1]
    if command == "entries":
        cpu, found = entries(sys.argv[2])
        if not cpu:
            sys.exit("no cpu line")
        signatures = {signature for (_, signature) in found}
        missing = [line for line in kernels(sys.argv[3])
                   if not any(line.startswith(s + " ") for s in signatures)]
        unreached = len(progress(sys.argv[4], "not reached")) if len(sys.argv) > 4 else 0
        if len(missing) != unreached:
            sys.exit("%d kernel(s) without an entry, %d unreached: %s"
                     % (len(missing), unreached, missing))
        contexts = sorted({context for (context, _) in found})
        print("entries and unreached: %d, contexts: %s" % (len(found) + unreached, contexts))
    elif command == "applied":
        _, found = entries(sys.argv[2])
        tuned, defaults = kernels(sys.argv[3]), kernels(sys.argv[4])
        counts = [0, 0]
        for (_, signature), schedule in found.items():
            want = schedule_of(defaults, signature) if schedule == "default" else schedule
            got = schedule_of(tuned, signature)
            if got != want:
                sys.exit("kernel %s: plan has '%s', database says '%s'" % (signature, got, want))
            counts[schedule == "default"] += 1
        print("applied: %d tuned, %d default" % tuple(counts))
    elif command == "same-keys":
        a, b = (set(entries(p)[1]) for p in sys.argv[2:4])
        if a != b:
            sys.exit("different kernels: %s" % sorted(a ^ b))
        print("same keys: %d" % len(a))
    elif command == "close":
        import numpy as np
        y, ref = np.load(sys.argv[2]), np.load(sys.argv[3])
        error = float(np.max(np.abs(y - ref)) / max(float(np.max(np.abs(ref))), 1e-30))
        if not error <= 1e-4:
            sys.exit("outputs differ: %g of the largest value" % error)
        print("close")
    elif command == "resumed":
        settled = progress(sys.argv[2], "tried") | progress(sys.argv[2], "in the database")
        resumed = progress(sys.argv[3], "in the database")
        if not settled <= resumed:
            sys.exit("settled in run 1 but not resumed: %s" % sorted(settled - resumed))
        print("resumed: %d" % len(resumed))
    elif command == "unreached":
        _, found = entries(sys.argv[2])
        unreached = sum("not reached within the budget" in line for line in open(sys.argv[3]))
        total = int(sys.argv[4])
        if len(found) + unreached != total:
            sys.exit("%d recorded and %d unreached of %d kernels" % (len(found), unreached, total))
        print("unreached: %d, recorded: %d" % (unreached, len(found)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
