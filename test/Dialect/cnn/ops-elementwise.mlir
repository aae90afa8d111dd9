// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @activations
// CHECK: cnn.relu %{{.*}} : tensor<1x8x4x4xf32>
// CHECK: cnn.sigmoid %{{.*}} : tensor<1x8x4x4xf32>
// CHECK: cnn.tanh %{{.*}} : tensor<1x8x4x4xf32>
// CHECK: cnn.silu %{{.*}} : tensor<1x8x4x4xf32>
// CHECK: cnn.hardswish %{{.*}} : tensor<1x8x4x4xf32>
// CHECK: cnn.hardsigmoid %{{.*}} : tensor<1x8x4x4xf32>
// CHECK: cnn.gelu %{{.*}} : tensor<1x8x4x4xf32>
func.func @activations(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %0 = cnn.relu %x : tensor<1x8x4x4xf32>
  %1 = cnn.sigmoid %0 : tensor<1x8x4x4xf32>
  %2 = cnn.tanh %1 : tensor<1x8x4x4xf32>
  %3 = cnn.silu %2 : tensor<1x8x4x4xf32>
  %4 = cnn.hardswish %3 : tensor<1x8x4x4xf32>
  %5 = cnn.hardsigmoid %4 : tensor<1x8x4x4xf32>
  %6 = cnn.gelu %5 : tensor<1x8x4x4xf32>
  return %6 : tensor<1x8x4x4xf32>
}

// Arithmetic: with numbers, and between tensors that broadcast (a learned
// [C, 1, 1] tensor meets [N, C, H, W] with a leading 1, as in NumPy).
// CHECK-LABEL: func @arithmetic
// CHECK: cnn.scale_shift %{{.*}} scale -1.000000e+00 shift 3.000000e+00 : tensor<1x8x4x4xf32>
// CHECK: cnn.sub %{{.*}}, %{{.*}} : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
// CHECK: cnn.div %{{.*}}, %{{.*}} : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
func.func @arithmetic(%x: tensor<1x8x4x4xf32>, %s: tensor<1x8x1x1xf32>, %g: tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = cnn.scale_shift %x scale -1.0 shift 3.0 : tensor<1x8x4x4xf32>
  %1 = cnn.sub %0, %s : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %2 = cnn.div %1, %g : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  return %2 : tensor<1x8x4x4xf32>
}

// The default slope (0.01) is not printed; YOLO's 0.1 is.
// CHECK-LABEL: func @leaky_relu
// CHECK: cnn.leaky_relu %{{.*}} : tensor<1x64x7x7xf32>
// CHECK: cnn.leaky_relu %{{.*}} alpha 1.000000e-01 : tensor<1x64x7x7xf32>
func.func @leaky_relu(%x: tensor<1x64x7x7xf32>) -> tensor<1x64x7x7xf32> {
  %0 = cnn.leaky_relu %x : tensor<1x64x7x7xf32>
  %1 = cnn.leaky_relu %0 alpha 0.1 : tensor<1x64x7x7xf32>
  return %1 : tensor<1x64x7x7xf32>
}

// ReLU6 is a clip; min may equal max.
// CHECK-LABEL: func @clip
// CHECK: cnn.clip %{{.*}} min 0.000000e+00 max 6.000000e+00 : tensor<1x32x8x8xf32>
// CHECK: cnn.clip %{{.*}} min -1.000000e+00 max -1.000000e+00 : tensor<1x32x8x8xf32>
func.func @clip(%x: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %0 = cnn.clip %x min 0.0 max 6.0 : tensor<1x32x8x8xf32>
  %1 = cnn.clip %0 min -1.0 max -1.0 : tensor<1x32x8x8xf32>
  return %1 : tensor<1x32x8x8xf32>
}

// CHECK-LABEL: func @dropout_identity
// CHECK: cnn.dropout %{{.*}} rate 5.000000e-01 : tensor<1x4096xf32>
// CHECK: cnn.dropout %{{.*}} rate 0.000000e+00 : tensor<1x4096xf32>
// CHECK: cnn.identity %{{.*}} : tensor<1x4096xf32>
func.func @dropout_identity(%x: tensor<1x4096xf32>) -> tensor<1x4096xf32> {
  %0 = cnn.dropout %x rate 0.5 : tensor<1x4096xf32>
  %1 = cnn.dropout %0 rate 0.0 : tensor<1x4096xf32>
  %2 = cnn.identity %1 : tensor<1x4096xf32>
  return %2 : tensor<1x4096xf32>
}

// CHECK-LABEL: func @add
// CHECK: cnn.add %{{.*}}, %{{.*}} : tensor<1x256x56x56xf32>
func.func @add(%a: tensor<1x256x56x56xf32>, %b: tensor<1x256x56x56xf32>) -> tensor<1x256x56x56xf32> {
  %0 = cnn.add %a, %b : tensor<1x256x56x56xf32>
  return %0 : tensor<1x256x56x56xf32>
}

// Squeeze-and-excitation scales each channel; broadcasting works either way
// round and on every dimension.
// CHECK-LABEL: func @mul
// CHECK: cnn.mul %{{.*}}, %{{.*}} : (tensor<1x96x56x56xf32>, tensor<1x96x1x1xf32>) -> tensor<1x96x56x56xf32>
// CHECK: cnn.mul %{{.*}}, %{{.*}} : (tensor<1x96x1x1xf32>, tensor<1x96x56x56xf32>) -> tensor<1x96x56x56xf32>
// CHECK: cnn.mul %{{.*}}, %{{.*}} : (tensor<2x1x4xf32>, tensor<1x3x1xf32>) -> tensor<2x3x4xf32>
func.func @mul(%x: tensor<1x96x56x56xf32>, %s: tensor<1x96x1x1xf32>, %a: tensor<2x1x4xf32>, %b: tensor<1x3x1xf32>) -> (tensor<1x96x56x56xf32>, tensor<1x96x56x56xf32>, tensor<2x3x4xf32>) {
  %0 = cnn.mul %x, %s : (tensor<1x96x56x56xf32>, tensor<1x96x1x1xf32>) -> tensor<1x96x56x56xf32>
  %1 = cnn.mul %s, %x : (tensor<1x96x1x1xf32>, tensor<1x96x56x56xf32>) -> tensor<1x96x56x56xf32>
  %2 = cnn.mul %a, %b : (tensor<2x1x4xf32>, tensor<1x3x1xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2 : tensor<1x96x56x56xf32>, tensor<1x96x56x56xf32>, tensor<2x3x4xf32>
}

// Attention's two products: scores Q K^T per head, then the weighted sum of
// V; a batch dimension of 1 broadcasts.
// CHECK-LABEL: func @matmul
// CHECK: cnn.matmul %{{.*}}, %{{.*}} : (tensor<1x8x40x15xf32>, tensor<1x8x15x40xf32>) -> tensor<1x8x40x40xf32>
// CHECK: cnn.matmul %{{.*}}, %{{.*}} : (tensor<1x8x40x40xf32>, tensor<1x1x40x15xf32>) -> tensor<1x8x40x15xf32>
func.func @matmul(%q: tensor<1x8x40x15xf32>, %k: tensor<1x8x15x40xf32>, %v: tensor<1x1x40x15xf32>) -> tensor<1x8x40x15xf32> {
  %0 = cnn.matmul %q, %k : (tensor<1x8x40x15xf32>, tensor<1x8x15x40xf32>) -> tensor<1x8x40x40xf32>
  %1 = cnn.matmul %0, %v : (tensor<1x8x40x40xf32>, tensor<1x1x40x15xf32>) -> tensor<1x8x40x15xf32>
  return %1 : tensor<1x8x40x15xf32>
}

// Reductions keep the reduced dimensions with extent 1.
// CHECK-LABEL: func @reduce
// CHECK: cnn.reduce %{{.*}} kind max axes [1] : (tensor<1x80x8400xf32>) -> tensor<1x1x8400xf32>
// CHECK: cnn.reduce %{{.*}} kind l2 axes [0, 2] : (tensor<1x80x8400xf32>) -> tensor<1x80x1xf32>
func.func @reduce(%x: tensor<1x80x8400xf32>) -> (tensor<1x1x8400xf32>, tensor<1x80x1xf32>) {
  %0 = cnn.reduce %x kind max axes [1] : (tensor<1x80x8400xf32>) -> tensor<1x1x8400xf32>
  %1 = cnn.reduce %x kind l2 axes [0, 2] : (tensor<1x80x8400xf32>) -> tensor<1x80x1xf32>
  return %0, %1 : tensor<1x1x8400xf32>, tensor<1x80x1xf32>
}
