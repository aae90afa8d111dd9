//===- cnnc-kernelgen.cpp - kernels from a kernel spec, with Halide -------===//
//
//   cnnc-kernelgen spec.txt -o DIR [-j N] [--emit=obj|stmt|asm]
//
// Compiles every kernel of the spec into DIR/<symbol>.o, plus one Halide
// runtime for the target (DIR/halide_runtime_<target>.o). A symbol already
// carries the hash of its spec line, so an object that exists is up to date
// and is not regenerated: DIR is the kernel cache. Kernels are compiled in
// parallel, one process each, so a crash or error names its kernel.
//
// This executable links Halide 14 and no MLIR (see docs/kernel-spec.md).
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include "Spec.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace cnnc::kernelgen;

namespace {

struct Options {
  std::string specPath, outputDir, emit = "obj";
  int jobs = 0;
};

bool exists(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

int usage() {
  std::cerr << "usage: cnnc-kernelgen spec.txt -o DIR [-j N] [--emit=obj|stmt|asm]\n";
  return 2;
}

std::string extensionFor(const std::string &emit) {
  return emit == "stmt" ? ".stmt" : emit == "asm" ? ".s" : ".o";
}

/// Builds and compiles one kernel; returns an exit status for the child.
int compileKernel(const KernelSpec &spec, const Halide::Target &target, const Options &options) {
  std::string path = options.outputDir + "/" + spec.symbol + extensionFor(options.emit);
  std::string partial = path + ".partial." + std::to_string(getpid());
  try {
    Kernel kernel = buildKernel(spec);
    if (options.emit == "stmt")
      kernel.output.compile_to_lowered_stmt(partial, kernel.arguments, Halide::StmtOutputFormat::Text,
                                            target);
    else if (options.emit == "asm")
      kernel.output.compile_to_assembly(partial, kernel.arguments, spec.symbol, target);
    else
      kernel.output.compile_to_object(partial, kernel.arguments, spec.symbol, target);
  } catch (const Halide::Error &error) {
    std::cerr << "cnnc-kernelgen: kernel " << spec.symbol << " (" << spec.family
              << ", spec line " << spec.line << "): " << error.what() << "\n";
    return 1;
  } catch (const SpecError &error) {
    std::cerr << "cnnc-kernelgen: " << error.what() << "\n";
    return 1;
  }
  // Renaming last means a cached object is never half written.
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::perror(("cnnc-kernelgen: " + path).c_str());
    return 1;
  }
  return 0;
}

int compileAll(const SpecFile &spec, const Options &options) {
  Halide::Target target(spec.target);
  Halide::Target kernelTarget = target.with_feature(Halide::Target::NoRuntime);
  std::vector<const KernelSpec *> pending;
  for (const KernelSpec &kernel : spec.kernels)
    if (options.emit != "obj" || !exists(options.outputDir + "/" + kernel.symbol + ".o"))
      pending.push_back(&kernel);

  int jobs = options.jobs > 0 ? options.jobs : int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  int running = 0, failures = 0;
  auto reap = [&] {
    int status = 0;
    if (wait(&status) > 0) {
      --running;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        ++failures;
    }
  };
  for (const KernelSpec *kernel : pending) {
    while (running >= jobs)
      reap();
    pid_t child = fork();
    if (child == 0) {
      std::cout.flush();
      _exit(compileKernel(*kernel, kernelTarget, options));
    }
    if (child < 0) {
      std::perror("cnnc-kernelgen: fork");
      return 1;
    }
    ++running;
  }
  while (running > 0)
    reap();

  if (options.emit == "obj") {
    // One runtime per target; its name says which.
    std::string runtime = options.outputDir + "/halide_runtime_" + spec.target + ".o";
    if (!exists(runtime)) {
      std::string partial = runtime + ".partial." + std::to_string(getpid());
      Halide::compile_standalone_runtime(partial, target);
      std::rename(partial.c_str(), runtime.c_str());
    }
  }
  if (failures)
    std::cerr << "cnnc-kernelgen: " << failures << " of " << pending.size()
              << " kernels failed\n";
  else
    std::cout << "cnnc-kernelgen: " << pending.size() << " generated, "
              << spec.kernels.size() - pending.size() << " cached\n";
  return failures ? 1 : 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-o" && i + 1 < argc)
      options.outputDir = argv[++i];
    else if (arg == "-j" && i + 1 < argc)
      options.jobs = std::atoi(argv[++i]);
    else if (arg.rfind("--emit=", 0) == 0)
      options.emit = arg.substr(7);
    else if (arg[0] != '-' && options.specPath.empty())
      options.specPath = arg;
    else
      return usage();
  }
  if (options.specPath.empty() || options.outputDir.empty() ||
      (options.emit != "obj" && options.emit != "stmt" && options.emit != "asm"))
    return usage();
  std::ifstream file(options.specPath);
  if (!file) {
    std::cerr << "cnnc-kernelgen: cannot read '" << options.specPath << "'\n";
    return 1;
  }
  std::stringstream text;
  text << file.rdbuf();
  try {
    SpecFile spec = parseSpec(text.str());
    mkdir(options.outputDir.c_str(), 0755);
    return compileAll(spec, options);
  } catch (const SpecError &error) {
    std::cerr << "cnnc-kernelgen: " << options.specPath << ": " << error.what() << "\n";
    return 1;
  } catch (const Halide::Error &error) {
    std::cerr << "cnnc-kernelgen: " << error.what() << "\n";
    return 1;
  }
}
