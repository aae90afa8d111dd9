#!/usr/bin/env bash
# Replays every hostile case the suite keeps (malformed and malicious files,
# names, outputs, databases, sizes) and prints a table: class, tests, cases,
# handled well, failed. A case is one RUN line that feeds a tool something
# hostile and expects a clear refusal (`not ...`) or survives a fuzzer's
# bounded run; a test's cases count as handled well when the test passes and
# as failed when it does not. Builds first; not part of scripts/test.sh
# (every test here already runs there): it is the view by class.
#   scripts/hostile.sh [--fuzz-runs]    (also the 10-minute fuzz campaigns)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh" > /dev/null || { echo "hostile: the build failed"; exit 1; }

# class|tests (paths under test/, a directory means every test in it)
classes=(
  "outputs are the files meant|Tools/cnnc/outputs.test Tools/cnnc/full-disk.test Codegen/library.test"
  "no shell between tools|Codegen/library.test Codegen/hostile-names.test"
  "a session owns its data|Unit:Safetensors,Session Runtime/npz.test"
  "schedules checked before Halide|Tools/cnnc-tune/errors.test Transforms/tuning-db-validation.test Codegen/kernelgen-validation.test Codegen/kernelgen-int8-validation.test"
  "the tuning database is a database|Tools/cnnc-tune/database.test Tools/cnnc-tune/fuzz-database.test Tools/cnnc-tune/remeasure.test"
  "import refuses at the node|Onnx/hostile.test Onnx/errors.test Onnx/qdq.test"
  "third-party crashes contained|Onnx/hostile.test Onnx/fuzz-importer.test"
  "sizes named honestly|Onnx/errors.test Codegen/limits.test"
  "the language's errors|Frontend"
  "compiled programs' readers|Runtime Codegen/binary-options.test Codegen/nonfinite.test Tools/cnnc/fuzz-qparams.test"
)

declare -A wanted
for entry in "${classes[@]}"; do
  for test in ${entry#*|}; do wanted[${test%%:*}]=1; done
done
results="$root/build/hostile-results.xml"
(cd "$root/build/test" &&
   /usr/lib/llvm-22/bin/lit -q --timeout 1800 --xunit-xml-output "$results" "${!wanted[@]}") \
  > "$root/build/hostile-log.txt" 2>&1
status=$?

/usr/bin/python3 - "$root" "$results" "${classes[@]}" <<'EOF'
import os, re, sys
import xml.etree.ElementTree as ET

root, results, classes = sys.argv[1], sys.argv[2], sys.argv[3:]
outcome = {}
for case in ET.parse(results).getroot().iter("testcase"):
    # lit names a test "cnnc.Onnx" + "hostile.test", a unit test
    # "cnnc-unit._/cnnc-unittests/Safetensors" + "OwnsItsData...".
    suite, _, where = case.get("classname", "").partition(".")
    if suite == "cnnc-unit":
        name = "Unit/" + where.split("/")[-1] + "." + case.get("name", "")
    else:
        name = where + "/" + case.get("name", "")
    failed = case.find("failure") is not None or case.find("error") is not None
    outcome[name] = outcome.get(name, True) and not failed


def cases(path):
    """RUN lines that feed something hostile: an expected failure or a fuzzer."""
    if not os.path.isfile(path):
        return 1
    with open(path, errors="replace") as f:
        runs = [line for line in f if re.match(r"^\s*[;#/]+\s*RUN:", line)]
    hostile = [r for r in runs if re.search(r"\bnot\b|fuzz|EXPECT", r)]
    return max(len(hostile), 1)


print(f"{'class':<36} {'tests':>5} {'cases':>6} {'handled well':>13} {'failed':>7}")
total = [0, 0, 0, 0]
for entry in classes:
    title, tests = entry.split("|", 1)
    count = good = bad = 0
    for test in tests.split():
        path, _, pattern = test.partition(":")
        matches = [n for n in outcome if (n == path or n.startswith(path + "/")) and
                   (not pattern or re.match(pattern.replace(",", "|"), n[len(path) + 1:]))]
        for name in matches or [path]:
            source = os.path.join(root, "test", name)
            n = cases(source) if os.path.isfile(source) else 1
            count += 1
            if outcome.get(name, False):
                good += n
            else:
                bad += n
    print(f"{title:<36} {count:>5} {good + bad:>6} {good:>13} {bad:>7}")
    total = [total[0] + count, total[1] + good + bad, total[2] + good, total[3] + bad]
print(f"{'all (a test may count in two)':<36} {total[0]:>5} {total[1]:>6} {total[2]:>13} {total[3]:>7}")
EOF

if [ "${1:-}" = "--fuzz-runs" ]; then
  # The campaigns the closing notes quote: 10 minutes each, ASan and UBSan.
  for target in cnnc-fuzz-onnx cnnc-fuzz-tuning-db cnnrt-fuzz-npz cnnrt-fuzz-image; do
    corpus="$(mktemp -d)"
    echo "hostile: $target for 600 s"
    "$root/build/bin/$target" -max_total_time=600 -max_len=65536 -timeout=20 "$corpus" 2>&1 |
      grep -E "^Done|ERROR|SUMMARY" | tail -2
    rm -rf "$corpus"
  done
  "$root/scripts/fuzz-import.py" --seconds 600
fi
exit "$status"
