//===- Pipeline.cpp - the inference pipeline of cnnc --emit=opt -----------===//
//
// Order matters: no-ops go first so they hide nothing from the patterns,
// and transposes that cancel go with them;
// batch norms fold before fusion, which would otherwise stop at them; those
// that cannot fold join the next convolution's input once its epilogue is
// fused; GEMM
// lowering takes fused convolutions, epilogue and all; weight
// transforms leave the model once every fold exists; memory is planned last,
// on the tensors that remain, once the layout says which reshapes copy and
// which concats can be written in place.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/Passes.h"

namespace cnn {

void buildOptimizationPipeline(mlir::OpPassManager &pm, const PipelineOptions &options) {
  bool emitRemarks = options.emitRemarks;
  mlir::OpPassManager &function = pm.nest<mlir::func::FuncOp>();
  function.addPass(createEraseInferenceNoOps({emitRemarks}));
  function.addPass(createSinkTransposes({emitRemarks}));
  function.addPass(createFoldBatchNorm({emitRemarks}));
  function.addPass(createFuseConvActivation({emitRemarks}));
  function.addPass(createFuseBatchNormPrologue({emitRemarks}));
  function.addPass(createLowerToGemm({emitRemarks}));
  pm.addPass(createHoistWeightTransforms({emitRemarks}));
  pm.addPass(createSelectLayout({options.layout, emitRemarks}));
  pm.nest<mlir::func::FuncOp>().addPass(createScheduleKernels(
      {/*lowPrecision=*/false, options.target, options.tuningDatabase, options.threads,
       options.winograd, emitRemarks}));
  if (!options.qparams.empty()) {
    QuantizeOptions quantize;
    quantize.qparamsPath = options.qparams;
    quantize.keepFloat.assign(options.keepFloat.begin(), options.keepFloat.end());
    quantize.emitRemarks = emitRemarks;
    pm.nest<mlir::func::FuncOp>().addPass(createQuantize(quantize));
  } else if (options.bf16) {
    Bf16Options bf16;
    bf16.keepFloat.assign(options.keepFloat.begin(), options.keepFloat.end());
    bf16.emitRemarks = emitRemarks;
    pm.nest<mlir::func::FuncOp>().addPass(createBf16(bf16));
  }
  // The int8 and bf16 kernels' descriptions exist only now: a tuning
  // database's entries for them (cnnc-tune --quantize) apply here.
  if ((!options.qparams.empty() || options.bf16) && !options.tuningDatabase.empty())
    pm.nest<mlir::func::FuncOp>().addPass(createScheduleKernels(
        {/*lowPrecision=*/true, options.target, options.tuningDatabase, options.threads,
         options.winograd, emitRemarks}));
  pm.addPass(createPlanMemory({emitRemarks}));
}

} // namespace cnn
