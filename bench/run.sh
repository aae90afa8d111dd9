#!/usr/bin/env bash
# One command: set up the peers, build cnnc, and run the comparison
# (bench/run.py's options pass through).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup.sh"
"$here/../scripts/build.sh" >/dev/null
exec /usr/bin/python3 "$here/run.py" "$@"
