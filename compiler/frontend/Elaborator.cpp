//===- Elaborator.cpp - runs a .cnn program, producing the cnn dialect ----===//

#include "frontend/Elaborator.h"
#include "frontend/Parser.h"

#include "cnn/IR/CnnDialect.h"
#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

#include "mlir/IR/Verifier.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace cnnc {

using namespace detail;

//===----------------------------------------------------------------------===//
// Loading files
//===----------------------------------------------------------------------===//

static void loadFile(int file, SourceManager &sources,
                     DiagnosticEngine &diagnostics,
                     std::vector<std::unique_ptr<ast::File>> &files,
                     std::vector<std::string> &loading,
                     std::set<std::string> &loaded) {
  auto tree = std::make_unique<ast::File>(parse(file, sources, diagnostics));
  std::filesystem::path directory =
      std::filesystem::path(sources.getPath(file)).parent_path();
  ast::File &parsed = *tree;
  files.push_back(std::move(tree));
  for (const ast::Include &include : parsed.includes) {
    std::filesystem::path path = directory / include.path;
    std::error_code error;
    std::string key = std::filesystem::weakly_canonical(path, error).string();
    if (std::find(loading.begin(), loading.end(), key) != loading.end())
      diagnostics.fatal(include.location,
                        "'" + include.path + "' is already being included "
                        "(an include cycle)");
    if (loaded.count(key))
      continue;
    std::string why;
    int included = sources.addFile(path.string(), why);
    if (included < 0)
      diagnostics.fatal(include.location, "cannot read included file '" +
                                              path.string() + "': " + why);
    loading.push_back(key);
    loadFile(included, sources, diagnostics, files, loading, loaded);
    loading.pop_back();
    loaded.insert(key);
  }
}

void loadProgram(int file, SourceManager &sources, DiagnosticEngine &diagnostics,
                 std::vector<std::unique_ptr<ast::File>> &files) {
  std::error_code error;
  std::vector<std::string> loading = {
      std::filesystem::weakly_canonical(sources.getPath(file), error).string()};
  std::set<std::string> loaded;
  loadFile(file, sources, diagnostics, files, loading, loaded);
}

mlir::OwningOpRef<mlir::ModuleOp>
elaborate(const std::vector<std::unique_ptr<ast::File>> &files,
          mlir::MLIRContext &context, SourceManager &sources,
          DiagnosticEngine &diagnostics, const ElaborationOptions &options) {
  return Elaborator(context, sources, diagnostics).run(files, options);
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Set-up
//===----------------------------------------------------------------------===//

/// Blocks may call blocks; past this depth it is runaway recursion.
constexpr size_t maxCallDepth = 100;
/// Guards `range` and list repetition against programs that would never end.
constexpr int64_t maxListLength = 1 << 20;

// The elaboration budget. A model file is a program, and a hostile or
// mistaken one (a loop of 2^40 steps, recursion that branches, a list that
// doubles) must end with a message in about a second, not hang or exhaust
// memory. Every network of the zoo elaborates in under 40,000 steps.
/// Expressions evaluated and statements run.
constexpr uint64_t maxSteps = 4'000'000;
/// The longest string, in bytes (lists: maxListLength elements).
constexpr uint64_t maxStringLength = 1 << 20;
/// How deeply lists may nest.
constexpr int maxListNesting = 64;
/// The stack evaluation may use; the main thread has 8 MiB.
constexpr size_t maxStackBytes = 6 << 20;

void Elaborator::tick(SourceLocation location) {
  if (++steps > maxSteps)
    fail(location, "elaboration ran past its budget of " + std::to_string(maxSteps) +
                       " steps (a loop or recursion that does not end?)");
  char here;
  if (stackBase && size_t(stackBase - &here) > maxStackBytes)
    fail(location, "evaluation nested too deeply (blocks calling blocks inside deep "
                   "expressions)");
}

void Elaborator::checkLength(SourceLocation location, uint64_t length, uint64_t limit,
                             const std::string &what, const std::string &unit) {
  if (length > limit)
    fail(location, "a " + what + " of " + std::to_string(length) + " " + unit +
                       " is longer than the " + std::to_string(limit) + " allowed");
}

Elaborator::Elaborator(mlir::MLIRContext &context, SourceManager &sources,
                       DiagnosticEngine &diagnostics)
    : context(context), sources(sources), diagnostics(diagnostics),
      builder(&context) {
  context.loadDialect<cnn::CnnDialect, mlir::func::FuncDialect>();
}

void Elaborator::fail(SourceLocation location, const std::string &message) {
  diagnostics.error(location, message);
  for (auto frame = callStack.rbegin(); frame != callStack.rend(); ++frame)
    diagnostics.note(frame->callSite, "in block '" + frame->block + "' called here");
  throw CompilationAborted{};
}

void Elaborator::declare(const ast::File &file, bool included) {
  for (const ast::Block &block : file.blocks) {
    auto [it, inserted] = blocks.emplace(block.name, &block);
    if (!inserted) {
      diagnostics.error(block.location, "block '" + block.name + "' is defined twice");
      diagnostics.note(it->second->location, "the first definition is here");
      throw CompilationAborted{};
    }
    if (builtins().count(block.name))
      fail(block.location, "block '" + block.name +
                               "' has the name of a built-in layer or function");
  }
  for (const ast::ModelParam &param : file.params) {
    // The including file's params take the place of an included file's:
    // a file reused for its blocks keeps its own `param batch` to itself.
    if (included && rootParams.count(param.name))
      continue;
    for (const ast::ModelParam *other : params)
      if (other->name == param.name) {
        diagnostics.error(param.location, "param '" + param.name + "' is defined twice");
        diagnostics.note(other->location, "the first definition is here");
        throw CompilationAborted{};
      }
    params.push_back(&param);
    if (!included)
      rootParams.insert(param.name);
  }
  for (const ast::Model &m : file.models) {
    // An included file's model is not the program's when the including
    // file has its own: including a network reuses its blocks.
    if (included && rootHasModel)
      continue;
    if (model) {
      diagnostics.error(m.location, "a program has one model; '" + model->name +
                                        "' is already defined");
      diagnostics.note(model->location, "the first model is here");
      throw CompilationAborted{};
    }
    model = &m;
    rootHasModel |= !included;
  }
}

void Elaborator::evaluateParams(const ElaborationOptions &options) {
  globals["same"] = Value::string("same");
  std::set<std::string> used;
  for (const ast::ModelParam *param : params) {
    Env empty;
    auto override = std::find_if(options.paramOverrides.begin(),
                                 options.paramOverrides.end(),
                                 [&](auto &o) { return o.first == param->name; });
    if (override == options.paramOverrides.end()) {
      globals[param->name] = eval(*param->value, empty);
      continue;
    }
    used.insert(param->name);
    // The override is parsed as the declaration it replaces, so its errors
    // show it as `param name = value` with a caret.
    int wrapper = sources.addBuffer("--param " + param->name, "param " + param->name +
                                                                  " = " + override->second +
                                                                  "\n");
    ast::File parsed = parse(wrapper, sources, diagnostics);
    if (parsed.params.size() != 1 || !parsed.blocks.empty() || !parsed.models.empty())
      fail({}, "--param " + param->name + ": '" + override->second +
                   "' is not a single value");
    globals[param->name] = eval(*parsed.params[0].value, empty);
  }
  for (const auto &[name, value] : options.paramOverrides)
    if (!used.count(name)) {
      std::string known;
      for (const ast::ModelParam *param : params)
        known += (known.empty() ? "" : ", ") + param->name;
      fail({}, "--param " + name + ": the model has no such param" +
                   (known.empty() ? std::string(" (it has none)")
                                  : " (it has: " + known + ")"));
    }
}

mlir::OwningOpRef<mlir::ModuleOp>
Elaborator::run(const std::vector<std::unique_ptr<ast::File>> &files,
                const ElaborationOptions &options) {
  char base;
  stackBase = &base;
  for (size_t i = 0; i < files.size(); ++i)
    declare(*files[i], /*included=*/i > 0);
  if (!model)
    fail({files.empty() ? -1 : 0, 1, 1}, "the file defines no model "
                                         "(expected 'model name(input: [shape]):')");
  module = mlir::ModuleOp::create(builder.getUnknownLoc());
  (*module)->setAttr("cnn.model", builder.getStringAttr(model->name));
  // The root scope: params may call blocks (which compute numbers; layers
  // need the model, which fails with a message below).
  scopes.push_back({"", false, std::make_shared<int>(0),
                    std::make_shared<std::map<std::string, int>>()});
  evaluateParams(options);
  buildModel(*model);
  if (mlir::failed(mlir::verify(*module)))
    fail(model->location, "internal error: the generated IR does not verify");
  return std::move(module);
}

void Elaborator::buildModel(const ast::Model &m) {
  Env env;
  llvm::SmallVector<mlir::Type> inputTypes;
  for (const ast::ModelInput &input : m.inputs) {
    Value shape = eval(*input.shape, env);
    auto dims = shape.getDimensions();
    if (!dims)
      fail(input.shape->location, "the shape of input '" + input.name +
                                      "' must be a list of positive integers, found " +
                                      shape.str());
    std::string tooLarge = cnn::tensorLimitError(*dims, "input '" + input.name + "'");
    if (!tooLarge.empty())
      fail(input.shape->location, tooLarge);
    inputTypes.push_back(mlir::RankedTensorType::get(*dims, builder.getF32Type()));
  }
  auto location = mlir::FileLineColLoc::get(
      builder.getStringAttr(sources.getPath(m.location.file)), m.location.line,
      m.location.column);
  builder.setInsertionPointToEnd(module->getBody());
  function = mlir::func::FuncOp::create(builder, location, m.name,
                                        builder.getFunctionType(inputTypes, {}));
  mlir::Block *entry = function.addEntryBlock();
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    env[m.inputs[i].name] = Value::tensor(entry->getArgument(i));
    function.setArgAttr(i, "cnn.name", builder.getStringAttr(m.inputs[i].name));
  }
  builder.setInsertionPointToEnd(entry);

  std::optional<Returned> returned = exec(m.body, env);
  if (!returned)
    fail(m.location, "model '" + m.name + "' ends without 'return'");
  llvm::SmallVector<mlir::Value> results;
  llvm::SmallVector<mlir::Type> resultTypes;
  for (size_t i = 0; i < returned->values.size(); ++i) {
    const Value &value = returned->values[i];
    if (!value.is(Value::Kind::Tensor))
      fail(returned->location, "a model returns tensors; output " +
                                   std::to_string(i) + " is " + value.describe());
    results.push_back(value.getTensor());
    resultTypes.push_back(value.getTensor().getType());
  }
  mlir::func::ReturnOp::create(builder, locate(*m.body.back()->values[0], m.name),
                               results);
  function.setType(builder.getFunctionType(inputTypes, resultTypes));
  for (size_t i = 0; i < returned->names.size(); ++i)
    if (!returned->names[i].empty())
      function.setResultAttr(i, "cnn.name", builder.getStringAttr(returned->names[i]));
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

bool Elaborator::truth(const Value &value, SourceLocation location) {
  switch (value.getKind()) {
  case Value::Kind::None: return false;
  case Value::Kind::Bool:
  case Value::Kind::Int: return value.getInt() != 0;
  case Value::Kind::Float: return value.getNumber() != 0;
  case Value::Kind::String: return !value.getString().empty();
  case Value::Kind::List: return !value.getList().empty();
  default:
    fail(location, "a condition must be a boolean or a number, found " +
                       value.describe());
  }
}

/// Binds `value` to `targets`: one name takes it whole, several unpack a list.
static void bindTargets(Elaborator &elaborator, const std::vector<std::string> &targets,
                        const Value &value, Env &env, SourceLocation location) {
  if (targets.size() == 1) {
    env[targets[0]] = value;
    return;
  }
  if (!value.is(Value::Kind::List) || value.getList().size() != targets.size())
    elaborator.fail(location, "cannot unpack " + value.describe() +
                                  (value.is(Value::Kind::List)
                                       ? " of " + std::to_string(value.getList().size()) +
                                             " elements"
                                       : std::string()) +
                                  " into " + std::to_string(targets.size()) + " names");
  for (size_t i = 0; i < targets.size(); ++i)
    env[targets[i]] = value.getList()[i];
}

std::optional<Elaborator::Returned> Elaborator::exec(const ast::Body &body, Env &env) {
  for (const ast::StmtPtr &stmt : body) {
    tick(stmt->location);
    switch (stmt->kind) {
    case ast::Stmt::Kind::Assign:
      bindTargets(*this, stmt->targets, eval(*stmt->values[0], env), env,
                  stmt->location);
      break;
    case ast::Stmt::Kind::Expression:
      eval(*stmt->values[0], env);
      break;
    case ast::Stmt::Kind::Return: {
      Returned returned;
      returned.location = stmt->location;
      for (const ast::ExprPtr &value : stmt->values)
        returned.values.push_back(eval(*value, env));
      returned.names = stmt->outputNames;
      return returned;
    }
    case ast::Stmt::Kind::For: {
      Value range = eval(*stmt->values[0], env);
      if (!range.is(Value::Kind::List))
        fail(stmt->values[0]->location,
             "a loop runs over a list, found " + range.describe());
      for (const Value &item : range.getList()) {
        bindTargets(*this, stmt->targets, item, env, stmt->location);
        if (auto returned = exec(stmt->bodies[0], env))
          return returned;
      }
      break;
    }
    case ast::Stmt::Kind::Repeat: {
      Value count = eval(*stmt->values[0], env);
      if (!count.is(Value::Kind::Int) || count.getInt() < 0 || count.getInt() > maxListLength)
        fail(stmt->values[0]->location,
             "repeat needs a count from 0 to " + std::to_string(maxListLength) +
                 ", found " + count.str());
      for (int64_t i = 0; i < count.getInt(); ++i)
        if (auto returned = exec(stmt->bodies[0], env))
          return returned;
      break;
    }
    case ast::Stmt::Kind::If: {
      size_t branch = 0;
      for (; branch < stmt->values.size(); ++branch)
        if (truth(eval(*stmt->values[branch], env), stmt->values[branch]->location))
          break;
      if (branch < stmt->bodies.size())
        if (auto returned = exec(stmt->bodies[branch], env))
          return returned;
      break;
    }
    }
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

/// Edits between two names: insertions, deletions, substitutions, and
/// swaps of neighbours (`covn` is one edit from `conv`).
static size_t editDistance(const std::string &a, const std::string &b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

/// A name the user plausibly meant: it starts with the same letter (a typo
/// rarely changes the first), is at most a third edited (one edit in a
/// short name, and never all of it), and is not the block being elaborated (a name used inside
/// its own body is seldom a call to itself). `gelu` is not `relu`, nor
/// `mean` `len`.
std::string Elaborator::suggest(const std::string &name, const Env &env) const {
  std::string best;
  size_t bestDistance = std::max<size_t>(1, name.size() / 3) + 1;
  std::string enclosing = callStack.empty() ? "" : callStack.back().block;
  auto consider = [&](const std::string &candidate) {
    if (candidate.empty() || name.empty() || candidate[0] != name[0] ||
        candidate == enclosing || name.size() > 64)
      return;
    size_t distance = editDistance(name, candidate);
    if (distance < bestDistance && distance < name.size()) {
      bestDistance = distance;
      best = candidate;
    }
  };
  for (const auto &entry : env) consider(entry.first);
  for (const auto &entry : globals) consider(entry.first);
  for (const auto &entry : blocks) consider(entry.first);
  for (const auto &entry : builtins()) consider(entry.first);
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

Value Elaborator::lookup(const std::string &name, SourceLocation location, Env &env) {
  if (auto it = env.find(name); it != env.end())
    return it->second;
  if (auto it = globals.find(name); it != globals.end())
    return it->second;
  if (auto it = blocks.find(name); it != blocks.end())
    return Value::callable(name, it->second);
  if (builtins().count(name))
    return Value::callable(name, nullptr);
  fail(location, "unknown name '" + name + "'" + suggest(name, env));
}

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

std::string Elaborator::evalLayerName(const ast::Expr &call, Env &env) {
  std::string name;
  for (const ast::NamePiece &piece : call.layerName) {
    if (!piece.value) {
      name += piece.text;
      continue;
    }
    Value value = eval(*piece.value, env);
    if (!value.is(Value::Kind::Int) && !value.is(Value::Kind::String))
      fail(piece.value->location, "a layer name can interpolate integers and "
                                  "strings, found " + value.describe());
    name += value.str();
  }
  // A name is dot-separated segments of letters, digits, underscores and
  // hyphens (torchvision's RegNet has `trunk_output.block1.block1-0`).
  bool valid = !name.empty() && name.front() != '.' && name.back() != '.' &&
               name.find("..") == std::string::npos;
  for (char c : name)
    valid &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  if (!valid)
    fail(call.layerNameLocation, "'" + name + "' is not a layer name (dot-separated "
                                              "letters, digits, underscores and hyphens)");
  return name;
}

Value Elaborator::evalCall(const ast::Expr &expr, Env &env) {
  Value target = lookup(expr.text, expr.location, env);
  if (!target.is(Value::Kind::Callable))
    fail(expr.location, "'" + expr.text + "' is " + target.describe() +
                            ", not a block or layer, so it cannot be called");
  BoundArguments args;
  args.call = &expr;
  args.callee = target.getCallableName();
  args.location = expr.location;
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
    if (!builtin->isLayer && !args.layerName.empty())
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
  bool takesPosition = args.layerName.empty() && parent.sequential;
  std::shared_ptr<int> parentIndex = parent.nextIndex;
  uint64_t layersBefore = layersMade;
  if (!args.layerName.empty() || parent.sequential) {
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
  scope.sequential = block.sequential;

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

//===----------------------------------------------------------------------===//
// Helpers for the built-ins
//===----------------------------------------------------------------------===//

std::string Elaborator::nameLayer(const BoundArguments &args, const std::string &kind,
                                  bool consumesIndex) {
  if (!function)
    fail(args.location, "'" + args.callee + "' makes a layer, and layers exist only in the "
                                            "model, not in a param's value");
  NameScope &scope = scopes.back();
  ++layersMade;
  std::string relative;
  if (!args.layerName.empty())
    relative = args.layerName;
  else if (scope.sequential && consumesIndex)
    relative = std::to_string((*scope.nextIndex)++);
  else
    relative = kind + (std::isdigit(static_cast<unsigned char>(kind.back())) ? "_" : "") +
               std::to_string((*scope.autoCounters)[kind]++);
  return scope.prefix.empty() ? relative : scope.prefix + "." + relative;
}

mlir::Location Elaborator::locate(const ast::Expr &expr, const std::string &layerName) {
  SourceLocation at = expr.location;
  mlir::Location file = mlir::FileLineColLoc::get(
      builder.getStringAttr(sources.getPath(at.file)), at.line, at.column);
  return mlir::NameLoc::get(builder.getStringAttr(layerName), file);
}

mlir::Value Elaborator::parameter(const BoundArguments &args, const std::string &layerName,
                                  const std::string &suffix,
                                  llvm::ArrayRef<int64_t> shape) {
  std::string name = suffix.empty() ? layerName : layerName + "." + suffix;
  std::string tooLarge = cnn::tensorLimitError(shape, "its parameter " + suffix);
  if (!tooLarge.empty())
    fail(args.location, args.callee + " '" + layerName + "': " + tooLarge);
  auto [it, inserted] = parameterSites.emplace(name, args.location);
  if (!inserted) {
    diagnostics.error(args.location, "parameter '" + name +
                                         "' is already defined; name this layer "
                                         "differently with 'as'");
    diagnostics.note(it->second, "'" + name + "' was defined by this layer");
    for (auto frame = callStack.rbegin(); frame != callStack.rend(); ++frame)
      diagnostics.note(frame->callSite, "in block '" + frame->block + "' called here");
    throw CompilationAborted{};
  }
  auto type = mlir::RankedTensorType::get(shape, builder.getF32Type());
  mlir::Location location = locate(*args.call, layerName);
  {
    mlir::OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(function);
    cnn::ParameterOp::create(builder, location, name, type);
  }
  return cnn::WeightOp::create(builder, location, type, name);
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
