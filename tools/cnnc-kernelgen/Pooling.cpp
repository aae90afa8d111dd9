//===- Pooling.cpp - window, adaptive and region-of-interest pooling ------===//
//
// Schedules: pooling reads each input once or a few times and does one
// operation per element, so it is bound by memory bandwidth. Channels are
// innermost, so every window step is one contiguous vector load; rows go to
// threads. ResNet-50's 3x3 stride-2 max pool (3.2 MB in, 0.8 MB out) takes
// 0.09 ms on one core: 44 GB/s, its input still in cache from the
// convolution that wrote it.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <limits>

namespace cnnc::kernelgen {

using namespace Halide;

namespace {
void scheduleChannelsInnermost(Func output, const std::vector<int64_t> &shape, int64_t window,
                               int vec) {
  Var c = output.args()[0], y = output.args()[2];
  output.vectorize(c, vec, tailFor(shape[1], vec));
  parallelInChunks(output, y, shape[2], shape[1] * shape[3] * window);
}
} // namespace

Kernel buildPool(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  std::vector<int64_t> window = spec.integers("kernel"), stride = spec.integers("stride");
  std::vector<int64_t> pad = spec.integers("pad");
  bool isMax = spec.word("kind") == "max";
  int height = int(inShape[2]), width = int(inShape[3]);

  ImageParam input = activationInput("input", inShape);
  Var c("c"), x("x"), y("y"), n("n");
  float outside = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
  Func padded = BoundaryConditions::constant_exterior(
      input, outside, {{Expr(), Expr()}, {0, width}, {0, height}});
  RDom r(0, int(window[1]), 0, int(window[0]), "r");
  Expr x0 = x * int(stride[1]) - int(pad[1]), y0 = y * int(stride[0]) - int(pad[0]);
  Expr tap = padded(c, x0 + r.x, y0 + r.y, n);
  Func output("output");
  if (isMax) {
    output(c, x, y, n) = maximumKeepingNan(tap);
  } else {
    // PyTorch's divisor: the window clipped to the padded input, or (without
    // count_include_pad) to the input itself.
    Expr x1 = min(x0 + int(window[1]), width + int(pad[3]));
    Expr y1 = min(y0 + int(window[0]), height + int(pad[2]));
    Expr count = (x1 - x0) * (y1 - y0);
    if (!spec.integer("include_pad"))
      count = (min(x1, width) - max(x0, 0)) * (min(y1, height) - max(y0, 0));
    output(c, x, y, n) = sum(tap) / cast<float>(count);
  }
  constrainOutput(output, outShape);
  if (spec.gpu)
    scheduleFlatOnGpu(output);
  else
    scheduleChannelsInnermost(output, outShape, window[0] * window[1],
                              int(spec.integer("vec", 16)));
  return {output, {input}};
}

Kernel buildAdaptivePool(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  bool isMax = spec.word("kind") == "max";
  int height = int(inShape[2]), width = int(inShape[3]);
  int outHeight = int(outShape[2]), outWidth = int(outShape[3]);

  ImageParam input = activationInput("input", inShape);
  // A batch norm and activation before the pool (DenseNet's norm5), applied
  // as each element is read.
  KernelInput in = prologueInput(spec, input, inShape[1], false, 0, 0);
  Var c("c"), x("x"), y("y"), n("n");
  // Cell i covers floor(i * H / oh) to ceil((i + 1) * H / oh).
  Expr x0 = x * width / outWidth, x1 = ((x + 1) * width + outWidth - 1) / outWidth;
  Expr y0 = y * height / outHeight, y1 = ((y + 1) * height + outHeight - 1) / outHeight;
  int cellWidth = (width + outWidth - 1) / outWidth + 1;
  int cellHeight = (height + outHeight - 1) / outHeight + 1;
  bool global = outHeight == 1 && outWidth == 1;
  RDom columns(0, global ? width : std::min(cellWidth, width), "columns");
  RDom rows(0, global ? height : std::min(cellHeight, height), "rows");
  if (!global) {
    columns.where(columns < x1 - x0);
    rows.where(rows < y1 - y0);
  }
  // The clamp only tells bounds inference what the where clauses ensure.
  Expr tap = in.read(c, min(x0 + columns, width - 1), min(y0 + rows, height - 1), n);
  Func output("output");
  if (isMax) {
    RDom cell(0, global ? width : std::min(cellWidth, width), 0,
              global ? height : std::min(cellHeight, height), "cell");
    if (!global)
      cell.where(cell.x < x1 - x0 && cell.y < y1 - y0);
    output(c, x, y, n) = maximumKeepingNan(
        in.read(c, min(x0 + cell.x, width - 1), min(y0 + cell.y, height - 1), n));
  } else {
    // Each row's sum, then the rows': rounding grows with the cell's width
    // plus its height, not their product (a 160x160 global pool summed in
    // one run lost four digits on offset inputs).
    output(c, x, y, n) = sum(rows, sum(columns, tap, "row_sum"), "cell_sum") /
                         cast<float>((x1 - x0) * (y1 - y0));
  }
  constrainOutput(output, outShape);
  if (spec.gpu)
    scheduleFlatOnGpu(output);
  else
    output.vectorize(c, 16, tailFor(outShape[1], 16));
  std::vector<Argument> arguments = {input};
  arguments.insert(arguments.end(), in.arguments.begin(), in.arguments.end());
  return {output, arguments};
}

Kernel buildRoiPool(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  int64_t regions = outShape[0];
  int height = int(inShape[2]), width = int(inShape[3]);
  int cellsY = int(outShape[2]), cellsX = int(outShape[3]);
  double scale = spec.real("scale");

  ImageParam input = activationInput("input", inShape);
  ImageParam rois = activationInput("rois", {regions, 5});
  Var c("c"), x("x"), y("y"), roi("roi");
  // torchvision computes corners and cell edges in float, one rounded
  // operation at a time; an edge that is exact there must be exact here.
  // strict_float keeps Halide from turning the division by the cell count
  // into a multiplication by its rounded reciprocal (which put exact edges
  // one pixel low on grids wider than about 200) and from contracting.
  auto corner = [&](int k) {
    Expr v = strict_float(rois(k, roi) * float(scale));
    return cast<int>(select(v >= 0, floor(v + 0.5f), ceil(v - 0.5f)));
  };
  Expr batch = clamp(cast<int>(rois(0, roi)), 0, int(inShape[0]) - 1);
  Expr startX = corner(1), startY = corner(2), endX = corner(3), endY = corner(4);
  auto edge = [](Expr i, Expr extent, int cells, bool up) {
    Expr bin = strict_float(cast<float>(extent) / cast<float>(Expr(cells)));
    Expr at = strict_float(cast<float>(i) * bin);
    return cast<int>(up ? ceil(at) : floor(at));
  };
  Expr extentX = max(endX - startX + 1, 1), extentY = max(endY - startY + 1, 1);
  Expr y0 = clamp(edge(y, extentY, cellsY, false) + startY, 0, height);
  Expr y1 = clamp(edge(y + 1, extentY, cellsY, true) + startY, 0, height);
  Expr x0 = clamp(edge(x, extentX, cellsX, false) + startX, 0, width);
  Expr x1 = clamp(edge(x + 1, extentX, cellsX, true) + startX, 0, width);
  RDom r(0, width, 0, height, "r");
  r.where(r.x < x1 - x0 && r.y < y1 - y0);
  Func best("best"), output("output");
  best(c, x, y, roi) = maximumKeepingNan(input(c, clamp(x0 + r.x, 0, width - 1),
                                               clamp(y0 + r.y, 0, height - 1), batch));
  output(c, x, y, roi) = select(y1 <= y0 || x1 <= x0, 0.0f, best(c, x, y, roi));
  constrainOutput(output, outShape);
  if (spec.gpu)
    scheduleFlatOnGpu(output);
  else
    output.parallel(roi);
  return {output, {input, rois}};
}

} // namespace cnnc::kernelgen
