// RUN: cnnc-opt %s --split-input-file --cnn-hoist-weight-transforms | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-hoist-weight-transforms="emit-remarks=true" --verify-diagnostics > /dev/null

// A fold of parameters moves into @init; the model reads its results as
// computed parameters named after the layer, and no longer reads the
// statistics it needed.
// CHECK: cnn.parameter @conv.weight : tensor<4x3x1x1xf32>
// CHECK: cnn.parameter @bn.weight : tensor<4xf32>
// CHECK: cnn.parameter @bn.folded_weight : tensor<4x3x1x1xf32> computed
// CHECK: cnn.parameter @bn.folded_bias : tensor<4xf32> computed
// CHECK-LABEL: func.func @model
// CHECK-NOT: cnn.fold_batch_norm
// CHECK-NOT: @bn.weight
// CHECK: %[[W:.*]] = cnn.weight @bn.folded_weight
// CHECK: %[[B:.*]] = cnn.weight @bn.folded_bias
// CHECK: cnn.conv2d %arg0, %[[W]], %[[B]]
// CHECK-LABEL: func.func @init()
// CHECK: %[[CW:.*]] = cnn.weight @conv.weight
// CHECK: %[[FW:.*]], %[[FB:.*]] = cnn.fold_batch_norm %[[CW]]
// CHECK: cnn.store %[[FW]], @bn.folded_weight
// CHECK: cnn.store %[[FB]], @bn.folded_bias
// CHECK: return
module attributes {cnn.model = "model"} {
  cnn.parameter @conv.weight : tensor<4x3x1x1xf32>
  cnn.parameter @bn.weight : tensor<4xf32>
  func.func @model(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32> {
    %w = cnn.weight @conv.weight : tensor<4x3x1x1xf32>
    %p = cnn.weight @bn.weight : tensor<4xf32>
    // The layer name has no file position here, so the remark has none.
    // expected-remark @unknown {{weight transform 'bn' moved into init: computed once, at load}}
    %fw, %fb = cnn.fold_batch_norm %w, %p, %p, %p, %p : (tensor<4x3x1x1xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4x3x1x1xf32>, tensor<4xf32>) loc(#bn)
    %y = cnn.conv2d %x, %fw, %fb : (tensor<1x3x8x8xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    return %y : tensor<1x4x8x8xf32>
  }
}
#bn = loc("bn"(unknown))

// -----

// A transform of a value computed at run time stays where it is.
// CHECK-LABEL: func.func @runtime_weights
// CHECK: cnn.fold_batch_norm %arg1
// CHECK-NOT: func.func @init
module {
  cnn.parameter @bn.weight : tensor<4xf32>
  func.func @runtime_weights(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x1x1xf32>) -> tensor<1x4x8x8xf32> {
    %p = cnn.weight @bn.weight : tensor<4xf32>
    // expected-remark @+1 {{weight transform 'cnn.fold_batch_norm' stays: it reads a value computed at run time}}
    %fw, %fb = cnn.fold_batch_norm %w, %p, %p, %p, %p : (tensor<4x3x1x1xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4x3x1x1xf32>, tensor<4xf32>)
    %y = cnn.conv2d %x, %fw, %fb : (tensor<1x3x8x8xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    return %y : tensor<1x4x8x8xf32>
  }
}
