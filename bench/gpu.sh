#!/usr/bin/env bash
# cnnc on a GPU against PyTorch (bench/gpu.py has the details):
#   bench/gpu.sh build [--target cuda] [--resolution 224] [--networks ...]
#       here: builds cnnc, then the binaries into build/bench/gpu
#   bench/gpu.sh run [--results DIR] [--runs N] [--compile networks]
#       on the GPU machine, with PyTorch: weights, checks and timings
# $PYTHON picks the interpreter that has PyTorch (default: python3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
case "${1:-}" in
  build)
    "$here/../scripts/build.sh" >/dev/null
    exec /usr/bin/python3 "$here/gpu.py" "$@" ;;
  run)
    exec "${PYTHON:-python3}" "$here/gpu.py" "$@" ;;
  *)
    echo "usage: bench/gpu.sh build|run [options] (see bench/gpu.py)" >&2
    exit 2 ;;
esac
