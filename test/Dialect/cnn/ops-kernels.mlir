// Round trip of the ops the optimisation passes produce.
// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @fold_batch_norm
// CHECK: cnn.fold_batch_norm %arg0, %arg1, %arg1, %arg1, %arg1 : (tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8x4x3x3xf32>, tensor<8xf32>)
// CHECK: cnn.fold_batch_norm %arg2, %arg1, %arg1, %arg1, %arg1 bias %arg1 epsilon 1.000000e-03 : (tensor<8x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8x16xf32>, tensor<8xf32>)
func.func @fold_batch_norm(%w: tensor<8x4x3x3xf32>, %p: tensor<8xf32>, %d: tensor<8x16xf32>) -> (tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8x16xf32>, tensor<8xf32>) {
  %0:2 = cnn.fold_batch_norm %w, %p, %p, %p, %p : (tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8x4x3x3xf32>, tensor<8xf32>)
  %1:2 = cnn.fold_batch_norm %d, %p, %p, %p, %p bias %p epsilon 1.0e-3 : (tensor<8x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %0#0, %0#1, %1#0, %1#1 : tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8x16xf32>, tensor<8xf32>
}

// CHECK-LABEL: func @fused_conv2d
// CHECK: cnn.fused_conv2d %arg0, %arg1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
// CHECK: cnn.fused_conv2d %arg0, %arg1, %arg2 residual %arg3 pad [1, 1, 1, 1] activation relu : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
// CHECK: cnn.fused_conv2d %arg0, %arg4 stride [2, 2] pad [1, 1, 1, 1] groups 4 activation clip max 6.000000e+00
// CHECK: cnn.fused_conv2d %arg0, %arg1 dilation [2, 2] activation leaky_relu alpha 1.000000e-01
func.func @fused_conv2d(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>, %r: tensor<1x8x8x8xf32>, %dw: tensor<4x1x3x3xf32>) -> (tensor<1x8x6x6xf32>, tensor<1x8x8x8xf32>, tensor<1x4x4x4xf32>, tensor<1x8x4x4xf32>) {
  %0 = cnn.fused_conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  %1 = cnn.fused_conv2d %x, %w, %b residual %r stride [1, 1] pad [1, 1, 1, 1] activation relu : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %2 = cnn.fused_conv2d %x, %dw stride [2, 2] pad [1, 1, 1, 1] groups 4 activation clip min 0.0 max 6.0 : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  %3 = cnn.fused_conv2d %x, %w dilation [2, 2] activation leaky_relu alpha 0.1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0, %1, %2, %3 : tensor<1x8x6x6xf32>, tensor<1x8x8x8xf32>, tensor<1x4x4x4xf32>, tensor<1x8x4x4xf32>
}

// CHECK-LABEL: func @gemm
// CHECK: cnn.gemm %arg0, %arg1 : (tensor<2x64x7x7xf32>, tensor<256x64x1x1xf32>) -> tensor<2x256x7x7xf32>
// CHECK: cnn.gemm %arg0, %arg2, %arg3 residual %arg4 activation clip max 6.000000e+00 : (tensor<2x64x7x7xf32>, tensor<256x64xf32>, tensor<256xf32>, tensor<2x256x7x7xf32>) -> tensor<2x256x7x7xf32>
// CHECK: cnn.gemm %arg5, %arg2 : (tensor<3x64xf32>, tensor<256x64xf32>) -> tensor<3x256xf32>
func.func @gemm(%x: tensor<2x64x7x7xf32>, %w: tensor<256x64x1x1xf32>, %m: tensor<256x64xf32>, %b: tensor<256xf32>, %r: tensor<2x256x7x7xf32>, %f: tensor<3x64xf32>) -> (tensor<2x256x7x7xf32>, tensor<2x256x7x7xf32>, tensor<3x256xf32>) {
  %0 = cnn.gemm %x, %w : (tensor<2x64x7x7xf32>, tensor<256x64x1x1xf32>) -> tensor<2x256x7x7xf32>
  %1 = cnn.gemm %x, %m, %b residual %r activation clip max 6.0 : (tensor<2x64x7x7xf32>, tensor<256x64xf32>, tensor<256xf32>, tensor<2x256x7x7xf32>) -> tensor<2x256x7x7xf32>
  %2 = cnn.gemm %f, %m : (tensor<3x64xf32>, tensor<256x64xf32>) -> tensor<3x256xf32>
  return %0, %1, %2 : tensor<2x256x7x7xf32>, tensor<2x256x7x7xf32>, tensor<3x256xf32>
}

// CHECK-LABEL: func @prologues
// CHECK: %[[M:.*]], %[[O:.*]] = cnn.batch_norm_affine %arg2, %arg2, %arg2, %arg2 : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK: cnn.fused_conv2d %arg0, %arg1 input_affine %[[M]], %[[O]] input_activation relu pad [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x8x8x8xf32>
// CHECK: cnn.gemm %arg0, %arg3 input_affine %[[M]], %[[O]] activation silu :
func.func @prologues(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %p: tensor<4xf32>, %g: tensor<8x4xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  %m, %o = cnn.batch_norm_affine %p, %p, %p, %p : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  %0 = cnn.fused_conv2d %x, %w input_affine %m, %o input_activation relu pad [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x8x8x8xf32>
  %1 = cnn.gemm %x, %g input_affine %m, %o activation silu : (tensor<1x4x8x8xf32>, tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x8x8x8xf32>
  return %0, %1 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}
