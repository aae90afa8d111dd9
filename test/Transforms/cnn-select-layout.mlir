// RUN: cnnc-opt %s --split-input-file --cnn-select-layout | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-select-layout="layout=nchw" | FileCheck %s --check-prefix=NCHW
// RUN: cnnc-opt %s --split-input-file --cnn-select-layout="emit-remarks=true" --verify-diagnostics > /dev/null
// RUN: not cnnc-opt %s --split-input-file --cnn-select-layout="layout=chwn" 2>&1 | FileCheck %s --check-prefix=BAD

// Channels innermost: convolutions pack weights HWIO, GEMMs IO. Flattening
// a 7x7 map reorders elements (one copy kernel); flattening a 1x1 map does
// not (a view).
// CHECK: module attributes {cnn.layout = "nhwc"}
// CHECK: cnn.fused_conv2d {{.*}}cnn.weight_layout = "HWIO"
// CHECK: cnn.flatten {{.*}}{cnn.relayout}
// CHECK: cnn.gemm {{.*}}cnn.weight_layout = "IO"
// CHECK: cnn.global_avg_pool2d
// CHECK-NEXT: cnn.flatten
// CHECK-NOT: cnn.relayout
// CHECK-SAME: -> tensor<1x8xf32>
// NCHW: module attributes {cnn.layout = "nchw"}
// NCHW-NOT: cnn.relayout
// BAD: unknown layout 'chwn' (expected nhwc or nchw)
module {
  func.func @net(%x: tensor<1x3x7x7xf32>, %w: tensor<8x3x3x3xf32>, %d: tensor<4x392xf32>)
      -> (tensor<1x4xf32>, tensor<1x8xf32>) {
    %c = cnn.fused_conv2d %x, %w pad [1, 1, 1, 1] activation relu
        : (tensor<1x3x7x7xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x7x7xf32>
    // expected-remark @+1 {{changes the element order (channels innermost to row-major): one copy kernel}}
    %f = cnn.flatten %c : (tensor<1x8x7x7xf32>) -> tensor<1x392xf32>
    %y = cnn.gemm %f, %d : (tensor<1x392xf32>, tensor<4x392xf32>) -> tensor<1x4xf32>
    %g = cnn.global_avg_pool2d %c : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
    %v = cnn.flatten %g : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
    return %y, %v : tensor<1x4xf32>, tensor<1x8xf32>
  }
}
