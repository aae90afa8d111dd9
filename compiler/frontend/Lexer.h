//===- Lexer.h - tokens of the architecture language ----------------------===//
//
// Blocks are delimited by indentation, as in Python: the lexer turns changes
// of indentation into INDENT and DEDENT tokens and ignores line breaks inside
// brackets, so the parser sees a plain token grammar.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_LEXER_H
#define CNNC_FRONTEND_LEXER_H

#include "frontend/Diagnostics.h"

#include <string>
#include <vector>

namespace cnnc {

enum class TokenKind {
  End, Newline, Indent, Dedent,
  Name, Integer, Float, String,
  // Keywords.
  KwBlock, KwSequential, KwModel, KwParam, KwInclude, KwReturn, KwFor, KwIn,
  KwRepeat,
  KwIf, KwElif, KwElse, KwAnd, KwOr, KwNot, KwTrue, KwFalse, KwNone, KwAs,
  // Punctuation and operators.
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon, Dot, Assign,
  Plus, Minus, Star, Slash, SlashSlash, Percent, StarStar,
  Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual,
};

/// How a token kind reads in a message ("')'", "a name").
const char *describe(TokenKind kind);

struct Token {
  TokenKind kind;
  std::string text; // The spelling; for strings, the value without quotes.
  SourceLocation location;
  int length = 0; // Columns the token spans in the source.
};

/// Splits a whole file into tokens. Reports the first lexical error through
/// `diagnostics` and aborts.
std::vector<Token> lex(int file, const SourceManager &sources,
                       DiagnosticEngine &diagnostics);

} // namespace cnnc

#endif // CNNC_FRONTEND_LEXER_H
