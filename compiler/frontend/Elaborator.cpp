//===- Elaborator.cpp - runs a .cnn program, producing the cnn dialect ----===//

#include "frontend/Budget.h"
#include "frontend/Elaborator.h"
#include "frontend/Parser.h"

#include "cnn/IR/CnnDialect.h"
#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

#include "mlir/IR/Verifier.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

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
// Set-up
//===----------------------------------------------------------------------===//


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

/// A built-in added after a program was written must not break it: the
/// program's block or param takes its place, and says so.
void Elaborator::warnIfShadowing(SourceLocation location, const std::string &kind,
                                 const std::string &name, const std::string &effect) {
  auto builtin = builtins().find(name);
  if (builtin == builtins().end())
    return;
  diagnostics.warning(location, kind + " '" + name + "' shadows the built-in " +
                                    (builtin->second.isLayer ? "layer" : "function") + " '" +
                                    name + "': " + effect);
}

void Elaborator::declare(const ast::File &file, bool included) {
  for (const ast::Block &block : file.blocks) {
    auto [it, inserted] = blocks.emplace(block.name, &block);
    if (!inserted) {
      diagnostics.error(block.location, "block '" + block.name + "' is defined twice");
      diagnostics.note(it->second->location, "the first definition is here");
      throw CompilationAborted{};
    }
    warnIfShadowing(block.location, "block", block.name,
                    "calls of '" + block.name + "' in this program call the block");
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
    warnIfShadowing(param.location, "param", param.name,
                    "'" + param.name + "' in this program is the param");
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
  std::set<std::string> outputNames;
  for (size_t i = 0; i < returned->names.size(); ++i) {
    const std::string &name = returned->names[i];
    if (name.empty())
      continue;
    if (name.size() > 256)
      fail(returned->location, "output " + std::to_string(i) + "'s name has " +
                                   std::to_string(name.size()) + " bytes; names have 1 to 256");
    if (std::any_of(name.begin(), name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
      fail(returned->location, "output " + std::to_string(i) +
                                   "'s name has a control character; names may not");
    if (!outputNames.insert(name).second)
      fail(returned->location, "two outputs are named '" + name + "'");
    function.setResultAttr(i, "cnn.name", builder.getStringAttr(name));
  }
}

} // namespace cnnc
