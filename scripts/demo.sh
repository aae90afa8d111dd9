#!/usr/bin/env bash
# Sets up, builds, and shows the main job as far as cnnc goes today: a sample
# network's IR parsed, verified and printed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh" >/dev/null
"$root/build/bin/cnnc" --version
"$root/build/bin/cnnc" "$root/docs/examples/resnet_basic_block.mlir"
