// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// Channel concatenation is the default; other axes are named.
// CHECK-LABEL: func @concat
// CHECK: cnn.concat %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x128x28x28xf32>
// CHECK: cnn.concat %{{.*}}, %{{.*}} axis 0 : (tensor<1x64x28x28xf32>, tensor<1x64x28x28xf32>) -> tensor<2x64x28x28xf32>
// CHECK: cnn.concat %{{.*}} : (tensor<1x64x28x28xf32>) -> tensor<1x64x28x28xf32>
func.func @concat(%a: tensor<1x64x28x28xf32>, %b: tensor<1x32x28x28xf32>) -> (tensor<1x128x28x28xf32>, tensor<2x64x28x28xf32>, tensor<1x64x28x28xf32>) {
  %0 = cnn.concat %a, %b, %b : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x128x28x28xf32>
  %1 = cnn.concat %a, %a axis 0 : (tensor<1x64x28x28xf32>, tensor<1x64x28x28xf32>) -> tensor<2x64x28x28xf32>
  %2 = cnn.concat %a : (tensor<1x64x28x28xf32>) -> tensor<1x64x28x28xf32>
  return %0, %1, %2 : tensor<1x128x28x28xf32>, tensor<2x64x28x28xf32>, tensor<1x64x28x28xf32>
}

// CHECK-LABEL: func @flatten
// CHECK: cnn.flatten %{{.*}} : (tensor<2x512x7x7xf32>) -> tensor<2x25088xf32>
// CHECK: cnn.flatten %{{.*}} start_dim 2 : (tensor<2x512x7x7xf32>) -> tensor<2x512x49xf32>
// CHECK: cnn.flatten %{{.*}} start_dim 0 : (tensor<2x512x7x7xf32>) -> tensor<50176xf32>
func.func @flatten(%x: tensor<2x512x7x7xf32>) -> (tensor<2x25088xf32>, tensor<2x512x49xf32>, tensor<50176xf32>) {
  %0 = cnn.flatten %x : (tensor<2x512x7x7xf32>) -> tensor<2x25088xf32>
  %1 = cnn.flatten %x start_dim 2 : (tensor<2x512x7x7xf32>) -> tensor<2x512x49xf32>
  %2 = cnn.flatten %x start_dim 0 : (tensor<2x512x7x7xf32>) -> tensor<50176xf32>
  return %0, %1, %2 : tensor<2x25088xf32>, tensor<2x512x49xf32>, tensor<50176xf32>
}

// YOLO v1's head.
// CHECK-LABEL: func @reshape
// CHECK: cnn.reshape %{{.*}} shape [1, 7, 7, 30] : (tensor<1x1470xf32>) -> tensor<1x7x7x30xf32>
func.func @reshape(%x: tensor<1x1470xf32>) -> tensor<1x7x7x30xf32> {
  %0 = cnn.reshape %x shape [1, 7, 7, 30] : (tensor<1x1470xf32>) -> tensor<1x7x7x30xf32>
  return %0 : tensor<1x7x7x30xf32>
}

// CHECK-LABEL: func @softmax
// CHECK: cnn.softmax %{{.*}} : tensor<1x1000xf32>
// CHECK: cnn.softmax %{{.*}} axis 0 : tensor<1x1000xf32>
// CHECK: cnn.softmax %{{.*}} log : tensor<1x1000xf32>
func.func @softmax(%x: tensor<1x1000xf32>) -> tensor<1x1000xf32> {
  %0 = cnn.softmax %x : tensor<1x1000xf32>
  %1 = cnn.softmax %0 axis 0 : tensor<1x1000xf32>
  %2 = cnn.softmax %1 log : tensor<1x1000xf32>
  return %2 : tensor<1x1000xf32>
}

// Nearest is the default mode; any output size is allowed, even a smaller one.
// CHECK-LABEL: func @upsample
// CHECK: cnn.upsample %{{.*}} size [64, 64] : (tensor<1x21x32x32xf32>) -> tensor<1x21x64x64xf32>
// CHECK: cnn.upsample %{{.*}} size [224, 200] mode bilinear : (tensor<1x21x32x32xf32>) -> tensor<1x21x224x200xf32>
// CHECK: cnn.upsample %{{.*}} size [16, 16] mode bilinear align_corners : (tensor<1x21x32x32xf32>) -> tensor<1x21x16x16xf32>
func.func @upsample(%x: tensor<1x21x32x32xf32>) -> (tensor<1x21x64x64xf32>, tensor<1x21x224x200xf32>, tensor<1x21x16x16xf32>) {
  %0 = cnn.upsample %x size [64, 64] mode nearest : (tensor<1x21x32x32xf32>) -> tensor<1x21x64x64xf32>
  %1 = cnn.upsample %x size [224, 200] mode bilinear : (tensor<1x21x32x32xf32>) -> tensor<1x21x224x200xf32>
  %2 = cnn.upsample %x size [16, 16] mode bilinear align_corners : (tensor<1x21x32x32xf32>) -> tensor<1x21x16x16xf32>
  return %0, %1, %2 : tensor<1x21x64x64xf32>, tensor<1x21x224x200xf32>, tensor<1x21x16x16xf32>
}

// ShuffleNet's channel split and shuffle; ConvNeXt's move to channels last.
// CHECK-LABEL: func @reorder
// CHECK: cnn.slice %{{.*}} axis 1 start 58 size 58 : (tensor<1x116x28x28xf32>) -> tensor<1x58x28x28xf32>
// CHECK: cnn.channel_shuffle %{{.*}} groups 2 : (tensor<1x116x28x28xf32>) -> tensor<1x116x28x28xf32>
// CHECK: cnn.transpose %{{.*}} permutation [0, 2, 3, 1] : (tensor<1x116x28x28xf32>) -> tensor<1x28x28x116xf32>
func.func @reorder(%x: tensor<1x116x28x28xf32>) -> (tensor<1x58x28x28xf32>, tensor<1x28x28x116xf32>) {
  %0 = cnn.slice %x axis 1 start 58 size 58 : (tensor<1x116x28x28xf32>) -> tensor<1x58x28x28xf32>
  %1 = cnn.channel_shuffle %x groups 2 : (tensor<1x116x28x28xf32>) -> tensor<1x116x28x28xf32>
  %2 = cnn.transpose %1 permutation [0, 2, 3, 1] : (tensor<1x116x28x28xf32>) -> tensor<1x28x28x116xf32>
  return %0, %2 : tensor<1x58x28x28xf32>, tensor<1x28x28x116xf32>
}
