// RUN: cnnc-opt %s --split-input-file --cnn-fold-batch-norm | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-fold-batch-norm="emit-remarks=true" --verify-diagnostics > /dev/null

// A convolution's batch norm becomes a weight transform of its parameters.
// CHECK-LABEL: func @conv_bn
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[S:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xf32>, %[[V:.*]]: tensor<4xf32>)
// CHECK: %[[FW:.*]], %[[FB:.*]] = cnn.fold_batch_norm %[[W]], %[[S]], %[[T]], %[[M]], %[[V]] epsilon 1.000000e-03
// CHECK: %[[C:.*]] = cnn.conv2d %[[X]], %[[FW]], %[[FB]] pad [1, 1, 1, 1]
// CHECK-NOT: cnn.batch_norm
// CHECK: return %[[C]]
func.func @conv_bn(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %s: tensor<4xf32>, %t: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %w pad [1, 1, 1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  // expected-remark @+1 {{batch norm 'cnn.batch_norm' folded into 'cnn.conv2d'}}
  %1 = cnn.batch_norm %0, %s, %t, %m, %v epsilon 1.0e-3 : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}

// -----

// The convolution's own bias goes into the folded bias.
// CHECK-LABEL: func @conv_bias_bn
// CHECK: %[[FW:.*]], %[[FB:.*]] = cnn.fold_batch_norm %arg1, %arg3, %arg3, %arg3, %arg3 bias %arg2 :
// CHECK: cnn.conv2d %arg0, %[[FW]], %[[FB]] stride [2, 2] groups 2
func.func @conv_bias_bn(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>, %p: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  %0 = cnn.conv2d %x, %w, %b stride [2, 2] groups 2 : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  // expected-remark @+1 {{folded into}}
  %1 = cnn.batch_norm %0, %p, %p, %p, %p : (tensor<1x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  return %1 : tensor<1x4x3x3xf32>
}

// -----

// A dense layer followed by a batch norm over its features.
// CHECK-LABEL: func @dense_bn
// CHECK: %[[FW:.*]], %[[FB:.*]] = cnn.fold_batch_norm %arg1
// CHECK: cnn.dense %arg0, %[[FW]], %[[FB]]
// CHECK-NOT: cnn.batch_norm
func.func @dense_bn(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %p: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = cnn.dense %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  // expected-remark @+1 {{folded into}}
  %1 = cnn.batch_norm %0, %p, %p, %p, %p : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// DenseNet's order, batch norm before the convolution: nothing to fold into.
// CHECK-LABEL: func @bn_first
// CHECK: cnn.batch_norm
// CHECK-NOT: cnn.fold_batch_norm
func.func @bn_first(%x: tensor<1x4x8x8xf32>, %p: tensor<4xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  // expected-remark @+1 {{batch norm 'cnn.batch_norm' not folded: its input is not a convolution or dense layer}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  %2 = cnn.conv2d %1, %w : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}

// -----

// The convolution's output is also used unnormalised: folding would change
// that use, so the batch norm stays.
// CHECK-LABEL: func @shared_conv
// CHECK: cnn.conv2d
// CHECK: cnn.batch_norm
func.func @shared_conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x1x1xf32>, %p: tensor<4xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  %0 = cnn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x8x8xf32>
  // expected-remark @+1 {{batch norm 'cnn.batch_norm' not folded: 'cnn.conv2d' is used elsewhere too}}
  %1 = cnn.batch_norm %0, %p, %p, %p, %p : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %0, %1 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}
