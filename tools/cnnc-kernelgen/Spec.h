//===- Spec.h - one kernel of the plain-text kernel spec ------------------===//
//
// The kernel spec is the only thing the compiler (MLIR) and the kernel
// generator (Halide) share: text, so that the two LLVMs never meet in one
// process and so that tests can FileCheck it. A line reads
//
//   kernel <symbol> <family> key=value key=value ...
//
// and docs/kernel-spec.md lists every family's keys. This header has no
// Halide in it.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_KERNELGEN_SPEC_H
#define CNNC_KERNELGEN_SPEC_H

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace cnnc::kernelgen {

/// A malformed spec, or a key the family needs and the line lacks.
struct SpecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct KernelSpec {
  std::string symbol; // The C function the object defines.
  std::string family;
  std::map<std::string, std::string> values;
  int line = 0;
  bool gpu = false; // The spec's target is a GPU (CUDA or OpenCL).

  bool has(const std::string &key) const { return values.count(key) != 0; }
  int64_t integer(const std::string &key) const;
  int64_t integer(const std::string &key, int64_t fallback) const;
  double real(const std::string &key, double fallback = 0.0) const;
  std::string word(const std::string &key, const std::string &fallback = "") const;
  /// A comma-separated list of integers, e.g. `shape=1,64,56,56`.
  std::vector<int64_t> integers(const std::string &key) const;
};

struct SpecFile {
  int version = 0;
  std::string target;
  std::vector<KernelSpec> kernels;
};

/// Whether a Halide target string names a GPU back end cnnc runs: `cuda`
/// or `opencl` among its features. Any other GPU API is refused.
bool isGpuTarget(const std::string &target);

/// Parses a whole spec; throws SpecError naming the line.
SpecFile parseSpec(const std::string &text);

} // namespace cnnc::kernelgen

#endif // CNNC_KERNELGEN_SPEC_H
