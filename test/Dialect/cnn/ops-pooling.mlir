// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// ResNet's stem pool: (112 + 2 - 3) / 2 + 1 = 56.
// CHECK-LABEL: func @max_pool2d
// CHECK: cnn.max_pool2d %{{.*}} window [3, 3] stride [2, 2] pad [1, 1, 1, 1] : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
func.func @max_pool2d(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32> {
  %0 = cnn.max_pool2d %x window [3, 3] stride [2, 2] pad [1, 1, 1, 1] : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// GoogLeNet's pools round up: ceil((112 - 3) / 2) + 1 = 56 where floor gives 55.
// CHECK-LABEL: func @max_pool2d_ceil
// CHECK: cnn.max_pool2d %{{.*}} window [3, 3] stride [2, 2] ceil_mode : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
// CHECK: cnn.max_pool2d %{{.*}} window [3, 3] stride [2, 2] : (tensor<1x64x112x112xf32>) -> tensor<1x64x55x55xf32>
func.func @max_pool2d_ceil(%x: tensor<1x64x112x112xf32>) -> (tensor<1x64x56x56xf32>, tensor<1x64x55x55xf32>) {
  %0 = cnn.max_pool2d %x window [3, 3] stride [2, 2] ceil_mode : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  %1 = cnn.max_pool2d %x window [3, 3] stride [2, 2] : (tensor<1x64x112x112xf32>) -> tensor<1x64x55x55xf32>
  return %0, %1 : tensor<1x64x56x56xf32>, tensor<1x64x55x55xf32>
}

// A window of stride 1 (the default) with padding keeps the size.
// CHECK-LABEL: func @max_pool2d_same
// CHECK: cnn.max_pool2d %{{.*}} window [3, 3] pad [1, 1, 1, 1] : (tensor<1x192x28x28xf32>) -> tensor<1x192x28x28xf32>
func.func @max_pool2d_same(%x: tensor<1x192x28x28xf32>) -> tensor<1x192x28x28xf32> {
  %0 = cnn.max_pool2d %x window [3, 3] pad [1, 1, 1, 1] : (tensor<1x192x28x28xf32>) -> tensor<1x192x28x28xf32>
  return %0 : tensor<1x192x28x28xf32>
}

// CHECK-LABEL: func @avg_pool2d
// CHECK: cnn.avg_pool2d %{{.*}} window [2, 2] stride [2, 2] count_include_pad : (tensor<1x256x56x56xf32>) -> tensor<1x256x28x28xf32>
// CHECK: cnn.avg_pool2d %{{.*}} window [3, 3] stride [2, 2] pad [1, 1, 1, 1] ceil_mode : (tensor<1x256x56x56xf32>) -> tensor<1x256x29x29xf32>
func.func @avg_pool2d(%x: tensor<1x256x56x56xf32>) -> (tensor<1x256x28x28xf32>, tensor<1x256x29x29xf32>) {
  %0 = cnn.avg_pool2d %x window [2, 2] stride [2, 2] count_include_pad : (tensor<1x256x56x56xf32>) -> tensor<1x256x28x28xf32>
  %1 = cnn.avg_pool2d %x window [3, 3] stride [2, 2] pad [1, 1, 1, 1] ceil_mode : (tensor<1x256x56x56xf32>) -> tensor<1x256x29x29xf32>
  return %0, %1 : tensor<1x256x28x28xf32>, tensor<1x256x29x29xf32>
}

// CHECK-LABEL: func @global_pools
// CHECK: cnn.global_avg_pool2d %{{.*}} : (tensor<2x2048x7x7xf32>) -> tensor<2x2048x1x1xf32>
// CHECK: cnn.global_max_pool2d %{{.*}} : (tensor<2x2048x7x7xf32>) -> tensor<2x2048x1x1xf32>
func.func @global_pools(%x: tensor<2x2048x7x7xf32>) -> (tensor<2x2048x1x1xf32>, tensor<2x2048x1x1xf32>) {
  %0 = cnn.global_avg_pool2d %x : (tensor<2x2048x7x7xf32>) -> tensor<2x2048x1x1xf32>
  %1 = cnn.global_max_pool2d %x : (tensor<2x2048x7x7xf32>) -> tensor<2x2048x1x1xf32>
  return %0, %1 : tensor<2x2048x1x1xf32>, tensor<2x2048x1x1xf32>
}

// Adaptive pooling may also enlarge (torchvision's AlexNet on small inputs).
// CHECK-LABEL: func @adaptive_pools
// CHECK: cnn.adaptive_avg_pool2d %{{.*}} size [6, 6] : (tensor<1x256x13x13xf32>) -> tensor<1x256x6x6xf32>
// CHECK: cnn.adaptive_max_pool2d %{{.*}} size [4, 2] : (tensor<1x256x13x13xf32>) -> tensor<1x256x4x2xf32>
// CHECK: cnn.adaptive_avg_pool2d %{{.*}} size [6, 6] : (tensor<1x256x3x3xf32>) -> tensor<1x256x6x6xf32>
func.func @adaptive_pools(%x: tensor<1x256x13x13xf32>, %s: tensor<1x256x3x3xf32>) -> (tensor<1x256x6x6xf32>, tensor<1x256x4x2xf32>, tensor<1x256x6x6xf32>) {
  %0 = cnn.adaptive_avg_pool2d %x size [6, 6] : (tensor<1x256x13x13xf32>) -> tensor<1x256x6x6xf32>
  %1 = cnn.adaptive_max_pool2d %x size [4, 2] : (tensor<1x256x13x13xf32>) -> tensor<1x256x4x2xf32>
  %2 = cnn.adaptive_avg_pool2d %s size [6, 6] : (tensor<1x256x3x3xf32>) -> tensor<1x256x6x6xf32>
  return %0, %1, %2 : tensor<1x256x6x6xf32>, tensor<1x256x4x2xf32>, tensor<1x256x6x6xf32>
}

// CHECK-LABEL: func @roi_pool
// CHECK: cnn.roi_pool %{{.*}}, %{{.*}} size [7, 7] spatial_scale 6.250000e-02 : (tensor<1x512x14x14xf32>, tensor<8x5xf32>) -> tensor<8x512x7x7xf32>
func.func @roi_pool(%f: tensor<1x512x14x14xf32>, %r: tensor<8x5xf32>) -> tensor<8x512x7x7xf32> {
  %0 = cnn.roi_pool %f, %r size [7, 7] spatial_scale 0.0625 : (tensor<1x512x14x14xf32>, tensor<8x5xf32>) -> tensor<8x512x7x7xf32>
  return %0 : tensor<8x512x7x7xf32>
}
