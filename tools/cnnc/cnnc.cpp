//===- cnnc.cpp - the cnn compiler driver ---------------------------------===//
//
// `cnnc model.cnn -o model` is the user's entry point. Each stage of the
// pipeline can be printed with --emit; the stages are filled in as the
// compiler grows, and --help lists only those that exist.
//
//===----------------------------------------------------------------------===//

#include "cnn/IR/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace {
enum class Emit { Cnn };

cl::OptionCategory category("cnnc options");
cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.mlir>"),
                               cl::init("-"), cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("path"), cl::init("-"),
                                cl::cat(category));
cl::opt<Emit> emit("emit", cl::desc("The stage to print"),
                   cl::values(clEnumValN(Emit::Cnn, "cnn",
                                         "the cnn dialect, verified")),
                   cl::init(Emit::Cnn), cl::cat(category));

void printVersion(llvm::raw_ostream &os) {
  os << "cnnc " << CNNC_VERSION << " (MLIR " << LLVM_VERSION_STRING << ")\n";
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter(printVersion);
  cl::ParseCommandLineOptions(argc, argv,
                              "cnnc: compiles convolutional networks\n");

  mlir::MLIRContext context;
  context.loadDialect<cnn::CnnDialect, mlir::func::FuncDialect>();

  std::string error;
  auto input = mlir::openInputFile(inputPath, &error);
  if (!input) {
    llvm::errs() << "cnnc: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 1;

  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "cnnc: " << error << "\n";
    return 1;
  }
  module->print(output->os());
  output->keep();
  return 0;
}
