// RUN: cnnc-opt %s --cnn-schedule-kernels | FileCheck %s
// RUN: cnnc-opt %s --cnn-schedule-kernels="target=avx2" | FileCheck %s --check-prefix=AVX2
// RUN: cnnc-opt %s --cnn-schedule-kernels="winograd=false" | FileCheck %s --check-prefix=DIRECT
// RUN: cnnc-opt %s --cnn-schedule-kernels="tuning-db=%S/Inputs/tuning.db" | FileCheck %s --check-prefix=TUNED
// RUN: cnnc-opt %s --cnn-schedule-kernels="emit-remarks=true" --verify-diagnostics > /dev/null
// RUN: not cnnc-opt %s --cnn-schedule-kernels="tuning-db=%t.missing" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not cnnc-opt %s --cnn-schedule-kernels="target=neon" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: cnnc-opt %s --cnn-schedule-kernels="target=cuda tuning-db=%S/Inputs/tuning.db" | FileCheck %s --check-prefix=GPU
// RUN: cnnc-opt %s --cnn-schedule-kernels="target=opencl tuning-db=%S/Inputs/gpu-tuning.db" | FileCheck %s --check-prefix=GPU-TUNED

// A 56x56 3x3 convolution takes Winograd F(4x4, 3x3): 14 x 14 tiles, two
// tile rows (28 tiles) a task, 64 channels by 6 tiles a register tile. A
// 7x7 map at batch 1 has only 4 tiles of 4x4, too few to pay for 4x the
// weights, but 16 of 2x2: F(2x2, 3x3), its 512 channels split in two
// groups so that two threads share it.
// CHECK: cnn.fused_conv2d {{.*}}cnn.schedule = {cgroup = 64 : i64, ci_block = 64 : i64, images = 1 : i64, rows = 2 : i64, tile_c = 64 : i64, tile_x = 6 : i64, vec = 16 : i64, wblock = 64 : i64, winograd = 4 : i64}
// CHECK: cnn.fused_conv2d {{.*}}cnn.schedule = {cgroup = 256 : i64, ci_block = 512 : i64, images = 1 : i64, rows = 4 : i64, tile_c = 64 : i64, tile_x = 6 : i64, vec = 16 : i64, wblock = 64 : i64, winograd = 2 : i64}
// Without Winograd, the register tile that scores best (docs/passes.md) is
// 64 channels by 6 columns on a 56-wide map; on the 7-wide one, 64 by 4
// (the cache-blocked kernel needs a tile that divides the channels), and a
// task takes all 7 rows so each weight slice serves 7 x 2 column tiles.
// A 3x3 window's reduction runs whole (up to 512 channels): the blocked
// kernel reloads its accumulators once per slice and tap.
// DIRECT: cnn.fused_conv2d {{.*}}cnn.schedule = {ci_block = 64 : i64, tile_c = 64 : i64, tile_x = 6 : i64, vec = 16 : i64, wblock = 64 : i64}
// DIRECT: cnn.fused_conv2d {{.*}}cnn.schedule = {ci_block = 512 : i64, rows = 7 : i64, tile_c = 64 : i64, tile_x = 4 : i64, vec = 16 : i64, wblock = 64 : i64}
// A depthwise convolution takes one vector of channels by 8 columns. A
// dense layer at batch 1 has one row and splits its output channels over
// threads.
// CHECK: cnn.conv2d {{.*}}cnn.schedule = {tile_c = 16 : i64, tile_x = 8 : i64, vec = 16 : i64, wblock = 0 : i64}
// CHECK: cnn.gemm {{.*}}cnn.schedule = {k_block = 64 : i64, m_block = 1 : i64, parallel = "n", tile_m = 1 : i64, tile_n = 64 : i64, vec = 16 : i64, wblock = 0 : i64}
// AVX2: cnn.fused_conv2d {{.*}}cnn.schedule = {cgroup = 64 : i64, ci_block = 64 : i64, images = 1 : i64, rows = 2 : i64, tile_c = 32 : i64, tile_x = 3 : i64, vec = 8 : i64, wblock = 32 : i64, winograd = 4 : i64}
// TUNED: cnn.fused_conv2d {{.*}}cnn.schedule = {tile_c = 32 : i64, tile_x = 8 : i64, vec = 16 : i64}
// TUNED: cnn.fused_conv2d {{.*}}cnn.schedule = {cgroup = 256 : i64, ci_block = 512 : i64, images = 1 : i64, rows = 4 : i64, tile_c = 64 : i64, tile_x = 6 : i64, vec = 16 : i64, wblock = 64 : i64, winograd = 2 : i64}
// MISSING: cannot read tuning database
// TARGET: unknown target 'neon' (expected avx512, avx2, cuda or opencl)
// On a GPU (CUDA and OpenCL alike), a block is up to 16 threads across
// channels, each 4 channels (one vector load of weights), by threads across
// columns, each 4 columns; up to 128 threads, blocks that overhang an edge
// shifted inwards. A reduction over outputs that give fewer than 16,384
// threads is split into parts (ksplit) while each keeps 256 multiply-adds:
// 2 on the 56x56 map (12,544 threads), 16 on the 7x7 one (1,792), none for
// the depthwise convolution, 2 for the dense layer (k = 512). The
// hand-written database entry is a CPU schedule and is not applied; one for
// the GPU target is.
// GPU: cnn.fused_conv2d {{.*}}cnn.schedule = {block_x = 8 : i64, ksplit = 2 : i64, tile_c = 64 : i64, tile_x = 4 : i64, vec = 4 : i64, wblock = 0 : i64}
// GPU: cnn.fused_conv2d {{.*}}cnn.schedule = {block_x = 1 : i64, ksplit = 16 : i64, tile_c = 64 : i64, tile_x = 4 : i64, vec = 4 : i64, wblock = 0 : i64}
// GPU: cnn.conv2d {{.*}}cnn.schedule = {block_x = 14 : i64, tile_c = 32 : i64, tile_x = 4 : i64, vec = 4 : i64, wblock = 0 : i64}
// GPU: cnn.gemm {{.*}}cnn.schedule = {k_block = 512 : i64, ksplit = 2 : i64, m_block = 1 : i64, tile_m = 1 : i64, tile_n = 64 : i64, vec = 4 : i64, wblock = 0 : i64}
// GPU-TUNED: cnn.fused_conv2d {{.*}}cnn.schedule = {block_x = 4 : i64, tile_c = 32 : i64, tile_x = 2 : i64, vec = 2 : i64, wblock = 0 : i64}
// GPU-TUNED: cnn.fused_conv2d {{.*}}cnn.schedule = {block_x = 1 : i64, ksplit = 16 : i64, tile_c = 64 : i64, tile_x = 4 : i64, vec = 4 : i64, wblock = 0 : i64}
func.func @net(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>, %y: tensor<1x512x7x7xf32>,
               %v: tensor<512x512x3x3xf32>, %z: tensor<1x32x56x56xf32>, %dw: tensor<32x1x3x3xf32>,
               %f: tensor<1x512xf32>, %d: tensor<1000x512xf32>)
    -> (tensor<1x64x56x56xf32>, tensor<1x512x7x7xf32>, tensor<1x32x56x56xf32>, tensor<1x1000xf32>) {
  // expected-remark @+1 {{schedule of 'cnn.fused_conv2d': cgroup=64 ci_block=64 images=1 rows=2 tile_c=64 tile_x=6 vec=16 wblock=64 winograd=4 (heuristic)}}
  %a = cnn.fused_conv2d %x, %w pad [1, 1, 1, 1] activation relu
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  // expected-remark @+1 {{(heuristic)}}
  %b = cnn.fused_conv2d %y, %v pad [1, 1, 1, 1] activation relu
      : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>) -> tensor<1x512x7x7xf32>
  // expected-remark @+1 {{(heuristic)}}
  %c = cnn.conv2d %z, %dw pad [1, 1, 1, 1] groups 32
      : (tensor<1x32x56x56xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32>
  // expected-remark @+1 {{(heuristic)}}
  %g = cnn.gemm %f, %d : (tensor<1x512xf32>, tensor<1000x512xf32>) -> tensor<1x1000xf32>
  return %a, %b, %c, %g : tensor<1x64x56x56xf32>, tensor<1x512x7x7xf32>, tensor<1x32x56x56xf32>, tensor<1x1000xf32>
}

// Groups narrower than a vector take the rotated kernel when vectors tile
// the channels: RegNet's 8-channel groups over 208 channels, 8 accumulators
// a column (one column). Otherwise, on AVX2 (whose vector is one such group)
// and for wider groups, a grouped convolution's vector stays within a
// group, so that its lanes share one input channel: 8 lanes for 8-channel
// groups over 104 channels, and for 24-channel groups.
// CHECK-LABEL: func @grouped
// CHECK: cnn.conv2d {{.*}}cnn.schedule = {rotated = 1 : i64, tile_c = 16 : i64, tile_x = 1 : i64, vec = 16 : i64, wblock = 0 : i64}
// CHECK: cnn.conv2d {{.*}}cnn.schedule = {ci_block = 8 : i64, tile_c = 24 : i64, tile_x = 4 : i64, vec = 8 : i64, wblock = 0 : i64}
// CHECK: cnn.conv2d {{.*}}cnn.schedule = {ci_block = 24 : i64, tile_c = 24 : i64, tile_x = 4 : i64, vec = 8 : i64, wblock = 0 : i64}
// AVX2-LABEL: func @grouped
// AVX2: cnn.conv2d {{.*}}cnn.schedule = {ci_block = 8 : i64, tile_c = 24 : i64, tile_x = 4 : i64, vec = 8 : i64, wblock = 0 : i64}
func.func @grouped(%x: tensor<1x208x14x14xf32>, %w: tensor<208x8x3x3xf32>,
                   %u: tensor<1x104x28x28xf32>, %t: tensor<104x8x3x3xf32>,
                   %y: tensor<1x96x28x28xf32>, %v: tensor<96x24x3x3xf32>)
    -> (tensor<1x208x14x14xf32>, tensor<1x104x28x28xf32>, tensor<1x96x28x28xf32>) {
  // expected-remark @+1 {{(heuristic)}}
  %0 = cnn.conv2d %x, %w pad [1, 1, 1, 1] groups 26
      : (tensor<1x208x14x14xf32>, tensor<208x8x3x3xf32>) -> tensor<1x208x14x14xf32>
  // expected-remark @+1 {{(heuristic)}}
  %1 = cnn.conv2d %u, %t pad [1, 1, 1, 1] groups 13
      : (tensor<1x104x28x28xf32>, tensor<104x8x3x3xf32>) -> tensor<1x104x28x28xf32>
  // expected-remark @+1 {{(heuristic)}}
  %2 = cnn.conv2d %y, %v pad [1, 1, 1, 1] groups 4
      : (tensor<1x96x28x28xf32>, tensor<96x24x3x3xf32>) -> tensor<1x96x28x28xf32>
  return %0, %1, %2 : tensor<1x208x14x14xf32>, tensor<1x104x28x28xf32>, tensor<1x96x28x28xf32>
}
