// Every verifier rule of the element-wise ops, one case each.
// RUN: cnnc-opt %s --split-input-file --verify-diagnostics

func.func @activation_changes_type(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.relu' op requires the same type for all operands and results}}
  %0 = "cnn.relu"(%x) : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x5xf32>
  return
}

// -----

func.func @activation_not_f32(%x: tensor<1x8x4x4xf16>) {
  // expected-error @+1 {{'cnn.sigmoid' op operand #0 must be statically shaped tensor of 32-bit float values}}
  %0 = cnn.sigmoid %x : tensor<1x8x4x4xf16>
  return
}

// -----

func.func @activation_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'cnn.silu' op operand #0 must be statically shaped tensor of 32-bit float values}}
  %0 = "cnn.silu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @clip_empty_range(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.clip' op has min (6.000000e+00) greater than max (0.000000e+00)}}
  %0 = cnn.clip %x min 6.0 max 0.0 : tensor<1x8x4x4xf32>
  return
}

// -----

func.func @dropout_rate_one(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{attribute 'rate' failed to satisfy constraint: 64-bit float attribute whose value is non-negative whose value is less than 1}}
  %0 = cnn.dropout %x rate 1.0 : tensor<1x8xf32>
  return
}

// -----

func.func @dropout_rate_negative(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{attribute 'rate' failed to satisfy constraint}}
  %0 = cnn.dropout %x rate -0.5 : tensor<1x8xf32>
  return
}

// -----

func.func @leaky_relu_changes_type(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.leaky_relu' op requires the same type for all operands and results}}
  %0 = "cnn.leaky_relu"(%x) <{alpha = 0.1 : f64}> : (tensor<1x8xf32>) -> tensor<1x9xf32>
  return
}

// -----

func.func @identity_changes_type(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.identity' op requires the same type for all operands and results}}
  %0 = "cnn.identity"(%x) : (tensor<1x8xf32>) -> tensor<8xf32>
  return
}

// -----

// A residual sum of a 64-channel and a 256-channel tensor.
func.func @add_shapes_differ(%a: tensor<1x64x56x56xf32>, %b: tensor<1x256x56x56xf32>) {
  // expected-error @+1 {{'cnn.add' op requires the same type for all operands and results}}
  %0 = "cnn.add"(%a, %b) : (tensor<1x64x56x56xf32>, tensor<1x256x56x56xf32>) -> tensor<1x256x56x56xf32>
  return
}

// -----

func.func @mul_not_broadcastable(%x: tensor<1x96x56x56xf32>, %s: tensor<1x48x1x1xf32>) {
  // expected-error @+1 {{'cnn.mul' op shapes 1x96x56x56 and 1x48x1x1 do not broadcast (dimension 1: 96 vs 48)}}
  %0 = cnn.mul %x, %s : (tensor<1x96x56x56xf32>, tensor<1x48x1x1xf32>) -> tensor<1x96x56x56xf32>
  return
}

// -----

// Ranks align on the right, as in NumPy: [48, 1, 1] meets dimension 1.
func.func @mul_ranks_differ(%x: tensor<1x96x56x56xf32>, %s: tensor<48x1x1xf32>) {
  // expected-error @+1 {{'cnn.mul' op shapes 1x96x56x56 and 48x1x1 do not broadcast (dimension 1: 96 vs 48)}}
  %0 = cnn.mul %x, %s : (tensor<1x96x56x56xf32>, tensor<48x1x1xf32>) -> tensor<1x96x56x56xf32>
  return
}

// -----

func.func @mul_result(%x: tensor<1x96x56x56xf32>, %s: tensor<1x96x1x1xf32>) {
  // expected-error @+1 {{'cnn.mul' op result type 'tensor<1x96x1x1xf32>' does not follow from the operands: expected 'tensor<1x96x56x56xf32>'}}
  %0 = cnn.mul %x, %s : (tensor<1x96x56x56xf32>, tensor<1x96x1x1xf32>) -> tensor<1x96x1x1xf32>
  return
}

// -----

func.func @div_shapes(%x: tensor<1x8x4x4xf32>, %y: tensor<1x8x3x1xf32>) {
  // expected-error @+1 {{'cnn.div' op shapes 1x8x4x4 and 1x8x3x1 do not broadcast (dimension 2: 4 vs 3)}}
  %0 = cnn.div %x, %y : (tensor<1x8x4x4xf32>, tensor<1x8x3x1xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @matmul_inner(%a: tensor<2x4x8xf32>, %b: tensor<2x4x8xf32>) {
  // expected-error @+1 {{'cnn.matmul' op 2x4x8 x 2x4x8: the left operand's rows have 8 elements, the right one's columns 4}}
  %0 = cnn.matmul %a, %b : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x4xf32>) {
  // expected-error @+1 {{'cnn.matmul' op 2x4x8 x 3x8x4: the batch dimensions do not broadcast (dimension 0: 2 vs 3)}}
  %0 = cnn.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x4xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<4x8xf32>, %b: tensor<1x8x4xf32>) {
  // expected-error @+1 {{'cnn.matmul' op operands 4x8 and 1x8x4 must have one rank, 2 or more}}
  %0 = cnn.matmul %a, %b : (tensor<4x8xf32>, tensor<1x8x4xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @reduce_unsorted(%x: tensor<2x4x8xf32>) {
  // expected-error @+1 {{'cnn.reduce' op axes must be sorted and distinct}}
  %0 = cnn.reduce %x kind sum axes [2, 1] : (tensor<2x4x8xf32>) -> tensor<2x1x1xf32>
  return
}

// -----

func.func @reduce_rank(%x: tensor<2x4x8xf32>) {
  // expected-error @+1 {{'cnn.reduce' op axis 3 is out of range for rank 3}}
  %0 = cnn.reduce %x kind mean axes [3] : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return
}
