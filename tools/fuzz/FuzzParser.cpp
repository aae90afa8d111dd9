//===- FuzzParser.cpp - libFuzzer target for the .cnn lexer and parser ----===//
//
// Any byte string must either parse or end in a reported error: never a
// crash, a hang or a sanitizer report. Built with clang's -fsanitize=fuzzer
// (see tools/fuzz/CMakeLists.txt) and run by test/Frontend/fuzz-parser.test.
//
//===----------------------------------------------------------------------===//

#include "frontend/AST.h"
#include "frontend/Parser.h"

#include <cstddef>
#include <cstdint>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cnnc::SourceManager sources;
  std::ostringstream diagnosticsText;
  cnnc::DiagnosticEngine diagnostics(sources, diagnosticsText);
  int file = sources.addBuffer(
      "fuzz.cnn", std::string(reinterpret_cast<const char *>(data), size));
  try {
    cnnc::ast::File tree = cnnc::parse(file, sources, diagnostics);
    std::ostringstream printed;
    cnnc::ast::print(tree, printed);
  } catch (const cnnc::CompilationAborted &) {
    // A reported syntax error is a correct outcome.
  }
  return 0;
}
