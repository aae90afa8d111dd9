// RUN: cnnc-opt %s --split-input-file --cnn-fuse-conv-activation | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-fuse-conv-activation="emit-remarks=true" --verify-diagnostics > /dev/null

// A ResNet block's tail: conv, residual sum, ReLU.
// CHECK-LABEL: func @residual_relu
// CHECK: %[[F:.*]] = cnn.fused_conv2d %arg0, %arg1, %arg2 residual %arg3 pad [1, 1, 1, 1] activation relu
// CHECK-NOT: cnn.add
// CHECK-NOT: cnn.relu
// CHECK: return %[[F]]
func.func @residual_relu(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %b: tensor<4xf32>, %r: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-remark @+1 {{convolution 'cnn.conv2d' fused with add 'cnn.add' relu 'cnn.relu'}}
  %0 = cnn.conv2d %x, %w, %b pad [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.add %r, %0 : tensor<1x4x8x8xf32>
  %2 = cnn.relu %1 : tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}

// -----

// Every activation kind carries its parameters.
// CHECK-LABEL: func @activations
// CHECK: cnn.fused_conv2d %arg0, %arg1 activation clip max 6.000000e+00
// CHECK: cnn.fused_conv2d %arg0, %arg1 activation leaky_relu alpha 1.000000e-01
// CHECK: cnn.fused_conv2d %arg0, %arg1 activation silu
// CHECK: cnn.fused_conv2d %arg0, %arg1 activation hardswish
// CHECK: cnn.fused_conv2d %arg0, %arg1 activation sigmoid
// CHECK: cnn.fused_conv2d %arg0, %arg1 activation tanh
func.func @activations(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  // expected-remark @+1 {{fused with clip}}
  %0 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = cnn.clip %0 min 0.0 max 6.0 : tensor<1x2x4x4xf32>
  // expected-remark @+1 {{fused with leaky_relu}}
  %2 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %3 = cnn.leaky_relu %2 alpha 0.1 : tensor<1x2x4x4xf32>
  // expected-remark @+1 {{fused with silu}}
  %4 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %5 = cnn.silu %4 : tensor<1x2x4x4xf32>
  // expected-remark @+1 {{fused with hardswish}}
  %6 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %7 = cnn.hardswish %6 : tensor<1x2x4x4xf32>
  // expected-remark @+1 {{fused with sigmoid}}
  %8 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %9 = cnn.sigmoid %8 : tensor<1x2x4x4xf32>
  // expected-remark @+1 {{fused with tanh}}
  %10 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %11 = cnn.tanh %10 : tensor<1x2x4x4xf32>
  return %1, %3, %5, %7, %9, %11 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// A residual sum with no activation after it (MobileNet v2's linear
// bottleneck): the sum alone is fused.
// CHECK-LABEL: func @residual_only
// CHECK: cnn.fused_conv2d %arg0, %arg1 residual %arg0 :
// CHECK-NOT: cnn.add
func.func @residual_only(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-remark @+1 {{fused with add}}
  %0 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = cnn.add %0, %x : tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Negative cases: a convolution used twice; a convolution followed by a
// pool; an activation before the residual sum (only the activation fuses).
// CHECK-LABEL: func @not_fused
// CHECK: %[[A:.*]] = cnn.conv2d
// CHECK: cnn.relu %[[A]]
// CHECK: cnn.max_pool2d
// CHECK: %[[C:.*]] = cnn.fused_conv2d %arg0, %arg1 activation relu
// CHECK: cnn.add %[[C]], %arg0
func.func @not_fused(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>) {
  // expected-remark @+1 {{convolution 'cnn.conv2d' not fused: its result has several users}}
  %0 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = cnn.relu %0 : tensor<1x2x4x4xf32>
  // expected-remark @+1 {{convolution 'cnn.conv2d' not fused: no residual sum or activation follows}}
  %2 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %3 = cnn.max_pool2d %2 window [2, 2] stride [2, 2] : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  // expected-remark @+1 {{fused with relu}}
  %4 = cnn.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %5 = cnn.relu %4 : tensor<1x2x4x4xf32>
  %6 = cnn.add %5, %x : tensor<1x2x4x4xf32>
  return %0, %1, %3, %6 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>
}
