//===- Build.cpp - kernel generation, driver compilation, linking ---------===//

#include "codegen/Build.h"

#include "codegen/DriverSource.h"
#include "support/WriteFile.h"

#include "CheckSpec.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace cnnc::codegen {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Where cnnc's own generator, headers and runtime libraries are: beside
/// an installed cnnc (PREFIX/bin/cnnc finds PREFIX/bin/cnnc-kernelgen,
/// PREFIX/include/cnnc and PREFIX/lib/cnnc), else in the build tree it was
/// built in.
struct Toolchain {
  std::string kernelgen, include, modelLibrary, imageLibrary, library, scripts;
};

const Toolchain &toolchain() {
  static const Toolchain found = [] {
    std::string self = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
    llvm::StringRef prefix = llvm::sys::path::parent_path(llvm::sys::path::parent_path(self));
    std::string lib = (prefix + "/lib/cnnc").str();
    if (!self.empty() && llvm::sys::fs::exists(lib + "/libcnnrt_model.a"))
      return Toolchain{(prefix + "/bin/cnnc-kernelgen").str(),
                       (prefix + "/include/cnnc").str(),
                       lib + "/libcnnrt_model.a",
                       lib + "/libcnnrt_image.a",
                       lib + "/libcnnrt.a",
                       (prefix + "/share/cnnc").str()};
    return Toolchain{CNNC_KERNELGEN_PATH,        CNNC_RUNTIME_INCLUDE_DIR,
                     CNNC_RUNTIME_MODEL_LIBRARY, CNNC_RUNTIME_IMAGE_LIBRARY,
                     CNNC_RUNTIME_LIBRARY,       CNNC_SCRIPTS_DIR};
  }();
  return found;
}

/// The runtime's headers that a library's header includes, copied beside
/// it, so a program that uses the library needs no other include path.
bool copyRuntimeHeaders(const std::string &directory) {
  for (const char *name : {"cnnrt.h", "cnnrt_model.h", "cnnrt_image.h"}) {
    std::string to = (directory.empty() ? std::string(".") : directory) + "/" + name;
    if (std::error_code error = llvm::sys::fs::copy_file(toolchain().include + "/" + name, to)) {
      llvm::errs() << "cnnc: cannot write " << to << ": " << error.message() << "\n";
      return false;
    }
  }
  return true;
}

/// The runtime a model's program links: sessions and the command line,
/// the image readers, libcnnrt, then the static archives of libjpeg, libpng
/// and zlib that the image readers and the .npz reader call (so a program
/// runs where none of them is installed), for a link line.
void appendRuntimeLibraries(std::vector<std::string> &command) {
  command.insert(command.end(),
                 {toolchain().modelLibrary, toolchain().imageLibrary, toolchain().library});
  llvm::SmallVector<llvm::StringRef> archives;
  llvm::StringRef(CNNC_IMAGE_STATIC_LIBRARIES).split(archives, ' ', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef archive : archives)
    command.push_back(archive.str());
  command.insert(command.end(), {"-lpthread", "-ldl", "-lm"});
}

bool run(llvm::ArrayRef<std::string> command, const std::string &what) {
  std::vector<llvm::StringRef> arguments(command.begin(), command.end());
  auto program = llvm::sys::findProgramByName(command[0]);
  if (!program) {
    llvm::errs() << "cnnc: cannot find '" << command[0] << "' (" << what << ")\n";
    return false;
  }
  std::string error;
  int status = llvm::sys::ExecuteAndWait(*program, arguments, std::nullopt, {}, 0, 0, &error);
  if (status != 0) {
    llvm::errs() << "cnnc: " << what << " failed";
    if (!error.empty())
      llvm::errs() << ": " << error;
    llvm::errs() << " (command: ";
    for (const std::string &word : command)
      llvm::errs() << word << " ";
    llvm::errs() << ")\n";
    return false;
  }
  return true;
}

bool writeFile(const std::string &path, const std::string &text) {
  std::string why;
  if (cnnc::writeFileSafely(path, text, why))
    return true;
  llvm::errs() << "cnnc: cannot write " << path << ": " << why << "\n";
  return false;
}

/// Runs `command`, which writes `path` (its "-o" operand), into a new file
/// beside `path` instead, and puts that in place only if it succeeds: a
/// failed link leaves the old program, and /dev/null stays a device.
bool runInto(const std::string &path, std::vector<std::string> command, const std::string &what) {
  std::string temporary, why;
  if (!cnnc::createTemporaryBeside(path, temporary, why)) {
    llvm::errs() << "cnnc: cannot write beside " << path << ": " << why << "\n";
    return false;
  }
  for (size_t i = 1; i < command.size(); ++i)
    if (command[i - 1] == "-o" && command[i] == path)
      command[i] = temporary;
  if (!run(command, what)) {
    ::unlink(temporary.c_str());
    return false;
  }
  if (!cnnc::commitTemporary(temporary, path, why)) {
    llvm::errs() << "cnnc: cannot write " << path << ": " << why << "\n";
    return false;
  }
  return true;
}

std::string cacheDirectory(const BuildOptions &options) {
  if (!options.cacheDirectory.empty())
    return options.cacheDirectory;
  if (const char *explicitDir = std::getenv("CNNC_CACHE_DIR"))
    return explicitDir;
  llvm::SmallString<256> path;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"))
    path = xdg;
  else if (const char *home = std::getenv("HOME"))
    llvm::sys::path::append(path, home, ".cache");
  else
    path = "/tmp";
  llvm::sys::path::append(path, "cnnc", "kernels");
  return path.str().str();
}

/// A temporary directory, removed when the build ends.
struct WorkDirectory {
  std::string path;
  WorkDirectory() {
    llvm::SmallString<128> created;
    if (!llvm::sys::fs::createUniqueDirectory("cnnc-build", created))
      path = created.str().str();
  }
  ~WorkDirectory() {
    if (!path.empty() && !std::getenv("CNNC_KEEP_BUILD"))
      llvm::sys::fs::remove_directories(path);
  }
};

/// The member names `llvm-ar t` lists for an archive, one per member.
bool archiveMembers(const std::string &archive, const std::string &work,
                    std::vector<std::string> &members) {
  // A redirected output is not truncated: each listing starts afresh.
  std::string listing = work + "/members.txt";
  llvm::sys::fs::remove(listing);
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(listing),
                                                std::nullopt};
  std::string error;
  llvm::StringRef arguments[] = {CNNC_LLVM_AR, "t", archive};
  if (llvm::sys::ExecuteAndWait(CNNC_LLVM_AR, arguments, std::nullopt, redirects, 0, 0, &error) !=
      0) {
    llvm::errs() << "cnnc: cannot list the members of " << archive
                 << (error.empty() ? "" : ": " + error) << "\n";
    return false;
  }
  std::ifstream lines(listing);
  for (std::string line; std::getline(lines, line);)
    members.push_back(line);
  return true;
}

/// Writes the archive of `objects` and the members of `libraries` to
/// `path`: by argument vector (no shell, no MRI script, whose paths would
/// be text to parse), into a new file beside `path` that is checked to list
/// exactly what it should before it is renamed over `path`.
bool writeArchive(const std::string &path, const std::vector<std::string> &objects,
                  const std::vector<std::string> &libraries, const std::string &work) {
  llvm::sys::fs::file_status status;
  if (!llvm::sys::fs::status(path, status, /*Follow=*/false) &&
      status.type() != llvm::sys::fs::file_type::regular_file) {
    llvm::errs() << "cnnc: " << path << " is not a regular file; a library is written as one\n";
    return false;
  }
  std::vector<std::string> expected;
  for (const std::string &object : objects)
    expected.push_back(llvm::sys::path::filename(object).str());
  for (const std::string &library : libraries)
    if (!archiveMembers(library, work, expected))
      return false;
  llvm::SmallString<256> partial;
  llvm::StringRef directory = llvm::sys::path::parent_path(path);
  llvm::sys::path::append(partial, directory.empty() ? "." : directory,
                          llvm::sys::path::filename(path) + ".%%%%%%.partial");
  int descriptor;
  if (std::error_code error = llvm::sys::fs::createUniqueFile(partial, descriptor, partial)) {
    llvm::errs() << "cnnc: cannot create " << partial << ": " << error.message() << "\n";
    return false;
  }
  ::close(descriptor);
  llvm::sys::fs::remove(partial); // llvm-ar creates it afresh (c).
  auto removePartial = llvm::make_scope_exit([&] { llvm::sys::fs::remove(partial); });
  // q: append, c: create, s: index, L: a library's members, not the library.
  std::vector<std::string> command = {CNNC_LLVM_AR, "qcsL", partial.str().str()};
  command.insert(command.end(), objects.begin(), objects.end());
  command.insert(command.end(), libraries.begin(), libraries.end());
  std::vector<std::string> found;
  if (!run(command, "archiving the model") || !archiveMembers(partial.str().str(), work, found))
    return false;
  std::sort(expected.begin(), expected.end());
  std::sort(found.begin(), found.end());
  if (found != expected) {
    llvm::errs() << "cnnc: the archive " << path << " would hold " << found.size()
                 << " members, not the " << expected.size() << " it should; not written\n";
    return false;
  }
  if (std::error_code error = llvm::sys::fs::rename(partial, path)) {
    llvm::errs() << "cnnc: cannot write " << path << ": " << error.message() << "\n";
    return false;
  }
  return true;
}

bool generateKernels(const Plan &plan, const std::string &directory, const std::string &work,
                     const BuildOptions &options, const std::string &emit) {
  std::ostringstream spec;
  printKernelSpec(plan, spec);
  // The generator's own checks, here first: a tuning database's schedule
  // that its kernel refuses is an error at the database's line.
  kernelgen::SpecProblem problem;
  if (!kernelgen::checkSpec(spec.str(), problem)) {
    for (const KernelLine &kernel : plan.kernels)
      if (kernel.symbol == problem.symbol && !kernel.scheduleSource.empty()) {
        llvm::errs() << kernel.scheduleSource << ": the schedule '" << kernel.schedule
                     << "' does not fit kernel '" << kernel.description
                     << "': " << problem.message << "\n";
        return false;
      }
    llvm::errs() << "cnnc: the kernel plan is refused by the generator's checks ("
                 << (problem.symbol.empty() ? "" : problem.symbol + ": ") << problem.message
                 << "); this is a bug in cnnc\n";
    return false;
  }
  std::string specPath = work + "/kernels.spec";
  if (!writeFile(specPath, spec.str()))
    return false;
  std::vector<std::string> command = {toolchain().kernelgen, specPath, "-o", directory,
                                      "--emit=" + emit};
  if (options.jobs > 0)
    command.insert(command.end(), {"-j", std::to_string(options.jobs)});
  if (options.quiet)
    command.push_back("-q");
  else
    command.push_back("--label=" + plan.model);
  return run(command, "kernel generation");
}

/// The plan's kernels as objects in the kernel cache, which is created if
/// need be.
bool generateObjects(const Plan &plan, const std::string &cache, const std::string &work,
                     const BuildOptions &options) {
  if (llvm::sys::fs::create_directories(cache)) {
    llvm::errs() << "cnnc: cannot create the kernel cache '" << cache << "'\n";
    return false;
  }
  return generateKernels(plan, cache, work, options, "obj");
}

bool concatenate(const Plan &plan, const std::string &directory, const std::string &extension,
                 const std::string &outputPath) {
  std::string text;
  for (const KernelLine &kernel : plan.kernels) {
    std::ifstream file(directory + "/" + kernel.symbol + extension);
    std::stringstream contents;
    contents << file.rdbuf();
    text += "// " + kernel.text + "\n" + contents.str() + "\n";
  }
  if (outputPath.empty() || outputPath == "-") {
    llvm::outs() << text;
    return true;
  }
  return writeFile(outputPath, text);
}

} // namespace

std::string uncheckedTargetFeature(const std::string &target) {
  return firstTargetFeature(target, {"no_asserts", "no_bounds_query"});
}

std::string halideTarget(const std::string &target) {
  if (target == "host" || target.empty())
    return "host";
  // Halide 14's newest CUDA capability is 86; a newer GPU's driver compiles
  // its PTX at load.
  if (target == "cuda")
    return "host-cuda-cuda_capability_86";
  if (llvm::StringRef(target).starts_with("cuda-")) {
    std::string capability = target.substr(5);
    for (const char *known : {"30", "32", "35", "50", "61", "70", "75", "80", "86"})
      if (capability == known)
        return "host-cuda-cuda_capability_" + capability;
    return "";
  }
  // Upsampling computes its source coordinates in double, as PyTorch does.
  if (target == "opencl")
    return "host-opencl-cl_doubles";
  if (target == "x86-avx512")
    return "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41";
  if (target == "x86-avx2")
    return "x86-64-linux-avx-avx2-f16c-fma-sse41";
  // Otherwise a Halide target string: "host" or arch-bits-os, then features
  // (which only Halide itself can check).
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(target).split(parts, '-');
  auto among = [](llvm::StringRef word, std::initializer_list<llvm::StringRef> known) {
    return llvm::is_contained(known, word);
  };
  bool wellFormed =
      parts.front() == "host" ||
      (parts.size() >= 3 &&
       among(parts[0], {"x86", "arm", "powerpc", "hexagon", "wasm", "riscv", "mips"}) &&
       among(parts[1], {"32", "64"}) &&
       among(parts[2],
             {"linux", "windows", "osx", "android", "ios", "qurt", "noos", "fuchsia", "wasmrt"}));
  return wellFormed && uncheckedTargetFeature(target).empty() ? target : "";
}

std::string vectorIsa(const std::string &target) {
  std::string resolved = halideTarget(target);
  std::string device = deviceApi(resolved);
  if (!device.empty())
    return device;
  if (resolved == "host") {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    return features.lookup("avx512f") ? "avx512" : "avx2";
  }
  return resolved.find("avx512") != std::string::npos ? "avx512" : "avx2";
}

std::string helperScript(const std::string &name) { return toolchain().scripts + "/" + name; }

std::string generatorStamp() {
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(toolchain().kernelgen, status))
    return "unknown";
  return std::to_string(status.getSize()) + "-" +
         std::to_string(status.getLastModificationTime().time_since_epoch().count());
}

bool build(const Plan &plan, const BuildOptions &options) {
  WorkDirectory work;
  if (work.path.empty()) {
    llvm::errs() << "cnnc: cannot create a temporary directory\n";
    return false;
  }
  auto start = Clock::now();
  if (options.artifact == Artifact::HalideStmt || options.artifact == Artifact::Assembly) {
    bool stmt = options.artifact == Artifact::HalideStmt;
    return generateKernels(plan, work.path, work.path, options, stmt ? "stmt" : "asm") &&
           concatenate(plan, work.path, stmt ? ".stmt" : ".s", options.outputPath);
  }

  std::string cache = cacheDirectory(options);
  if (!generateObjects(plan, cache, work.path, options))
    return false;
  double kernelSeconds = secondsSince(start);

  auto driverStart = Clock::now();
  std::string symbol = modelSymbol(plan.model);
  std::ostringstream source;
  bool library = options.artifact == Artifact::Library;
  emitDriverSource(plan, symbol, library || options.artifact == Artifact::Object, source);
  std::string sourcePath = work.path + "/model.c", objectPath = work.path + "/model.o";
  if (!writeFile(sourcePath, source.str()) ||
      !run({"cc", "-std=c11", "-O1", "-Werror", "-c", sourcePath, "-o", objectPath, "-I",
            toolchain().include},
           "compiling the model's driver"))
    return false;
  double driverSeconds = secondsSince(driverStart);

  auto linkStart = Clock::now();
  std::vector<std::string> objects = {objectPath};
  std::set<std::string> seen;
  for (const KernelLine &kernel : plan.kernels)
    if (seen.insert(kernel.symbol).second)
      objects.push_back(cache + "/" + kernel.symbol + ".o");
  std::string runtime = cache + "/halide_runtime_" + plan.target + ".o";
  bool linked = false;
  if (options.artifact == Artifact::Executable) {
    std::vector<std::string> command = {"cc", "-o", options.outputPath};
    command.insert(command.end(), objects.begin(), objects.end());
    command.push_back(runtime);
    appendRuntimeLibraries(command);
    linked = runInto(options.outputPath, command, "linking the model");
  } else if (options.artifact == Artifact::Object) {
    std::vector<std::string> command = {"ld", "-r", "-o", options.outputPath};
    command.insert(command.end(), objects.begin(), objects.end());
    linked = runInto(options.outputPath, command, "combining the model's objects");
  } else {
    // One archive holding the model, its kernels, the Halide runtime and
    // libcnnrt, so a user links a single file (plus -lpthread -ldl -lm).
    std::string headerPath = options.outputPath;
    size_t dot = headerPath.rfind('.');
    headerPath = (dot == std::string::npos ? headerPath : headerPath.substr(0, dot)) + ".h";
    std::ostringstream header;
    emitLibraryHeader(plan, symbol, header);
    objects.push_back(runtime);
    linked = writeFile(headerPath, header.str()) &&
             copyRuntimeHeaders(llvm::sys::path::parent_path(headerPath).str()) &&
             writeArchive(options.outputPath, objects,
                          {toolchain().modelLibrary, toolchain().imageLibrary, toolchain().library},
                          work.path);
  }
  if (linked && options.verbose)
    llvm::errs() << llvm::format("cnnc: kernels %.2f s, driver %.2f s, link %.2f s, total %.2f s\n",
                                 kernelSeconds, driverSeconds, secondsSince(linkStart),
                                 secondsSince(start));
  return linked;
}

bool buildMeasurement(const std::vector<Plan> &candidates, const BuildOptions &options) {
  WorkDirectory work;
  if (work.path.empty() || candidates.empty()) {
    llvm::errs() << "cnnc: cannot create a temporary directory\n";
    return false;
  }
  // One generator run for every candidate's kernel, so they build in parallel.
  Plan kernels = candidates.front();
  kernels.kernels.clear();
  std::set<std::string> symbols;
  for (const Plan &candidate : candidates)
    for (const KernelLine &kernel : candidate.kernels)
      if (symbols.insert(kernel.symbol).second)
        kernels.kernels.push_back(kernel);
  std::string cache = cacheDirectory(options);
  if (!generateObjects(kernels, cache, work.path, options))
    return false;

  std::string main = "#include \"cnnrt_model.h\"\n\n";
  std::string table;
  std::vector<std::string> command = {"cc", "-std=c11",          "-O1", "-Werror",
                                      "-I", toolchain().include, "-o",  options.outputPath};
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::string symbol = "cnnc_candidate_" + std::to_string(i);
    std::ostringstream source;
    emitDriverSource(candidates[i], symbol, /*library=*/true, source);
    std::string path = work.path + "/" + symbol + ".c";
    if (!writeFile(path, source.str()))
      return false;
    command.push_back(path);
    main += "extern const cnnrt_model " + symbol + ";\n";
    table += "&" + symbol + ", ";
  }
  main += "static const cnnrt_model *const candidates[] = {" + table +
          "};\n\nint main(int argc, char **argv) {\n  return cnnrt_measure_main(candidates, " +
          std::to_string(candidates.size()) + ", argc, argv);\n}\n";
  std::string mainPath = work.path + "/measure_main.c";
  if (!writeFile(mainPath, main))
    return false;
  command.push_back(mainPath);
  for (const std::string &symbol : symbols)
    command.push_back(cache + "/" + symbol + ".o");
  command.push_back(cache + "/halide_runtime_" + kernels.target + ".o");
  appendRuntimeLibraries(command);
  return run(command, "building the measuring program");
}

} // namespace cnnc::codegen
