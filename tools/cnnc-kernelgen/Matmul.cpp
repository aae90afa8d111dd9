//===- Matmul.cpp - the batched product of two activations ----------------===//
//
// torch.matmul on tensors of one rank (attention's scores, Q K^T, and its
// weighted sum of values): out[..., m, n] = sum over k of a[..., m, k] *
// b[..., k, n], the batch dimensions broadcast. Both operands are
// activations in the channels-innermost layout, so the output's Halide
// dimension 0 is logical dimension 1: a head for [N, heads, M, N'], a row
// for [N, M, N']. The products are summed in blocks (blockedSum), the same
// rounding as softmax's denominator. These products are small next to the
// convolutions around them (PP-OCRv4's recognizer: 8 heads of 40 x 15 x 40),
// so the schedule is the streaming one: dimension 0 in vectors, an outer
// dimension across threads.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

namespace cnnc::kernelgen {

using namespace Halide;

Kernel buildMatmul(const KernelSpec &spec) {
  std::vector<int64_t> shapes[2] = {spec.integers("a"), spec.integers("b")};
  size_t rank = shapes[0].size();
  std::vector<int64_t> outShape(shapes[0].begin(), shapes[0].end() - 2);
  for (size_t d = 0; d + 2 < rank; ++d)
    outShape[d] = std::max(shapes[0][d], shapes[1][d]);
  outShape.push_back(shapes[0][rank - 2]);
  outShape.push_back(shapes[1][rank - 1]);
  int depth = int(shapes[0][rank - 1]);

  ImageParam inputs[2] = {activationInput("a", shapes[0]), activationInput("b", shapes[1])};
  std::vector<int> order = physicalOrder(rank);
  std::vector<Var> vars;
  std::vector<Expr> logical(rank);
  for (size_t i = 0; i < rank; ++i) {
    vars.push_back(Var("d" + std::to_string(order[i])));
    logical[order[i]] = vars.back();
  }
  // An operand's Halide coordinates at the output's batch position, with
  // its last two logical dimensions at (row, column).
  auto read = [&](int k, Expr row, Expr column) {
    std::vector<Expr> at(rank);
    for (size_t d = 0; d + 2 < rank; ++d)
      at[d] = shapes[k][d] == 1 ? Expr(0) : logical[d];
    at[rank - 2] = row;
    at[rank - 1] = column;
    std::vector<Expr> halide;
    for (int d : order)
      halide.push_back(at[d]);
    return inputs[k](halide);
  };
  Expr m = logical[rank - 2], n = logical[rank - 1];
  Func output("output");
  output(vars) = blockedSum(
      depth, [&](Expr k) { return read(0, m, k) * read(1, k, n); }, "products");
  constrainOutput(output, outShape);

  if (spec.gpu) {
    scheduleFlatOnGpu(output);
  } else {
    output.vectorize(vars[0], 8, tailFor(outShape[order[0]], 8));
    if (rank >= 3) {
      size_t across = rank - 2;
      int64_t inner = depth;
      for (size_t i = 0; i < across; ++i)
        inner *= outShape[order[i]];
      if (outShape[order[across]] > 1)
        parallelInChunks(output, vars[across], outShape[order[across]], inner);
    }
  }
  return {output, {inputs[0], inputs[1]}};
}

} // namespace cnnc::kernelgen
