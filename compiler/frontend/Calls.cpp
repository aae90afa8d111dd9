//===- Calls.cpp - calls of blocks and built-ins, and their arguments -----===//

#include "frontend/Budget.h"
#include "frontend/Elaborator.h"

#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

#include <algorithm>
#include <cmath>

namespace cnnc {

using namespace detail;

Value Elaborator::evalCall(const ast::Expr &expr, Env &env) {
  Value target = lookup(expr.text, expr.location, env);
  if (!target.is(Value::Kind::Callable))
    fail(expr.location, "'" + expr.text + "' is " + target.describe() +
                            ", not a block or layer, so it cannot be called");
  BoundArguments args;
  args.call = &expr;
  args.callee = target.getCallableName();
  args.location = expr.location;
  args.spliced = expr.spliced;
  if (expr.spliced && !target.getBlock())
    fail(expr.location, "'*' splices a block's layers into a sequential; '" + args.callee +
                            "' is a built-in (call it without '*')");
  if (expr.spliced && !scopes.back().sequential)
    fail(expr.location, "'*" + args.callee + "(...)' numbers its layers in the enclosing "
                        "sequential block, and there is none here (call it without '*')");
  std::vector<std::pair<Value, SourceLocation>> positional;
  std::vector<std::pair<std::string, std::pair<Value, SourceLocation>>> keywords;
  if (const BoundCall *bound = target.getBound()) {
    positional = bound->positional;
    keywords = bound->keywords;
  }
  for (const ast::Argument &argument : expr.arguments) {
    Value value = eval(*argument.value, env);
    if (argument.keyword.empty()) {
      positional.push_back({value, argument.location});
      continue;
    }
    // A keyword given at the call replaces one that `partial` bound.
    llvm::erase_if(keywords, [&](auto &k) { return k.first == argument.keyword; });
    keywords.push_back({argument.keyword, {value, argument.location}});
  }
  if (!target.getBlock() && args.callee == "partial")
    return bindPartially(expr, positional, keywords);
  if (!expr.layerName.empty())
    args.layerName = evalLayerName(expr, env);
  return invoke(target, args, std::move(positional), std::move(keywords));
}

/// partial(f, a, k=v): f with `a` and `k=v` bound, as functools.partial
/// (ResNeXt's bottleneck with groups=32, passed to the zoo's resnet block).
/// The arguments are checked when the result is called.
Value Elaborator::bindPartially(
    const ast::Expr &expr, std::vector<std::pair<Value, SourceLocation>> &positional,
    std::vector<std::pair<std::string, std::pair<Value, SourceLocation>>> &keywords) {
  if (!expr.layerName.empty())
    fail(expr.layerNameLocation, "'partial' makes no layer, so it takes no name");
  if (positional.empty() || !positional[0].first.is(Value::Kind::Callable))
    fail(expr.location, "partial() needs a block or layer first, found " +
                            (positional.empty() ? std::string("nothing")
                                                : positional[0].first.describe()));
  Value target = positional[0].first;
  auto bound = std::make_shared<BoundCall>();
  if (const BoundCall *earlier = target.getBound())
    *bound = *earlier;
  bound->positional.insert(bound->positional.end(), positional.begin() + 1, positional.end());
  for (auto &keyword : keywords) {
    llvm::erase_if(bound->keywords, [&](auto &k) { return k.first == keyword.first; });
    bound->keywords.push_back(keyword);
  }
  return Value::callable(target.getCallableName(), target.getBlock(), std::move(bound));
}

Value Elaborator::invoke(
    const Value &target, BoundArguments &args,
    std::vector<std::pair<Value, SourceLocation>> positional,
    std::vector<std::pair<std::string, std::pair<Value, SourceLocation>>> keywords) {
  // Parameter names and defaults, from the block or the built-in table.
  std::vector<std::pair<std::string, const void *>> params;
  const ast::Block *block = target.getBlock();
  const Builtin *builtin = nullptr;
  if (block) {
    for (const ast::Parameter &p : block->parameters)
      params.push_back({p.name, p.defaultValue.get()});
  } else {
    builtin = &builtins().at(target.getCallableName());
    for (const Builtin::Param &p : builtin->params)
      params.push_back({p.name, p.defaultValue ? &*p.defaultValue : nullptr});
    if (!builtin->isLayer && !builtin->layerOfTensors && !args.layerName.empty())
      fail(args.call->layerNameLocation, "'" + args.callee +
                                             "' makes no layer, so it takes no name");
  }
  const std::string &callee = args.callee;
  std::string what = block ? "block '" + callee + "'" : "'" + callee + "'";

  // A variadic built-in takes its first parameter by position and gathers
  // the remaining positional arguments; its options go by name.
  size_t fixed = builtin && builtin->variadic ? 1 : params.size();
  if (positional.size() > fixed && !(builtin && builtin->variadic))
    fail(positional[fixed].second, what + " takes " + std::to_string(fixed) +
                                       " argument" + (fixed == 1 ? "" : "s") +
                                       ", but " + std::to_string(positional.size()) +
                                       " were given");
  for (size_t i = 0; i < positional.size(); ++i) {
    if (i < fixed) {
      args.values[params[i].first] = positional[i].first;
      args.locations[params[i].first] = positional[i].second;
    } else {
      args.rest.push_back(positional[i].first);
    }
  }
  for (auto &[keyword, value] : keywords) {
    auto param = std::find_if(params.begin(), params.end(),
                              [&](auto &p) { return p.first == keyword; });
    if (param == params.end()) {
      std::string known;
      for (auto &p : params)
        known += (known.empty() ? "" : ", ") + p.first;
      fail(value.second, what + " has no parameter '" + keyword + "' (it has: " +
                             known + ")");
    }
    if (args.values.count(keyword))
      fail(value.second, "argument '" + keyword + "' of " + what +
                             " is given both by position and by name");
    args.values[keyword] = value.first;
    args.locations[keyword] = value.second;
  }

  if (block) {
    Env defaults;
    for (const ast::Parameter &p : block->parameters)
      if (!args.values.count(p.name)) {
        if (!p.defaultValue)
          fail(args.location, what + " needs argument '" + p.name + "'");
        args.values[p.name] = eval(*p.defaultValue, defaults);
        args.locations[p.name] = p.location;
      }
    return callBlock(*block, args, args.location);
  }
  for (const Builtin::Param &p : builtin->params)
    if (!args.values.count(p.name)) {
      if (!p.defaultValue)
        fail(args.location, what + " needs argument '" + p.name + "'");
      args.values[p.name] = *p.defaultValue;
      args.locations[p.name] = args.location;
    }
  return builtin->run(*this, args);
}

Value Elaborator::callBlock(const ast::Block &block, BoundArguments &args,
                            SourceLocation location) {
  if (callStack.size() >= maxCallDepth)
    fail(location, "block calls nest deeper than " + std::to_string(maxCallDepth) +
                       " levels (runaway recursion in '" + block.name + "'?)");
  // The block's scope: named by `as`, numbered inside a sequential parent,
  // or transparent (sharing the parent's prefix and counters).
  NameScope &parent = scopes.back();
  NameScope scope;
  // Inside a sequential parent an unnamed call takes the next position, but
  // only if it makes a layer: a block that computes a number is no module.
  bool takesPosition = args.layerName.empty() && parent.sequential && !args.spliced;
  std::shared_ptr<int> parentIndex = parent.nextIndex;
  uint64_t layersBefore = layersMade;
  if (args.spliced) {
    // The helper's layers are the parent's next children, numbered by its
    // counter: nn.Sequential(*helper()).
    scope.prefix = parent.prefix;
    scope.nextIndex = parent.nextIndex;
    scope.autoCounters = parent.autoCounters;
  } else if (!args.layerName.empty() || parent.sequential) {
    std::string relative = !args.layerName.empty()
                               ? args.layerName
                               : std::to_string(*parent.nextIndex);
    scope.prefix = parent.prefix.empty() ? relative : parent.prefix + "." + relative;
    scope.nextIndex = std::make_shared<int>(0);
    scope.autoCounters = std::make_shared<std::map<std::string, int>>();
  } else {
    scope.prefix = parent.prefix;
    scope.nextIndex = block.sequential ? std::make_shared<int>(0) : parent.nextIndex;
    scope.autoCounters = parent.autoCounters;
  }
  scope.sequential = block.sequential || args.spliced;

  Env env = args.values;
  callStack.push_back({block.name, location});
  scopes.push_back(scope);
  Value result = Value::none();
  if (block.expression) {
    result = eval(*block.expression, env);
  } else {
    std::optional<Returned> returned = exec(block.body, env);
    if (!returned)
      fail(block.location, "block '" + block.name + "' ends without 'return'");
    result = returned->values.size() == 1 ? returned->values[0]
                                          : Value::list(returned->values);
  }
  scopes.pop_back();
  callStack.pop_back();
  if (takesPosition && layersMade != layersBefore)
    ++*parentIndex;
  return result;
}

SourceLocation Elaborator::argLocation(const BoundArguments &args,
                                       const std::string &name) {
  auto it = args.locations.find(name);
  return it == args.locations.end() ? args.location : it->second;
}

mlir::Value Elaborator::tensorArg(const BoundArguments &args, const std::string &name,
                                  int rank) {
  const Value &value = args.values.at(name);
  if (!value.is(Value::Kind::Tensor))
    fail(argLocation(args, name), "argument '" + name + "' of '" + args.callee +
                                      "' must be a tensor, found " + value.describe());
  if (rank >= 0 && static_cast<int>(value.getShape().size()) != rank)
    fail(argLocation(args, name),
         "argument '" + name + "' of '" + args.callee + "' must be a " +
             std::to_string(rank) + "-D tensor" +
             (rank == 4 ? " [batch, channels, height, width]"
                        : rank == 2 ? " [batch, features]" : "") +
             ", found " + value.describe() +
             (rank == 2 && value.getShape().size() == 4 ? " (flatten it first)" : ""));
  return value.getTensor();
}

int64_t Elaborator::intArg(const BoundArguments &args, const std::string &name,
                           int64_t minimum) {
  const Value &value = args.values.at(name);
  if (!value.is(Value::Kind::Int))
    fail(argLocation(args, name), "argument '" + name + "' of '" + args.callee +
                                      "' must be an integer, found " + value.describe());
  if (value.getInt() < minimum)
    fail(argLocation(args, name), "argument '" + name + "' of '" + args.callee +
                                      "' must be at least " + std::to_string(minimum) +
                                      ", found " + std::to_string(value.getInt()));
  return value.getInt();
}

double Elaborator::numberArg(const BoundArguments &args, const std::string &name) {
  const Value &value = args.values.at(name);
  if (!value.isNumber())
    fail(argLocation(args, name), "argument '" + name + "' of '" + args.callee +
                                      "' must be a number, found " + value.describe());
  return value.getNumber();
}

bool Elaborator::boolArg(const BoundArguments &args, const std::string &name) {
  const Value &value = args.values.at(name);
  if (!value.is(Value::Kind::Bool))
    fail(argLocation(args, name), "argument '" + name + "' of '" + args.callee +
                                      "' must be true or false, found " +
                                      value.describe());
  return value.getBool();
}

std::string Elaborator::stringArg(const BoundArguments &args, const std::string &name) {
  const Value &value = args.values.at(name);
  if (!value.is(Value::Kind::String))
    fail(argLocation(args, name), "argument '" + name + "' of '" + args.callee +
                                      "' must be a string, found " + value.describe());
  return value.getString();
}

std::vector<int64_t> Elaborator::intsArg(const BoundArguments &args,
                                         const std::string &name, size_t count,
                                         int64_t minimum) {
  const Value &value = args.values.at(name);
  std::vector<int64_t> result;
  bool valid = true;
  if (value.is(Value::Kind::Int)) {
    result.assign(count, value.getInt());
  } else if (value.is(Value::Kind::List) && value.getList().size() == count) {
    for (const Value &item : value.getList()) {
      valid &= item.is(Value::Kind::Int);
      result.push_back(item.getInt());
    }
  } else {
    valid = false;
  }
  if (!valid)
    fail(argLocation(args, name), "argument '" + name + "' of '" + args.callee +
                                      "' must be an integer or a list of " +
                                      std::to_string(count) + " integers, found " +
                                      value.str());
  for (int64_t v : result)
    if (v < minimum)
      fail(argLocation(args, name), "argument '" + name + "' of '" + args.callee +
                                        "' must be at least " + std::to_string(minimum) +
                                        ", found " + value.str());
  return result;
}

} // namespace cnnc
