//===- cnnc.cpp - the cnn compiler driver ---------------------------------===//
//
// `cnnc model.cnn` elaborates a model into the cnn dialect; --emit picks the
// stage to print. `cnnc summary model.cnn` prints its layers, parameters and
// MACs. Stages are added here as the compiler grows, and --help lists only
// those that exist.
//
//===----------------------------------------------------------------------===//

#include "ReferenceCommands.h"

#include "cnn/IR/CnnDialect.h"
#include "cnn/Transforms/Passes.h"
#include "frontend/Elaborator.h"
#include "frontend/Parser.h"
#include "summary/Summary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <iostream>
#include <sstream>

namespace cl = llvm::cl;

namespace {
enum class Emit { Ast, Cnn, Opt };

cl::OptionCategory category("cnnc options");
cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.cnn | model.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("path"), cl::init("-"),
                                cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("The stage to print"),
    cl::values(clEnumValN(Emit::Ast, "ast", "the syntax tree of a .cnn file"),
               clEnumValN(Emit::Cnn, "cnn", "the cnn dialect, verified"),
               clEnumValN(Emit::Opt, "opt", "the cnn dialect after the optimisation passes")),
    cl::init(Emit::Cnn), cl::cat(category));
cl::list<std::string> params("param",
                             cl::desc("Override a model param, e.g. --param width=1.1"),
                             cl::value_desc("name=value"), cl::cat(category));
cl::opt<bool> remarks("remarks",
                      cl::desc("Say what each pass fused, folded or lowered, and what "
                               "it did not and why, at the .cnn line"),
                      cl::cat(category));
cl::opt<bool> json("json", cl::desc("cnnc summary: print JSON"), cl::cat(category));
cl::opt<uint64_t> seed("seed", cl::desc("cnnc weights, cnnc run: the random seed"),
                       cl::init(1), cl::cat(category));
cl::opt<std::string> weightsPath("weights",
                                 cl::desc("cnnc run: weights (default: seeded random)"),
                                 cl::value_desc("w.safetensors"), cl::cat(category));
cl::list<std::string> inputPaths("input",
                                 cl::desc("cnnc run: an input, once per model input "
                                          "(default: seeded random)"),
                                 cl::value_desc("x.npy"), cl::cat(category));
cl::list<std::string> outputPaths("output",
                                  cl::desc("cnnc run: where to write an output, once per "
                                           "model output"),
                                  cl::value_desc("y.npy"), cl::cat(category));

enum class Command { Compile, Summary, Weights, Run };

void printVersion(llvm::raw_ostream &os) {
  os << "cnnc " << CNNC_VERSION << " (MLIR " << LLVM_VERSION_STRING << ")\n";
}

/// Parses an .mlir file (for IR work and tests).
mlir::OwningOpRef<mlir::ModuleOp> loadMlir(mlir::MLIRContext &context) {
  std::string error;
  auto input = mlir::openInputFile(inputPath, &error);
  if (!input) {
    llvm::errs() << "cnnc: " << error << "\n";
    return nullptr;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

bool writeOutput(const std::string &text) {
  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "cnnc: " << error << "\n";
    return false;
  }
  output->os() << text;
  output->keep();
  return true;
}

int run(Command command) {
  bool summary = command == Command::Summary;
  mlir::MLIRContext context;
  context.loadDialect<cnn::CnnDialect, mlir::func::FuncDialect>();

  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<std::pair<std::string, std::string>> sourceTexts;
  if (llvm::StringRef(inputPath).ends_with(".mlir")) {
    if (emit == Emit::Ast) {
      llvm::errs() << "cnnc: --emit=ast needs a .cnn file\n";
      return 1;
    }
    module = loadMlir(context);
    if (!module)
      return 1;
  } else {
    cnnc::SourceManager sources;
    cnnc::DiagnosticEngine diagnostics(sources, std::cerr);
    auto buffer = llvm::MemoryBuffer::getFile(inputPath, /*IsText=*/true);
    if (!buffer) {
      llvm::errs() << "cnnc: cannot open input file '" << inputPath
                   << "': " << buffer.getError().message() << "\n";
      return 1;
    }
    int file = sources.addBuffer(inputPath, (*buffer)->getBuffer().str());
    cnnc::ElaborationOptions options;
    for (const std::string &param : params) {
      size_t equals = param.find('=');
      if (equals == std::string::npos || equals == 0) {
        llvm::errs() << "cnnc: --param expects name=value, found '" << param << "'\n";
        return 1;
      }
      options.paramOverrides.push_back({param.substr(0, equals), param.substr(equals + 1)});
    }
    try {
      std::vector<std::unique_ptr<cnnc::ast::File>> files;
      cnnc::loadProgram(file, sources, diagnostics, files);
      if (emit == Emit::Ast && !summary) {
        std::ostringstream text;
        cnnc::ast::print(*files.front(), text);
        return writeOutput(text.str()) ? 0 : 1;
      }
      module = cnnc::elaborate(files, context, sources, diagnostics, options);
      for (int i = 0; i < sources.getFileCount(); ++i)
        sourceTexts.push_back({sources.getPath(i), sources.getText(i)});
    } catch (const cnnc::CompilationAborted &) {
      return 1;
    }
  }

  if (emit == Emit::Opt || remarks) {
    // Remarks and pass errors point into the .cnn sources: give MLIR their
    // text so it can show the line and a caret.
    llvm::SourceMgr sourceMgr;
    for (const auto &[path, text] : sourceTexts)
      sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, path),
                                   llvm::SMLoc());
    mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
    context.printOpOnDiagnostic(false);
    mlir::PassManager pm(&context);
    if (mlir::failed(mlir::applyPassManagerCLOptions(pm)))
      return 1;
    cnn::buildOptimizationPipeline(pm, remarks);
    if (mlir::failed(pm.run(*module)))
      return 1;
  }

  cnnc::ReferenceOptions reference;
  reference.seed = seed;
  reference.weightsPath = weightsPath;
  reference.inputPaths.assign(inputPaths.begin(), inputPaths.end());
  reference.outputPaths.assign(outputPaths.begin(), outputPaths.end());
  if (command == Command::Weights) {
    if (outputPath == "-") {
      llvm::errs() << "cnnc weights: give the file to write with -o\n";
      return 1;
    }
    return cnnc::writeRandomWeights(*module, reference, outputPath);
  }
  if (command == Command::Run)
    return cnnc::runReference(*module, reference);

  std::string text;
  llvm::raw_string_ostream os(text);
  if (summary) {
    cnnc::ModelSummary result = cnnc::summarize(*module);
    json ? cnnc::printJson(result, os) : cnnc::printTable(result, os);
  } else {
    module->print(os);
  }
  return writeOutput(text) ? 0 : 1;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Subcommands come first: take the word out before parsing.
  Command command = Command::Compile;
  llvm::StringRef first = argc > 1 ? argv[1] : "";
  if (first == "summary")
    command = Command::Summary;
  else if (first == "weights")
    command = Command::Weights;
  else if (first == "run")
    command = Command::Run;
  std::vector<char *> arguments(argv, argv + argc);
  if (command != Command::Compile)
    arguments.erase(arguments.begin() + 1);

  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter(printVersion);
  cl::ParseCommandLineOptions(
      arguments.size(), arguments.data(),
      "cnnc: compiles convolutional networks\n\n"
      "  cnnc model.cnn [--emit=ast|cnn|opt] [--remarks] [--param name=value]... [-o out]\n"
      "  cnnc summary model.cnn [--json] [--param name=value]...\n"
      "  cnnc weights model.cnn [--seed N] -o w.safetensors\n"
      "  cnnc run model.cnn [--weights w.safetensors] [--input x.npy]... "
      "[--output y.npy]... [--seed N]\n");
  return run(command);
}
