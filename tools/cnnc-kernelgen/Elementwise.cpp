//===- Elementwise.cpp - element-wise, data movement and normalisation ----===//
//
// Schedules: all of these are bound by memory bandwidth (a few operations
// per element loaded). Channels are innermost and contiguous, so they are
// vectorised; the outermost non-batch dimension goes to threads, in chunks.
// EfficientNet-B0's squeeze-excitation product on a 56x56x96 map (1.2 MB in,
// 1.2 MB out, the scale broadcast) takes 0.024 ms on one core: 100 GB/s,
// the map still in cache from the convolution that wrote it.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <algorithm>
#include <limits>

namespace cnnc::kernelgen {

using namespace Halide;

namespace {

std::vector<Var> varsFor(size_t rank) {
  static const char *names[] = {"c", "x", "y", "z"};
  std::vector<Var> vars;
  for (size_t i = 0; i < rank; ++i)
    vars.push_back(Var(i < 4 ? names[i] : "d" + std::to_string(i)));
  return vars;
}

void scheduleStreaming(Func output, const std::vector<int64_t> &shape, bool gpu) {
  if (gpu)
    return scheduleFlatOnGpu(output);
  std::vector<Var> vars = output.args();
  output.vectorize(vars[0], 16, tailFor(shape[1 < shape.size() ? 1 : 0], 16));
  // The outermost dimension but the batch goes to threads (the batch for
  // a matrix), in chunks of enough elements.
  std::vector<int> order = physicalOrder(shape.size());
  size_t parallelDim = vars.size() >= 3 ? vars.size() - 2 : 1;
  if (vars.size() < 2 || shape[order[parallelDim]] < 2)
    return;
  int64_t inner = 1;
  for (size_t i = 0; i < parallelDim; ++i)
    inner *= shape[order[i]];
  parallelInChunks(output, vars[parallelDim], shape[order[parallelDim]], inner);
}

/// The Halide coordinates of `value` (a tensor of logical `shape`) at the
/// element whose row-major logical index is `flat`.
std::vector<Expr> coordinatesOf(Expr flat, const std::vector<int64_t> &shape) {
  std::vector<Expr> logical(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    logical[d] = flat % int(shape[d]);
    flat = flat / int(shape[d]);
  }
  std::vector<int> order = physicalOrder(shape.size());
  std::vector<Expr> halide;
  for (int d : order)
    halide.push_back(logical[d]);
  return halide;
}

} // namespace

Kernel buildUnary(const KernelSpec &spec) {
  std::vector<int64_t> shape = spec.integers("shape");
  ImageParam input = activationInput("input", shape);
  std::vector<Var> vars = varsFor(shape.size());
  Func output("output");
  Expr x = input(vars);
  // Arithmetic with numbers (x * scale + shift) comes before the activation.
  if (spec.has("scale"))
    x = x * float(spec.real("scale")) + float(spec.real("shift"));
  output(vars) = epilogue(spec, x);
  constrainOutput(output, shape);
  scheduleStreaming(output, shape, spec.gpu);
  return {output, {input}};
}

/// A float tensor on the u8 grid an int8 kernel reads (docs/quantization.md),
/// or with real=1 the real value of that grid point (a QDQ pair).
Kernel buildQuantize(const KernelSpec &spec) {
  std::vector<int64_t> shape = spec.integers("shape");
  ImageParam input = activationInput("input", shape);
  std::vector<Var> vars = varsFor(shape.size());
  Func output("output");
  Expr q = round(input(vars) * float(1.0 / spec.real("scale"))) + float(spec.integer("zero"));
  if (spec.integer("real", 0))
    output(vars) = (clamp(q, 0.0f, 255.0f) - float(spec.integer("zero"))) * float(spec.real("scale"));
  else
    output(vars) = Halide::ConciseCasts::u8(clamp(q, 0.0f, 255.0f));
  constrainOutput(output, shape);
  // Fewer channels than a vector (an RGB input before the int8 stem): when
  // both rows are dense, a row's channels and pixels are one run, which
  // vectorises whole; one masked vector a pixel took 1.3 ms at 640x640.
  if (!spec.gpu && shape.size() == 4 && shape[1] < 16) {
    int channels = int(shape[1]);
    Expr dense = input.dim(1).stride() == channels &&
                 output.output_buffer().dim(1).stride() == channels;
    Var run("run");
    output.specialize(dense)
        .fuse(vars[0], vars[1], run)
        .vectorize(run, 16, TailStrategy::GuardWithIf)
        .parallel(vars[2]);
  }
  scheduleStreaming(output, shape, spec.gpu);
  return {output, {input}};
}

Kernel buildBinary(const KernelSpec &spec) {
  std::vector<int64_t> outShape = spec.integers("out");
  std::vector<int64_t> shapes[2] = {spec.integers("a"), spec.integers("b")};
  ImageParam inputs[2] = {activationInput("a", shapes[0]), activationInput("b", shapes[1])};
  std::vector<Var> vars = varsFor(outShape.size());
  std::vector<int> order = physicalOrder(outShape.size());
  Expr operands[2];
  for (int k = 0; k < 2; ++k) {
    std::vector<Expr> at;
    for (size_t i = 0; i < vars.size(); ++i)
      at.push_back(shapes[k][order[i]] == 1 ? Expr(0) : Expr(vars[i]));
    operands[k] = inputs[k](at);
  }
  std::string op = spec.word("op");
  Func output("output");
  if (op == "add")
    output(vars) = operands[0] + operands[1];
  else if (op == "mul")
    output(vars) = operands[0] * operands[1];
  else if (op == "sub")
    output(vars) = operands[0] - operands[1];
  else if (op == "div")
    output(vars) = operands[0] / operands[1];
  else if (op == "max" || op == "min") // NaN from either side, as torch.maximum gives
    output(vars) = select(isNan(operands[0]) || isNan(operands[1]),
                          std::numeric_limits<float>::quiet_NaN(),
                          op == "max" ? max(operands[0], operands[1])
                                      : min(operands[0], operands[1]));
  else
    throw SpecError("binary kernel: unknown op '" + op + "'");
  constrainOutput(output, outShape);
  scheduleStreaming(output, outShape, spec.gpu);
  return {output, {inputs[0], inputs[1]}};
}

Kernel buildAffine(const KernelSpec &spec) {
  std::vector<int64_t> shape = spec.integers("shape");
  int64_t channels = shape[1];
  ImageParam input = activationInput("input", shape);
  ImageParam scale = parameterInput("scale", {channels});
  ImageParam shift = parameterInput("shift", {channels});
  ImageParam mean = parameterInput("mean", {channels});
  ImageParam variance = parameterInput("variance", {channels});
  std::vector<Var> vars = varsFor(shape.size());
  Var c = vars[0];
  Func factor("factor"), output("output");
  factor(c) = scale(c) / sqrt(variance(c) + float(spec.real("epsilon")));
  output(vars) = (input(vars) - mean(c)) * factor(c) + shift(c);
  if (!spec.gpu) // On a GPU, recomputing it per element costs less than a launch.
    factor.compute_root();
  constrainOutput(output, shape);
  scheduleStreaming(output, shape, spec.gpu);
  return {output, {input, scale, shift, mean, variance}};
}

/// Output channel k * groups + g is input channel g * (C / groups) + k: a
/// gather along the innermost dimension, so loads do not vectorise but
/// stores do.
Kernel buildChannelShuffle(const KernelSpec &spec) {
  std::vector<int64_t> shape = spec.integers("shape");
  int groups = int(spec.integer("groups")), perGroup = int(shape[1]) / groups;
  ImageParam input = activationInput("input", shape);
  std::vector<Var> vars = varsFor(shape.size());
  std::vector<Expr> at(vars.begin(), vars.end());
  at[0] = (vars[0] % groups) * perGroup + vars[0] / groups;
  Func output("output");
  output(vars) = input(at);
  constrainOutput(output, shape);
  scheduleStreaming(output, shape, spec.gpu);
  return {output, {input}};
}

Kernel buildCopy(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  ImageParam input = activationInput("input", inShape);
  std::vector<Var> vars = varsFor(outShape.size());
  Func output("output");
  if (inShape == outShape) {
    output(vars) = input(vars);
  } else {
    // A reshape or flatten whose two sides differ in physical order: go
    // through the row-major logical index.
    std::vector<int> order = physicalOrder(outShape.size());
    std::vector<Expr> logical(outShape.size());
    for (size_t i = 0; i < vars.size(); ++i)
      logical[order[i]] = vars[i];
    Expr flat = 0;
    for (size_t d = 0; d < outShape.size(); ++d)
      flat = flat * int(outShape[d]) + logical[d];
    output(vars) = input(coordinatesOf(flat, inShape));
  }
  constrainOutput(output, outShape);
  scheduleStreaming(output, outShape, spec.gpu);
  return {output, {input}};
}

/// A reduction over some dimensions, kept with extent 1. The reduced
/// elements are one flat index, split into coordinates, so that sums are
/// blocked (blockedSum) whichever dimensions they run over.
Kernel buildReduce(const KernelSpec &spec) {
  std::vector<int64_t> in = spec.integers("in"), axes = spec.integers("axes");
  std::string kind = spec.word("kind");
  std::vector<int64_t> out = in;
  int64_t count = 1;
  for (int64_t a : axes) {
    out[size_t(a)] = 1;
    count *= in[size_t(a)];
  }
  ImageParam input = activationInput("input", in);
  std::vector<Var> vars = varsFor(in.size());
  std::vector<int> order = physicalOrder(in.size());
  // The input's Halide coordinates for flat reduced index i.
  auto at = [&](Expr i) {
    std::vector<Expr> logical(in.size());
    for (size_t h = 0; h < order.size(); ++h)
      logical[size_t(order[h])] = vars[h];
    for (size_t k = axes.size(); k-- > 0;) {
      int64_t extent = in[size_t(axes[k])];
      logical[size_t(axes[k])] = i % int(extent);
      i = i / int(extent);
    }
    std::vector<Expr> halide;
    for (int d : order)
      halide.push_back(logical[size_t(d)]);
    return input(halide);
  };
  Func output("output");
  if (kind == "max" || kind == "min") {
    RDom r(0, int(count), "r");
    Expr v = at(r);
    Expr anyNan = maximum(select(isNan(v), 1, 0));
    Expr extreme = kind == "max" ? maximum(v) : minimum(v);
    output(vars) = select(anyNan > 0, std::numeric_limits<float>::quiet_NaN(), extreme);
  } else {
    bool squares = kind == "l2";
    Expr total = blockedSum(int(count), [&](Expr i) {
      Expr v = at(i);
      return squares ? v * v : v;
    }, "terms");
    output(vars) = kind == "mean" ? total / float(count) : squares ? sqrt(total) : total;
  }
  constrainOutput(output, out);
  scheduleStreaming(output, out, spec.gpu);
  return {output, {input}};
}

Kernel buildSoftmax(const KernelSpec &spec) {
  std::vector<int64_t> shape = spec.integers("shape");
  int64_t axis = spec.integer("axis", 1);
  std::vector<int> order = physicalOrder(shape.size());
  int along = int(std::find(order.begin(), order.end(), int(axis)) - order.begin());
  ImageParam input = activationInput("input", shape);
  std::vector<Var> vars = varsFor(shape.size());
  // The reductions run over the softmax axis's Halide dimension; `rest`
  // holds the other coordinates.
  RDom r(0, int(shape[axis]), "r");
  std::vector<Var> rest;
  for (size_t i = 0; i < vars.size(); ++i)
    if (int(i) != along)
      rest.push_back(vars[i]);
  auto at = [&](Expr position) {
    std::vector<Expr> coordinates;
    size_t next = 0;
    for (size_t i = 0; i < vars.size(); ++i)
      coordinates.push_back(int(i) == along ? position : Expr(rest[next++]));
    return input(coordinates);
  };
  Func top("top"), total("total"), output("output");
  if (rest.empty())
    throw SpecError("softmax kernel: a tensor of rank 1 has no other dimension");
  // A NaN anywhere along the axis makes the whole slice NaN, as in PyTorch.
  top(rest) = maximumKeepingNan(at(r));
  total(rest) = blockedSum(int(shape[axis]), [&](Expr i) { return exp(at(i) - top(rest)); },
                          "total_terms");
  // The logarithm from the shifted input, not log(softmax): finite where
  // the softmax underflows to 0.
  if (spec.integer("log", 0))
    output(vars) = at(vars[along]) - top(rest) - log(total(rest));
  else
    output(vars) = exp(at(vars[along]) - top(rest)) / total(rest);
  if (spec.gpu) {
    for (Func f : {top, total, output}) {
      f.compute_root();
      scheduleFlatOnGpu(f);
    }
  } else {
    top.compute_root();
    total.compute_root();
  }
  constrainOutput(output, shape);
  return {output, {input}};
}

/// Mean and variance over the channels (Halide dimension 0) per position,
/// in two passes as the reference takes them; then one streaming pass.
Kernel buildLayerNorm(const KernelSpec &spec) {
  std::vector<int64_t> shape = spec.integers("shape");
  int channels = int(shape[1]);
  ImageParam input = activationInput("input", shape);
  ImageParam scale = parameterInput("scale", {channels});
  ImageParam shift = parameterInput("shift", {channels});
  std::vector<Var> vars = varsFor(shape.size());
  std::vector<Var> rest(vars.begin() + 1, vars.end());
  auto at = [&](Expr c) {
    std::vector<Expr> coordinates{c};
    coordinates.insert(coordinates.end(), rest.begin(), rest.end());
    return input(coordinates);
  };
  Func mean("mean"), factor("factor"), output("output");
  mean(rest) = blockedSum(channels, at, "channel_sum") / float(channels);
  Expr squares = blockedSum(
      channels, [&](Expr c) { return (at(c) - mean(rest)) * (at(c) - mean(rest)); },
      "square_sum");
  factor(rest) = 1.0f / sqrt(squares / float(channels) + float(spec.real("epsilon")));
  output(vars) = (at(vars[0]) - mean(rest)) * factor(rest) * scale(vars[0]) + shift(vars[0]);
  constrainOutput(output, shape);
  if (spec.gpu) {
    for (Func f : {mean, factor, output}) {
      f.compute_root();
      scheduleFlatOnGpu(f);
    }
    return {output, {input, scale, shift}};
  }
  scheduleStreaming(output, shape, false);
  // The statistics of one position, just before its channels are written:
  // in the loop over vars[1], or over its inner part where the streaming
  // schedule split it into parallel chunks (ranks 2 and 3).
  Var position = vars[1];
  for (const Internal::Dim &dim : output.function().definition().schedule().dims())
    if (dim.var == vars[1].name() + "." + vars[1].name() + "_within")
      position = Var(dim.var);
  mean.compute_at(output, position);
  factor.compute_at(output, position);
  return {output, {input, scale, shift}};
}

/// Result dimension i is input dimension permutation[i]: a gather, each
/// output element read from where the permutation puts it.
Kernel buildTranspose(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in");
  std::vector<int64_t> permutation = spec.integers("permutation");
  std::vector<int64_t> outShape;
  for (int64_t d : permutation)
    outShape.push_back(inShape[d]);
  ImageParam input = activationInput("input", inShape);
  std::vector<Var> vars = varsFor(outShape.size());
  // Logical output coordinates from the Halide ones, then the input's.
  std::vector<int> order = physicalOrder(outShape.size());
  std::vector<Expr> outLogical(outShape.size()), inLogical(inShape.size());
  for (size_t i = 0; i < vars.size(); ++i)
    outLogical[order[i]] = vars[i];
  for (size_t i = 0; i < permutation.size(); ++i)
    inLogical[permutation[i]] = outLogical[i];
  std::vector<Expr> at;
  for (int d : physicalOrder(inShape.size()))
    at.push_back(inLogical[d]);
  Func output("output");
  output(vars) = input(at);
  constrainOutput(output, outShape);
  scheduleStreaming(output, outShape, spec.gpu);
  return {output, {input}};
}

Kernel buildLrn(const KernelSpec &spec) {
  std::vector<int64_t> shape = spec.integers("shape");
  int size = int(spec.integer("size"));
  float alpha = float(spec.real("alpha")), beta = float(spec.real("beta"));
  float k = float(spec.real("k"));
  ImageParam input = activationInput("input", shape);
  Var c("c"), x("x"), y("y"), n("n");
  Func padded = BoundaryConditions::constant_exterior(input, 0.0f, {{0, int(shape[1])}});
  // PyTorch's window: c - size/2 to c + (size-1)/2, divided by size.
  RDom r(-(size / 2), size, "r");
  Expr v = padded(c + r, x, y, n);
  Func squares("squares"), output("output");
  squares(c, x, y, n) = sum(v * v);
  output(c, x, y, n) = input(c, x, y, n) / pow(k + alpha / float(size) * squares(c, x, y, n), beta);
  constrainOutput(output, shape);
  scheduleStreaming(output, shape, spec.gpu);
  return {output, {input}};
}

Kernel buildUpsample(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  int height = int(inShape[2]), width = int(inShape[3]);
  int outHeight = int(outShape[2]), outWidth = int(outShape[3]);
  bool alignCorners = spec.integer("align_corners", 0);
  ImageParam input = activationInput("input", inShape);
  Var c("c"), x("x"), y("y"), n("n");
  Func output("output");
  if (spec.word("mode") == "nearest") {
    // PyTorch's scale is a float: floor(dst * float(in / out)).
    float scaleY = float(double(height) / outHeight), scaleX = float(double(width) / outWidth);
    Expr sy = min(cast<int>(floor(cast<float>(y) * scaleY)), height - 1);
    Expr sx = min(cast<int>(floor(cast<float>(x) * scaleX)), width - 1);
    output(c, x, y, n) = input(c, sx, sy, n);
  } else {
    auto source = [&](Expr dst, int in, int out) -> Expr {
      if (alignCorners)
        return out > 1 ? cast<double>(dst) * Expr(double(in - 1) / double(out - 1)) : Expr(0.0);
      double scale = float(double(in) / double(out));
      return max(Expr(0.0), (cast<double>(dst) + Expr(0.5)) * Expr(scale) - Expr(0.5));
    };
    Expr sy = source(y, height, outHeight), sx = source(x, width, outWidth);
    Expr y0 = cast<int>(sy), x0 = cast<int>(sx);
    Expr y1 = min(y0 + 1, height - 1), x1 = min(x0 + 1, width - 1);
    Expr ly = cast<float>(sy - y0), lx = cast<float>(sx - x0);
    output(c, x, y, n) =
        (1 - ly) * ((1 - lx) * input(c, x0, y0, n) + lx * input(c, x1, y0, n)) +
        ly * ((1 - lx) * input(c, x0, y1, n) + lx * input(c, x1, y1, n));
  }
  constrainOutput(output, outShape);
  scheduleStreaming(output, outShape, spec.gpu);
  return {output, {input}};
}

} // namespace cnnc::kernelgen
