//===- Expressions.cpp - evaluating expressions ---------------------------===//

#include "frontend/Budget.h"
#include "frontend/Elaborator.h"

#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

#include <algorithm>
#include <cmath>

namespace cnnc {

using namespace detail;

Value Elaborator::eval(const ast::Expr &expr, Env &env) {
  tick(expr.location);
  Value value = evalExpr(expr, env);
  // Deeply nested lists would make printing, comparing and even freeing
  // them recurse without bound.
  if (value.getNesting() > maxListNesting)
    fail(expr.location, "lists nested deeper than " + std::to_string(maxListNesting) +
                            " levels");
  return value;
}

std::string Elaborator::printed(const Value &value, SourceLocation location) {
  std::string out;
  if (!value.appendTo(out, maxStringLength))
    fail(location, "the value spelled out is longer than the " +
                       std::to_string(maxStringLength) + " bytes a string may hold");
  return out;
}

Value Elaborator::evalExpr(const ast::Expr &expr, Env &env) {
  using Kind = ast::Expr::Kind;
  switch (expr.kind) {
  case Kind::Integer: return Value::integer(expr.integer);
  case Kind::Float: return Value::number(expr.number);
  case Kind::String: return Value::string(expr.text);
  case Kind::Bool: return Value::boolean(expr.integer);
  case Kind::None: return Value::none();
  case Kind::Name: return lookup(expr.text, expr.location, env);
  case Kind::List: {
    std::vector<Value> items;
    for (const ast::ExprPtr &item : expr.operands)
      items.push_back(eval(*item, env));
    return Value::list(std::move(items));
  }
  case Kind::Unary: {
    Value operand = eval(*expr.operands[0], env);
    if (operand.is(Value::Kind::Int)) {
      if (operand.getInt() == INT64_MIN)
        fail(expr.location, "integer overflow in '-'");
      return Value::integer(-operand.getInt());
    }
    if (operand.is(Value::Kind::Float))
      return Value::number(-operand.getNumber());
    if (operand.is(Value::Kind::Tensor))
      return scaleShift(expr, operand.getTensor(), -1, 0);
    fail(expr.location, "cannot negate " + operand.describe());
  }
  case Kind::Not:
    return Value::boolean(!truth(eval(*expr.operands[0], env), expr.location));
  case Kind::Logical: {
    bool lhs = truth(eval(*expr.operands[0], env), expr.operands[0]->location);
    if (expr.text == "and" ? !lhs : lhs)
      return Value::boolean(lhs);
    return Value::boolean(truth(eval(*expr.operands[1], env), expr.operands[1]->location));
  }
  case Kind::Conditional:
    return truth(eval(*expr.operands[1], env), expr.operands[1]->location)
               ? eval(*expr.operands[0], env)
               : eval(*expr.operands[2], env);
  case Kind::Index: {
    Value base = eval(*expr.operands[0], env);
    Value index = eval(*expr.operands[1], env);
    if (!base.is(Value::Kind::List))
      fail(expr.location, "only lists can be indexed, found " + base.describe());
    if (!index.is(Value::Kind::Int))
      fail(expr.operands[1]->location, "a list index must be an integer, found " +
                                           index.describe());
    int64_t size = base.getList().size(), i = index.getInt();
    if (i < -size || i >= size)
      fail(expr.operands[1]->location, "index " + std::to_string(i) +
                                           " is out of range for a list of " +
                                           std::to_string(size) + " elements");
    return base.getList()[i < 0 ? i + size : i];
  }
  case Kind::Comprehension: {
    Value iterable = eval(*expr.operands[1], env);
    if (!iterable.is(Value::Kind::List))
      fail(expr.operands[1]->location,
           "a list comprehension runs over a list, found " + iterable.describe());
    // Its variables are its own, as in Python: they do not leak out.
    Env inner = env;
    std::vector<Value> items;
    for (const Value &item : iterable.getList()) {
      bindTargets(*this, expr.targets, item, inner, expr.location);
      if (expr.operands.size() > 2 &&
          !truth(eval(*expr.operands[2], inner), expr.operands[2]->location))
        continue;
      items.push_back(eval(*expr.operands[0], inner));
    }
    return Value::list(std::move(items));
  }
  case Kind::Binary: return evalBinary(expr, env);
  case Kind::Call: return evalCall(expr, env);
  }
  fail(expr.location, "internal error: unknown expression");
}

Value Elaborator::evalBinary(const ast::Expr &expr, Env &env) {
  Value lhs = eval(*expr.operands[0], env);
  Value rhs = eval(*expr.operands[1], env);
  const std::string &op = expr.text;
  auto mismatch = [&]() -> Value {
    fail(expr.location, "operator '" + op + "' cannot combine " + lhs.describe() +
                            " and " + rhs.describe());
  };
  if (lhs.is(Value::Kind::Tensor) || rhs.is(Value::Kind::Tensor))
    return tensorBinary(expr, op, lhs, rhs);

  if (op == "==" || op == "!=") {
    bool equal;
    if (lhs.isNumber() && rhs.isNumber())
      equal = lhs.getNumber() == rhs.getNumber();
    else if (lhs.getKind() != rhs.getKind())
      equal = false;
    else
      equal = printed(lhs, expr.location) == printed(rhs, expr.location);
    return Value::boolean(op == "==" ? equal : !equal);
  }
  if (op == "<" || op == "<=" || op == ">" || op == ">=") {
    int order;
    if (lhs.isNumber() && rhs.isNumber())
      order = lhs.getNumber() < rhs.getNumber() ? -1 : lhs.getNumber() > rhs.getNumber();
    else if (lhs.is(Value::Kind::String) && rhs.is(Value::Kind::String))
      order = lhs.getString().compare(rhs.getString());
    else
      return mismatch();
    return Value::boolean(op == "<" ? order < 0 : op == "<=" ? order <= 0
                          : op == ">" ? order > 0 : order >= 0);
  }
  if (op == "+" && lhs.is(Value::Kind::String) && rhs.is(Value::Kind::String)) {
    checkLength(expr.location, lhs.getString().size() + rhs.getString().size(),
                maxStringLength, "string", "bytes");
    return Value::string(lhs.getString() + rhs.getString());
  }
  if (op == "+" && lhs.is(Value::Kind::List) && rhs.is(Value::Kind::List)) {
    checkLength(expr.location, lhs.getList().size() + rhs.getList().size(), maxListLength,
                "list", "elements");
    std::vector<Value> items = lhs.getList();
    items.insert(items.end(), rhs.getList().begin(), rhs.getList().end());
    return Value::list(std::move(items));
  }
  if (op == "*" && lhs.is(Value::Kind::List) && rhs.is(Value::Kind::Int)) {
    int64_t total;
    if (rhs.getInt() < 0 ||
        __builtin_mul_overflow(rhs.getInt(), int64_t(lhs.getList().size()), &total) ||
        total > maxListLength)
      fail(expr.location, "list repetition by " + std::to_string(rhs.getInt()) +
                              " is out of range (at most " + std::to_string(maxListLength) +
                              " elements)");
    std::vector<Value> items;
    for (int64_t i = 0; i < rhs.getInt(); ++i)
      items.insert(items.end(), lhs.getList().begin(), lhs.getList().end());
    return Value::list(std::move(items));
  }
  if (!lhs.isNumber() || !rhs.isNumber())
    return mismatch();

  bool integers = lhs.is(Value::Kind::Int) && rhs.is(Value::Kind::Int);
  double a = lhs.getNumber(), b = rhs.getNumber();
  if ((op == "/" || op == "//" || op == "%") && b == 0)
    fail(expr.location, "division by zero");
  if (integers) {
    int64_t x = lhs.getInt(), y = rhs.getInt();
    int64_t result = 0;
    bool overflow = false;
    if (op == "+" || op == "-" || op == "*") {
      overflow = op == "+"   ? __builtin_add_overflow(x, y, &result)
                 : op == "-" ? __builtin_sub_overflow(x, y, &result)
                             : __builtin_mul_overflow(x, y, &result);
      if (overflow)
        fail(expr.location, "integer overflow in '" + op + "'");
      return Value::integer(result);
    }
    if (op == "//" || op == "%") {
      if (x == INT64_MIN && y == -1)
        fail(expr.location, "integer overflow in '" + op + "'");
      int64_t quotient = x / y, remainder = x % y;
      if (remainder != 0 && ((remainder < 0) != (y < 0))) {
        --quotient;
        remainder += y;
      }
      return Value::integer(op == "//" ? quotient : remainder);
    }
    if (op == "**" && y >= 0) {
      // 0, 1 and -1 never overflow, whatever the exponent; any other base
      // overflows within 63 multiplications.
      if (x == 0 || x == 1)
        return Value::integer(y == 0 ? 1 : x);
      if (x == -1)
        return Value::integer(y % 2 ? -1 : 1);
      int64_t power = 1;
      for (int64_t i = 0; i < y; ++i)
        if (__builtin_mul_overflow(power, x, &power))
          fail(expr.location, "integer overflow in '**'");
      return Value::integer(power);
    }
  }
  if (op == "+") return Value::number(a + b);
  if (op == "-") return Value::number(a - b);
  if (op == "*") return Value::number(a * b);
  if (op == "/") return Value::number(a / b);
  if (op == "//") return Value::number(std::floor(a / b));
  if (op == "%") return Value::number(a - b * std::floor(a / b));
  if (op == "**") return Value::number(std::pow(a, b));
  return mismatch();
}

} // namespace cnnc
