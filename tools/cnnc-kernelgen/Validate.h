//===- Validate.h - a kernel spec line checked against its family ---------===//
//
// Spec lines come from cnnc, from tuning databases (through cnnc) and from
// people editing specs by hand. Halide answers a bad value with a crash
// (a tile of 0 divides by zero), an internal error or a wrong kernel, so
// every line is checked here, before Halide sees it: the symbol is an
// identifier, the family is known, every key is one the family reads,
// every value is in its domain, and the shapes agree with each other.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_KERNELGEN_VALIDATE_H
#define CNNC_KERNELGEN_VALIDATE_H

#include "Spec.h"

namespace cnnc::kernelgen {

/// Throws SpecError naming the line, the key and the rule it breaks.
void validateKernel(const KernelSpec &spec);

} // namespace cnnc::kernelgen

#endif // CNNC_KERNELGEN_VALIDATE_H
