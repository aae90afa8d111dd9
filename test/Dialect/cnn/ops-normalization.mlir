// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// The default epsilon (1e-5) is not printed; another one is.
// CHECK-LABEL: func @batch_norm
// CHECK: cnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
// CHECK: cnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} epsilon 1.000000e-03 : (tensor<1x64x56x56xf32>
func.func @batch_norm(%x: tensor<1x64x56x56xf32>, %s: tensor<64xf32>, %t: tensor<64xf32>, %m: tensor<64xf32>, %v: tensor<64xf32>) -> (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) {
  %0 = cnn.batch_norm %x, %s, %t, %m, %v : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %1 = cnn.batch_norm %x, %s, %t, %m, %v epsilon 1.0e-3 : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  return %0, %1 : tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>
}

// Batch norm over features (rank 2) normalises dimension 1 as well.
// CHECK-LABEL: func @batch_norm_features
// CHECK: cnn.batch_norm {{.*}} -> tensor<8x128xf32>
func.func @batch_norm_features(%x: tensor<8x128xf32>, %p: tensor<128xf32>) -> tensor<8x128xf32> {
  %0 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<8x128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// AlexNet's LRN.
// CHECK-LABEL: func @lrn
// CHECK: cnn.lrn %{{.*}} size 5 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 : (tensor<1x96x55x55xf32>) -> tensor<1x96x55x55xf32>
func.func @lrn(%x: tensor<1x96x55x55xf32>) -> tensor<1x96x55x55xf32> {
  %0 = cnn.lrn %x size 5 alpha 1.0e-4 beta 0.75 k 2.0 : (tensor<1x96x55x55xf32>) -> tensor<1x96x55x55xf32>
  return %0 : tensor<1x96x55x55xf32>
}

// ConvNeXt's LayerNorm2d: over the channels at each position.
// CHECK-LABEL: func @layer_norm
// CHECK: cnn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} epsilon 9.9999999999999995E-7 : (tensor<1x96x56x56xf32>, tensor<96xf32>, tensor<96xf32>) -> tensor<1x96x56x56xf32>
func.func @layer_norm(%x: tensor<1x96x56x56xf32>, %s: tensor<96xf32>, %b: tensor<96xf32>) -> tensor<1x96x56x56xf32> {
  %0 = cnn.layer_norm %x, %s, %b epsilon 1.0e-6 : (tensor<1x96x56x56xf32>, tensor<96xf32>, tensor<96xf32>) -> tensor<1x96x56x56xf32>
  return %0 : tensor<1x96x56x56xf32>
}
