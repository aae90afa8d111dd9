//===- ReadFile.h - reading a file from elsewhere, bounded ------------------===//
//
// Model sources, IR, tuning databases and kernel specs are read whole. `/dev/zero`, a FIFO
// or a directory would read forever or fail obscurely, and a huge file would
// exhaust memory, so only regular files up to a stated size are read.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_SUPPORT_READFILE_H
#define CNNC_SUPPORT_READFILE_H

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <sys/stat.h>

namespace cnnc {

/// The largest model source, IR file or tuning database read.
constexpr size_t kMaxInputFileBytes = size_t(64) << 20;

/// Reads `path` into `text` if it is a regular file of at most `limit`
/// bytes; otherwise returns false with `error` saying why (without the path).
inline bool readRegularFile(const std::string &path, std::string &text, std::string &error,
                            size_t limit = kMaxInputFileBytes) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0) {
    error = std::strerror(errno);
    return false;
  }
  if (!S_ISREG(status.st_mode)) {
    error = S_ISDIR(status.st_mode) ? "it is a directory" : "it is not a regular file";
    return false;
  }
  if (static_cast<unsigned long long>(status.st_size) > limit) {
    error = "it has " + std::to_string(status.st_size) + " bytes; the limit is " +
            std::to_string(limit);
    return false;
  }
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = std::strerror(errno);
    return false;
  }
  // Read at most one byte past the limit: the file may have grown since.
  text.assign(static_cast<size_t>(status.st_size), '\0');
  size_t read = std::fread(text.data(), 1, text.size(), file);
  bool grew = read == text.size() && std::fgetc(file) != EOF;
  std::fclose(file);
  if (read != text.size() || grew) {
    error = "it changed while being read";
    return false;
  }
  return true;
}

} // namespace cnnc

#endif // CNNC_SUPPORT_READFILE_H
