// RUN: cnnc-opt %s --split-input-file --cnn-lower-to-gemm | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-lower-to-gemm="emit-remarks=true" --verify-diagnostics > /dev/null

// A 1x1 convolution, a fused one (keeping its epilogue) and a dense layer.
// CHECK-LABEL: func @lowered
// CHECK: %[[A:.*]] = cnn.gemm %arg0, %arg1 : (tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32>
// CHECK: %[[B:.*]] = cnn.gemm %arg0, %arg1, %arg2 residual %[[A]] activation relu
// CHECK: cnn.gemm %arg3, %arg4, %arg5 : (tensor<2x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<2x10xf32>
// CHECK-NOT: cnn.conv2d
// CHECK-NOT: cnn.dense
func.func @lowered(%x: tensor<1x8x4x4xf32>, %w: tensor<16x8x1x1xf32>, %b: tensor<16xf32>, %f: tensor<2x32xf32>, %d: tensor<10x32xf32>, %db: tensor<10xf32>) -> (tensor<1x16x4x4xf32>, tensor<2x10xf32>) {
  // expected-remark @+1 {{conv2d 'cnn.conv2d' lowered to a GEMM}}
  %0 = cnn.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32>
  // expected-remark @+1 {{fused_conv2d 'cnn.fused_conv2d' lowered to a GEMM}}
  %1 = cnn.fused_conv2d %x, %w, %b residual %0 activation relu : (tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>, tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  // expected-remark @+1 {{dense 'cnn.dense' lowered to a GEMM}}
  %2 = cnn.dense %f, %d, %db : (tensor<2x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  return %1, %2 : tensor<1x16x4x4xf32>, tensor<2x10xf32>
}

// -----

// Not matrix products: a 3x3 kernel, stride 2, padding, groups.
// CHECK-LABEL: func @kept
// CHECK-COUNT-4: cnn.conv2d
// CHECK-NOT: cnn.gemm
func.func @kept(%x: tensor<1x8x4x4xf32>, %w3: tensor<8x8x3x3xf32>, %w1: tensor<8x8x1x1xf32>, %wg: tensor<8x4x1x1xf32>) -> (tensor<1x8x2x2xf32>, tensor<1x8x2x2xf32>, tensor<1x8x6x6xf32>, tensor<1x8x4x4xf32>) {
  // expected-remark @+1 {{convolution 'cnn.conv2d' is not a GEMM: its kernel is not 1x1}}
  %0 = cnn.conv2d %x, %w3 : (tensor<1x8x4x4xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x2x2xf32>
  // expected-remark @+1 {{convolution 'cnn.conv2d' is not a GEMM: its stride is not 1}}
  %1 = cnn.conv2d %x, %w1 stride [2, 2] : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x2x2xf32>
  // expected-remark @+1 {{convolution 'cnn.conv2d' is not a GEMM: it is padded}}
  %2 = cnn.conv2d %x, %w1 pad [1, 1, 1, 1] : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x6x6xf32>
  // expected-remark @+1 {{convolution 'cnn.conv2d' is not a GEMM: it is grouped}}
  %3 = cnn.conv2d %x, %wg groups 2 : (tensor<1x8x4x4xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x4x4xf32>
  return %0, %1, %2, %3 : tensor<1x8x2x2xf32>, tensor<1x8x2x2xf32>, tensor<1x8x6x6xf32>, tensor<1x8x4x4xf32>
}

// -----

// A dense layer's activation joins the GEMM (ConvNeXt's GELU on a dense
// layer over channels); with a second reader it stays apart.
// CHECK-LABEL: func @dense_activation
// CHECK: %[[G:.*]] = cnn.gemm %arg0, %arg1 activation gelu : (tensor<1x8x4x4xf32>, tensor<32x8xf32>) -> tensor<1x32x4x4xf32>
// CHECK: %[[H:.*]] = cnn.gemm %arg2, %arg3 : (tensor<2x32xf32>, tensor<10x32xf32>) -> tensor<2x10xf32>
// CHECK: cnn.relu %[[H]]
// CHECK: cnn.sigmoid %[[H]]
// CHECK-NOT: cnn.gelu
func.func @dense_activation(%x: tensor<1x8x4x4xf32>, %w: tensor<32x8xf32>, %f: tensor<2x32xf32>, %d: tensor<10x32xf32>) -> (tensor<1x32x4x4xf32>, tensor<2x10xf32>, tensor<2x10xf32>) {
  // expected-remark @+2 {{dense 'cnn.dense' fused with gelu 'cnn.gelu'}}
  // expected-remark @+1 {{dense 'cnn.dense' lowered to a GEMM}}
  %0 = cnn.dense %x, %w : (tensor<1x8x4x4xf32>, tensor<32x8xf32>) -> tensor<1x32x4x4xf32>
  %1 = cnn.gelu %0 : tensor<1x32x4x4xf32>
  // expected-remark @+1 {{dense 'cnn.dense' lowered to a GEMM}}
  %2 = cnn.dense %f, %d : (tensor<2x32xf32>, tensor<10x32xf32>) -> tensor<2x10xf32>
  %3 = cnn.relu %2 : tensor<2x10xf32>
  %4 = cnn.sigmoid %2 : tensor<2x10xf32>
  return %1, %3, %4 : tensor<1x32x4x4xf32>, tensor<2x10xf32>, tensor<2x10xf32>
}
