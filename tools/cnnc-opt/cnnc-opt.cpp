//===- cnnc-opt.cpp - run cnn passes on IR files --------------------------===//
//
// MLIR's opt driver with the cnn dialect registered: parses, verifies, runs
// passes by flag and prints. The lit suites drive the dialect through it.
//
//===----------------------------------------------------------------------===//

#include "cnn/IR/CnnDialect.h"
#include "cnn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  // The same --version as cnnc's other tools, not LLVM's.
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "cnnc-opt " << CNNC_VERSION << " (MLIR " << LLVM_VERSION_STRING << ")\n";
  });
  mlir::registerTransformsPasses();
  cnn::registerCnnPasses();
  mlir::PassPipelineRegistration<>(
      "cnn-optimize", "The inference pipeline of cnnc --emit=opt",
      [](mlir::OpPassManager &pm) { cnn::buildOptimizationPipeline(pm); });
  mlir::DialectRegistry registry;
  registry.insert<cnn::CnnDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "cnn optimizer driver\n", registry));
}
