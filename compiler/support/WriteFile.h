//===- WriteFile.h - outputs that are the files the user meant -------------===//
//
// An output named by the user is written so that nothing else is touched:
//
//  - a regular file (or a new one) is written under a unique name beside it
//    and renamed over it, so a reader of the old file keeps it, two writers
//    never share a temporary, and a failed write leaves the old file and no
//    partial one;
//  - a device, FIFO or symlink is written in place (through the link): a
//    rename would replace /dev/null or the link itself;
//  - a directory is an error.
//
// Every write and close is checked: a full disk is an error, never a
// truncated file reported as success. Plain POSIX, so that every tool and
// library (and the fuzzers) can use it.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_SUPPORT_WRITEFILE_H
#define CNNC_SUPPORT_WRITEFILE_H

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cnnc {

namespace detail {

inline bool fail(std::string &why, int error) {
  why = std::strerror(error);
  return false;
}

inline bool writeAll(int descriptor, const char *data, size_t size, std::string &why) {
  while (size > 0) {
    ssize_t n = ::write(descriptor, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return fail(why, n < 0 ? errno : ENOSPC);
    data += n;
    size -= size_t(n);
  }
  return true;
}

/// Whether `path` exists and is written in place (not a regular file, or a
/// symlink); sets `why` and returns false for a directory.
inline bool writtenInPlace(const std::string &path, bool &inPlace, std::string &why) {
  struct stat link, target;
  inPlace = false;
  if (::lstat(path.c_str(), &link) != 0)
    return errno == ENOENT ? true : fail(why, errno);
  if (::stat(path.c_str(), &target) == 0 && S_ISDIR(target.st_mode)) {
    why = "it is a directory";
    return false;
  }
  inPlace = S_ISLNK(link.st_mode) || !S_ISREG(link.st_mode);
  return true;
}

inline bool writeInPlace(const std::string &path, const char *data, size_t size,
                         std::string &why) {
  int descriptor = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (descriptor < 0)
    return fail(why, errno);
  bool written = writeAll(descriptor, data, size, why);
  if (::close(descriptor) != 0 && written)
    return fail(why, errno);
  return written;
}

} // namespace detail

/// Makes a new, empty file with a unique name beside `path` for a tool to
/// write into ("out.5xQ2aB.partial"), or in $TMPDIR when `path` is written
/// in place (no file appears beside /dev/null); `temporary` is its name.
inline bool createTemporaryBeside(const std::string &path, std::string &temporary,
                                  std::string &why) {
  bool inPlace = false;
  if (!detail::writtenInPlace(path, inPlace, why))
    return false;
  std::string base = path;
  if (inPlace) {
    const char *directory = std::getenv("TMPDIR");
    base = std::string(directory && *directory ? directory : "/tmp") + "/cnnc-output";
  }
  std::vector<char> name(base.begin(), base.end());
  const std::string suffix = ".XXXXXX.partial";
  name.insert(name.end(), suffix.begin(), suffix.end());
  name.push_back('\0');
  int descriptor = ::mkstemps(name.data(), int(std::strlen(".partial")));
  if (descriptor < 0)
    return detail::fail(why, errno);
  // mkstemps makes the file private; an output has the usual mode.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(descriptor, 0666 & ~mask);
  ::close(descriptor);
  temporary = name.data();
  return true;
}

/// Puts a finished temporary in the place of `path` (a rename, or a copy
/// in place for a device, FIFO or symlink). The temporary is gone after.
inline bool commitTemporary(const std::string &temporary, const std::string &path,
                            std::string &why) {
  bool inPlace = false;
  bool committed = detail::writtenInPlace(path, inPlace, why);
  if (committed && inPlace) {
    std::string bytes;
    FILE *file = std::fopen(temporary.c_str(), "rb");
    if (!file) {
      committed = detail::fail(why, errno);
    } else {
      char buffer[1 << 16];
      for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;)
        bytes.append(buffer, n);
      std::fclose(file);
      committed = detail::writeInPlace(path, bytes.data(), bytes.size(), why);
    }
  } else if (committed && std::rename(temporary.c_str(), path.c_str()) != 0) {
    committed = detail::fail(why, errno);
  }
  ::unlink(temporary.c_str());  // after a rename: already gone
  return committed;
}

/// Writes `bytes` as the file `path`, as described above; false and `why`
/// (without the path) if it could not be written, and then nothing new is
/// left behind.
inline bool writeFileSafely(const std::string &path, const std::string &bytes,
                            std::string &why) {
  bool inPlace = false;
  if (!detail::writtenInPlace(path, inPlace, why))
    return false;
  if (inPlace)
    return detail::writeInPlace(path, bytes.data(), bytes.size(), why);
  std::string temporary;
  if (!createTemporaryBeside(path, temporary, why))
    return false;
  if (!detail::writeInPlace(temporary, bytes.data(), bytes.size(), why)) {
    ::unlink(temporary.c_str());
    return false;
  }
  return commitTemporary(temporary, path, why);
}

} // namespace cnnc

#endif // CNNC_SUPPORT_WRITEFILE_H
