//===- ScheduleKernels.cpp - schedules for convolutions and GEMMs ---------===//
//
// The heuristic picks a register tile of `vectors` channel vectors by
// `columns` output columns (pixels, for a GEMM). Per step it loads
// `vectors` weight vectors and broadcasts `columns` inputs for
// vectors * columns FMAs, so bigger tiles reuse more, up to the
// accumulators the register file holds (24 of AVX-512's 32 zmm registers,
// 12 of AVX2's 16 ymm). Tiles that overhang an edge recompute the overlap,
// so each candidate's score is
//
//   (useful work / computed work) * (FMAs per load),
//
// and the best wins: 64 x 6 on ResNet's 56-wide layers. A convolution's
// threads take rows (with channel blocks, in the cache-blocked kernel); a
// GEMM's take channel tiles or pixel blocks, its `parallel` key says which.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/KernelDescription.h"
#include "cnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "cnn/Transforms/TuningDatabase.h"

#include <set>
#include <thread>

namespace cnn {
#define GEN_PASS_DEF_SCHEDULEKERNELS
#include "cnn/Transforms/Passes.h.inc"

namespace {

struct RegisterTile {
  int64_t vector, channels, columns;
};

/// With `exactChannels` (the cache-blocked convolution, whose weights are
/// packed per channel tile) the tile must divide the channels, and column
/// tails are guarded rather than recomputed, so a tail costs only its
/// lower reuse.
RegisterTile chooseTile(int64_t channels, int64_t columns, int vectorWidth,
                        bool exactChannels = false) {
  int64_t vector = vectorWidth;
  while (vector > 1 && vector > channels)
    vector /= 2;
  int64_t accumulators = vectorWidth >= 16 ? 24 : 12;
  RegisterTile best{vector, vector, 1};
  double bestScore = -1;
  for (int64_t vectors = 1; vectors <= 4; ++vectors) {
    int64_t tileChannels = vectors * vector;
    if (vectors > 1 && tileChannels > channels)
      break;
    if (exactChannels && channels % tileChannels)
      continue;
    for (int64_t tileColumns = 1; tileColumns <= std::min<int64_t>(columns, 12); ++tileColumns) {
      if (vectors * tileColumns > accumulators)
        break;
      double score;
      if (exactChannels) {
        // FMAs per load over a whole row, its guarded tail included.
        int64_t full = columns / tileColumns, tail = columns % tileColumns;
        double fmas = double(vectors * columns);
        double loads = double(full * (vectors + tileColumns) + (tail ? vectors + tail : 0));
        score = fmas / loads;
      } else {
        double computed = double((channels + tileChannels - 1) / tileChannels * tileChannels) *
                          double((columns + tileColumns - 1) / tileColumns * tileColumns);
        double useful = double(channels) * double(columns);
        double reuse = double(vectors * tileColumns) / double(vectors + tileColumns);
        score = useful / computed * reuse;
      }
      if (score > bestScore + 1e-9) {
        bestScore = score;
        best = {vector, tileChannels, tileColumns};
      }
    }
  }
  return best;
}

/// The slice of a reduction over `depth` channels: the largest power of two
/// from `largest` down to 16 that divides it, else all of it.
int64_t reductionBlock(int64_t depth, int64_t largest) {
  for (int64_t block = largest; block >= 16; block /= 2)
    if (depth % block == 0)
      return block;
  return depth;
}

/// The cache-blocked convolution stores and reloads a task's accumulators
/// once per reduction slice and kernel tap, so a window of several taps
/// wants few slices: the whole reduction up to 512 channels (cnnc-tune chose
/// it on every stride-2 3x3 layer of ResNet-18 and -50, 5-20% faster than
/// slices of 64 or 128). A 1x1 window takes slices of 128, whose weights
/// (times a 64-channel tile) fill L1's 32 KiB.
int64_t convolutionReductionBlock(int64_t depth, llvm::ArrayRef<int64_t> window) {
  if (window[0] * window[1] > 1)
    return depth <= 512 ? depth : reductionBlock(depth, 512);
  return reductionBlock(depth, 128);
}

llvm::ArrayRef<int64_t> shapeOf(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
}

struct ScheduleKernels : impl::ScheduleKernelsBase<ScheduleKernels> {
  using Base::Base;

  void runOnOperation() override {
    int vectorWidth = target == "avx2" ? 8 : 16;
    bool gpu = target == "cuda" || target == "opencl";
    if (target != "avx2" && target != "avx512" && !gpu) {
      getOperation()->emitError() << "cnn-schedule-kernels: unknown target '" << target
                                  << "' (expected avx512, avx2, cuda or opencl)";
      return signalPassFailure();
    }
    TuningDatabase database;
    // A GPU kernel's speed does not depend on the host's threads: its
    // database entries are kept under one.
    int threadCount = gpu ? 1 : threads > 0 ? int(threads) : int(std::thread::hardware_concurrency());
    if (!tuningDatabase.empty()) {
      std::string error;
      if (!readTuningDatabase(tuningDatabase, database, error)) {
        getOperation()->emitError() << error;
        return signalPassFailure();
      }
      std::string cpu = hostCpuModel();
      if (!gpu && !lowPrecision && !database.cpu.empty() && database.cpu != cpu)
        getOperation()->emitWarning()
            << "tuning database '" << tuningDatabase << "' was measured on '" << database.cpu
            << "', this machine is '" << cpu << "': its schedules may not suit it";
    }
    std::set<int> otherThreadCounts;
    getOperation().walk([&](mlir::Operation *op) {
      if (!llvm::isa<Conv2DOp, FusedConv2DOp, GemmOp>(op))
        return;
      bool lowPrecisionKernel = op->hasAttr("cnn.int8") || op->hasAttr("cnn.bf16");
      if (lowPrecision != lowPrecisionKernel)
        return;
      std::optional<KernelDescription> kernel = describeKernel(op);
      const TuningEntry *entry = database.find(kernel->signature(), target, threadCount);
      if (gpu && entry && entry->target != target)
        entry = nullptr; // A CPU schedule, which means nothing on a GPU.
      if (!entry)
        for (const TuningEntry &other : database.entries)
          if (other.signature == kernel->signature() && other.target == target)
            otherThreadCounts.insert(other.threads);
      bool tuned = entry && !entry->keepsDefault();
      if (lowPrecision && !tuned)
        return; // The schedule cnn-quantize or cnn-bf16 gave it.
      mlir::DictionaryAttr schedule = tuned ? parseScheduleKeys(op->getContext(), entry->schedule)
                                        : gpu ? defaultGpuSchedule(op)
                                              : defaultSchedule(op, vectorWidth, winograd);
      op->setAttr("cnn.schedule", schedule);
      // Where the schedule came from, so that a schedule its kernel refuses
      // is an error at the database's line.
      if (tuned)
        op->setAttr("cnn.schedule_source",
                    mlir::StringAttr::get(op->getContext(), tuningDatabase + ":" +
                                                                std::to_string(entry->line)));
      if (emitRemarks)
        op->emitRemark() << "schedule of " << describeLayer(op) << ": "
                         << scheduleKeys(schedule)
                         << (tuned ? " (tuning database)" : " (heuristic)");
    });
    if (!otherThreadCounts.empty()) {
      std::string counts;
      for (int count : otherThreadCounts)
        counts += (counts.empty() ? "" : ", ") + std::to_string(count);
      getOperation()->emitWarning()
          << "tuning database '" << tuningDatabase << "' has schedules for " << counts
          << " thread(s), none for " << threadCount
          << "; those kernels keep the heuristic's (cnnc --tuning-threads picks the count)";
    }
  }
};
} // namespace

/// The Winograd output tile for a convolution, or 0 for the direct kernel.
/// Winograd suits a stride-1 3x3 convolution with a vector of output
/// channels and enough tiles to reuse its weights, which are (m+2)^2 / 9
/// times the direct form's: 16 tiles or more per call. F(4x4, 3x3) (36
/// products per 16 outputs) when that gives 16 tiles, else F(2x2, 3x3) (16
/// per 4): ResNet-50's 7x7 maps at batch 1 make 4 tiles of 4x4 but 16 of
/// 2x2, and F(2x2) runs them in 0.84 ms to the direct kernel's 1.59 (one
/// core, weights from memory).
int64_t winogradTile(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> out,
                     llvm::ArrayRef<int64_t> window, llvm::ArrayRef<int64_t> stride,
                     llvm::ArrayRef<int64_t> dilation, int64_t groups, int vectorWidth) {
  if (window != llvm::ArrayRef<int64_t>{3, 3} || stride != llvm::ArrayRef<int64_t>{1, 1} ||
      dilation != llvm::ArrayRef<int64_t>{1, 1} || groups != 1 || in[1] < 16 ||
      out[1] % vectorWidth)
    return 0;
  for (int64_t m : {4, 2})
    if (out[0] * ((out[2] + m - 1) / m) * ((out[3] + m - 1) / m) >= 16)
      return m;
  return 0;
}

/// The Winograd kernel's schedule: tasks of `rows` tile rows of `images`
/// images (at least 24 tiles, so a weight slice serves as many register
/// tiles) for a group of `cgroup` channels, halved while there are fewer
/// than 2 tasks; the register tile runs over a task's tiles, and over the
/// whole reduction (slicing it measured slower: each slice stores and
/// reloads the accumulators, and a task's tiles reuse the weights anyway).
void addWinogradSchedule(int64_t m, llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> out,
                         int vectorWidth,
                         const std::function<void(llvm::StringRef, int64_t)> &add) {
  int64_t tilesWide = (out[3] + m - 1) / m, tilesHigh = (out[2] + m - 1) / m;
  int64_t rows = 1;
  while (rows < tilesHigh && (rows * tilesWide < 24 || tilesHigh % rows))
    ++rows;
  int64_t images = 1;
  if (rows == tilesHigh)
    while (images < out[0] && (images * tilesHigh * tilesWide < 24 || out[0] % images))
      ++images;
  RegisterTile tile = chooseTile(out[1], rows * tilesWide * images, vectorWidth,
                                 /*exactChannels=*/true);
  int64_t cgroup = out[1];
  auto tasks = [&] { return tilesHigh / rows * (out[0] / images) * (out[1] / cgroup); };
  while (tasks() < 2 && cgroup % (2 * tile.channels) == 0)
    cgroup /= 2;
  add("winograd", m);
  add("vec", tile.vector);
  add("tile_c", tile.channels);
  add("tile_x", tile.columns);
  add("wblock", tile.channels);
  add("ci_block", in[1]);
  add("rows", rows);
  add("images", images);
  add("cgroup", cgroup);
}

/// The widest vector of channels (at most 4, one 128-bit load) that
/// divides `channels`.
int64_t gpuVector(int64_t channels) {
  return channels % 4 == 0 ? 4 : channels % 2 == 0 ? 2 : 1;
}

/// Parts to split a reduction of `channels` (times `taps` per channel)
/// into on a GPU that would otherwise run `threads` threads. A GPU hides
/// its memory latency with tens of thousands of threads (an H200 holds
/// 270,000); ResNet-50's 7x7 layers at batch 1 give under 2,000. Each part
/// runs as threads of its own, at the cost of writing the parts and a pass
/// that sums them, so parts double only while the threads stay under
/// 16,384 and a part keeps at least 256 multiply-adds per output.
int64_t gpuReductionSplit(int64_t threads, int64_t channels, int64_t taps) {
  int64_t splits = 1;
  while (threads * splits < 16384 && channels % (splits * 2) == 0 &&
         channels / (splits * 2) * taps >= 256)
    splits *= 2;
  return splits;
}

mlir::DictionaryAttr defaultGpuSchedule(mlir::Operation *op) {
  mlir::Builder builder(op->getContext());
  llvm::SmallVector<mlir::NamedAttribute> entries;
  auto add = [&](llvm::StringRef key, int64_t value) {
    entries.push_back(builder.getNamedAttr(key, builder.getI64IntegerAttr(value)));
  };
  // A block of up to 16 channel vectors by enough column tiles for 128
  // threads; a thread's tile is `vec` channels by up to 4 columns: 16
  // accumulators, 5 loads per 16 FMAs, and registers left for occupancy.
  auto tiles = [&](int64_t channels, int64_t columns, llvm::StringRef channelKey,
                   llvm::StringRef columnKey) {
    int64_t vector = gpuVector(channels);
    int64_t channelThreads = std::min<int64_t>((channels + vector - 1) / vector, 16);
    int64_t perThread = std::min<int64_t>(columns, 4);
    // Whole tiles only: a block that overhangs the edge is shifted inwards.
    int64_t columnThreads =
        std::max<int64_t>(1, std::min(columns / perThread, 128 / channelThreads));
    add("vec", vector);
    add(channelKey, channelThreads * vector);
    add(columnKey, perThread);
    add("wblock", 0);
    return columnThreads;
  };
  if (auto gemm = llvm::dyn_cast<GemmOp>(op)) {
    int64_t columns = shapeOf(gemm.getWeight())[0];
    int64_t depth = shapeOf(gemm.getInput())[1];
    int64_t rows =
        llvm::cast<mlir::RankedTensorType>(gemm.getInput().getType()).getNumElements() / depth;
    int64_t columnThreads = tiles(columns, rows, "tile_n", "tile_m");
    add("m_block", columnThreads * std::min<int64_t>(rows, 4));
    add("k_block", depth);
    int64_t threads = (columns + gpuVector(columns) - 1) / gpuVector(columns) *
                      ((rows + 3) / 4);
    if (int64_t splits = gpuReductionSplit(threads, depth, 1); splits > 1)
      add("ksplit", splits);
    return builder.getDictionaryAttr(entries);
  }
  auto out = shapeOf(op->getResult(0));
  auto in = shapeOf(op->getOperand(0));
  auto weight = shapeOf(op->getOperand(1));
  add("block_x", tiles(out[1], out[3], "tile_c", "tile_x"));
  int64_t threads = out[1] / gpuVector(out[1]) * ((out[3] + 3) / 4) * out[2] * out[0];
  int64_t perGroup = weight[1]; // input channels per group
  bool depthwise = perGroup == 1 && out[1] == in[1];
  if (int64_t splits = depthwise ? 1 : gpuReductionSplit(threads, perGroup, weight[2] * weight[3]);
      splits > 1)
    add("ksplit", splits);
  return builder.getDictionaryAttr(entries);
}

mlir::DictionaryAttr parseScheduleKeys(mlir::MLIRContext *context, llvm::StringRef keys) {
  mlir::Builder builder(context);
  llvm::SmallVector<mlir::NamedAttribute> entries;
  llvm::SmallVector<llvm::StringRef> pairs;
  keys.split(pairs, ' ', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef pair : pairs) {
    auto [key, value] = pair.split('=');
    int64_t number;
    mlir::Attribute attr = value.getAsInteger(10, number)
                               ? mlir::Attribute(builder.getStringAttr(value))
                               : mlir::Attribute(builder.getI64IntegerAttr(number));
    entries.push_back(builder.getNamedAttr(key, attr));
  }
  return builder.getDictionaryAttr(entries);
}

mlir::DictionaryAttr defaultSchedule(mlir::Operation *op, int vectorWidth, bool winograd) {
  mlir::Builder builder(op->getContext());
  llvm::SmallVector<mlir::NamedAttribute> entries;
  auto add = [&](llvm::StringRef key, int64_t value) {
    entries.push_back(builder.getNamedAttr(key, builder.getI64IntegerAttr(value)));
  };
  auto addWord = [&](llvm::StringRef key, llvm::StringRef value) {
    entries.push_back(builder.getNamedAttr(key, builder.getStringAttr(value)));
  };
  if (auto gemm = llvm::dyn_cast<GemmOp>(op)) {
    int64_t columns = shapeOf(gemm.getWeight())[0];
    int64_t rows = llvm::cast<mlir::RankedTensorType>(gemm.getInput().getType()).getNumElements() /
                   shapeOf(gemm.getInput())[1];
    RegisterTile tile = chooseTile(columns, rows, vectorWidth);
    add("vec", tile.vector);
    add("tile_n", tile.channels);
    add("tile_m", tile.columns);
    // Slices of 64 (16 KiB of weights a 64-channel tile): on ResNet-50's
    // 1024-deep GEMM cnnc-tune kept 64 over 128.
    add("k_block", reductionBlock(shapeOf(gemm.getInput())[1], 64));
    // A pixel block per task of 4 register tiles; all of them on small maps
    // (ResNet-50's 7x7 GEMMs: 0.75 to 0.64 ms with 49 rather than 20).
    add("m_block", rows <= 64 ? rows : std::min<int64_t>(rows, tile.columns * 4));
    // Weights packed per channel tile and the cache-blocked kernel pay off
    // only on long reductions (measured on ResNet-50's layers).
    int64_t depth = shapeOf(gemm.getInput())[1];
    add("wblock", depth >= 1024 && columns % tile.channels == 0 ? tile.channels : 0);
    bool manyChannelTiles = (columns + tile.channels - 1) / tile.channels >= 4;
    // Unless the input is large (over 1 MiB, twice the weights): channel
    // tiles outermost would read it from memory once per tile, while pixel
    // blocks outermost read it once and keep the weights in L2. ResNet-50's
    // GEMMs at batch 8 (m = 25088 pixels for layer1) took 5% less in all,
    // 20% less on layer1's (one core, per-layer minimum of 2 alternated
    // `--profile` runs).
    int64_t inputBytes = rows * depth * 4, weightBytes = depth * columns * 4;
    bool streamsInput = inputBytes > (1 << 20) && inputBytes > 2 * weightBytes;
    addWord("parallel",
            (manyChannelTiles && !streamsInput) || rows <= 2 * tile.columns ? "n" : "m");
    return builder.getDictionaryAttr(entries);
  }
  auto out = shapeOf(op->getResult(0));
  auto in = shapeOf(op->getOperand(0));
  auto weight = shapeOf(op->getOperand(1));
  auto conv = llvm::dyn_cast<Conv2DOp>(op);
  auto fused = llvm::dyn_cast<FusedConv2DOp>(op);
  int64_t groups = conv ? conv.getGroups() : fused.getGroups();
  llvm::ArrayRef<int64_t> stride = conv ? conv.getStride() : fused.getStride();
  llvm::ArrayRef<int64_t> dilation = conv ? conv.getDilation() : fused.getDilation();
  int64_t winogradM = winograd ? winogradTile(in, out, {weight[2], weight[3]}, stride, dilation,
                                                groups, vectorWidth)
                                : 0;
  if (winogradM) {
    addWinogradSchedule(winogradM, in, out, vectorWidth, add);
    return builder.getDictionaryAttr(entries);
  }
  bool depthwise = groups > 1 && groups == in[1] && out[1] == in[1];
  // Groups narrower than a vector (ResNeXt's 4 and 8 channels, RegNet's 8)
  // take the rotated kernel: g accumulators a column, each input vector
  // serving g multiply-adds. Its register tile is g x columns; measured on
  // ResNeXt-50 (one core, --profile), 12 accumulators beat 16, 20 and 24
  // (which spill: each also holds g weight vectors) at stride 1, 125-140
  // against 85-110 GFLOP/s; at stride 2, 16 did (100 against 65).
  int64_t groupWidth = in[1] / groups;
  if (!depthwise && groups > 1 && groupWidth < vectorWidth && vectorWidth % groupWidth == 0 &&
      out[1] == in[1] && in[1] % vectorWidth == 0) {
    int64_t accumulators = stride[0] * stride[1] > 1 ? 16 : 12;
    add("rotated", 1);
    add("vec", vectorWidth);
    add("tile_c", vectorWidth);
    add("tile_x", std::max<int64_t>(1, std::min(out[3], accumulators / groupWidth)));
    add("wblock", 0);
    return builder.getDictionaryAttr(entries);
  }
  // Long reductions (64 input channels or more per group) get the
  // cache-blocked kernel when a tile divides the output channels.
  // So do stride-1 grouped convolutions whose groups hold whole vectors
  // (ResNeXt's 16 and 32 channels a group), their tile within a group: a
  // task's weight panel is then one group's, which stays in L1 across its
  // rows. On one core ResNeXt-50's 16-channel-group layers went from 0.34
  // to 0.23 ms and its 32-channel ones from 0.35 to 0.29 (`--profile`, per
  // layer minimum over 4 alternated runs); at stride 2 it was 4-60% slower.
  bool groupBlocks = groups > 1 && !depthwise && (out[1] / groups) % vectorWidth == 0 &&
                     in[1] / groups >= 16 && stride[0] * stride[1] == 1;
  bool blockable = !depthwise && (in[1] / groups >= 64 || groupBlocks);
  // A grouped convolution's vector stays within one group, so that its
  // lanes share their input channel (a broadcast, not a gather): RegNet's
  // 8-channel groups take 8 lanes.
  int groupVector = vectorWidth;
  while (!depthwise && groupVector > 1 && (out[1] / groups) % groupVector)
    groupVector /= 2;
  RegisterTile tile = depthwise ? chooseTile(std::min<int64_t>(out[1], vectorWidth), out[3],
                                             vectorWidth)
                                : chooseTile(groupBlocks ? out[1] / groups : out[1], out[3],
                                             groupVector, blockable);
  add("vec", tile.vector);
  add("tile_c", tile.channels);
  add("tile_x", tile.columns);
  add("wblock", blockable && out[1] % tile.channels == 0 ? tile.channels : 0);
  if (!depthwise) {
    add("ci_block", convolutionReductionBlock(in[1] / groups, {weight[2], weight[3]}));
    // Rows per task: the fewest (dividing the map's rows) that give a
    // weight slice at least 28 pixels to serve.
    int64_t rows = 1;
    while (rows < out[2] && (rows * out[3] < 28 || out[2] % rows))
      ++rows;
    if (rows > 1)
      add("rows", rows);
  }
  return builder.getDictionaryAttr(entries);
}

mlir::DictionaryAttr lowPrecisionSchedule(mlir::Operation *op) {
  mlir::Builder b(op->getContext());
  int64_t channels = llvm::cast<mlir::RankedTensorType>(op->getResult(0).getType()).getShape()[1];
  int64_t vec = channels >= 16 ? 16 : channels >= 8 ? 8 : 4;
  bool depthwise = false;
  if (auto conv = llvm::dyn_cast<FusedConv2DOp>(op))
    depthwise = conv.getGroups() > 1;
  if (auto conv = llvm::dyn_cast<Conv2DOp>(op))
    depthwise = conv.getGroups() > 1;
  // 24 channels are 3 vectors of 8, where 16 lanes take two tiles
  // overlapping by 8: PP-OCRv4's 96 -> 24 3x3 convolutions at 160x160 ran
  // in 2.5 ms instead of 3.1 (int8, one core of an AMD EPYC Zen 5).
  if (!depthwise && channels % 16 && channels % 8 == 0 && channels <= 32)
    vec = 8;
  int64_t tile = depthwise ? vec : vec * std::max<int64_t>(1, std::min<int64_t>(4, channels / vec));
  // A convolution's columns: the tile that wastes least of the row (a tile
  // overhanging the edge is shifted inwards and recomputes) and reuses
  // most, within 28 accumulators (of 32 registers: the rest hold a weight
  // vector and a broadcast input). 7-wide rows took 6 (5 of 12 columns
  // recomputed) and ran ResNet-18's layer4 at 185 GOP/s. With 24, 56-wide
  // rows took 64 x 6 (580 GOP/s int8 on ResNet-50's 56x56 3x3 layer, one
  // core of an AMD EPYC Zen 5); with 28, 64 x 7 (700 GOP/s).
  int64_t width = llvm::cast<mlir::RankedTensorType>(op->getResult(0).getType()).getShape().back();
  int64_t columns = 6;
  double best = 0;
  for (int64_t vectors = tile / vec; vectors >= 1 && !depthwise; --vectors)
    for (int64_t x = 8; x >= 2; --x) {
      if (vectors * x > 28)
        continue;
      double useful = double(width) / double((width + x - 1) / x * x);
      double reuse = double(vectors * x) / double(vectors + x);
      if (useful * reuse > best + 1e-9) {
        best = useful * reuse;
        columns = x;
        tile = vectors * vec;
      }
    }
  llvm::SmallVector<mlir::NamedAttribute> keys = {b.getNamedAttr("vec", b.getI64IntegerAttr(vec))};
  if (auto gemm = llvm::dyn_cast<GemmOp>(op)) {
    int64_t depth = llvm::cast<mlir::RankedTensorType>(gemm.getInput().getType()).getShape()[1];
    auto old = op->getAttrOfType<mlir::DictionaryAttr>("cnn.schedule");
    auto parallel = old ? old.getAs<mlir::StringAttr>("parallel") : nullptr;
    keys.push_back(b.getNamedAttr("tile_n", b.getI64IntegerAttr(tile)));
    keys.push_back(b.getNamedAttr("tile_m", b.getI64IntegerAttr(6)));
    keys.push_back(b.getNamedAttr("k_block", b.getI64IntegerAttr(depth)));
    keys.push_back(b.getNamedAttr("m_block", b.getI64IntegerAttr(6)));
    keys.push_back(b.getNamedAttr("parallel", parallel ? parallel : b.getStringAttr("n")));
  } else {
    keys.push_back(b.getNamedAttr("tile_c", b.getI64IntegerAttr(tile)));
    keys.push_back(b.getNamedAttr("tile_x", b.getI64IntegerAttr(columns)));
    // Channel tiles outermost when the weights outweigh the input: each
    // task's weight slice then stays in cache across the rows.
    auto input = llvm::cast<mlir::RankedTensorType>(op->getOperand(0).getType());
    auto weight = llvm::cast<mlir::RankedTensorType>(op->getOperand(1).getType());
    if (weight.getNumElements() > input.getNumElements())
      keys.push_back(b.getNamedAttr("parallel", b.getStringAttr("n")));
  }
  keys.push_back(b.getNamedAttr("wblock", b.getI64IntegerAttr(0)));
  return b.getDictionaryAttr(keys);
}

} // namespace cnn
