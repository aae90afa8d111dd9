// RUN: cnnc-opt %s --split-input-file --cnn-erase-inference-noops | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-erase-inference-noops="emit-remarks=true" --verify-diagnostics > /dev/null

// CHECK-LABEL: func @classifier
// CHECK-NOT: cnn.dropout
// CHECK-NOT: cnn.identity
// CHECK: %[[RELU:.*]] = cnn.relu %arg0
// CHECK: return %[[RELU]]
func.func @classifier(%x: tensor<1x4096xf32>) -> tensor<1x4096xf32> {
  // expected-remark @+1 {{dropout 'cnn.dropout' erased: it is the identity at inference}}
  %0 = cnn.dropout %x rate 0.5 : tensor<1x4096xf32>
  %1 = cnn.relu %0 : tensor<1x4096xf32>
  // expected-remark @+1 {{identity 'cnn.identity' erased: it is the identity at inference}}
  %2 = cnn.identity %1 : tensor<1x4096xf32>
  return %2 : tensor<1x4096xf32>
}

// -----

// Nothing to erase: other ops stay as they are.
// CHECK-LABEL: func @untouched
// CHECK: cnn.relu
// CHECK: cnn.softmax
func.func @untouched(%x: tensor<1x10xf32>) -> tensor<1x10xf32> {
  %0 = cnn.relu %x : tensor<1x10xf32>
  %1 = cnn.softmax %0 : tensor<1x10xf32>
  return %1 : tensor<1x10xf32>
}
