// Round trip: parse, print, parse the printed form again; the generic form
// must read back to the same custom form.
// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// Defaults (stride 1, no padding, dilation 1, one group) are not printed.
// CHECK-LABEL: func @conv2d_defaults
// CHECK: cnn.conv2d %{{.*}}, %{{.*}} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
func.func @conv2d_defaults(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = cnn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// An explicit default is accepted and elided.
// CHECK-LABEL: func @conv2d_explicit_defaults
// CHECK: cnn.conv2d %{{.*}}, %{{.*}} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
func.func @conv2d_explicit_defaults(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = cnn.conv2d %x, %w stride [1, 1] pad [0, 0, 0, 0] dilation [1, 1] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// ResNet's stem: 7x7, stride 2, padding 3, with a bias.
// CHECK-LABEL: func @conv2d_stem
// CHECK: cnn.conv2d %{{.*}}, %{{.*}}, %{{.*}} stride [2, 2] pad [3, 3, 3, 3] : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
func.func @conv2d_stem(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>, %b: tensor<64xf32>) -> tensor<1x64x112x112xf32> {
  %0 = cnn.conv2d %x, %w, %b stride [2, 2] pad [3, 3, 3, 3] : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  return %0 : tensor<1x64x112x112xf32>
}

// Asymmetric padding, unequal strides, dilation and groups together.
// Height (10 + 1 + 2 - 5) / 2 + 1 = 5; width (9 + 0 + 3 - 5) / 1 + 1 = 8.
// CHECK-LABEL: func @conv2d_everything
// CHECK: cnn.conv2d %{{.*}}, %{{.*}} stride [2, 1] pad [1, 0, 2, 3] dilation [2, 2] groups 2 : (tensor<2x8x10x9xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x5x8xf32>
func.func @conv2d_everything(%x: tensor<2x8x10x9xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<2x6x5x8xf32> {
  %0 = cnn.conv2d %x, %w stride [2, 1] pad [1, 0, 2, 3] dilation [2, 2] groups 2 : (tensor<2x8x10x9xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x5x8xf32>
  return %0 : tensor<2x6x5x8xf32>
}

// Depthwise: groups equal to the channel count, one input channel per group.
// CHECK-LABEL: func @conv2d_depthwise
// CHECK: cnn.conv2d %{{.*}}, %{{.*}} stride [2, 2] pad [1, 1, 1, 1] groups 32 : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32>
func.func @conv2d_depthwise(%x: tensor<1x32x112x112xf32>, %w: tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32> {
  %0 = cnn.conv2d %x, %w stride [2, 2] pad [1, 1, 1, 1] groups 32 : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x56x56xf32>
  return %0 : tensor<1x32x56x56xf32>
}

// (8 - 1) * 2 - 1 - 1 + (4 - 1) + 0 + 1 = 16.
// CHECK-LABEL: func @conv_transpose2d_upsample
// CHECK: cnn.conv_transpose2d %{{.*}}, %{{.*}}, %{{.*}} stride [2, 2] pad [1, 1, 1, 1] : (tensor<1x21x8x8xf32>, tensor<21x21x4x4xf32>, tensor<21xf32>) -> tensor<1x21x16x16xf32>
func.func @conv_transpose2d_upsample(%x: tensor<1x21x8x8xf32>, %w: tensor<21x21x4x4xf32>, %b: tensor<21xf32>) -> tensor<1x21x16x16xf32> {
  %0 = cnn.conv_transpose2d %x, %w, %b stride [2, 2] pad [1, 1, 1, 1] : (tensor<1x21x8x8xf32>, tensor<21x21x4x4xf32>, tensor<21xf32>) -> tensor<1x21x16x16xf32>
  return %0 : tensor<1x21x16x16xf32>
}

// Output channels are weight dim 1 times groups: 3 * 2 = 6. Height
// (5 - 1) * 2 + 2 * (3 - 1) + 1 + 1 = 14; width (5 - 1) * 3 + 2 * 2 + 0 + 1 = 17.
// CHECK-LABEL: func @conv_transpose2d_everything
// CHECK: cnn.conv_transpose2d %{{.*}}, %{{.*}} stride [2, 3] output_pad [1, 0] dilation [2, 2] groups 2 : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x6x14x17xf32>
func.func @conv_transpose2d_everything(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x6x14x17xf32> {
  %0 = cnn.conv_transpose2d %x, %w stride [2, 3] output_pad [1, 0] dilation [2, 2] groups 2 : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x6x14x17xf32>
  return %0 : tensor<1x6x14x17xf32>
}

// CHECK-LABEL: func @dense
// CHECK: cnn.dense %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<4x1000xf32>
// CHECK: cnn.dense %{{.*}}, %{{.*}} : (tensor<4x2048xf32>, tensor<1000x2048xf32>) -> tensor<4x1000xf32>
func.func @dense(%x: tensor<4x2048xf32>, %w: tensor<1000x2048xf32>, %b: tensor<1000xf32>) -> (tensor<4x1000xf32>, tensor<4x1000xf32>) {
  %0 = cnn.dense %x, %w, %b : (tensor<4x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<4x1000xf32>
  %1 = cnn.dense %x, %w : (tensor<4x2048xf32>, tensor<1000x2048xf32>) -> tensor<4x1000xf32>
  return %0, %1 : tensor<4x1000xf32>, tensor<4x1000xf32>
}
