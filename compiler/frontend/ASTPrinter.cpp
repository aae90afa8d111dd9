//===- ASTPrinter.cpp - the tree as text, for cnnc --emit=ast -------------===//
//
// One node a line, children indented, each with its line:column, so a user
// can see how the parser grouped an expression.
//
//===----------------------------------------------------------------------===//

#include "frontend/AST.h"

#include <sstream>

namespace cnnc::ast {
namespace {

class Printer {
public:
  explicit Printer(std::ostream &os) : os(os) {}

  void file(const File &file) {
    for (const Include &include : file.includes)
      line(include.location) << "include \"" << include.path << "\"\n";
    for (const ModelParam &param : file.params) {
      line(param.location) << "param " << param.name << "\n";
      nested([&] { expr(*param.value); });
    }
    for (const Block &block : file.blocks) {
      line(block.location) << (block.sequential ? "sequential " : "block ")
                           << block.name << "\n";
      nested([&] {
        for (const Parameter &param : block.parameters) {
          line(param.location) << "parameter " << param.name
                               << (param.defaultValue ? " =" : "") << "\n";
          if (param.defaultValue)
            nested([&] { expr(*param.defaultValue); });
        }
        if (block.expression)
          expr(*block.expression);
        body(block.body);
      });
    }
    for (const Model &model : file.models) {
      line(model.location) << "model " << model.name << "\n";
      nested([&] {
        for (const ModelInput &input : model.inputs) {
          line(input.location) << "input " << input.name << "\n";
          nested([&] { expr(*input.shape); });
        }
        body(model.body);
      });
    }
  }

private:
  std::ostream &line(SourceLocation location) {
    os << std::string(2 * depth, ' ');
    if (location.isValid())
      os << location.line << ":" << location.column << " ";
    return os;
  }

  template <typename F> void nested(F &&f) {
    ++depth;
    f();
    --depth;
  }

  static const char *name(Stmt::Kind kind) {
    switch (kind) {
    case Stmt::Kind::Assign: return "assign";
    case Stmt::Kind::Return: return "return";
    case Stmt::Kind::For: return "for";
    case Stmt::Kind::Repeat: return "repeat";
    case Stmt::Kind::If: return "if";
    case Stmt::Kind::Expression: return "expression";
    }
    return "statement";
  }

  void body(const Body &statements) {
    for (const StmtPtr &s : statements)
      stmt(*s);
  }

  void stmt(const Stmt &s) {
    std::ostream &out = line(s.location) << name(s.kind);
    for (const std::string &target : s.targets)
      out << " " << target;
    for (const std::string &output : s.outputNames)
      if (!output.empty())
        out << " " << output << "=";
    out << "\n";
    nested([&] {
      for (size_t i = 0; i < s.values.size(); ++i) {
        expr(*s.values[i]);
        if (s.kind != Stmt::Kind::Assign && s.kind != Stmt::Kind::Return &&
            s.kind != Stmt::Kind::Expression)
          nested([&] { body(s.bodies[i]); });
      }
      if (s.kind == Stmt::Kind::If && s.bodies.size() > s.values.size()) {
        line(s.location) << "else\n";
        nested([&] { body(s.bodies.back()); });
      }
    });
  }

  void expr(const Expr &e) {
    std::ostream &out = line(e.location);
    switch (e.kind) {
    case Expr::Kind::Integer: out << "integer " << e.integer << "\n"; return;
    case Expr::Kind::Float: out << "number " << e.number << "\n"; return;
    case Expr::Kind::String: out << "string \"" << e.text << "\"\n"; return;
    case Expr::Kind::Bool: out << (e.integer ? "true" : "false") << "\n"; return;
    case Expr::Kind::None: out << "none\n"; return;
    case Expr::Kind::Name: out << "name " << e.text << "\n"; return;
    case Expr::Kind::List: out << "list\n"; break;
    case Expr::Kind::Unary: out << "negate\n"; break;
    case Expr::Kind::Binary:
    case Expr::Kind::Logical: out << "operator " << e.text << "\n"; break;
    case Expr::Kind::Not: out << "not\n"; break;
    case Expr::Kind::Conditional: out << "conditional (value, condition, else)\n"; break;
    case Expr::Kind::Index: out << "index\n"; break;
    case Expr::Kind::Comprehension: {
      out << "comprehension over";
      for (const std::string &target : e.targets)
        out << " " << target;
      out << " (item, iterable[, filter])\n";
      break;
    }
    case Expr::Kind::Call:
      out << (e.spliced ? "spliced call " : "call ") << e.text;
      if (!e.layerName.empty()) {
        out << " as ";
        for (const NamePiece &piece : e.layerName)
          out << (piece.value ? "{...}" : piece.text);
      }
      out << "\n";
      nested([&] {
        for (const Argument &argument : e.arguments) {
          if (!argument.keyword.empty()) {
            line(argument.location) << "keyword " << argument.keyword << "\n";
            nested([&] { expr(*argument.value); });
          } else {
            expr(*argument.value);
          }
        }
        for (const NamePiece &piece : e.layerName)
          if (piece.value)
            expr(*piece.value);
      });
      return;
    }
    nested([&] {
      for (const ExprPtr &operand : e.operands)
        expr(*operand);
    });
  }

  std::ostream &os;
  int depth = 0;
};

} // namespace

void print(const File &file, std::ostream &os) { Printer(os).file(file); }

} // namespace cnnc::ast
