// RUN: cnnc-opt %s --split-input-file --cnn-sink-transposes | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-sink-transposes="emit-remarks=true" --verify-diagnostics > /dev/null

// A ConvNeXt block's middle as the language writes it: to channels last
// and back around each op over channels. Nothing is left to copy.
// CHECK-LABEL: func @channels_last_block
// CHECK-NOT: cnn.transpose
// CHECK: %[[NORM:.*]] = cnn.layer_norm %arg0
// CHECK: %[[GELU:.*]] = cnn.gelu %[[NORM]] : tensor<1x8x4x4xf32>
// CHECK: %[[DENSE:.*]] = cnn.dense %[[GELU]]
// CHECK-NOT: cnn.transpose
// CHECK: return %[[DENSE]]
func.func @channels_last_block(%x: tensor<1x8x4x4xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>,
                               %w: tensor<16x8xf32>) -> tensor<1x16x4x4xf32> {
  // A merged transpose has the later one's location, which each remark names.
  %0 = cnn.transpose %x permutation [0, 2, 3, 1] : (tensor<1x8x4x4xf32>) -> tensor<1x4x4x8xf32>
  // expected-remark @+2 {{transpose 'cnn.transpose' merged with the transpose before it}}
  // expected-remark @+1 {{transpose 'cnn.transpose' erased: it keeps every dimension in place}}
  %1 = cnn.transpose %0 permutation [0, 3, 1, 2] : (tensor<1x4x4x8xf32>) -> tensor<1x8x4x4xf32>
  %2 = cnn.layer_norm %1, %s, %b : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  // expected-remark @+1 {{transpose 'cnn.transpose' moved past gelu}}
  %3 = cnn.transpose %2 permutation [0, 2, 3, 1] : (tensor<1x8x4x4xf32>) -> tensor<1x4x4x8xf32>
  %4 = cnn.gelu %3 : tensor<1x4x4x8xf32>
  // expected-remark @+2 {{transpose 'cnn.transpose' merged with the transpose before it}}
  // expected-remark @+1 {{transpose 'cnn.transpose' erased: it keeps every dimension in place}}
  %5 = cnn.transpose %4 permutation [0, 3, 1, 2] : (tensor<1x4x4x8xf32>) -> tensor<1x8x4x4xf32>
  %6 = cnn.dense %5, %w : (tensor<1x8x4x4xf32>, tensor<16x8xf32>) -> tensor<1x16x4x4xf32>
  %7 = cnn.transpose %6 permutation [0, 2, 3, 1] : (tensor<1x16x4x4xf32>) -> tensor<1x4x4x16xf32>
  // expected-remark @+2 {{transpose 'cnn.transpose' merged with the transpose before it}}
  // expected-remark @+1 {{transpose 'cnn.transpose' erased: it keeps every dimension in place}}
  %8 = cnn.transpose %7 permutation [0, 3, 1, 2] : (tensor<1x4x4x16xf32>) -> tensor<1x16x4x4xf32>
  return %8 : tensor<1x16x4x4xf32>
}

// -----

// A transpose that does not meet its inverse stays (a copy kernel), and
// one with several readers does not move.
// CHECK-LABEL: func @kept
// CHECK: %[[T:.*]] = cnn.transpose %arg0 permutation [0, 2, 1, 3]
// CHECK: cnn.relu %[[T]]
// CHECK: cnn.sigmoid %[[T]]
func.func @kept(%x: tensor<1x8x4x4xf32>) -> (tensor<1x4x8x4xf32>, tensor<1x4x8x4xf32>) {
  %0 = cnn.transpose %x permutation [0, 2, 1, 3] : (tensor<1x8x4x4xf32>) -> tensor<1x4x8x4xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x4xf32>
  %2 = cnn.sigmoid %0 : tensor<1x4x8x4xf32>
  return %1, %2 : tensor<1x4x8x4xf32>, tensor<1x4x8x4xf32>
}
