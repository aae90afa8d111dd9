//===- Functions.cpp - built-in functions on numbers, lists and shapes ----===//
//
// What a network description computes besides layers: channel counts
// (`ch(x) * 4`), rounding for width multipliers (`make_divisible`), stage
// tables (`range`, `enumerate`, `len`), and the math of width rules (`log`,
// `sqrt`, `exp`).
//
//===----------------------------------------------------------------------===//

#include "frontend/Elaborator.h"

#include <cmath>

namespace cnnc::detail {

void addLayerBuiltins(std::map<std::string, Builtin> &table);
Value tensorFunction(Elaborator &e, BoundArguments &args);
Value tensorExtreme(Elaborator &e, BoundArguments &args, bool largest);

namespace {

using Args = BoundArguments;

/// A list-length limit that keeps a typo like range(10 ** 12) from running
/// for ever.
constexpr int64_t maxRange = 1 << 20;

const Value &arg(const Args &args, const std::string &name) {
  return args.values.at(name);
}

Value number(Elaborator &e, const Args &args, double value) {
  if (!std::isfinite(value))
    e.fail(args.location, "'" + args.callee + "' gives a value that is not finite");
  return Value::number(value);
}

int64_t toInteger(Elaborator &e, const Args &args, double value) {
  if (!std::isfinite(value) || std::fabs(value) > 9.0e18)
    e.fail(args.location, "'" + args.callee + "' gives a value out of integer range");
  return static_cast<int64_t>(value);
}

Value channels(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  const Value &value = arg(args, "x");
  if (value.getShape().size() < 2)
    e.fail(e.argLocation(args, "x"), "ch() needs a tensor with a channel dimension, "
                                      "found " + value.describe());
  (void)x;
  return Value::integer(value.getShape()[1]);
}

Value shape(Elaborator &e, Args &args) {
  e.tensorArg(args, "x");
  std::vector<Value> dims;
  for (int64_t d : arg(args, "x").getShape())
    dims.push_back(Value::integer(d));
  return Value::list(std::move(dims));
}

Value length(Elaborator &e, Args &args) {
  const Value &value = arg(args, "x");
  if (value.is(Value::Kind::List))
    return Value::integer(value.getList().size());
  if (value.is(Value::Kind::String))
    return Value::integer(value.getString().size());
  e.fail(e.argLocation(args, "x"), "len() needs a list or a string, found " +
                                       value.describe());
}

Value range(Elaborator &e, Args &args) {
  // range(n) or range(start, stop[, step]).
  int64_t start = 0, stop, step = 1;
  if (e.isNone(args, "stop")) {
    stop = e.intArg(args, "start", INT64_MIN);
  } else {
    start = e.intArg(args, "start", INT64_MIN);
    stop = e.intArg(args, "stop", INT64_MIN);
  }
  if (!e.isNone(args, "step"))
    step = e.intArg(args, "step", INT64_MIN);
  if (step == 0)
    e.fail(e.argLocation(args, "step"), "range() step must not be zero");
  std::vector<Value> items;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (static_cast<int64_t>(items.size()) >= maxRange)
      e.fail(args.location, "range() would have more than " + std::to_string(maxRange) +
                                " elements");
    items.push_back(Value::integer(i));
  }
  return Value::list(std::move(items));
}

Value enumerate(Elaborator &e, Args &args) {
  const Value &list = arg(args, "x");
  if (!list.is(Value::Kind::List))
    e.fail(e.argLocation(args, "x"), "enumerate() needs a list, found " + list.describe());
  int64_t start = e.intArg(args, "start", INT64_MIN);
  std::vector<Value> pairs;
  for (const Value &item : list.getList())
    pairs.push_back(Value::list({Value::integer(start++), item}));
  return Value::list(std::move(pairs));
}

/// min and max over their arguments, or over one list.
Value extreme(Elaborator &e, Args &args, bool wantMax) {
  std::vector<Value> items;
  const Value &first = arg(args, "x");
  if (first.is(Value::Kind::List) && args.rest.empty())
    items = first.getList();
  else {
    items.push_back(first);
    items.insert(items.end(), args.rest.begin(), args.rest.end());
  }
  if (items.empty())
    e.fail(args.location, args.callee + "() of an empty list");
  Value best = items[0];
  for (const Value &item : items) {
    if (!item.isNumber())
      e.fail(args.location, args.callee + "() compares numbers, found " + item.describe());
    if (wantMax ? item.getNumber() > best.getNumber() : item.getNumber() < best.getNumber())
      best = item;
  }
  return best;
}

Value toInt(Elaborator &e, Args &args) {
  const Value &value = arg(args, "x");
  if (value.is(Value::Kind::Int) || value.is(Value::Kind::Bool))
    return Value::integer(value.getInt());
  double x = e.numberArg(args, "x");
  return Value::integer(toInteger(e, args, std::trunc(x)));
}

/// Rounds a scaled channel count to a multiple of `divisor`, never going
/// more than 10% below it: the rule MobileNet and EfficientNet use.
Value makeDivisible(Elaborator &e, Args &args) {
  double value = e.numberArg(args, "v");
  int64_t divisor = e.intArg(args, "divisor", 1);
  int64_t minimum = e.isNone(args, "min_value") ? divisor : e.intArg(args, "min_value", 1);
  int64_t rounded = std::max<int64_t>(
      minimum, toInteger(e, args, value + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * value)
    rounded += divisor;
  return Value::integer(rounded);
}

} // namespace

const std::map<std::string, Builtin> &builtins() {
  static const std::map<std::string, Builtin> table = [] {
    std::map<std::string, Builtin> t;
    addLayerBuiltins(t);
    using P = Builtin::Param;
    auto fn = [&](const std::string &name, std::vector<P> params,
                  std::function<Value(Elaborator &, BoundArguments &)> run,
                  bool variadic = false) {
      t[name] = Builtin{std::move(params), /*isLayer=*/false, variadic, std::move(run)};
    };
    Value none = Value::none();
    fn("ch", {{"x"}}, channels);
    fn("shape", {{"x"}}, shape);
    fn("len", {{"x"}}, length);
    fn("range", {{"start"}, {"stop", none}, {"step", none}}, range);
    fn("enumerate", {{"x"}, {"start", Value::integer(0)}}, enumerate);
    fn("min", {{"x"}}, [](Elaborator &e, Args &a) { return extreme(e, a, false); }, true);
    fn("max", {{"x"}}, [](Elaborator &e, Args &a) { return extreme(e, a, true); }, true);
    fn("int", {{"x"}}, toInt);
    fn("float", {{"x"}}, [](Elaborator &e, Args &a) {
      return number(e, a, e.numberArg(a, "x"));
    });
    fn("round", {{"x"}}, [](Elaborator &e, Args &a) {
      // Halves round to even, as Python does.
      return Value::integer(toInteger(e, a, std::nearbyint(e.numberArg(a, "x"))));
    });
    fn("ceil", {{"x"}}, [](Elaborator &e, Args &a) {
      return Value::integer(toInteger(e, a, std::ceil(e.numberArg(a, "x"))));
    });
    fn("floor", {{"x"}}, [](Elaborator &e, Args &a) {
      return Value::integer(toInteger(e, a, std::floor(e.numberArg(a, "x"))));
    });
    // RegNet's widths come from a log-linear rule; these read as in Python's math.
    fn("log", {{"x"}, {"base", none}}, [](Elaborator &e, Args &a) {
      double x = e.numberArg(a, "x");
      if (x <= 0)
        e.fail(e.argLocation(a, "x"), "log() needs a positive number, found " + a.values.at("x").str());
      if (e.isNone(a, "base"))
        return number(e, a, std::log(x));
      double base = e.numberArg(a, "base");
      if (base <= 0 || base == 1)
        e.fail(e.argLocation(a, "base"), "log() needs a positive base other than 1");
      return number(e, a, std::log(x) / std::log(base));
    });
    fn("sqrt", {{"x"}}, [](Elaborator &e, Args &a) {
      double x = e.numberArg(a, "x");
      if (x < 0)
        e.fail(e.argLocation(a, "x"), "sqrt() needs a number that is not negative, found " +
                                          a.values.at("x").str());
      return number(e, a, std::sqrt(x));
    });
    fn("exp", {{"x"}}, [](Elaborator &e, Args &a) {
      return number(e, a, std::exp(e.numberArg(a, "x")));
    });
    for (const char *name : {"exp", "log", "sqrt", "min", "max"}) {
      Builtin &function = t[name];
      function.layerOfTensors = true;
      function.run = [numbers = function.run](Elaborator &e, Args &a) {
        bool tensor = a.values.at("x").is(Value::Kind::Tensor);
        for (const Value &v : a.rest)
          tensor = tensor || v.is(Value::Kind::Tensor);
        if (tensor && (a.callee == "min" || a.callee == "max"))
          return tensorExtreme(e, a, a.callee == "max");
        if (tensor)
          return tensorFunction(e, a);
        if (!a.layerName.empty())
          e.fail(a.call->layerNameLocation,
                 "'" + a.callee + "' of a number makes no layer, so it takes no name");
        return numbers(e, a);
      };
    }
    // Handled where calls are made (Elaborator::bindPartially); listed so
    // that the name is known.
    fn("partial", {{"f"}}, [](Elaborator &e, Args &a) -> Value {
      e.fail(a.location, "internal error: partial() reached the built-in table");
    }, /*variadic=*/true);
    fn("str", {{"x"}}, [](Elaborator &e, Args &a) {
      return Value::string(e.printed(a.values.at("x"), a.location));
    });
    fn("make_divisible", {{"v"}, {"divisor", Value::integer(8)}, {"min_value", none}},
       makeDivisible);
    return t;
  }();
  return table;
}

} // namespace cnnc::detail
