//===- Lexer.cpp - tokens of the architecture language --------------------===//

#include "frontend/Lexer.h"

#include <cctype>
#include <map>

namespace cnnc {

const char *describe(TokenKind kind) {
  switch (kind) {
  case TokenKind::End: return "the end of the file";
  case TokenKind::Newline: return "the end of the line";
  case TokenKind::Indent: return "an indented line";
  case TokenKind::Dedent: return "the end of the indented block";
  case TokenKind::Name: return "a name";
  case TokenKind::Integer: return "an integer";
  case TokenKind::Float: return "a number";
  case TokenKind::String: return "a string";
  case TokenKind::KwBlock: return "'block'";
  case TokenKind::KwSequential: return "'sequential'";
  case TokenKind::KwModel: return "'model'";
  case TokenKind::KwParam: return "'param'";
  case TokenKind::KwInclude: return "'include'";
  case TokenKind::KwReturn: return "'return'";
  case TokenKind::KwFor: return "'for'";
  case TokenKind::KwIn: return "'in'";
  case TokenKind::KwRepeat: return "'repeat'";
  case TokenKind::KwIf: return "'if'";
  case TokenKind::KwElif: return "'elif'";
  case TokenKind::KwElse: return "'else'";
  case TokenKind::KwAnd: return "'and'";
  case TokenKind::KwOr: return "'or'";
  case TokenKind::KwNot: return "'not'";
  case TokenKind::KwTrue: return "'true'";
  case TokenKind::KwFalse: return "'false'";
  case TokenKind::KwNone: return "'none'";
  case TokenKind::KwAs: return "'as'";
  case TokenKind::LParen: return "'('";
  case TokenKind::RParen: return "')'";
  case TokenKind::LBracket: return "'['";
  case TokenKind::RBracket: return "']'";
  case TokenKind::LBrace: return "'{'";
  case TokenKind::RBrace: return "'}'";
  case TokenKind::Comma: return "','";
  case TokenKind::Colon: return "':'";
  case TokenKind::Dot: return "'.'";
  case TokenKind::Assign: return "'='";
  case TokenKind::Plus: return "'+'";
  case TokenKind::Minus: return "'-'";
  case TokenKind::Star: return "'*'";
  case TokenKind::Slash: return "'/'";
  case TokenKind::SlashSlash: return "'//'";
  case TokenKind::Percent: return "'%'";
  case TokenKind::StarStar: return "'**'";
  case TokenKind::Equal: return "'=='";
  case TokenKind::NotEqual: return "'!='";
  case TokenKind::Less: return "'<'";
  case TokenKind::LessEqual: return "'<='";
  case TokenKind::Greater: return "'>'";
  case TokenKind::GreaterEqual: return "'>='";
  }
  return "a token";
}

namespace {

const std::map<std::string, TokenKind> keywords = {
    {"block", TokenKind::KwBlock},     {"sequential", TokenKind::KwSequential},
    {"model", TokenKind::KwModel},     {"param", TokenKind::KwParam},
    {"include", TokenKind::KwInclude}, {"return", TokenKind::KwReturn},
    {"for", TokenKind::KwFor},         {"in", TokenKind::KwIn},
    {"repeat", TokenKind::KwRepeat},
    {"if", TokenKind::KwIf},           {"elif", TokenKind::KwElif},
    {"else", TokenKind::KwElse},       {"and", TokenKind::KwAnd},
    {"or", TokenKind::KwOr},           {"not", TokenKind::KwNot},
    {"true", TokenKind::KwTrue},       {"false", TokenKind::KwFalse},
    {"none", TokenKind::KwNone},       {"as", TokenKind::KwAs},
};

class Lexer {
public:
  Lexer(int file, const SourceManager &sources, DiagnosticEngine &diagnostics)
      : file(file), sources(sources), text(sources.getText(file)),
        diagnostics(diagnostics) {}

  std::vector<Token> run() {
    indents.push_back(0);
    while (pos < text.size()) {
      if (atLineStart && bracketDepth == 0) {
        if (handleIndentation())
          continue;
      }
      char c = text[pos];
      if (c == '#') {
        while (pos < text.size() && text[pos] != '\n')
          advance();
      } else if (c == '\n') {
        // Inside brackets, or after a comma that ends a line (a long
        // return list), a line break is only white space: no statement
        // ends with a comma.
        bool continues = bracketDepth > 0 || (!tokens.empty() &&
                                              tokens.back().kind == TokenKind::Comma);
        if (!continues && !lastIsNewline())
          push(TokenKind::Newline, "", here());
        advance();
        atLineStart = !continues;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        advance();
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        lexNumber();
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        lexName();
      } else if (c == '"') {
        lexString();
      } else {
        lexPunctuation();
      }
    }
    if (!openBrackets.empty())
      diagnostics.fatal(openBrackets.back(), "'" +
                        sources.getLine(openBrackets.back().file, openBrackets.back().line)
                            .substr(openBrackets.back().column - 1, 1) +
                        "' is never closed");
    SourceLocation end = here();
    if (!tokens.empty() && !lastIsNewline())
      push(TokenKind::Newline, "", end);
    while (indents.size() > 1) {
      indents.pop_back();
      push(TokenKind::Dedent, "", end);
    }
    push(TokenKind::End, "", end);
    return std::move(tokens);
  }

private:
  SourceLocation here() const { return {file, line, column}; }

  void advance() {
    if (text[pos] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    ++pos;
  }

  void push(TokenKind kind, std::string spelling, SourceLocation location) {
    int length = line == location.line ? column - location.column : 0;
    tokens.push_back({kind, std::move(spelling), location, length});
  }

  bool lastIsNewline() const {
    return tokens.empty() || tokens.back().kind == TokenKind::Newline ||
           tokens.back().kind == TokenKind::Indent ||
           tokens.back().kind == TokenKind::Dedent;
  }

  /// Measures a line's indentation and emits INDENT/DEDENT. Returns true when
  /// the line was blank or a comment, which does not change indentation.
  bool handleIndentation() {
    size_t start = pos;
    int width = 0;
    bool sawTab = false, sawSpace = false;
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) {
      (text[pos] == '\t' ? sawTab : sawSpace) = true;
      width += text[pos] == '\t' ? 8 - width % 8 : 1;
      advance();
    }
    if (pos >= text.size() || text[pos] == '\n' || text[pos] == '#' ||
        text[pos] == '\r') {
      while (pos < text.size() && text[pos] != '\n')
        advance();
      if (pos < text.size())
        advance();
      return true;
    }
    atLineStart = false;
    if (sawTab && sawSpace)
      diagnostics.fatal(here(), "indentation mixes tabs and spaces");
    (void)start;
    if (width > indents.back()) {
      indents.push_back(width);
      push(TokenKind::Indent, "", here());
    } else {
      while (width < indents.back()) {
        indents.pop_back();
        push(TokenKind::Dedent, "", here());
      }
      if (width != indents.back())
        diagnostics.fatal(here(),
                          "this line's indentation matches no enclosing block");
    }
    return false;
  }

  void lexNumber() {
    SourceLocation start = here();
    size_t begin = pos;
    bool isFloat = false;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
      advance();
    // "1.5" is a number; "layer1.0" and "x.0" are name paths (handled by the
    // parser), so a dot counts only when a digit follows it.
    if (pos + 1 < text.size() && text[pos] == '.' &&
        std::isdigit(static_cast<unsigned char>(text[pos + 1]))) {
      isFloat = true;
      advance();
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
        advance();
    }
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
      size_t save = pos;
      SourceLocation saveLocation = here();
      advance();
      if (pos < text.size() && (text[pos] == '+' || text[pos] == '-'))
        advance();
      if (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        isFloat = true;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
          advance();
      } else {
        pos = save;
        line = saveLocation.line;
        column = saveLocation.column;
      }
    }
    if (pos < text.size() &&
        (std::isalpha(static_cast<unsigned char>(text[pos])) || text[pos] == '_'))
      diagnostics.fatal(here(), "malformed number: a letter directly after '" +
                                    text.substr(begin, pos - begin) + "'");
    push(isFloat ? TokenKind::Float : TokenKind::Integer,
         text.substr(begin, pos - begin), start);
  }

  void lexName() {
    SourceLocation start = here();
    size_t begin = pos;
    while (pos < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_'))
      advance();
    std::string word = text.substr(begin, pos - begin);
    auto keyword = keywords.find(word);
    push(keyword == keywords.end() ? TokenKind::Name : keyword->second, word,
         start);
  }

  void lexString() {
    SourceLocation start = here();
    advance();
    std::string value;
    while (true) {
      if (pos >= text.size() || text[pos] == '\n')
        diagnostics.fatal(start, "string is not closed before the end of the line");
      char c = text[pos];
      if (c == '"')
        break;
      if (c == '\\') {
        advance();
        if (pos >= text.size() || text[pos] == '\n')
          continue;
        char escaped = text[pos];
        if (escaped != '"' && escaped != '\\')
          diagnostics.fatal(here(), std::string("unknown escape '\\") + escaped +
                                        "' (only \\\" and \\\\ are allowed)");
        value += escaped;
        advance();
        continue;
      }
      value += c;
      advance();
    }
    advance();
    push(TokenKind::String, value, start);
  }

  void lexPunctuation() {
    SourceLocation start = here();
    char c = text[pos];
    char next = pos + 1 < text.size() ? text[pos + 1] : '\0';
    auto two = [&](TokenKind kind, const char *spelling) {
      advance();
      advance();
      push(kind, spelling, start);
    };
    auto one = [&](TokenKind kind) {
      advance();
      push(kind, std::string(1, c), start);
    };
    switch (c) {
    case '(':
    case '[':
    case '{':
      ++bracketDepth;
      openBrackets.push_back(start);
      return one(c == '('   ? TokenKind::LParen
                 : c == '[' ? TokenKind::LBracket
                            : TokenKind::LBrace);
    case ')':
    case ']':
    case '}':
      if (bracketDepth == 0)
        diagnostics.fatal(start, std::string("unmatched '") + c + "'");
      --bracketDepth;
      openBrackets.pop_back();
      return one(c == ')'   ? TokenKind::RParen
                 : c == ']' ? TokenKind::RBracket
                            : TokenKind::RBrace);
    case ',': return one(TokenKind::Comma);
    case ':': return one(TokenKind::Colon);
    case '.': return one(TokenKind::Dot);
    case '+': return one(TokenKind::Plus);
    case '-': return one(TokenKind::Minus);
    case '%': return one(TokenKind::Percent);
    case '*': return next == '*' ? two(TokenKind::StarStar, "**") : one(TokenKind::Star);
    case '/': return next == '/' ? two(TokenKind::SlashSlash, "//") : one(TokenKind::Slash);
    case '=': return next == '=' ? two(TokenKind::Equal, "==") : one(TokenKind::Assign);
    case '<': return next == '=' ? two(TokenKind::LessEqual, "<=") : one(TokenKind::Less);
    case '>': return next == '=' ? two(TokenKind::GreaterEqual, ">=") : one(TokenKind::Greater);
    case '!':
      if (next == '=')
        return two(TokenKind::NotEqual, "!=");
      break;
    default:
      break;
    }
    std::string shown = std::isprint(static_cast<unsigned char>(c))
                            ? std::string("'") + c + "'"
                            : "byte " + std::to_string(static_cast<unsigned char>(c));
    diagnostics.fatal(start, "unexpected character " + shown);
  }

  int file;
  const SourceManager &sources;
  const std::string &text;
  DiagnosticEngine &diagnostics;
  size_t pos = 0;
  int line = 1, column = 1;
  int bracketDepth = 0;
  bool atLineStart = true;
  std::vector<int> indents;
  std::vector<SourceLocation> openBrackets;
  std::vector<Token> tokens;
};

} // namespace

std::vector<Token> lex(int file, const SourceManager &sources,
                       DiagnosticEngine &diagnostics) {
  return Lexer(file, sources, diagnostics).run();
}

} // namespace cnnc
