//===- OutputPath.cpp - an output path checked before any work -------------===//

#include "driver/OutputPath.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <unistd.h>

namespace cnnc {

bool checkOutputPath(const std::string &tool, const std::string &path) {
  if (path == "-")
    return true;
  if (llvm::sys::fs::is_directory(path)) {
    llvm::errs() << tool << ": -o " << path << " is a directory; give a file name\n";
    return false;
  }
  // An existing file (or a device, or a FIFO) is written in place.
  if (llvm::sys::fs::exists(path)) {
    if (access(path.c_str(), W_OK) == 0)
      return true;
    llvm::errs() << tool << ": -o " << path << ": cannot write it (permission denied)\n";
    return false;
  }
  llvm::SmallString<256> directory(llvm::sys::path::parent_path(path));
  if (directory.empty())
    directory = ".";
  if (!llvm::sys::fs::is_directory(directory)) {
    llvm::errs() << tool << ": -o " << path << ": the directory " << directory
                 << " does not exist\n";
    return false;
  }
  if (access(directory.c_str(), W_OK | X_OK) != 0) {
    llvm::errs() << tool << ": -o " << path << ": cannot write in " << directory
                 << " (permission denied)\n";
    return false;
  }
  return true;
}

} // namespace cnnc
