//===- Value.h - values of the architecture language ----------------------===//
//
// Elaboration runs the program: numbers, strings and lists are computed,
// tensors are SSA values of the cnn dialect under construction, and blocks
// and built-in layers are values too, so `act=relu` can be passed around.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_VALUE_H
#define CNNC_FRONTEND_VALUE_H

#include "frontend/AST.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cnnc {

struct BoundCall;

class Value {
public:
  enum class Kind { None, Bool, Int, Float, String, List, Tensor, Callable };

  static Value none() { return Value(Kind::None); }
  static Value boolean(bool b) { Value v(Kind::Bool); v.whole = b; return v; }
  static Value integer(int64_t i) { Value v(Kind::Int); v.whole = i; return v; }
  static Value number(double d) { Value v(Kind::Float); v.real = d; return v; }
  static Value string(std::string s) { Value v(Kind::String); v.text = std::move(s); return v; }
  static Value list(std::vector<Value> items) {
    Value v(Kind::List);
    for (const Value &item : items)
      v.nesting = std::max(v.nesting, item.nesting + 1);
    v.items = std::make_shared<std::vector<Value>>(std::move(items));
    return v;
  }
  static Value tensor(mlir::Value t) { Value v(Kind::Tensor); v.ssa = t; return v; }
  /// A user block, or a built-in when `block` is null (named by `name`).
  static Value callable(std::string name, const ast::Block *block,
                        std::shared_ptr<const BoundCall> bound = nullptr) {
    Value v(Kind::Callable);
    v.text = std::move(name);
    v.block = block;
    v.bound = std::move(bound);
    return v;
  }

  Kind getKind() const { return kind; }
  bool is(Kind k) const { return kind == k; }
  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }

  int64_t getInt() const { return whole; }
  bool getBool() const { return whole != 0; }
  double getNumber() const { return kind == Kind::Int ? double(whole) : real; }
  const std::string &getString() const { return text; }
  const std::vector<Value> &getList() const { return *items; }
  mlir::Value getTensor() const { return ssa; }
  llvm::ArrayRef<int64_t> getShape() const {
    return llvm::cast<mlir::RankedTensorType>(ssa.getType()).getShape();
  }
  const std::string &getCallableName() const { return text; }
  const ast::Block *getBlock() const { return block; }
  /// The arguments `partial` bound to a callable, or null.
  const BoundCall *getBound() const { return bound.get(); }

  /// A non-empty list of positive integers (a shape), or nothing.
  std::optional<std::vector<int64_t>> getDimensions() const;

  /// "an integer", "a tensor 1x64x56x56", ... for messages.
  std::string describe() const;
  /// The value as the language would print it, cut short with "..." past
  /// `limit` bytes (lists that share items can spell out exponentially).
  std::string str(size_t limit = 1 << 20) const;
  /// Appends str() to `out`; false once `out` passes `limit` bytes.
  bool appendTo(std::string &out, size_t limit) const;
  /// How deeply lists nest in this value: 0 for a non-list, 1 for a flat list.
  int getNesting() const { return nesting; }

private:
  explicit Value(Kind kind) : kind(kind) {}

public:
  Value() : kind(Kind::None) {}

private:
  Kind kind;
  int64_t whole = 0;
  double real = 0;
  std::string text;
  std::shared_ptr<std::vector<Value>> items;
  mlir::Value ssa;
  const ast::Block *block = nullptr;
  std::shared_ptr<const BoundCall> bound;
  int nesting = 0;
};

/// What `partial(f, ...)` binds: arguments that go before a call's own
/// positional ones, and keywords that the call's own may replace.
struct BoundCall {
  std::vector<std::pair<Value, SourceLocation>> positional;
  std::vector<std::pair<std::string, std::pair<Value, SourceLocation>>> keywords;
};

} // namespace cnnc

#endif // CNNC_FRONTEND_VALUE_H
