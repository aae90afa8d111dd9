#!/usr/bin/env bash
# What the peers need beyond scripts/setup.sh: OpenBLAS (so PyTorch's dense
# layers do not run on the slow reference BLAS), matplotlib for the plot,
# and ONNX Runtime for Node (its CPU library ships inside the package).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/../scripts/setup.sh"
packages=(libopenblas0-pthread python3-matplotlib)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# Node.js may come from elsewhere than Debian (its npm then conflicts with
# Debian's): install Debian's only when there is none.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [[ ! -d "$here/.peers/node_modules/onnxruntime-node" ]]; then
  mkdir -p "$here/.peers"
  # --ignore-scripts: the install step would try to download a CUDA provider.
  (cd "$here/.peers" && npm install --silent --ignore-scripts onnxruntime-node >/dev/null)
fi
