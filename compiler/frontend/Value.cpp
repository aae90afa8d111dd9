//===- Value.cpp - values of the architecture language --------------------===//

#include "frontend/Elaborator.h"

#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

#include <algorithm>
#include <cmath>

namespace cnnc {

using namespace detail;

std::string Value::describe() const {
  switch (kind) {
  case Kind::None: return "none";
  case Kind::Bool: return "a boolean";
  case Kind::Int: return "an integer";
  case Kind::Float: return "a number";
  case Kind::String: return "a string";
  case Kind::List: return "a list";
  case Kind::Tensor: return "a tensor " + cnn::formatShape(getShape());
  case Kind::Callable: return "'" + text + "' (a block or layer)";
  }
  return "a value";
}

std::optional<std::vector<int64_t>> Value::getDimensions() const {
  if (kind != Kind::List || items->empty())
    return std::nullopt;
  std::vector<int64_t> dims;
  for (const Value &d : *items) {
    if (!d.is(Kind::Int) || d.getInt() <= 0)
      return std::nullopt;
    dims.push_back(d.getInt());
  }
  return dims;
}

bool Value::appendTo(std::string &out, size_t limit) const {
  switch (kind) {
  case Kind::None: out += "none"; break;
  case Kind::Bool: out += whole ? "true" : "false"; break;
  case Kind::Int: out += std::to_string(whole); break;
  case Kind::Float: out += std::to_string(real); break;
  case Kind::String: out += text; break;
  case Kind::List:
    out += "[";
    for (size_t i = 0; i < items->size(); ++i) {
      if (i)
        out += ", ";
      if (!(*items)[i].appendTo(out, limit))
        return false;
    }
    out += "]";
    break;
  case Kind::Tensor: out += "tensor " + cnn::formatShape(getShape()); break;
  case Kind::Callable: out += text; break;
  }
  return out.size() <= limit;
}

std::string Value::str(size_t limit) const {
  std::string out;
  if (!appendTo(out, limit))
    out = out.substr(0, limit) + "...";
  return out;
}

} // namespace cnnc
