//===- CheckSpec.h - the spec's checks, callable without exceptions -------===//
//
// cnnc runs kernelgen's own checks on a plan's spec before any kernel is
// generated, so that a schedule from a tuning database that breaks its
// family's rules is an error at the database's line, not at a line of a
// temporary spec file. Plain C++ (no Halide), linked into cnnc.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_KERNELGEN_CHECKSPEC_H
#define CNNC_KERNELGEN_CHECKSPEC_H

#include <string>

namespace cnnc::kernelgen {

struct SpecProblem {
  std::string symbol;  // The kernel the problem is in; "" for the file.
  std::string message; // What is wrong, without the line number.
};

/// Parses and validates a whole spec as cnnc-kernelgen does; false and the
/// first problem if it would refuse it.
bool checkSpec(const std::string &text, SpecProblem &problem);

} // namespace cnnc::kernelgen

#endif // CNNC_KERNELGEN_CHECKSPEC_H
