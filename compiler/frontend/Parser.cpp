//===- Parser.cpp - recursive-descent parser for .cnn files ---------------===//
//
// The grammar, in EBNF, is in docs/language.md; each parse function below
// names the rule it implements.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include <algorithm>

#include <cstdlib>
#include <initializer_list>

namespace cnnc {
namespace {

using namespace ast;

/// Deep nesting is legal but pathological; stop before the stack does.
constexpr int maxNesting = 200;
/// The deepest expression tree, operator chains included.
constexpr int maxExpressionHeight = 1000;

class Parser {
public:
  Parser(std::vector<Token> tokens, DiagnosticEngine &diagnostics)
      : tokens(std::move(tokens)), diagnostics(diagnostics) {}

  // file := { NEWLINE | include | param | block | model }
  File parseFile() {
    File file;
    while (!at(TokenKind::End)) {
      if (accept(TokenKind::Newline))
        continue;
      switch (peek().kind) {
      case TokenKind::KwInclude: file.includes.push_back(parseInclude()); break;
      case TokenKind::KwParam: file.params.push_back(parseParam()); break;
      case TokenKind::KwBlock:
      case TokenKind::KwSequential: file.blocks.push_back(parseBlock()); break;
      case TokenKind::KwModel: file.models.push_back(parseModel()); break;
      default:
        fail("expected 'block', 'sequential', 'model', 'param' or 'include' "
             "at the start of a declaration");
      }
    }
    return file;
  }

private:
  const Token &peek(size_t ahead = 0) const {
    return tokens[std::min(index + ahead, tokens.size() - 1)];
  }
  bool at(TokenKind kind) const { return peek().kind == kind; }
  const Token &take() {
    const Token &token = peek();
    if (index < tokens.size() - 1)
      ++index;
    return token;
  }
  bool accept(TokenKind kind) {
    if (!at(kind))
      return false;
    take();
    return true;
  }

  [[noreturn]] void fail(const std::string &expected) {
    const Token &token = peek();
    std::string found = describe(token.kind);
    if (token.kind == TokenKind::Name || token.kind == TokenKind::Integer ||
        token.kind == TokenKind::Float)
      found += " '" + token.text + "'";
    else if (token.kind == TokenKind::String)
      found += " \"" + token.text + "\"";
    diagnostics.fatal(token.location, expected + ", found " + found);
  }

  const Token &expect(TokenKind kind, const std::string &context) {
    if (!at(kind))
      fail(std::string("expected ") + describe(kind) + " " + context);
    return take();
  }

  /// Guards recursion depth in expressions and statements.
  struct NestingGuard {
    NestingGuard(Parser &parser) : parser(parser) {
      if (++parser.nesting > maxNesting)
        parser.diagnostics.fatal(parser.peek().location,
                                 "nesting deeper than " +
                                     std::to_string(maxNesting) + " levels");
    }
    ~NestingGuard() { --parser.nesting; }
    Parser &parser;
  };

  // include := 'include' STRING NEWLINE
  Include parseInclude() {
    SourceLocation location = take().location;
    std::string path = expect(TokenKind::String, "after 'include' (the file to include)").text;
    expect(TokenKind::Newline, "after the included file");
    return {path, location};
  }

  // param := 'param' NAME '=' expr NEWLINE
  ModelParam parseParam() {
    take();
    const Token &name = expect(TokenKind::Name, "after 'param'");
    expect(TokenKind::Assign, "after the parameter's name (a parameter needs a default)");
    ExprPtr value = parseExpr();
    expect(TokenKind::Newline, "after the parameter's value");
    return {name.text, std::move(value), name.location};
  }

  // block := ('block' | 'sequential') NAME '(' [parameter {',' parameter}] ')'
  //          ( '=' expr NEWLINE | '=' NEWLINE INDENT expr NEWLINE DEDENT | ':' suite )
  // parameter := NAME ['=' expr]
  Block parseBlock() {
    Block block;
    block.sequential = take().kind == TokenKind::KwSequential;
    const Token &name = expect(TokenKind::Name, "as the block's name");
    block.name = name.text;
    block.location = name.location;
    expect(TokenKind::LParen, "after the block's name");
    bool sawDefault = false;
    if (!at(TokenKind::RParen)) {
      do {
        const Token &param = expect(TokenKind::Name, "as a parameter name");
        for (const Parameter &other : block.parameters)
          if (other.name == param.text)
            diagnostics.fatal(param.location, "parameter '" + param.text +
                                                  "' is declared twice");
        ExprPtr defaultValue;
        if (accept(TokenKind::Assign)) {
          defaultValue = parseExpr();
          sawDefault = true;
        } else if (sawDefault) {
          diagnostics.fatal(param.location,
                            "parameter '" + param.text +
                                "' needs a default: it follows one that has one");
        }
        block.parameters.push_back({param.text, std::move(defaultValue), param.location});
      } while (accept(TokenKind::Comma) && !at(TokenKind::RParen));
    }
    expect(TokenKind::RParen, "to close the parameter list");
    if (accept(TokenKind::Assign)) {
      // The expression may start on the next, indented line.
      bool indented = at(TokenKind::Newline) && peek(1).kind == TokenKind::Indent;
      if (indented) {
        take();
        take();
      }
      block.expression = parseExpr();
      expect(TokenKind::Newline, "after the block's expression");
      if (indented)
        expect(TokenKind::Dedent, "after the block's expression (one expression only)");
    } else {
      expect(TokenKind::Colon, "or '=' after the parameter list");
      block.body = parseSuite();
    }
    return block;
  }

  // model := 'model' NAME '(' input {',' input} ')' ':' suite
  // input := NAME ':' expr
  Model parseModel() {
    take();
    Model model;
    const Token &name = expect(TokenKind::Name, "as the model's name");
    model.name = name.text;
    model.location = name.location;
    expect(TokenKind::LParen, "after the model's name");
    do {
      const Token &input = expect(TokenKind::Name, "as an input name");
      expect(TokenKind::Colon, "after the input's name (then its shape, e.g. [1, 3, 224, 224])");
      model.inputs.push_back({input.text, parseExpr(), input.location});
    } while (accept(TokenKind::Comma) && !at(TokenKind::RParen));
    expect(TokenKind::RParen, "to close the input list");
    expect(TokenKind::Colon, "after the model's inputs");
    model.body = parseSuite();
    return model;
  }

  // suite := NEWLINE INDENT statement {statement} DEDENT
  Body parseSuite() {
    NestingGuard guard(*this);
    expect(TokenKind::Newline, "after ':' (the body starts on the next line)");
    expect(TokenKind::Indent, "(the body must be indented)");
    Body body;
    while (!accept(TokenKind::Dedent)) {
      if (at(TokenKind::End))
        fail("expected the end of the indented block");
      body.push_back(parseStatement());
    }
    return body;
  }

  // statement := 'return' returned {',' returned} NEWLINE
  //            | 'for' NAME {',' NAME} 'in' expr ':' suite
  //            | 'repeat' expr ':' suite
  //            | 'if' expr ':' suite {'elif' expr ':' suite} ['else' ':' suite]
  //            | NAME {',' NAME} '=' expr NEWLINE
  //            | expr NEWLINE
  // returned  := [(NAME | STRING) '='] expr
  StmtPtr parseStatement() {
    SourceLocation location = peek().location;
    if (accept(TokenKind::KwReturn)) {
      auto stmt = std::make_unique<Stmt>(Stmt::Kind::Return, location);
      do {
        std::string outputName;
        // An output is named by a name or, for names from other tools
        // ("logits:0", "y.a"), a string.
        if ((at(TokenKind::Name) || at(TokenKind::String)) && peek(1).kind == TokenKind::Assign) {
          outputName = take().text;
          take();
          if (outputName.empty())
            diagnostics.fatal(location, "an output name may not be empty");
        }
        stmt->outputNames.push_back(outputName);
        stmt->values.push_back(parseExpr());
      } while (accept(TokenKind::Comma));
      expect(TokenKind::Newline, "after the returned values");
      return stmt;
    }
    if (accept(TokenKind::KwFor)) {
      auto stmt = std::make_unique<Stmt>(Stmt::Kind::For, location);
      do
        stmt->targets.push_back(expect(TokenKind::Name, "as a loop variable").text);
      while (accept(TokenKind::Comma));
      expect(TokenKind::KwIn, "after the loop variables");
      stmt->values.push_back(parseExpr());
      expect(TokenKind::Colon, "after the loop's range");
      stmt->bodies.push_back(parseSuite());
      return stmt;
    }
    if (accept(TokenKind::KwRepeat)) {
      auto stmt = std::make_unique<Stmt>(Stmt::Kind::Repeat, location);
      stmt->values.push_back(parseExpr());
      expect(TokenKind::Colon, "after the repeat count");
      stmt->bodies.push_back(parseSuite());
      return stmt;
    }
    if (accept(TokenKind::KwIf)) {
      auto stmt = std::make_unique<Stmt>(Stmt::Kind::If, location);
      do {
        stmt->values.push_back(parseExpr());
        expect(TokenKind::Colon, "after the condition");
        stmt->bodies.push_back(parseSuite());
      } while (accept(TokenKind::KwElif));
      if (accept(TokenKind::KwElse)) {
        expect(TokenKind::Colon, "after 'else'");
        stmt->bodies.push_back(parseSuite());
      }
      return stmt;
    }
    if (isAssignment()) {
      auto stmt = std::make_unique<Stmt>(Stmt::Kind::Assign, location);
      do
        stmt->targets.push_back(take().text);
      while (accept(TokenKind::Comma));
      expect(TokenKind::Assign, "after the assigned names");
      stmt->values.push_back(parseExpr());
      expect(TokenKind::Newline, "after the assigned value");
      return stmt;
    }
    auto stmt = std::make_unique<Stmt>(Stmt::Kind::Expression, location);
    stmt->values.push_back(parseExpr());
    expect(TokenKind::Newline, "after the expression");
    return stmt;
  }

  /// NAME {',' NAME} '=' starts an assignment.
  bool isAssignment() const {
    size_t ahead = 0;
    while (peek(ahead).kind == TokenKind::Name) {
      TokenKind next = peek(ahead + 1).kind;
      if (next == TokenKind::Assign)
        return true;
      if (next != TokenKind::Comma)
        return false;
      ahead += 2;
    }
    return false;
  }

  // expr := or_expr ['if' or_expr 'else' expr]
  ExprPtr parseExpr() {
    NestingGuard guard(*this);
    ExprPtr value = parseOr();
    if (!at(TokenKind::KwIf))
      return value;
    auto conditional = std::make_unique<Expr>(Expr::Kind::Conditional, take().location);
    ExprPtr condition = parseOr();
    expect(TokenKind::KwElse, "in a conditional expression ('a if condition else b')");
    conditional->operands.push_back(std::move(value));
    conditional->operands.push_back(std::move(condition));
    conditional->operands.push_back(parseExpr());
    return conditional;
  }

  /// The height of `expr`'s tree. Operator nodes record theirs when made,
  /// so this descends only through brackets and calls, whose nesting the
  /// NestingGuard bounds.
  static int height(const Expr &expr) {
    if (expr.height)
      return expr.height;
    int below = 0;
    for (const ExprPtr &operand : expr.operands)
      below = std::max(below, height(*operand));
    for (const Argument &argument : expr.arguments)
      below = std::max(below, height(*argument.value));
    for (const NamePiece &piece : expr.layerName)
      if (piece.value)
        below = std::max(below, height(*piece.value));
    return below + 1;
  }

  /// The height of a node over `lhs` and `rhs`. A chain like `1 + 1 + ...`
  /// or `x[0][0]...` nests no brackets but makes a tree as deep as it is
  /// long, and evaluating or freeing it recurses that deep.
  int checkedHeight(const Expr &lhs, const Expr &rhs, SourceLocation location) {
    int tall = std::max(height(lhs), height(rhs)) + 1;
    if (tall > maxExpressionHeight)
      diagnostics.fatal(location, "expression deeper than " +
                                      std::to_string(maxExpressionHeight) +
                                      " operators (split a long chain into named parts)");
    return tall;
  }

  ExprPtr makeBinary(Expr::Kind kind, const Token &op, ExprPtr lhs, ExprPtr rhs) {
    int tall = checkedHeight(*lhs, *rhs, op.location);
    auto binary = std::make_unique<Expr>(kind, op.location);
    binary->text = op.text;
    binary->height = tall;
    binary->operands.push_back(std::move(lhs));
    binary->operands.push_back(std::move(rhs));
    return binary;
  }

  /// One left-associative level: operand {op operand}, for any of `ops`.
  ExprPtr parseLeftAssociative(std::initializer_list<TokenKind> ops, Expr::Kind kind,
                               ExprPtr (Parser::*operand)()) {
    ExprPtr lhs = (this->*operand)();
    while (atAnyOf(ops)) {
      const Token &op = take();
      lhs = makeBinary(kind, op, std::move(lhs), (this->*operand)());
    }
    return lhs;
  }

  bool atAnyOf(std::initializer_list<TokenKind> kinds) const {
    for (TokenKind kind : kinds)
      if (at(kind))
        return true;
    return false;
  }

  // or_expr := and_expr {'or' and_expr}
  ExprPtr parseOr() {
    return parseLeftAssociative({TokenKind::KwOr}, Expr::Kind::Logical, &Parser::parseAnd);
  }

  // and_expr := not_expr {'and' not_expr}
  ExprPtr parseAnd() {
    return parseLeftAssociative({TokenKind::KwAnd}, Expr::Kind::Logical, &Parser::parseNot);
  }

  // not_expr := 'not' not_expr | comparison
  ExprPtr parseNot() {
    NestingGuard guard(*this);
    if (!at(TokenKind::KwNot))
      return parseComparison();
    auto negation = std::make_unique<Expr>(Expr::Kind::Not, take().location);
    negation->operands.push_back(parseNot());
    return negation;
  }

  // comparison := arith [('==' | '!=' | '<' | '<=' | '>' | '>=') arith]
  ExprPtr parseComparison() {
    ExprPtr lhs = parseArith();
    switch (peek().kind) {
    case TokenKind::Equal: case TokenKind::NotEqual: case TokenKind::Less:
    case TokenKind::LessEqual: case TokenKind::Greater: case TokenKind::GreaterEqual: {
      const Token &op = take();
      return makeBinary(Expr::Kind::Binary, op, std::move(lhs), parseArith());
    }
    default:
      return lhs;
    }
  }

  // arith := term {('+' | '-') term}
  ExprPtr parseArith() {
    return parseLeftAssociative({TokenKind::Plus, TokenKind::Minus}, Expr::Kind::Binary,
                                &Parser::parseTerm);
  }

  // term := unary {('*' | '/' | '//' | '%') unary}
  ExprPtr parseTerm() {
    return parseLeftAssociative({TokenKind::Star, TokenKind::Slash, TokenKind::SlashSlash,
                                 TokenKind::Percent},
                                Expr::Kind::Binary, &Parser::parseUnary);
  }

  // unary := '-' unary | '*' call | power
  // power := postfix ['**' unary]
  ExprPtr parseUnary() {
    NestingGuard guard(*this);
    if (at(TokenKind::Star)) {
      // `*helper(x)`: the block's layers take the enclosing sequential's
      // positions, as nn.Sequential(*helper()) numbers a helper's modules.
      SourceLocation star = take().location;
      ExprPtr call = parsePostfix();
      if (call->kind != Expr::Kind::Call || !call->layerName.empty())
        diagnostics.fatal(star, "'*' splices a block call into the enclosing sequential's "
                                "numbering: write '*helper(x, ...)', without 'as'");
      call->spliced = true;
      return call;
    }
    if (at(TokenKind::Minus)) {
      auto negation = std::make_unique<Expr>(Expr::Kind::Unary, peek().location);
      negation->text = take().text;
      negation->operands.push_back(parseUnary());
      return negation;
    }
    ExprPtr base = parsePostfix();
    if (!at(TokenKind::StarStar))
      return base;
    const Token &op = take();
    return makeBinary(Expr::Kind::Binary, op, std::move(base), parseUnary());
  }

  // postfix := primary {'[' expr ']'}
  // primary := INTEGER | FLOAT | STRING | 'true' | 'false' | 'none'
  //          | NAME | call | '(' expr ')' | '[' [expr {',' expr} [',']] ']'
  ExprPtr parsePostfix() {
    ExprPtr value = parsePrimary();
    while (at(TokenKind::LBracket)) {
      auto indexed = std::make_unique<Expr>(Expr::Kind::Index, take().location);
      indexed->operands.push_back(std::move(value));
      indexed->operands.push_back(parseExpr());
      expect(TokenKind::RBracket, "to close the index");
      indexed->height = checkedHeight(*indexed->operands[0], *indexed->operands[1],
                                      indexed->location);
      value = std::move(indexed);
    }
    return value;
  }

  ExprPtr parsePrimary() {
    const Token &token = peek();
    switch (token.kind) {
    case TokenKind::Integer: {
      take();
      auto literal = std::make_unique<Expr>(Expr::Kind::Integer, token.location);
      errno = 0;
      char *end = nullptr;
      literal->integer = std::strtoll(token.text.c_str(), &end, 10);
      if (errno == ERANGE)
        diagnostics.fatal(token.location, "integer '" + token.text + "' is too large");
      return literal;
    }
    case TokenKind::Float: {
      take();
      auto literal = std::make_unique<Expr>(Expr::Kind::Float, token.location);
      literal->number = std::strtod(token.text.c_str(), nullptr);
      return literal;
    }
    case TokenKind::String: {
      take();
      auto literal = std::make_unique<Expr>(Expr::Kind::String, token.location);
      literal->text = token.text;
      return literal;
    }
    case TokenKind::KwTrue:
    case TokenKind::KwFalse: {
      take();
      auto literal = std::make_unique<Expr>(Expr::Kind::Bool, token.location);
      literal->integer = token.kind == TokenKind::KwTrue;
      return literal;
    }
    case TokenKind::KwNone:
      take();
      return std::make_unique<Expr>(Expr::Kind::None, token.location);
    case TokenKind::Name:
      take();
      if (at(TokenKind::LParen))
        return parseCall(token);
      {
        auto name = std::make_unique<Expr>(Expr::Kind::Name, token.location);
        name->text = token.text;
        return name;
      }
    case TokenKind::LParen: {
      take();
      ExprPtr inner = parseExpr();
      expect(TokenKind::RParen, "to close the parenthesis");
      return inner;
    }
    case TokenKind::LBracket: {
      auto list = std::make_unique<Expr>(Expr::Kind::List, take().location);
      while (!at(TokenKind::RBracket)) {
        list->operands.push_back(parseExpr());
        if (list->operands.size() == 1 && at(TokenKind::KwFor))
          return parseComprehension(std::move(list));
        if (!accept(TokenKind::Comma))
          break;
      }
      expect(TokenKind::RBracket, "to close the list");
      return list;
    }
    default:
      fail("expected an expression");
    }
  }

  // comprehension := '[' expr 'for' NAME {',' NAME} 'in' or_expr ['if' or_expr] ']'
  // The iterable and the filter stop before 'if' and 'else', as in Python.
  ExprPtr parseComprehension(ExprPtr list) {
    auto comprehension = std::make_unique<Expr>(Expr::Kind::Comprehension, take().location);
    comprehension->operands.push_back(std::move(list->operands[0]));
    do
      comprehension->targets.push_back(expect(TokenKind::Name, "as a loop variable").text);
    while (accept(TokenKind::Comma));
    expect(TokenKind::KwIn, "after the loop variables");
    comprehension->operands.push_back(parseOr());
    if (accept(TokenKind::KwIf))
      comprehension->operands.push_back(parseOr());
    expect(TokenKind::RBracket, "to close the list comprehension");
    return comprehension;
  }

  // call := NAME '(' [argument {',' argument} [',']] ')' ['as' layer_name]
  // argument := [NAME '='] expr
  ExprPtr parseCall(const Token &callee) {
    auto call = std::make_unique<Expr>(Expr::Kind::Call, callee.location);
    call->text = callee.text;
    take();
    bool sawKeyword = false;
    while (!at(TokenKind::RParen)) {
      Argument argument;
      argument.location = peek().location;
      if (at(TokenKind::Name) && peek(1).kind == TokenKind::Assign) {
        argument.keyword = take().text;
        take();
        for (const Argument &other : call->arguments)
          if (other.keyword == argument.keyword)
            diagnostics.fatal(argument.location, "argument '" + argument.keyword +
                                                     "' is given twice");
        sawKeyword = true;
      } else if (sawKeyword) {
        diagnostics.fatal(argument.location,
                          "positional argument after a keyword argument");
      }
      argument.value = parseExpr();
      call->arguments.push_back(std::move(argument));
      if (!accept(TokenKind::Comma))
        break;
    }
    expect(TokenKind::RParen, "to close the argument list of '" + callee.text + "'");
    if (at(TokenKind::KwAs)) {
      take();
      call->layerNameLocation = peek().location;
      call->layerName = parseLayerName();
    }
    return call;
  }

  static bool isKeyword(TokenKind kind) {
    return kind >= TokenKind::KwBlock && kind <= TokenKind::KwAs;
  }

  // layer_name := piece {piece}, written without spaces
  // piece := NAME | keyword | INTEGER | FLOAT | '.' | '-' | STRING | '{' expr '}'
  std::vector<NamePiece> parseLayerName() {
    std::vector<NamePiece> pieces;
    while (true) {
      const Token &token = peek();
      if (token.kind == TokenKind::LBrace) {
        take();
        NamePiece piece;
        piece.value = parseExpr();
        expect(TokenKind::RBrace, "to close the interpolation in the layer name");
        pieces.push_back(std::move(piece));
      } else if (isKeyword(token.kind) || // PyTorch names may be keywords here
                 token.kind == TokenKind::Name || token.kind == TokenKind::Integer ||
                 token.kind == TokenKind::Float || token.kind == TokenKind::Dot ||
                 token.kind == TokenKind::Minus || // torchvision's block1-0
                 token.kind == TokenKind::String) {
        take();
        pieces.push_back({token.text, nullptr});
      } else {
        break;
      }
      const Token &last = tokens[index - 1];
      const Token &next = peek();
      bool adjacent = next.location.line == last.location.line &&
                      next.location.column == last.location.column + last.length;
      if (!adjacent)
        break;
    }
    if (pieces.empty())
      fail("expected a layer name after 'as'");
    return pieces;
  }

  std::vector<Token> tokens;
  size_t index = 0;
  int nesting = 0;
  DiagnosticEngine &diagnostics;
};

} // namespace

ast::File parse(int file, const SourceManager &sources,
                DiagnosticEngine &diagnostics) {
  return Parser(lex(file, sources, diagnostics), diagnostics).parseFile();
}

} // namespace cnnc
