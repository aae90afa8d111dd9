//===- Fold.cpp - evaluating constants and shape subgraphs -----------------===//
//
// Exporters compute reshape targets, slice bounds and resize sizes with small
// subgraphs (Shape, Gather, Unsqueeze, Concat, Cast, ...). Every node whose
// inputs are constants, and Shape of any tensor (shapes are static here), is
// evaluated at import; what it computes never becomes a layer.
//
//===----------------------------------------------------------------------===//

#include "onnximport/Handlers.h"
#include "onnximport/Importer.h"

#include <algorithm>
#include <cmath>

namespace cnnc::onnx_import {

namespace {

int64_t normalizeAxis(int64_t axis, int64_t rank, const Importer &importer) {
  if (axis < -rank || axis >= rank)
    importer.unsupported("axis " + std::to_string(axis) + " is outside rank " +
                         std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

Constant fromInts(const std::vector<int64_t> &values, Shape shape) {
  Constant c;
  c.integer = true;
  c.shape = std::move(shape);
  c.values.assign(values.begin(), values.end());
  return c;
}

/// The constant `c` with a new shape of as many elements.
Constant reshaped(Constant c, Shape shape) {
  c.shape = std::move(shape);
  return c;
}

/// Values from a Constant node's attribute.
Constant constantNode(const Importer &importer) {
  const onnx::NodeProto &n = importer.node();
  if (n.attribute_size() != 1)
    importer.unsupported("a Constant node should have exactly one attribute");
  const onnx::AttributeProto &a = n.attribute(0);
  Constant c;
  if (a.name() == "value")
    return readTensor(a.t(), "the value of Constant node '" + n.name() + "'");
  if (a.name() == "value_float" || a.name() == "value_int") {
    c.values = {a.name() == "value_float" ? double(a.f()) : double(a.i())};
    c.integer = a.name() == "value_int";
    return c;
  }
  if (a.name() == "value_floats" || a.name() == "value_ints") {
    bool ints = a.name() == "value_ints";
    int count = ints ? a.ints_size() : a.floats_size();
    if (count > (1 << 24))
      importer.unsupported("the constant is too large");
    for (int i = 0; i < count; ++i)
      c.values.push_back(ints ? double(a.ints(i)) : double(a.floats(i)));
    c.shape = {count};
    c.integer = ints;
    return c;
  }
  importer.unsupported("attribute '" + a.name() + "' of a Constant is not supported");
}

/// torch-style gather along `axis` of integer or float constants.
Constant gather(const Constant &data, const Constant &indices, int64_t axis,
                const Importer &importer) {
  int64_t rank = int64_t(data.shape.size());
  if (rank == 0)
    importer.unsupported("Gather of a scalar");
  axis = normalizeAxis(axis, rank, importer);
  Shape shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  int64_t outer = 1, inner = 1, extent = data.shape[size_t(axis)];
  for (int64_t d = 0; d < axis; ++d)
    outer *= data.shape[size_t(d)];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= data.shape[size_t(d)];
  int64_t count = elementCount(shape);
  if (count < 0 || count > std::max(maxComputedElements, data.size()))
    importer.unsupported("the gathered constant is too large");
  Constant c;
  c.shape = shape;
  c.integer = data.integer;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : indices.ints()) {
      if (index < -extent || index >= extent)
        importer.unsupported("index " + std::to_string(index) + " is outside " +
                             std::to_string(extent));
      if (index < 0)
        index += extent;
      for (int64_t i = 0; i < inner; ++i)
        c.values.push_back(data.values[size_t((o * extent + index) * inner + i)]);
    }
  return c;
}

/// A constant of `shape` whose element at index (i0, i1, ...) is `data`'s
/// at (source(0, i0), source(1, i1), ...): a slice or a tiling.
template <typename Source>
Constant gathered(const Constant &data, const Shape &shape, Source source) {
  size_t rank = shape.size();
  Constant c;
  c.shape = shape;
  c.integer = data.integer;
  int64_t count = elementCount(shape);
  std::vector<int64_t> index(rank, 0), strides(rank, 1);
  for (size_t d = rank; d-- > 1;)
    strides[d - 1] = strides[d] * data.shape[d];
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d)
      offset += source(d, index[d]) * strides[d];
    c.values.push_back(data.values[size_t(offset)]);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return c;
}

/// Slice of a constant along several axes, with steps.
Constant sliceConstant(const Constant &data, std::vector<int64_t> starts,
                       std::vector<int64_t> ends, std::vector<int64_t> axes,
                       std::vector<int64_t> steps, const Importer &importer) {
  int64_t rank = int64_t(data.shape.size());
  std::vector<int64_t> begin(size_t(rank), 0), step(size_t(rank), 1);
  Shape shape = data.shape;
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(int64_t(i));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    importer.unsupported("starts, ends, axes and steps differ in length");
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = normalizeAxis(axes[i], rank, importer), extent = data.shape[size_t(axis)];
    if (steps[i] == 0)
      importer.unsupported("a slice step is 0");
    auto clamp = [&](int64_t v, int64_t low, int64_t high) {
      if (v < 0)
        v += extent;
      return std::max(low, std::min(high, v));
    };
    int64_t s = steps[i] > 0 ? clamp(starts[i], 0, extent) : clamp(starts[i], -1, extent - 1);
    int64_t e = steps[i] > 0 ? clamp(ends[i], 0, extent) : clamp(ends[i], -1, extent - 1);
    int64_t count = steps[i] > 0 ? std::max<int64_t>(0, (e - s + steps[i] - 1) / steps[i])
                                 : std::max<int64_t>(0, (s - e - steps[i] - 1) / -steps[i]);
    begin[size_t(axis)] = s;
    step[size_t(axis)] = steps[i];
    shape[size_t(axis)] = count;
  }
  return gathered(data, shape, [&](size_t d, int64_t i) { return begin[d] + i * step[d]; });
}

/// `data` repeated `repeats[d]` times along each dimension d (Tile).
Constant tile(const Constant &data, const std::vector<int64_t> &repeats,
              const Importer &importer) {
  int64_t rank = int64_t(data.shape.size());
  if (int64_t(repeats.size()) != rank)
    importer.unsupported("Tile's repeats " + formatShape(repeats) + " do not match rank " +
                         std::to_string(rank));
  Shape shape = data.shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (repeats[size_t(d)] < 0)
      importer.unsupported("a negative repeat in Tile");
    shape[size_t(d)] *= repeats[size_t(d)];
  }
  int64_t count = elementCount(shape);
  if (count < 0 || count > maxComputedElements)
    importer.unsupported("Tile to " + formatShape(shape) + " (too large)");
  return gathered(data, shape, [&](size_t d, int64_t i) { return i % data.shape[d]; });
}

} // namespace

Shape squeezedShape(const Importer &im, const Shape &shape) {
  bool squeeze = im.node().op_type() == "Squeeze";
  std::vector<int64_t> axes =
      im.hasInput(1) ? im.constantInput(1, "axes").ints() : im.intsAttribute("axes");
  if (axes.empty() && !squeeze)
    im.unsupported("Unsqueeze needs axes");
  // ONNX: Unsqueeze's axes index the output, Squeeze's the input; each at
  // most once, and Squeeze drops only dimensions of size 1.
  int64_t rank = int64_t(shape.size()) + (squeeze ? 0 : int64_t(axes.size()));
  std::vector<bool> marked(size_t(rank), false);
  for (int64_t a : axes) {
    int64_t axis = normalizeAxis(a, rank, im);
    if (marked[size_t(axis)])
      im.unsupported("axis " + std::to_string(a) + " is given twice in " + Importer::list(axes));
    marked[size_t(axis)] = true;
    if (squeeze && shape[size_t(axis)] != 1)
      im.unsupported("axis " + std::to_string(a) + " has size " +
                     std::to_string(shape[size_t(axis)]) + " in " + formatShape(shape) +
                     "; Squeeze drops only dimensions of size 1");
  }
  Shape out;
  size_t next = 0;
  for (int64_t d = 0; d < rank; ++d) {
    if (squeeze) {
      bool dropped = axes.empty() ? shape[size_t(d)] == 1 : bool(marked[size_t(d)]);
      if (!dropped)
        out.push_back(shape[size_t(d)]);
    } else {
      out.push_back(marked[size_t(d)] ? 1 : shape[next++]);
    }
  }
  return out;
}

bool Importer::foldConstants(const onnx::NodeProto &n) {
  const std::string &op = n.op_type();
  if (op == "Constant") {
    bindConstant(0, constantNode(*this));
    return true;
  }
  if (op == "Shape" || op == "Size") {
    const GraphValue &in = values.at(n.input(0));
    if (!in.isConstant && !activations[size_t(in.activation)].shapeKnown)
      return false;
    Shape shape = in.isConstant ? in.constant.shape : activations[size_t(in.activation)].shape;
    if (op == "Size") {
      int64_t count = 1;
      for (int64_t d : shape)
        count *= d;
      Constant c = fromInts({count}, {});
      bindConstant(0, c);
      return true;
    }
    int64_t rank = int64_t(shape.size());
    int64_t start = intAttribute("start", 0), end = intAttribute("end", rank);
    start = std::max<int64_t>(0, std::min(rank, start < 0 ? start + rank : start));
    end = std::max<int64_t>(start, std::min(rank, end < 0 ? end + rank : end));
    std::vector<int64_t> dims(shape.begin() + start, shape.begin() + end);
    bindConstant(0, fromInts(dims, {int64_t(dims.size())}));
    return true;
  }
  static const std::set<std::string> foldable = {
      "Identity", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Slice", "Reshape",
      "Add", "Sub", "Mul", "Div", "Neg", "Sqrt", "Floor", "Ceil", "ConstantOfShape",
      "Range", "Transpose", "Flatten", "Dropout", "Pow", "Min", "Max", "Equal", "Where",
      "Expand", "Abs", "ReduceProd", "QuantizeLinear", "DequantizeLinear", "Greater", "Less",
      "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor", "Not", "Mod", "Exp", "Log",
      "Reciprocal", "Sign", "Tile", "Split"};
  if (!foldable.count(op))
    return false;
  for (const std::string &in : n.input())
    if (!in.empty() && !values.at(in).isConstant)
      return false;
  auto input = [&](int i) -> const Constant & { return values.at(n.input(i)).constant; };
  auto binary = [&](std::function<double(double, double)> f) {
    Constant c = broadcast(input(0), input(1), f, "node '" + n.name() + "'");
    bindConstant(0, c);
  };
  if (op == "Identity" || op == "Dropout") {
    bindConstant(0, input(0));
  } else if (op == "QuantizeLinear" || op == "DequantizeLinear") {
    bindConstant(0, foldQuantization(*this, input(0), op == "QuantizeLinear"));
  } else if (op == "Cast") {
    Constant c = input(0);
    int to = int(intAttribute("to", 1));
    c.integer = !(to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE ||
                  to == onnx::TensorProto::FLOAT16);
    if (c.integer)
      for (double &v : c.values)
        v = std::trunc(v);
    else if (to == onnx::TensorProto::FLOAT)
      for (double &v : c.values)
        v = double(float(v));
    bindConstant(0, c);
  } else if (op == "Greater" || op == "Less" || op == "GreaterOrEqual" ||
             op == "LessOrEqual" || op == "And" || op == "Or" || op == "Xor") {
    // Comparisons and logic give booleans, held as 0 and 1 like integers.
    binary([&](double a, double b) {
      bool result = op == "Greater" ? a > b : op == "Less" ? a < b
                    : op == "GreaterOrEqual" ? a >= b : op == "LessOrEqual" ? a <= b
                    : op == "And" ? (a != 0 && b != 0) : op == "Or" ? (a != 0 || b != 0)
                    : ((a != 0) != (b != 0));
      return double(result);
    });
    Constant &c = values.at(n.output(0)).constant;
    c.integer = true;
  } else if (op == "Mod") {
    // fmod=0 (integers): the result takes the divisor's sign, as Python's %.
    bool fmod = intAttribute("fmod", 0) != 0;
    binary([&](double a, double b) {
      if (b == 0)
        return 0.0;
      double r = std::fmod(a, b);
      return !fmod && r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
    });
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" ||
             op == "Min" || op == "Max" || op == "Equal") {
    bool integer = input(0).integer && input(1).integer;
    binary([&](double a, double b) {
      if (op == "Add") return a + b;
      if (op == "Sub") return a - b;
      if (op == "Mul") return a * b;
      if (op == "Pow") return std::pow(a, b);
      if (op == "Min") return std::min(a, b);
      if (op == "Max") return std::max(a, b);
      if (op == "Equal") return double(a == b);
      if (integer)
        return b == 0 ? 0.0 : std::trunc(a / b);
      return a / b;
    });
  } else if (op == "Neg" || op == "Sqrt" || op == "Floor" || op == "Ceil" || op == "Abs" ||
             op == "Not" || op == "Exp" || op == "Log" || op == "Reciprocal" || op == "Sign") {
    Constant c = input(0);
    for (double &v : c.values)
      v = op == "Neg" ? -v : op == "Sqrt" ? std::sqrt(v) : op == "Floor" ? std::floor(v)
          : op == "Ceil" ? std::ceil(v) : op == "Not" ? double(v == 0)
          : op == "Exp" ? std::exp(v) : op == "Log" ? std::log(v)
          : op == "Reciprocal" ? 1 / v : op == "Sign" ? double((v > 0) - (v < 0))
          : std::fabs(v);
    bindConstant(0, c);
  } else if (op == "Tile") {
    bindConstant(0, tile(input(0), input(1).ints(), *this));
  } else if (op == "Split") {
    const Constant &data = input(0);
    int64_t rank = int64_t(data.shape.size());
    if (rank == 0)
      unsupported("Split of a scalar");
    int64_t axis = normalizeAxis(intAttribute("axis", 0), rank, *this);
    int64_t extent = data.shape[size_t(axis)], parts = n.output_size();
    std::vector<int64_t> sizes = opset() >= 13 ? (hasInput(1) ? input(1).ints()
                                                              : std::vector<int64_t>{})
                                               : intsAttribute("split");
    if (sizes.empty() && parts > 0 && extent % parts == 0)
      sizes.assign(size_t(parts), extent / parts);
    int64_t total = 0;
    for (int64_t size : sizes)
      total += size < 0 ? extent + 1 : size;
    if (int64_t(sizes.size()) != parts || total != extent)
      unsupported("Split of " + std::to_string(extent) + " into " + formatShape(sizes) +
                  " for " + std::to_string(parts) + " outputs");
    int64_t start = 0;
    for (int64_t i = 0; i < parts; ++i) {
      bindConstant(int(i), sliceConstant(data, {start}, {start + sizes[size_t(i)]}, {axis}, {},
                                         *this));
      start += sizes[size_t(i)];
    }
  } else if (op == "Gather") {
    bindConstant(0, gather(input(0), input(1), intAttribute("axis", 0), *this));
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    Constant c = input(0);
    bindConstant(0, reshaped(c, squeezedShape(*this, c.shape)));
  } else if (op == "Concat") {
    if (n.input_size() == 0 || n.input_size() > 4096)
      unsupported("Concat of " + std::to_string(n.input_size()) + " inputs");
    Constant c = input(0);
    int64_t axis = normalizeAxis(intAttribute("axis", 0), int64_t(c.shape.size()), *this);
    for (int i = 1; i < n.input_size(); ++i) {
      const Constant &next = input(i);
      if (next.shape.size() != c.shape.size())
        unsupported("Concat of constants of different ranks");
      // Interleave along `axis`: outer blocks of both.
      int64_t outer = 1;
      for (int64_t d = 0; d < axis; ++d)
        outer *= c.shape[size_t(d)];
      int64_t blockA = outer ? c.size() / outer : 0, blockB = outer ? next.size() / outer : 0;
      std::vector<double> joined;
      for (int64_t o = 0; o < outer; ++o) {
        joined.insert(joined.end(), c.values.begin() + o * blockA,
                      c.values.begin() + (o + 1) * blockA);
        joined.insert(joined.end(), next.values.begin() + o * blockB,
                      next.values.begin() + (o + 1) * blockB);
      }
      c.values = std::move(joined);
      c.shape[size_t(axis)] += next.shape[size_t(axis)];
      c.integer = c.integer && next.integer;
    }
    bindConstant(0, c);
  } else if (op == "Slice") {
    const Constant &data = input(0);
    if (opset() < 10)
      bindConstant(0, sliceConstant(data, intsAttribute("starts"), intsAttribute("ends"),
                                    intsAttribute("axes"), {}, *this));
    else
      bindConstant(0, sliceConstant(data, input(1).ints(), input(2).ints(),
                                    hasInput(3) ? input(3).ints() : std::vector<int64_t>{},
                                    hasInput(4) ? input(4).ints() : std::vector<int64_t>{},
                                    *this));
  } else if (op == "Reshape" || op == "Flatten" || op == "Expand" || op == "Transpose") {
    if (op == "Transpose") {
      std::vector<int64_t> perm = intsAttribute("perm");
      if (perm.empty())
        for (int64_t d = int64_t(input(0).shape.size()); d-- > 0;)
          perm.push_back(d);
      bindConstant(0, transpose(input(0), perm));
    } else if (op == "Expand") {
      Shape target = input(1).ints();
      int64_t count = elementCount(target);
      if (count < 0 || count > maxComputedElements)
        unsupported("Expand to " + formatShape(target) + " (too large)");
      Constant ones = fromInts(std::vector<int64_t>(size_t(count), 1), target);
      bindConstant(0, broadcast(input(0), ones, [](double a, double) { return a; },
                                "node '" + n.name() + "'"));
    } else {
      bindConstant(0, reshaped(input(0), outputShape(0)));
    }
  } else if (op == "ConstantOfShape") {
    Shape shape = input(0).ints();
    int64_t count = elementCount(shape);
    if (count < 0 || count > maxComputedElements)
      unsupported("ConstantOfShape of " + formatShape(shape) + " (too large)");
    Constant c;
    c.shape = shape;
    double fill = 0;
    for (const auto &a : n.attribute())
      if (a.name() == "value")
        fill = readTensor(a.t(), "the value of '" + n.name() + "'").values.at(0);
    c.values.assign(size_t(count), fill);
    bindConstant(0, c);
  } else if (op == "Range") {
    double start = input(0).values.at(0), limit = input(1).values.at(0),
           delta = input(2).values.at(0);
    if (delta == 0)
      unsupported("Range with delta 0");
    double count = std::ceil((limit - start) / delta);
    if (!(count < double(maxComputedElements)))
      unsupported("Range of too many elements");
    Constant c;
    c.integer = input(0).integer;
    for (int64_t i = 0; i < int64_t(std::max(0.0, count)); ++i)
      c.values.push_back(start + double(i) * delta);
    c.shape = {c.size()};
    bindConstant(0, c);
  } else if (op == "Where") {
    Constant picked = broadcast(input(0), input(1), [](double c, double a) { return c ? a : 0; },
                                "node '" + n.name() + "'");
    Constant other = broadcast(input(0), input(2), [](double c, double b) { return c ? 0 : b; },
                               "node '" + n.name() + "'");
    bindConstant(0, broadcast(picked, other, [](double a, double b) { return a + b; },
                              "node '" + n.name() + "'"));
  } else {  // ReduceProd
    Constant c = input(0);
    if (!intsAttribute("axes").empty() && c.shape.size() != 1)
      return false;
    double product = 1;
    for (double v : c.values)
      product *= v;
    Constant r;
    r.integer = c.integer;
    r.values = {product};
    r.shape = intAttribute("keepdims", 1) ? Shape(c.shape.size(), 1) : Shape{};
    bindConstant(0, r);
  }
  return true;
}

std::vector<std::pair<std::string, Constant>> Importer::foldAll(std::set<int> &foldedNodes) {
  bindGraph(/*smallConstantsOnly=*/true);
  std::vector<std::pair<std::string, Constant>> folded;
  const onnx::GraphProto &graph = model.graph();
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    current = &n;
    bool done = false;
    try {
      bool defined = std::all_of(n.input().begin(), n.input().end(), [&](const std::string &in) {
        return in.empty() || values.count(in);
      });
      done = defined && foldConstants(n);
    } catch (const ImportError &) {
      // Left for the translation, which reports it at this node.
    }
    if (done) {
      foldedNodes.insert(i);
      for (const std::string &out : n.output())
        if (values.count(out))
          folded.push_back({out, values.at(out).constant});
      continue;
    }
    for (const std::string &out : n.output()) {
      Activation a;
      auto found = inferredShapes.find(out);
      a.shapeKnown = found != inferredShapes.end();
      if (a.shapeKnown)
        a.shape = found->second;
      GraphValue v;
      v.activation = int(activations.size());
      activations.push_back(a);
      values[out] = v;
    }
  }
  return folded;
}

} // namespace cnnc::onnx_import
