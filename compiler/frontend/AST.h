//===- AST.h - syntax tree of the architecture language -------------------===//
//
// A file is a list of declarations: includes, model parameters, blocks and
// one model. Blocks and the model hold statements; statements hold
// expressions. Layers are ordinary calls: what a call means (a built-in layer
// or a user block) is decided during elaboration, not here.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_AST_H
#define CNNC_FRONTEND_AST_H

#include "frontend/Diagnostics.h"

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace cnnc::ast {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Argument {
  std::string keyword; // Empty for a positional argument.
  ExprPtr value;
  SourceLocation location;
};

/// A piece of a layer name after `as`: literal text or an interpolated
/// expression (`as layer{i + 1}.0` is "layer", {i + 1}, ".0").
struct NamePiece {
  std::string text;
  ExprPtr value; // Set for an interpolation.
};

struct Expr {
  enum class Kind {
    Integer, Float, String, Bool, None, Name, List, Unary, Binary, Logical,
    Not, Conditional, Call, Index, Comprehension,
  };
  Kind kind;
  SourceLocation location;

  int64_t integer = 0;     // Integer, Bool.
  double number = 0;       // Float.
  std::string text;        // String, Name, callee of Call, operator spelling.
  std::vector<ExprPtr> operands; // List elements; Unary/Binary/Logical/Not/
                                 // Index operands; Conditional: then, cond, else;
                                 // Comprehension: item, iterable [, filter].
  std::vector<std::string> targets;    // Comprehension: the bound names.
  std::vector<Argument> arguments;     // Call.
  std::vector<NamePiece> layerName;    // Call with `as`.
  bool spliced = false;                // Call written `*helper(...)`.
  SourceLocation layerNameLocation;
  /// The tree's height below this node, once the parser has measured it
  /// (0: not yet). Operator chains deepen trees without nesting brackets.
  int height = 0;

  Expr(Kind kind, SourceLocation location) : kind(kind), location(location) {}
};

struct Stmt {
  enum class Kind { Assign, Return, For, Repeat, If, Expression };
  Kind kind;
  SourceLocation location;

  std::vector<std::string> targets; // Assign and For: the bound names.
  std::vector<std::string> outputNames; // Return: `return logits=x`, or empty.
  std::vector<ExprPtr> values;      // Assign: 1; Return: 1+; For: iterable;
                                    // Repeat: the count;
                                    // If: one condition per branch.
  std::vector<Body> bodies;         // For, Repeat: 1; If: one per branch (+ else).

  Stmt(Kind kind, SourceLocation location) : kind(kind), location(location) {}
};

struct Parameter {
  std::string name;
  ExprPtr defaultValue; // Null when the argument is required.
  SourceLocation location;
};

/// `block name(params) = expr`, `block name(params): body`, and the same with
/// `sequential`, whose unnamed layers are numbered like PyTorch's
/// nn.Sequential children.
struct Block {
  std::string name;
  bool sequential = false;
  std::vector<Parameter> parameters;
  ExprPtr expression; // The `= expr` form.
  Body body;          // The `:` form.
  SourceLocation location;
};

struct ModelInput {
  std::string name;
  ExprPtr shape;
  SourceLocation location;
};

struct Model {
  std::string name;
  std::vector<ModelInput> inputs;
  Body body;
  SourceLocation location;
};

/// `param name = expr`: a model-level parameter, overridable when compiling.
struct ModelParam {
  std::string name;
  ExprPtr value;
  SourceLocation location;
};

struct Include {
  std::string path;
  SourceLocation location;
};

struct File {
  std::vector<Include> includes;
  std::vector<ModelParam> params;
  std::vector<Block> blocks;
  std::vector<Model> models;
};

/// Prints the tree, one node a line, for `cnnc --emit=ast`.
void print(const File &file, std::ostream &os);

} // namespace cnnc::ast

#endif // CNNC_FRONTEND_AST_H
