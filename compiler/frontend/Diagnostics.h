//===- Diagnostics.h - source files and error reports ---------------------===//
//
// Every message about a .cnn file names file:line:col, shows the source line
// and puts a caret under the column, the way C compilers do. The frontend
// stops at its first error: one precise message beats a cascade.
//
// Plain C++ (no LLVM), so the parser can be built alone for fuzzing.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_DIAGNOSTICS_H
#define CNNC_FRONTEND_DIAGNOSTICS_H

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace cnnc {

/// A position in a source file; line and column count from 1.
struct SourceLocation {
  int file = -1;
  int line = 0;
  int column = 0;
  bool isValid() const { return file >= 0; }
};

/// Owns the text of every file the frontend reads (the model and its
/// includes) so locations stay valid for the whole compilation.
class SourceManager {
public:
  /// Reads `path` (a regular file, bounded: support/ReadFile.h); returns its id, or
  /// -1 with `error` saying why it cannot be read.
  int addFile(const std::string &path, std::string &error);
  /// Registers text that did not come from disk (tests, fuzzing).
  int addBuffer(const std::string &name, std::string text);

  int getFileCount() const { return static_cast<int>(files.size()); }
  const std::string &getPath(int file) const { return files[file].path; }
  const std::string &getText(int file) const { return files[file].text; }
  /// The text of one line, without its line break.
  std::string getLine(int file, int line) const;

private:
  struct File {
    std::string path;
    std::string text;
    std::vector<size_t> lineStarts;
  };
  int add(std::string path, std::string text);
  std::vector<File> files;
};

/// Thrown once an error has been reported; the driver catches it and exits
/// with a failure status. Carries nothing: the report is already printed.
struct CompilationAborted {};

class DiagnosticEngine {
public:
  DiagnosticEngine(const SourceManager &sources, std::ostream &os)
      : sources(sources), os(os) {}

  /// Prints "file:line:col: error: message", the line and a caret.
  void error(SourceLocation location, const std::string &message);
  /// "file:line:col: warning: message": the compilation goes on.
  void warning(SourceLocation location, const std::string &message);
  /// A note attached to the previous error (for example, a call site).
  void note(SourceLocation location, const std::string &message);
  /// Reports and aborts the compilation.
  [[noreturn]] void fatal(SourceLocation location, const std::string &message);

  bool hadError() const { return errors > 0; }

  /// Lines of a generated program (an imported model) that came from
  /// elsewhere: a message about line N of `file` names `origins[N - 1]`
  /// ("model.onnx: node 'pool' (AveragePool, ...)") where it is not empty,
  /// so the user reads about their file, not about text they never wrote.
  void setLineOrigins(int file, std::vector<std::string> origins);

private:
  void report(SourceLocation location, const char *kind,
              const std::string &message);
  const SourceManager &sources;
  std::ostream &os;
  int errors = 0;
  int originFile = -1;
  std::vector<std::string> origins;
};

} // namespace cnnc

#endif // CNNC_FRONTEND_DIAGNOSTICS_H
