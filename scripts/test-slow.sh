#!/usr/bin/env bash
# The checks too slow for every run of scripts/test.sh (lit tests marked
# `REQUIRES: slow`: the zoo's larger and newer networks on the CUDA and
# OpenCL back ends). Run it before every performance change. Sets up and
# builds first; the last line is "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh" || { echo "0 passed, 1 failed"; exit 1; }

mapfile -t tests < <(grep -rlE '^; REQUIRES: (.*[ ,])?slow([ ,]|$)' "$root/test" --include='*.test' |
                     sed "s|^$root/test/|$root/build/test/|")
log="$root/build/test-slow-results.txt"
/usr/lib/llvm-22/bin/lit -sv --param slow=1 --timeout 1800 --time-tests "${tests[@]}" 2>&1 |
  tee "$log"
status=${PIPESTATUS[0]}

# lit pads the names to one width when several kinds occur ("Passed     : 242").
count() {
  grep -E "^ *$1 *: +[0-9]+" "$log" | sed -E 's/^[^:]*: +([0-9]+).*/\1/' |
    awk '{s += $1} END {print s + 0}'
}
passed=$(count Passed)
failed=$(( $(count Failed) + $(count Unresolved) + $(count "Timed Out") ))
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
exit "$status"
