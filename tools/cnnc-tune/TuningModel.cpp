//===- TuningModel.cpp - loading, tasks, and one kernel's plan ------------===//

#include "TuningModel.h"

#include "codegen/Build.h"

#include "cnn/IR/CnnDialect.h"
#include "cnn/Transforms/KernelDescription.h"
#include "cnn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc::tune {

bool TuningModel::load(const ModelRequest &request, const std::string &target,
                       const std::string &quantize, const std::string &qparams) {
  context.loadDialect<cnn::CnnDialect, mlir::func::FuncDialect>();
  context.printOpOnDiagnostic(false);
  diagnostics = std::make_unique<mlir::SourceMgrDiagnosticHandler>(sourceMgr, &context);
  module = loadModel(request, context, sourceMgr);
  if (!module)
    return false;
  halideTarget = codegen::halideTarget(target);
  if (halideTarget.empty()) {
    llvm::errs() << "cnnc-tune: --target " << target << ": expected host, x86-avx512, x86-avx2 "
                 << "or a Halide target string arch-bits-os[-feature...]\n";
    return false;
  }
  isa = codegen::vectorIsa(target);
  stamp = codegen::generatorStamp();
  mlir::PassManager pm(&context);
  cnn::PipelineOptions pipeline;
  pipeline.target = isa;
  pipeline.qparams = quantize == "int8" ? qparams : "";
  pipeline.bf16 = quantize == "bf16";
  cnn::buildOptimizationPipeline(pm, pipeline);
  if (mlir::failed(pm.run(*module)))
    return false;

  mlir::FailureOr<codegen::Plan> initial = plan({});
  if (mlir::failed(initial))
    return false;
  name = initial->model;
  for (const codegen::KernelLine &kernel : initial->kernels) {
    if (kernel.family != "conv" && kernel.family != "gemm")
      continue;
    Task task;
    task.signature = kernel.description;
    task.family = kernel.family;
    task.defaultSchedule = kernel.schedule;
    for (const codegen::Step &step : initial->steps)
      if (step.symbol == kernel.symbol) {
        task.layers.push_back(step.layer);
        task.multiplyAdds = step.multiplyAdds;
        ++task.calls;
      }
    module->walk([&](mlir::Operation *op) {
      std::optional<cnn::KernelDescription> described =
          llvm::isa<cnn::Conv2DOp, cnn::FusedConv2DOp, cnn::GemmOp>(op) ? cnn::describeKernel(op)
                                                                        : std::nullopt;
      if (described && described->signature() == task.signature)
        task.ops.push_back(op);
    });
    int vectorWidth = isa == "avx2" ? 8 : 16;
    bool lowPrecision = !task.ops.empty() && (task.ops.front()->hasAttr("cnn.int8") ||
                                              task.ops.front()->hasAttr("cnn.bf16"));
    if (!task.ops.empty() && !lowPrecision)
      for (bool winograd : {false, true})
        task.alternatives.push_back(
            cnn::scheduleKeys(cnn::defaultSchedule(task.ops.front(), vectorWidth, winograd)));
    mlir::FailureOr<codegen::Plan> alone = kernelPlan(task, task.defaultSchedule);
    if (mlir::failed(alone))
      return false;
    for (const codegen::PreparedParameter &prepared : alone->prepared) {
      int64_t count = 1;
      for (int64_t extent : alone->parameters[prepared.parameter].shape)
        count *= extent;
      task.parameterBytes += 8 * count; // As loaded, and packed.
    }
    taskList.push_back(std::move(task));
  }
  return true;
}

mlir::FailureOr<codegen::Plan> TuningModel::plan(const Schedules &schedules) {
  std::vector<std::pair<mlir::Operation *, mlir::Attribute>> saved;
  for (const Task &task : taskList) {
    auto chosen = schedules.find(task.signature);
    if (chosen == schedules.end() || chosen->second == "default")
      continue;
    for (mlir::Operation *op : task.ops) {
      saved.push_back({op, op->getAttr("cnn.schedule")});
      op->setAttr("cnn.schedule", cnn::parseScheduleKeys(&context, chosen->second));
    }
  }
  mlir::FailureOr<codegen::Plan> result = codegen::buildPlan(*module, halideTarget, stamp);
  for (auto &[op, attribute] : saved)
    op->setAttr("cnn.schedule", attribute);
  return result;
}

namespace {
/// The bytes a buffer spans from its first element.
int64_t spanBytes(const codegen::BufferRef &ref) {
  int64_t last = 0;
  for (size_t d = 0; d < ref.extents.size(); ++d)
    last += (ref.extents[d] - 1) * ref.strides[d];
  return (last + 1) * 4;
}
} // namespace

mlir::FailureOr<codegen::Plan> TuningModel::kernelPlan(const Task &task,
                                                       const std::string &schedule) {
  mlir::FailureOr<codegen::Plan> whole = plan({{task.signature, schedule}});
  if (mlir::failed(whole))
    return mlir::failure();
  const codegen::KernelLine *kernel = nullptr;
  for (const codegen::KernelLine &line : whole->kernels)
    if (line.description == task.signature)
      kernel = &line;
  const codegen::Step *step = nullptr;
  for (const codegen::Step &candidate : whole->steps)
    if (kernel && candidate.symbol == kernel->symbol) {
      step = &candidate;
      break;
    }
  if (!step) {
    llvm::errs() << "cnnc-tune: no call of kernel '" << task.signature << "'\n";
    return mlir::failure();
  }
  codegen::Plan alone;
  alone.model = whole->model;
  alone.target = whole->target;
  alone.kernels = {*kernel};
  codegen::Step call = *step;
  // Arena buffers keep their relative places, moved down to a cache line
  // boundary near 0.
  int64_t low = INT64_MAX, high = 0;
  for (const codegen::BufferRef &argument : call.arguments)
    if (argument.kind == codegen::BufferRef::Arena) {
      low = std::min(low, argument.byteOffset);
      high = std::max(high, argument.byteOffset + spanBytes(argument));
    }
  low = low == INT64_MAX ? 0 : low / 64 * 64;
  std::map<int, int> inputs, prepared, parameters;
  for (codegen::BufferRef &argument : call.arguments) {
    if (argument.kind == codegen::BufferRef::Arena) {
      argument.byteOffset -= low;
    } else if (argument.kind == codegen::BufferRef::Input) {
      auto [it, fresh] = inputs.insert({argument.index, int(alone.inputs.size())});
      if (fresh) {
        alone.inputs.push_back(whole->inputs[argument.index]);
        alone.inputs.back().buffer.index = it->second;
      }
      argument.index = it->second;
    } else {
      auto [it, fresh] = prepared.insert({argument.index, int(alone.prepared.size())});
      if (fresh) {
        codegen::PreparedParameter packed = whole->prepared[argument.index];
        // The parameters it is made from: the weight, and an int8 kernel's
        // float bias (folded into its s32 bias), numbered as the kernel's
        // own model numbers them.
        auto local = [&](int index) {
          auto [slot, added] = parameters.insert({index, int(alone.parameters.size())});
          if (added) {
            codegen::Parameter parameter = whole->parameters[index];
            parameter.computed = false;
            alone.parameters.push_back(parameter);
          }
          return slot->second;
        };
        packed.parameter = local(packed.parameter);
        if (packed.bias >= 0)
          packed.bias = local(packed.bias);
        alone.prepared.push_back(packed);
      }
      argument.index = it->second;
    }
  }
  alone.arenaBytes = std::max<int64_t>(high - low, 4);
  alone.steps = {call};
  return alone;
}

} // namespace cnnc::tune
