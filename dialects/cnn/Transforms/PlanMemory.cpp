//===- PlanMemory.cpp - one arena for all activations ---------------------===//
//
// Greedy by size (largest first, lowest free offset) is simple and, on CNN
// graphs, lands within a few percent of the peak-live lower bound: the big
// early tensors are placed first and the many small late ones fill the gaps.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/Format.h"

namespace cnn {
#define GEN_PASS_DEF_PLANMEMORY
#include "cnn/Transforms/Passes.h.inc"

namespace {

constexpr int64_t alignment = 64;

/// One region of the arena: a tensor and the views that share its bytes.
struct Buffer {
  mlir::Operation *owner; // The op that makes it; it carries the offset.
  int64_t bytes;
  int64_t firstUse, lastUse; // Positions in program order, inclusive.
  int64_t offset = -1;
};

int64_t alignedBytes(mlir::Type type) {
  int64_t bytes = llvm::cast<mlir::RankedTensorType>(type).getNumElements() * 4;
  return (bytes + alignment - 1) / alignment * alignment;
}

bool livesOverlap(const Buffer &a, const Buffer &b) {
  return a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
}

std::string megabytes(int64_t bytes) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%.2f MB", bytes / 1048576.0);
  return text;
}

struct PlanMemory : impl::PlanMemoryBase<PlanMemory> {
  using Base::Base;

  void runOnOperation() override {
    mlir::ModuleOp module = getOperation();
    mlir::func::FuncOp model = modelFunction(module);
    if (!model)
      return;

    // Buffers, in program order; views join their input's buffer.
    std::vector<Buffer> buffers;
    llvm::DenseMap<mlir::Value, size_t> bufferOf;
    int64_t position = 0, end = 0;
    for (mlir::Operation &op : model.getBody().front()) {
      ++position;
      for (mlir::Value operand : op.getOperands())
        if (auto it = bufferOf.find(operand); it != bufferOf.end())
          buffers[it->second].lastUse = std::max(buffers[it->second].lastUse, position);
      if (llvm::isa<mlir::func::ReturnOp>(op))
        end = position;
      if (op.getNumResults() != 1 || llvm::isa<WeightOp>(op) ||
          !llvm::isa<mlir::RankedTensorType>(op.getResult(0).getType()))
        continue;
      mlir::Value result = op.getResult(0);
      if (llvm::isa<FlattenOp, ReshapeOp>(op))
        if (auto it = bufferOf.find(op.getOperand(0)); it != bufferOf.end()) {
          bufferOf[result] = it->second;
          continue;
        }
      bufferOf[result] = buffers.size();
      buffers.push_back({&op, alignedBytes(result.getType()), position, position});
    }
    // Outputs stay until the caller has read them.
    for (mlir::Value output : model.getBody().front().getTerminator()->getOperands())
      if (auto it = bufferOf.find(output); it != bufferOf.end())
        buffers[it->second].lastUse = end;

    std::vector<size_t> order(buffers.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return buffers[a].bytes > buffers[b].bytes;
    });
    int64_t arena = 0;
    std::vector<size_t> placed;
    for (size_t index : order) {
      Buffer &buffer = buffers[index];
      // Occupied address ranges of placed buffers alive at the same time.
      std::vector<std::pair<int64_t, int64_t>> taken;
      for (size_t other : placed)
        if (livesOverlap(buffer, buffers[other]))
          taken.push_back({buffers[other].offset, buffers[other].offset + buffers[other].bytes});
      llvm::sort(taken);
      int64_t offset = 0;
      for (auto [begin, finish] : taken) {
        if (offset + buffer.bytes <= begin)
          break;
        offset = std::max(offset, finish);
      }
      buffer.offset = offset;
      arena = std::max(arena, offset + buffer.bytes);
      placed.push_back(index);
    }

    mlir::Builder builder(module.getContext());
    int64_t total = 0, peak = 0;
    for (const Buffer &buffer : buffers) {
      buffer.owner->setAttr("cnn.offset", builder.getI64IntegerAttr(buffer.offset));
      total += buffer.bytes;
    }
    for (int64_t t = 1; t <= position; ++t) {
      int64_t live = 0;
      for (const Buffer &buffer : buffers)
        if (buffer.firstUse <= t && t <= buffer.lastUse)
          live += buffer.bytes;
      peak = std::max(peak, live);
    }
    module->setAttr("cnn.arena_bytes", builder.getI64IntegerAttr(arena));
    module->setAttr("cnn.activation_bytes", builder.getI64IntegerAttr(total));
    module->setAttr("cnn.peak_live_bytes", builder.getI64IntegerAttr(peak));
    if (emitRemarks)
      model->emitRemark() << "memory plan: arena " << megabytes(arena) << " for "
                          << buffers.size() << " tensors of " << megabytes(total)
                          << " in all; lower bound (most alive at once) "
                          << megabytes(peak);
  }
};
} // namespace
} // namespace cnn
