//===- OpBuildersTest.cpp - builders infer result types -------------------===//
//
// Ops are built without naming a result type: the result must come from the
// op's own shape rule, and the built IR must verify.
//
//===----------------------------------------------------------------------===//

#include "cnn/IR/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class OpBuilders : public ::testing::Test {
protected:
  OpBuilders() : builder(&context) {
    context.loadDialect<cnn::CnnDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  RankedTensorType tensor(llvm::ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  /// Declares a parameter and returns the value reading it inside `func`.
  Value weight(func::FuncOp func, llvm::StringRef name,
               llvm::ArrayRef<int64_t> shape) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(module->getBody());
    cnn::ParameterOp::create(builder, builder.getUnknownLoc(), name,
                             tensor(shape));
    builder.setInsertionPointToEnd(&func.getBody().front());
    return cnn::WeightOp::create(builder, builder.getUnknownLoc(), tensor(shape),
                                 name);
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(OpBuilders, ResNetStemInfersShapes) {
  Location loc = builder.getUnknownLoc();
  auto func = func::FuncOp::create(
      builder, loc, "main",
      builder.getFunctionType({tensor({1, 3, 224, 224})}, {}));
  Block *body = func.addEntryBlock();
  Value w = weight(func, "conv1.weight", {64, 3, 7, 7});
  builder.setInsertionPointToEnd(body);

  auto conv = cnn::Conv2DOp::create(
      builder, loc, body->getArgument(0), w, /*bias=*/Value(),
      builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({3, 3, 3, 3}),
      builder.getDenseI64ArrayAttr({1, 1}), builder.getI64IntegerAttr(1));
  EXPECT_EQ(conv.getType(), tensor({1, 64, 112, 112}));

  auto pool = cnn::MaxPool2DOp::create(
      builder, loc, conv, builder.getDenseI64ArrayAttr({3, 3}),
      builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({1, 1, 1, 1}), /*ceil_mode=*/nullptr);
  EXPECT_EQ(pool.getType(), tensor({1, 64, 56, 56}));

  auto gap = cnn::GlobalAvgPool2DOp::create(builder, loc, pool);
  auto flat = cnn::FlattenOp::create(builder, loc, gap, builder.getI64IntegerAttr(1));
  EXPECT_EQ(flat.getType(), tensor({1, 64}));
  func::ReturnOp::create(builder, loc, ValueRange{flat});
  func.setType(builder.getFunctionType({tensor({1, 3, 224, 224})},
                                       {flat.getType()}));
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(OpBuilders, InferenceReportsBrokenRule) {
  SmallVector<Type> types;
  std::string message;
  context.getDiagEngine().registerHandler([&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  auto func = func::FuncOp::create(
      builder, builder.getUnknownLoc(), "f",
      builder.getFunctionType({tensor({1, 64, 8, 8}), tensor({1, 256, 8, 8})}, {}));
  Block *body = func.addEntryBlock();
  cnn::MulOp::Adaptor adaptor(ValueRange{body->getArgument(0), body->getArgument(1)});
  EXPECT_TRUE(failed(cnn::MulOp::inferReturnTypes(
      &context, builder.getUnknownLoc(), adaptor, types)));
  EXPECT_EQ(message, "'cnn.mul' op shapes 1x64x8x8 and 1x256x8x8 do not "
                     "broadcast (dimension 1: 64 vs 256)");
}

} // namespace
