//===- Parser.h - recursive-descent parser for .cnn files -----------------===//

#ifndef CNNC_FRONTEND_PARSER_H
#define CNNC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"

namespace cnnc {

/// Parses one file. Reports the first syntax error and aborts
/// (throws CompilationAborted).
ast::File parse(int file, const SourceManager &sources,
                DiagnosticEngine &diagnostics);

} // namespace cnnc

#endif // CNNC_FRONTEND_PARSER_H
