//===- Diagnostics.cpp - source files and error reports -------------------===//

#include "frontend/Diagnostics.h"
#include "support/ReadFile.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace cnnc {

int SourceManager::add(std::string path, std::string text) {
  File file{std::move(path), std::move(text), {0}};
  for (size_t i = 0; i < file.text.size(); ++i)
    if (file.text[i] == '\n')
      file.lineStarts.push_back(i + 1);
  files.push_back(std::move(file));
  return static_cast<int>(files.size()) - 1;
}

int SourceManager::addFile(const std::string &path, std::string &error) {
  std::string text;
  if (!readRegularFile(path, text, error))
    return -1;
  return add(path, std::move(text));
}

int SourceManager::addBuffer(const std::string &name, std::string text) {
  return add(name, std::move(text));
}

std::string SourceManager::getLine(int file, int line) const {
  const File &f = files[file];
  if (line < 1 || static_cast<size_t>(line) > f.lineStarts.size())
    return "";
  size_t begin = f.lineStarts[line - 1];
  size_t end = f.text.find('\n', begin);
  std::string text = f.text.substr(begin, end == std::string::npos
                                              ? std::string::npos
                                              : end - begin);
  if (!text.empty() && text.back() == '\r')
    text.pop_back();
  return text;
}

void DiagnosticEngine::report(SourceLocation location, const char *kind,
                              const std::string &message) {
  if (!location.isValid()) {
    os << kind << ": " << message << "\n";
    return;
  }
  if (location.file == originFile && location.line >= 1 &&
      size_t(location.line) <= origins.size() && !origins[size_t(location.line) - 1].empty()) {
    os << origins[size_t(location.line) - 1] << ": " << message << " ("
       << sources.getPath(location.file) << ":" << location.line << ")\n";
    return;
  }
  os << sources.getPath(location.file) << ":" << location.line << ":"
     << location.column << ": " << kind << ": " << message << "\n";
  std::string line = sources.getLine(location.file, location.line);
  // A very long line is shown as a window around the column, so one
  // message stays a few lines long whatever the file holds.
  constexpr int window = 120;
  int column = location.column;
  if (static_cast<int>(line.size()) > 2 * window) {
    int start = std::max(0, column - 1 - window / 2);
    line = (start ? "..." : "") + line.substr(start, window) + "...";
    column = column - start + (start ? 3 : 0);
  }
  os << line << "\n";
  // Keep tabs so the caret lines up under the same column.
  std::string caret;
  for (int i = 1; i < column && i <= static_cast<int>(line.size()); ++i)
    caret += line[i - 1] == '\t' ? '\t' : ' ';
  os << caret << "^\n";
}

void DiagnosticEngine::setLineOrigins(int file, std::vector<std::string> lineOrigins) {
  originFile = file;
  origins = std::move(lineOrigins);
}

void DiagnosticEngine::error(SourceLocation location,
                             const std::string &message) {
  ++errors;
  report(location, "error", message);
}

void DiagnosticEngine::warning(SourceLocation location, const std::string &message) {
  report(location, "warning", message);
}

void DiagnosticEngine::note(SourceLocation location,
                            const std::string &message) {
  report(location, "note", message);
}

void DiagnosticEngine::fatal(SourceLocation location,
                             const std::string &message) {
  error(location, message);
  throw CompilationAborted{};
}

} // namespace cnnc
