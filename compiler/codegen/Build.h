//===- Build.h - from a plan to a binary, a library or generated code -----===//
//
// Runs the two outside programs of code generation: cnnc-kernelgen (Halide,
// in its own process) for the kernels, through a cache of objects keyed by
// each kernel's hash, and the C compiler for the driver and the link.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CODEGEN_BUILD_H
#define CNNC_CODEGEN_BUILD_H

#include "codegen/KernelPlan.h"

#include <string>

namespace cnnc::codegen {

enum class Artifact { Executable, Library, Object, HalideStmt, Assembly };

struct BuildOptions {
  Artifact artifact = Artifact::Executable;
  std::string outputPath;
  std::string cacheDirectory; // Empty: $CNNC_CACHE_DIR or ~/.cache/cnnc.
  int jobs = 0;               // Kernel generator processes; 0: one per core.
  bool verbose = false;       // Time each phase on stderr.
  bool quiet = false;         // No count or progress from the kernel generator.
};

/// The Halide target string for --target: host, x86-avx512, x86-avx2,
/// cuda (capability 86), cuda-NN (capability NN), opencl, or a Halide
/// target string as it is. "" for a CUDA capability Halide 14 lacks.
std::string halideTarget(const std::string &target);
/// The Halide feature in `target` that would remove the kernels' own checks
/// (no_asserts: buffer sizes and bounds; no_bounds_query), or "": cnnc's
/// runtime relies on them to refuse a mismatched buffer, so such targets
/// are refused.
std::string uncheckedTargetFeature(const std::string &target);
/// What the schedules are for: "avx512" or "avx2" (the vector ISA), or
/// "cuda" or "opencl".
std::string vectorIsa(const std::string &target);
/// What identifies the kernel generator build (kernels' hashes include it).
std::string generatorStamp();
/// A helper script of cnnc's (scripts/NAME in the source tree, or
/// PREFIX/share/cnnc/NAME beside an installed cnnc).
std::string helperScript(const std::string &name);

/// Builds `options.artifact`; prints what failed and returns false.
bool build(const Plan &plan, const BuildOptions &options);

/// Builds cnnc-tune's measuring program at `options.outputPath`: the plans
/// are schedule variants of one kernel call, the first the reference
/// (runtime/src/measure.c runs them). Kernels come from the cache.
bool buildMeasurement(const std::vector<Plan> &candidates, const BuildOptions &options);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_BUILD_H
