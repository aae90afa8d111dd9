//===- Constant.cpp - constant tensors of an ONNX graph -------------------===//

#include "onnximport/Constant.h"
#include "onnximport/Importer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace cnnc::onnx_import {

std::vector<int64_t> Constant::ints() const {
  // Exporters write INT64_MAX for "to the end" (Slice); such values clamp
  // to +-2^62, which every consumer bounds further.
  constexpr double limit = double(int64_t(1) << 62);
  std::vector<int64_t> result;
  for (double v : values) {
    if (std::isnan(v))
      throw ImportError("an integer value is not a number");
    result.push_back(int64_t(std::max(-limit, std::min(limit, v))));
  }
  return result;
}

std::string elementsText(const Shape &shape) {
  // In double: the count may be beyond any integer type.
  double count = 1;
  for (int64_t d : shape)
    count *= double(d);
  char text[32];
  std::snprintf(text, sizeof text, count < 1e15 ? "%.0f" : "%.3g", count);
  return text;
}

int64_t elementCount(const Shape &shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return -1;
    if (d != 0 && count > maxConstantElements / d)
      return -1;
    count *= d;
  }
  return count >= maxConstantElements ? -1 : count;
}

std::string formatShape(const Shape &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

namespace {

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int shift = 0;
      while (!(mantissa & 0x400)) {
        mantissa <<= 1;
        ++shift;
      }
      bits = sign | uint32_t(127 - 15 - shift + 1) << 23 | (mantissa & 0x3ff) << 13;
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000 | mantissa << 13;
  } else {
    bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <typename T> double load(const std::string &raw, int64_t i) {
  T value;
  std::memcpy(&value, raw.data() + i * sizeof(T), sizeof(T));
  return double(value);
}

} // namespace

Constant readTensor(const onnx::TensorProto &tensor, const std::string &what) {
  Constant c;
  c.dataType = tensor.data_type();
  for (int64_t d : tensor.dims())
    c.shape.push_back(d);
  if (c.shape.size() > 8)
    throw ImportError(what + " has rank " + std::to_string(c.shape.size()) + " (at most 8)");
  int64_t count = elementCount(c.shape);
  if (count < 0)
    throw ImportError(what + " has shape " + formatShape(c.shape) +
                      ": negative, or 2^28 elements or more");
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL || tensor.external_data_size())
    throw ImportError(what + " keeps its data in an external file, which is not supported "
                             "(save the model with its weights inside)");
  using T = onnx::TensorProto;
  int type = tensor.data_type();
  size_t width = 0;
  switch (type) {
  case T::FLOAT: case T::INT32: width = 4; break;
  case T::DOUBLE: case T::INT64: width = 8; break;
  case T::FLOAT16: case T::INT16: case T::UINT16: case T::BFLOAT16: width = 2; break;
  case T::INT8: case T::UINT8: case T::BOOL: width = 1; break;
  default:
    throw ImportError(what + " has element type " + std::to_string(type) +
                      " (supported: float, float16, bfloat16, double, and integers)");
  }
  c.integer = !(type == T::FLOAT || type == T::DOUBLE || type == T::FLOAT16 || type == T::BFLOAT16);
  // The data is checked against the shape before anything is allocated, so
  // a small file cannot claim a large tensor.
  int64_t have = tensor.has_raw_data() ? int64_t(tensor.raw_data().size() / width)
                 : type == T::FLOAT    ? tensor.float_data_size()
                 : type == T::DOUBLE   ? tensor.double_data_size()
                 : type == T::INT64    ? tensor.int64_data_size()
                                       : tensor.int32_data_size();
  if (have != count || (tensor.has_raw_data() && tensor.raw_data().size() % width))
    throw ImportError(what + " holds " + std::to_string(have) + " values, expected " +
                      std::to_string(count) + " for shape " + formatShape(c.shape));
  c.values.resize(size_t(count));
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    for (int64_t i = 0; i < count; ++i) {
      double v = 0;
      switch (type) {
      case T::FLOAT: v = load<float>(raw, i); break;
      case T::DOUBLE: v = load<double>(raw, i); break;
      case T::INT64: v = load<int64_t>(raw, i); break;
      case T::INT32: v = load<int32_t>(raw, i); break;
      case T::INT16: v = load<int16_t>(raw, i); break;
      case T::UINT16: v = load<uint16_t>(raw, i); break;
      case T::INT8: v = load<int8_t>(raw, i); break;
      case T::UINT8: case T::BOOL: v = load<uint8_t>(raw, i); break;
      case T::FLOAT16: v = halfToFloat(uint16_t(load<uint16_t>(raw, i))); break;
      case T::BFLOAT16: {
        uint32_t bits = uint32_t(uint16_t(load<uint16_t>(raw, i))) << 16;
        float f;
        std::memcpy(&f, &bits, 4);
        v = f;
        break;
      }
      }
      c.values[size_t(i)] = v;
    }
    return c;
  }
  auto expect = [&](int64_t have) {
    if (have != count)
      throw ImportError(what + " holds " + std::to_string(have) + " values, expected " +
                        std::to_string(count) + " for shape " + formatShape(c.shape));
  };
  switch (type) {
  case T::FLOAT:
    expect(tensor.float_data_size());
    for (int64_t i = 0; i < count; ++i)
      c.values[size_t(i)] = tensor.float_data(int(i));
    break;
  case T::DOUBLE:
    expect(tensor.double_data_size());
    for (int64_t i = 0; i < count; ++i)
      c.values[size_t(i)] = tensor.double_data(int(i));
    break;
  case T::INT64:
    expect(tensor.int64_data_size());
    for (int64_t i = 0; i < count; ++i)
      c.values[size_t(i)] = double(tensor.int64_data(int(i)));
    break;
  default:  // int32_data holds every narrower type, float16 as its bits
    expect(tensor.int32_data_size());
    for (int64_t i = 0; i < count; ++i) {
      int32_t v = tensor.int32_data(int(i));
      c.values[size_t(i)] = type == T::FLOAT16 ? halfToFloat(uint16_t(v)) : double(v);
    }
  }
  return c;
}

Constant filled(int64_t count, double value) {
  if (count < 0 || count > maxComputedElements)
    throw ImportError("a vector of " + std::to_string(count) + " default values is too large");
  return Constant{{count}, std::vector<double>(size_t(count), value), false};
}

Constant broadcast(const Constant &a, const Constant &b,
                   const std::function<double(double, double)> &op, const std::string &what) {
  size_t rank = std::max(a.shape.size(), b.shape.size());
  Shape shape(rank), sa(rank, 1), sb(rank, 1);
  std::copy(a.shape.begin(), a.shape.end(), sa.begin() + (rank - a.shape.size()));
  std::copy(b.shape.begin(), b.shape.end(), sb.begin() + (rank - b.shape.size()));
  for (size_t i = 0; i < rank; ++i) {
    if (sa[i] != sb[i] && sa[i] != 1 && sb[i] != 1)
      throw ImportError(what + ": shapes " + formatShape(a.shape) + " and " +
                        formatShape(b.shape) + " do not broadcast");
    shape[i] = sa[i] == 1 ? sb[i] : sa[i];
  }
  int64_t count = elementCount(shape);
  if (count < 0 || count > std::max<int64_t>({maxComputedElements, a.size(), b.size()}))
    throw ImportError(what + ": the result " + formatShape(shape) + " is too large");
  Constant c;
  c.shape = shape;
  c.integer = a.integer && b.integer;
  c.values.resize(size_t(count));
  std::vector<int64_t> index(rank, 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      ia = ia * sa[d] + (sa[d] == 1 ? 0 : index[d]);
      ib = ib * sb[d] + (sb[d] == 1 ? 0 : index[d]);
    }
    c.values[size_t(flat)] = op(a.values[size_t(ia)], b.values[size_t(ib)]);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return c;
}

Constant transpose(const Constant &c, const std::vector<int64_t> &permutation) {
  size_t rank = c.shape.size();
  Constant t;
  t.integer = c.integer;
  for (int64_t p : permutation)
    t.shape.push_back(c.shape[size_t(p)]);
  std::vector<int64_t> strides(rank, 1);
  for (size_t d = rank; d-- > 1;)
    strides[d - 1] = strides[d] * c.shape[d];
  t.values.resize(c.values.size());
  std::vector<int64_t> index(rank, 0);
  for (size_t flat = 0; flat < t.values.size(); ++flat) {
    int64_t source = 0;
    for (size_t d = 0; d < rank; ++d)
      source += index[d] * strides[size_t(permutation[d])];
    t.values[flat] = c.values[size_t(source)];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < t.shape[d])
        break;
      index[d] = 0;
    }
  }
  return t;
}

} // namespace cnnc::onnx_import
