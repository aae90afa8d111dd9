// RUN: cnnc-opt %s --split-input-file --cnn-fuse-batch-norm-prologue | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-fuse-batch-norm-prologue="emit-remarks=true" --verify-diagnostics > /dev/null

// DenseNet's BN-ReLU-conv: the statistics become a multiplier and offset,
// applied with the ReLU as the convolution reads its input.
// CHECK-LABEL: func @bn_relu_conv
// CHECK: %[[M:.*]], %[[O:.*]] = cnn.batch_norm_affine %arg1, %arg1, %arg1, %arg1 epsilon 1.000000e-03
// CHECK: cnn.fused_conv2d %arg0, %arg2 input_affine %[[M]], %[[O]] input_activation relu pad [1, 1, 1, 1]
// CHECK-NOT: cnn.batch_norm %
// CHECK-NOT: cnn.relu
func.func @bn_relu_conv(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32> {
  // expected-remark @+1 {{batch norm 'cnn.batch_norm' and its activation fused into the input of 'cnn.conv2d'}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p epsilon 1.0e-3 : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  %2 = cnn.conv2d %1, %w pad [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %2 : tensor<1x8x8x8xf32>
}

// -----

// Into a fused convolution (its epilogue kept) and into a GEMM, without an
// activation in between.
// CHECK-LABEL: func @into_kernels
// CHECK: cnn.fused_conv2d %arg0, %arg2 input_affine %{{.*}}, %{{.*}} activation relu
// CHECK: cnn.gemm %arg0, %arg3 input_affine %{{.*}}, %{{.*}} :
func.func @into_kernels(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>, %w: tensor<8x4x1x1xf32>, %m: tensor<8x4xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  // expected-remark @+1 {{fused into the input of 'cnn.fused_conv2d'}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.fused_conv2d %0, %w activation relu : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  // expected-remark @+1 {{fused into the input of 'cnn.gemm'}}
  %2 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %3 = cnn.gemm %2, %m : (tensor<1x4x8x8xf32>, tensor<8x4xf32>) -> tensor<1x8x8x8xf32>
  return %1, %3 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}

// -----

// DenseNet's norm5 and ReLU before its global pooling, and a batch norm
// and SiLU before an adaptive max pool: the pools read through the prologue.
// CHECK-LABEL: func @into_pools
// CHECK: cnn.adaptive_avg_pool2d %arg0 input_affine %{{.*}}, %{{.*}} input_activation relu size [1, 1]
// CHECK: cnn.global_max_pool2d %arg0 input_affine %{{.*}}, %{{.*}} input_activation silu :
// CHECK-NOT: cnn.batch_norm %
func.func @into_pools(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>) -> (tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>) {
  // expected-remark @+1 {{fused into the input of 'cnn.adaptive_avg_pool2d'}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  %2 = cnn.adaptive_avg_pool2d %1 size [1, 1] : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  // expected-remark @+1 {{fused into the input of 'cnn.global_max_pool2d'}}
  %3 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %4 = cnn.silu %3 : tensor<1x4x8x8xf32>
  %5 = cnn.global_max_pool2d %4 : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  return %2, %5 : tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>
}

// -----

// Left alone: a batch norm read by a windowed pool, one read twice, and one whose
// activation has a parameter (clip).
// CHECK-LABEL: func @kept
// CHECK-COUNT-3: cnn.batch_norm %
// CHECK-NOT: cnn.batch_norm_affine
func.func @kept(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>, %w: tensor<8x4x1x1xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x8x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x8x8x8xf32>) {
  // expected-remark @+1 {{batch norm 'cnn.batch_norm' not fused forward: no convolution or pooling reads it (alone)}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.max_pool2d %0 window [2, 2] stride [2, 2] : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  // expected-remark @+1 {{not fused forward}}
  %2 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %3 = cnn.conv2d %2, %w : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  // expected-remark @+1 {{not fused forward}}
  %4 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %5 = cnn.clip %4 min 0.0 max 6.0 : tensor<1x4x8x8xf32>
  %6 = cnn.conv2d %5, %w : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  return %1, %3, %2, %6 : tensor<1x4x4x4xf32>, tensor<1x8x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x8x8x8xf32>
}
