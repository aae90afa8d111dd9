#!/usr/bin/env bash
# Installs the Debian packages cnnc needs. Quiet and quick when all are present.
set -euo pipefail

packages=(
  cmake ninja-build g++
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools  # MLIR 22, lit, FileCheck
  libhalide14-0-dev                                        # kernel generation
  libgtest-dev                                             # unit tests
  clang-14 libclang-rt-14-dev                              # the parser fuzzer
  python3-torch python3-torchvision python3-numpy          # reference models
  slurm-wlm munge                                          # cnnc-tune shards as array jobs
  python3-psutil                                           # lit's per-test time limit
  pocl-opencl-icd ocl-icd-opencl-dev                       # GPU kernels tested on the CPU
  libonnx-dev libprotobuf-dev python3-onnx                 # ONNX import
  libonnx-testdata                                         # ONNX's conformance tests
  graphviz                                                 # --emit=dot pictures
  libpng-dev libjpeg62-turbo-dev zlib1g-dev                # image files as model inputs
  pkgconf                                                  # the installed runtime's cnnrt.pc, tested
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
