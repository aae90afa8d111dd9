//===- PlanMemory.cpp - one arena for all activations ---------------------===//
//
// Greedy by size (largest first, lowest free offset) is simple and, on CNN
// graphs, lands within a few percent of the peak-live lower bound: the big
// early tensors are placed first and the many small late ones fill the gaps.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/Layout.h"
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

/// Whether `value` is held as u8: a cnn.quantize's result, or an int8
/// kernel's that cnn-quantize kept u8 for its int8 readers. Every other
/// tensor is f32.
bool isU8(mlir::Value value) {
  mlir::Operation *op = value.getDefiningOp();
  if (!op)
    return false;
  if (auto quantize = llvm::dyn_cast<QuantizeOp>(op))
    return !quantize.getReal();
  auto int8 = op->getAttrOfType<mlir::DictionaryAttr>("cnn.int8");
  auto output = int8 ? int8.getAs<mlir::StringAttr>("output") : nullptr;
  return output && output.getValue() == "u8";
}

int64_t alignedBytes(mlir::Value value) {
  int64_t elements = llvm::cast<mlir::RankedTensorType>(value.getType()).getNumElements();
  int64_t bytes = elements * (isU8(value) ? 1 : 4);
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


int64_t channelsOf(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType()).getShape()[1];
}

/// Where a tensor lives inside a concat's buffer: the concat whose buffer
/// it is (the root) and its first channel there.
struct Slice {
  mlir::Value root;
  int64_t channelOffset;
};

/// Whether `value` may be written straight into a concat's buffer: made by
/// a kernel of its own (not a model input, not a view of another tensor).
bool canWriteInPlace(mlir::Value value) {
  mlir::Operation *op = value.getDefiningOp();
  return op && !llvm::isa<WeightOp>(op) && !isView(op, /*channelsInnermost=*/true);
}

Slice sliceOf(const llvm::DenseMap<mlir::Value, Slice> &slices, mlir::Value value) {
  auto it = slices.find(value);
  return it == slices.end() ? Slice{value, 0} : it->second;
}

bool concatIsInPlace(ConcatOp concat, const llvm::DenseMap<mlir::Value, Slice> &slices) {
  Slice target = sliceOf(slices, concat.getResult());
  for (mlir::Value input : concat.getInputs()) {
    Slice slice = sliceOf(slices, input);
    if (slice.root != target.root || slice.channelOffset != target.channelOffset)
      return false;
    target.channelOffset += channelsOf(input);
  }
  return true;
}

int64_t concats(mlir::func::FuncOp model) {
  int64_t count = 0;
  model.walk([&](ConcatOp) { ++count; });
  return count;
}

/// Concats along channels, last first: each claims its inputs' places in
/// its buffer. A concat whose inputs already sit, in order, in a later
/// concat's buffer (DenseNet's growing concats) becomes a view of it. An
/// input already claimed elsewhere, or repeated, is copied instead.
llvm::DenseMap<mlir::Value, Slice> placeConcats(mlir::func::FuncOp model) {
  llvm::DenseMap<mlir::Value, Slice> slices;
  llvm::SmallVector<ConcatOp> order;
  model.walk([&](ConcatOp concat) {
    if (concat.getAxis() == 1)
      order.push_back(concat);
  });
  for (ConcatOp concat : llvm::reverse(order)) {
    mlir::Value result = concat.getResult();
    if (!slices.count(result)) {
      Slice first = sliceOf(slices, concat.getInputs().front());
      if (first.root != concat.getInputs().front()) {
        slices[result] = first;
        if (concatIsInPlace(concat, slices))
          continue;
        slices.erase(result);
      }
    }
    Slice target = sliceOf(slices, result);
    for (mlir::Value input : concat.getInputs()) {
      if (!slices.count(input) && canWriteInPlace(input) && input != target.root)
        slices[input] = target;
      target.channelOffset += channelsOf(input);
    }
  }
  return slices;
}

struct PlanMemory : impl::PlanMemoryBase<PlanMemory> {
  using Base::Base;

  void runOnOperation() override {
    mlir::ModuleOp module = getOperation();
    mlir::func::FuncOp model = modelFunction(module);
    if (!model)
      return;

    bool innermost = channelsInnermost(module);
    // Concats first: which tensors live inside which concat's buffer.
    llvm::DenseMap<mlir::Value, Slice> slices = innermost ? placeConcats(model)
                                                          : llvm::DenseMap<mlir::Value, Slice>();
    auto rootOf = [&](mlir::Value value) {
      auto it = slices.find(value);
      return it == slices.end() ? value : it->second.root;
    };

    // Buffers, in program order; views join their input's buffer, and
    // tensors written into a concat join the concat's.
    std::vector<Buffer> buffers;
    llvm::DenseMap<mlir::Value, size_t> bufferOf;
    int64_t position = 0, end = 0;
    std::vector<std::pair<mlir::Value, int64_t>> definitions;
    for (mlir::Operation &op : model.getBody().front()) {
      ++position;
      if (llvm::isa<mlir::func::ReturnOp>(op))
        end = position;
      if (op.getNumResults() != 1 || llvm::isa<WeightOp>(op) ||
          !llvm::isa<mlir::RankedTensorType>(op.getResult(0).getType()))
        continue;
      if (!isView(&op, innermost))
        definitions.push_back({op.getResult(0), position});
    }
    // Every root gets a buffer spanning the lives of all its members; a
    // member's bytes are its root's.
    for (auto [value, defined] : definitions) {
      mlir::Value root = rootOf(value);
      auto it = bufferOf.find(root);
      if (it == bufferOf.end()) {
        it = bufferOf.insert({root, buffers.size()}).first;
        buffers.push_back({root.getDefiningOp(), alignedBytes(root), defined, defined});
      }
      Buffer &buffer = buffers[it->second];
      buffer.firstUse = std::min(buffer.firstUse, defined);
      buffer.lastUse = std::max(buffer.lastUse, defined);
      bufferOf[value] = it->second;
    }
    // Lives end at the last reader; a view's readers read its source.
    position = 0;
    for (mlir::Operation &op : model.getBody().front()) {
      ++position;
      for (mlir::Value operand : op.getOperands())
        if (auto it = bufferOf.find(operand); it != bufferOf.end())
          buffers[it->second].lastUse = std::max(buffers[it->second].lastUse, position);
      for (mlir::Value result : op.getResults())
        if (isView(&op, innermost))
          if (auto it = bufferOf.find(op.getOperand(0)); it != bufferOf.end())
            bufferOf[result] = it->second;
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
    for (const Buffer &buffer : buffers)
      total += buffer.bytes;
    int64_t inPlace = 0;
    for (auto [value, defined] : definitions) {
      mlir::Operation *op = value.getDefiningOp();
      op->setAttr("cnn.offset", builder.getI64IntegerAttr(buffers[bufferOf[value]].offset));
      auto slice = slices.find(value);
      if (slice == slices.end())
        continue;
      op->setAttr("cnn.channel_offset", builder.getI64IntegerAttr(slice->second.channelOffset));
      op->setAttr("cnn.root_channels", builder.getI64IntegerAttr(
                                           channelsOf(slice->second.root)));
    }
    model.walk([&](ConcatOp concat) {
      if (concatIsInPlace(concat, slices)) {
        concat->setAttr("cnn.in_place", builder.getUnitAttr());
        ++inPlace;
      }
    });
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
                          << megabytes(peak) << "; " << inPlace << " of " << concats(model)
                          << " concats in place";
  }
};
} // namespace
} // namespace cnn
