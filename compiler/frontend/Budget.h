//===- Budget.h - the limits elaboration runs within ----------------------===//

#ifndef CNNC_FRONTEND_BUDGET_H
#define CNNC_FRONTEND_BUDGET_H

#include <cstddef>
#include <cstdint>

namespace cnnc::detail {

/// Blocks may call blocks; past this depth it is runaway recursion.
constexpr size_t maxCallDepth = 100;
/// Guards `range` and list repetition against programs that would never end.
constexpr int64_t maxListLength = 1 << 20;

// The elaboration budget. A model file is a program, and a hostile or
// mistaken one (a loop of 2^40 steps, recursion that branches, a list that
// doubles) must end with a message in about a second, not hang or exhaust
// memory. Every network of the zoo elaborates in under 40,000 steps.
/// Expressions evaluated and statements run.
constexpr uint64_t maxSteps = 4'000'000;
/// The longest string, in bytes (lists: maxListLength elements).
constexpr uint64_t maxStringLength = 1 << 20;
/// How deeply lists may nest.
constexpr int maxListNesting = 64;
/// The stack evaluation may use; the main thread has 8 MiB.
constexpr size_t maxStackBytes = 6 << 20;

} // namespace cnnc::detail

#endif // CNNC_FRONTEND_BUDGET_H
