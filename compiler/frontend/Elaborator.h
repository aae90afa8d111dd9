//===- Elaborator.h - runs a .cnn program, producing the cnn dialect ------===//
//
// Elaboration interprets the model's body: loops unroll, conditionals pick a
// branch, blocks are called with their arguments, and every built-in layer
// call becomes one cnn op, its shape checked first so a mistake is reported
// at the .cnn line that made it, with the chain of block calls that led
// there. Layers get stable, PyTorch-style parameter names from scopes:
// `as name` on a call, positions inside `sequential` blocks, or an automatic
// `<kind><n>` otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_ELABORATOR_H
#define CNNC_FRONTEND_ELABORATOR_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Value.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cnnc {

struct ElaborationOptions {
  /// `--param name=value` overrides, the value written as in the language.
  std::vector<std::pair<std::string, std::string>> paramOverrides;
};

/// Parses `file` with its includes. Every file's syntax tree is kept in
/// `files` (the first is `file` itself).
void loadProgram(int file, SourceManager &sources, DiagnosticEngine &diagnostics,
                 std::vector<std::unique_ptr<ast::File>> &files);

/// Elaborates the model of a loaded program into a verified module.
mlir::OwningOpRef<mlir::ModuleOp>
elaborate(const std::vector<std::unique_ptr<ast::File>> &files,
          mlir::MLIRContext &context, SourceManager &sources,
          DiagnosticEngine &diagnostics, const ElaborationOptions &options);

namespace detail {

using Env = std::map<std::string, Value>;

/// Arguments of one call after binding to the callee's parameters.
struct BoundArguments {
  const ast::Expr *call = nullptr;
  std::string callee;
  std::map<std::string, Value> values;
  std::map<std::string, SourceLocation> locations;
  std::vector<Value> rest; // Extra positional arguments of a variadic built-in.
  std::string layerName;   // From `as`, relative to the current scope.
  bool spliced = false;    // `*helper(...)`: numbered in the caller's sequential.
  SourceLocation location; // The call's.
};

/// One entry of the built-in table: a layer or a plain function.
struct Builtin {
  struct Param {
    std::string name;
    std::optional<Value> defaultValue;
  };
  std::vector<Param> params;
  bool isLayer = false;
  bool variadic = false;
  std::function<Value(class Elaborator &, BoundArguments &)> run;
  /// A function of numbers that makes a layer of a tensor (exp, log, sqrt):
  /// it takes `as`, which its number form refuses.
  bool layerOfTensors = false;
};

/// Where names come from: the dotted prefix of the current scope, whether
/// unnamed children are numbered (sequential), and the counters that make
/// automatic names unique within the prefix.
struct NameScope {
  std::string prefix;
  bool sequential = false;
  std::shared_ptr<int> nextIndex;
  std::shared_ptr<std::map<std::string, int>> autoCounters;
};

class Elaborator {
public:
  Elaborator(mlir::MLIRContext &context, SourceManager &sources,
             DiagnosticEngine &diagnostics);

  mlir::OwningOpRef<mlir::ModuleOp>
  run(const std::vector<std::unique_ptr<ast::File>> &files,
      const ElaborationOptions &options);

  // Used by the built-ins (Layers.cpp, Functions.cpp).
  [[noreturn]] void fail(SourceLocation location, const std::string &message);
  /// A warning at `location`; elaboration goes on.
  void warn(SourceLocation location, const std::string &message) {
    diagnostics.warning(location, message);
  }
  mlir::OpBuilder &getBuilder() { return builder; }
  /// The full dotted name of the layer made by `call`; `consumesIndex` says
  /// whether it takes a position inside a sequential scope.
  std::string nameLayer(const BoundArguments &args, const std::string &kind,
                        bool consumesIndex = true);
  mlir::Location locate(const ast::Expr &expr, const std::string &layerName);
  /// Declares parameter `layerName.suffix` (`layerName` itself when the
  /// suffix is empty) and reads it.
  mlir::Value parameter(const BoundArguments &args, const std::string &layerName,
                        const std::string &suffix, llvm::ArrayRef<int64_t> shape);

  // Argument accessors; each reports a wrong kind of value by argument name.
  mlir::Value tensorArg(const BoundArguments &args, const std::string &name,
                        int rank = -1);
  int64_t intArg(const BoundArguments &args, const std::string &name,
                 int64_t minimum);
  double numberArg(const BoundArguments &args, const std::string &name);
  bool boolArg(const BoundArguments &args, const std::string &name);
  std::string stringArg(const BoundArguments &args, const std::string &name);
  /// An integer, or a list of `count` integers; at least `minimum` each.
  std::vector<int64_t> intsArg(const BoundArguments &args, const std::string &name,
                               size_t count, int64_t minimum);
  bool isNone(const BoundArguments &args, const std::string &name) {
    return args.values.at(name).is(Value::Kind::None);
  }
  SourceLocation argLocation(const BoundArguments &args, const std::string &name);

  /// Counts one step of evaluation against the budget, and checks the stack
  /// left; past either, elaboration stops with an error at `location`.
  void tick(SourceLocation location);

  /// `value` spelled out (str()), within the string budget.
  std::string printed(const Value &value, SourceLocation location);

  /// `a + b`, `a - b`, `a * b`, `a / b` with a tensor on either side (the
  /// other a tensor or a number), which make layers too.
  Value tensorBinary(const ast::Expr &expr, const std::string &op,
                     const Value &lhs, const Value &rhs);
  /// x * scale + shift, the layer arithmetic with numbers makes.
  Value scaleShift(const ast::Expr &expr, mlir::Value x, double scale, double shift);

private:
  struct Frame {
    std::string block;
    SourceLocation callSite;
  };
  struct Returned {
    std::vector<Value> values;
    std::vector<std::string> names;
    SourceLocation location;
  };

  /// Adds a file's blocks, params and model; an `included` file's params
  /// and model give way to the including file's.
  void declare(const ast::File &file, bool included);
  void warnIfShadowing(SourceLocation location, const std::string &kind,
                       const std::string &name, const std::string &effect);
  void evaluateParams(const ElaborationOptions &options);
  void buildModel(const ast::Model &model);

  Value eval(const ast::Expr &expr, Env &env);
  Value evalExpr(const ast::Expr &expr, Env &env);
  /// Stops elaboration when a `what` (a list, a string) would hold more
  /// than `limit` `unit`s (elements, bytes).
  void checkLength(SourceLocation location, uint64_t length, uint64_t limit,
                   const std::string &what, const std::string &unit);
  Value evalBinary(const ast::Expr &expr, Env &env);
  Value evalCall(const ast::Expr &expr, Env &env);
  Value lookup(const std::string &name, SourceLocation location, Env &env);
  std::optional<Returned> exec(const ast::Body &body, Env &env);
  bool truth(const Value &value, SourceLocation location);

  /// Binds arguments to `target`'s parameters and runs it.
  Value invoke(const Value &target, BoundArguments &args,
               std::vector<std::pair<Value, SourceLocation>> positional,
               std::vector<std::pair<std::string, std::pair<Value, SourceLocation>>> keywords);
  Value callBlock(const ast::Block &block, BoundArguments &args,
                  SourceLocation location);
  Value bindPartially(
      const ast::Expr &expr, std::vector<std::pair<Value, SourceLocation>> &positional,
      std::vector<std::pair<std::string, std::pair<Value, SourceLocation>>> &keywords);
  std::string evalLayerName(const ast::Expr &call, Env &env);
  std::string suggest(const std::string &name, const Env &env) const;

  mlir::MLIRContext &context;
  SourceManager &sources;
  DiagnosticEngine &diagnostics;
  mlir::OpBuilder builder;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp function;

  std::map<std::string, const ast::Block *> blocks;
  std::vector<const ast::ModelParam *> params;
  const ast::Model *model = nullptr;
  std::set<std::string> rootParams; // the first file's params
  bool rootHasModel = false;
  Env globals;
  std::vector<Frame> callStack;
  std::vector<NameScope> scopes;
  std::map<std::string, SourceLocation> parameterSites;
  uint64_t steps = 0;                 // evaluation steps so far (tick)
  uint64_t layersMade = 0;            // nameLayer calls so far
  const char *stackBase = nullptr;    // the stack pointer where run() began
};

/// Binds `value` to `targets`: one name takes it whole, several unpack a
/// list (`for` loops, assignments and list comprehensions).
void bindTargets(Elaborator &elaborator, const std::vector<std::string> &targets,
                 const Value &value, Env &env, SourceLocation location);

/// The built-in layers and functions, by name.
const std::map<std::string, Builtin> &builtins();

} // namespace detail
} // namespace cnnc

#endif // CNNC_FRONTEND_ELABORATOR_H
