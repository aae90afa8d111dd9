//===- OutputPath.h - an output path checked before any work ---------------===//
//
// A cold compile or a tuning run takes minutes; a missing directory or an
// unwritable one found at the end wastes them. The tools check `-o` first.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DRIVER_OUTPUTPATH_H
#define CNNC_DRIVER_OUTPUTPATH_H

#include <string>

namespace cnnc {

/// Whether `path` can be written as an output: it is a writable file (or
/// device), or its directory exists and is writable; never a directory ("-"
/// is stdout). Prints why not, after `tool`.
bool checkOutputPath(const std::string &tool, const std::string &path);

} // namespace cnnc

#endif // CNNC_DRIVER_OUTPUTPATH_H
