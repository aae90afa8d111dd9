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
#include "support/ReadFile.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <csignal>
#include <elf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace cnnc::kernelgen;

namespace {

struct Options {
  std::string specPath, outputDir, emit = "obj";
  std::string label; // The network's name, for the progress line.
  int jobs = 0;
  bool quiet = false; // No status line.
};

bool exists(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

/// Why a cached object cannot be used, or "" when it looks whole: an ELF
/// relocatable whose section headers and sections lie inside the file. A
/// generator killed mid-write, a full disk or a stray edit leaves a file
/// that fails this, and every later link would fail without it.
std::string damage(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  Elf64_Ehdr header;
  if (bytes.size() < sizeof header)
    return "shorter than an ELF header";
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64)
    return "not a 64-bit ELF object";
  if (header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shnum == 0 ||
      header.e_shoff > bytes.size() ||
      (bytes.size() - header.e_shoff) / sizeof(Elf64_Shdr) < header.e_shnum)
    return "its section table is cut off";
  for (unsigned i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section;
    std::memcpy(&section, bytes.data() + header.e_shoff + i * sizeof section, sizeof section);
    if (section.sh_type != SHT_NOBITS &&
        (section.sh_offset > bytes.size() || bytes.size() - section.sh_offset < section.sh_size))
      return "section " + std::to_string(i) + " is cut off";
  }
  return "";
}

int usage() {
  std::cerr << "usage: cnnc-kernelgen spec.txt -o DIR [-j N] [--emit=obj|stmt|asm] [-q] "
               "[--label=NAME]\n";
  return 2;
}

std::string extensionFor(const std::string &emit) {
  return emit == "stmt" ? ".stmt" : emit == "asm" ? ".s" : ".o";
}

/// A GPU kernel's device code as its back end wrote it (PTX for CUDA,
/// OpenCL C for OpenCL): the module keeps it as a buffer of text, which the
/// host assembly would show only as one escaped string.
void writeDeviceSource(const Halide::Module &module, const std::string &path) {
  std::ofstream out(path);
  for (const Halide::Buffer<> &buffer : module.buffers())
    if (buffer.name().find("gpu_source_kernels") != std::string::npos) {
      std::string text(reinterpret_cast<const char *>(buffer.data()), buffer.size_in_bytes());
      out << text.c_str() << "\n"; // The text ends at its NUL terminator.
    }
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
    else if (options.emit == "asm" && target.has_gpu_feature())
      writeDeviceSource(kernel.output.compile_to_module(kernel.arguments, spec.symbol, target),
                        partial);
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
  if (target.has_gpu_feature() && !isGpuTarget(spec.target)) {
    std::cerr << "cnnc-kernelgen: target " << spec.target
              << ": cnnc runs GPU kernels through CUDA or OpenCL only\n";
    return 1;
  }
  Halide::Target kernelTarget = target.with_feature(Halide::Target::NoRuntime);
  std::vector<const KernelSpec *> pending;
  for (const KernelSpec &kernel : spec.kernels) {
    std::string cached = options.outputDir + "/" + kernel.symbol + ".o";
    if (options.emit == "obj" && exists(cached)) {
      std::string why = damage(cached);
      if (why.empty())
        continue;
      std::cerr << "cnnc-kernelgen: note: cached kernel " << cached << " is damaged (" << why
                << "); generating it again\n";
      std::remove(cached.c_str());
    }
    pending.push_back(&kernel);
  }

  int jobs = options.jobs > 0 ? options.jobs : int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  int running = 0, failures = 0, finished = 0;
  // A cold compile takes a while: on a terminal, a line that counts the
  // kernels done; in a pipe or a log, nothing.
  bool showProgress = !options.quiet && isatty(2) && pending.size() > 1;
  auto showDone = [&] {
    if (showProgress)
      std::cerr << "\r\033[Kcnnc: " << options.label << (options.label.empty() ? "" : ": ")
                << "kernel " << finished << " of " << pending.size() << std::flush;
  };
  std::map<pid_t, const KernelSpec *> children;
  auto reap = [&] {
    int status = 0;
    pid_t child = wait(&status);
    if (child <= 0)
      return;
    --running;
    const KernelSpec *kernel = children[child];
    if (WIFSIGNALED(status))
      std::cerr << "cnnc-kernelgen: kernel " << kernel->symbol << " (" << kernel->family
                << ", spec line " << kernel->line << ") died by signal " << WTERMSIG(status)
                << " (" << strsignal(WTERMSIG(status)) << ")\n";
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      ++failures;
    ++finished;
    showDone();
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
    children[child] = kernel;
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
  if (showProgress)
    std::cerr << "\r\033[K" << std::flush;
  if (failures)
    std::cerr << "cnnc-kernelgen: " << failures << " of " << pending.size()
              << " kernels failed\n";
  else if (!options.quiet)
    std::cerr << "cnnc-kernelgen: " << pending.size() << " generated, "
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
    else if (arg == "-j" && i + 1 < argc) {
      std::string jobs = argv[++i];
      if (jobs.empty() || jobs.size() > 3 || jobs.find_first_not_of("0123456789") != std::string::npos)
        return usage();
      options.jobs = std::stoi(jobs);
    }
    else if (arg.rfind("--emit=", 0) == 0)
      options.emit = arg.substr(7);
    else if (arg.rfind("--label=", 0) == 0)
      options.label = arg.substr(8);
    else if (arg == "-q")
      options.quiet = true;
    else if (arg[0] != '-' && options.specPath.empty())
      options.specPath = arg;
    else
      return usage();
  }
  if (options.specPath.empty() || options.outputDir.empty() ||
      (options.emit != "obj" && options.emit != "stmt" && options.emit != "asm"))
    return usage();
  std::string text, why;
  if (!cnnc::readRegularFile(options.specPath, text, why)) {
    std::cerr << "cnnc-kernelgen: cannot read '" << options.specPath << "': " << why << "\n";
    return 1;
  }
  try {
    SpecFile spec = parseSpec(text);
    mkdir(options.outputDir.c_str(), 0755);
    struct stat info;
    if (stat(options.outputDir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
      std::cerr << "cnnc-kernelgen: the output directory '" << options.outputDir
                << "' is not a directory and cannot be made one (does its parent exist?)\n";
      return 1;
    }
    return compileAll(spec, options);
  } catch (const SpecError &error) {
    std::cerr << "cnnc-kernelgen: " << options.specPath << ": " << error.what() << "\n";
    return 1;
  } catch (const Halide::Error &error) {
    std::cerr << "cnnc-kernelgen: " << error.what() << "\n";
    return 1;
  }
}
