// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// Parameters keep PyTorch's state_dict names, dots and digits included.
// CHECK: cnn.parameter @layer1.0.conv1.weight : tensor<64x64x3x3xf32>
// CHECK: cnn.parameter @fc.bias : tensor<1000xf32>
cnn.parameter @layer1.0.conv1.weight : tensor<64x64x3x3xf32>
cnn.parameter @fc.bias : tensor<1000xf32>

// A parameter may be read more than once.
// CHECK-LABEL: func @main
// CHECK: cnn.weight @layer1.0.conv1.weight : tensor<64x64x3x3xf32>
// CHECK: cnn.weight @fc.bias : tensor<1000xf32>
// CHECK: cnn.weight @fc.bias : tensor<1000xf32>
func.func @main() -> (tensor<64x64x3x3xf32>, tensor<1000xf32>, tensor<1000xf32>) {
  %0 = cnn.weight @layer1.0.conv1.weight : tensor<64x64x3x3xf32>
  %1 = cnn.weight @fc.bias : tensor<1000xf32>
  %2 = cnn.weight @fc.bias : tensor<1000xf32>
  return %0, %1, %2 : tensor<64x64x3x3xf32>, tensor<1000xf32>, tensor<1000xf32>
}

// A computed parameter, stored by the init function.
// CHECK: cnn.parameter @bn1.folded_bias : tensor<1000xf32> computed
// CHECK-LABEL: func @init
// CHECK: cnn.store %{{.*}}, @bn1.folded_bias : tensor<1000xf32>
cnn.parameter @bn1.folded_bias : tensor<1000xf32> computed
func.func @init() {
  %0 = cnn.weight @fc.bias : tensor<1000xf32>
  cnn.store %0, @bn1.folded_bias : tensor<1000xf32>
  return
}
