// Every verifier rule of batch_norm and lrn, one case each.
// RUN: cnnc-opt %s --split-input-file --verify-diagnostics

func.func @statistic_size(%x: tensor<1x64x8x8xf32>, %p: tensor<64xf32>, %m: tensor<32xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op mean has 32 elements but the input 1x64x8x8 has 64 channels}}
  %0 = cnn.batch_norm %x, %p, %p, %m, %p : (tensor<1x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  return
}

// -----

func.func @statistic_rank(%x: tensor<1x64x8x8xf32>, %p: tensor<64xf32>, %v: tensor<64x1xf32>) {
  // expected-error @+1 {{operand #4 must be 1-D statically shaped tensor of 32-bit float values}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %v : (tensor<1x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64x1xf32>) -> tensor<1x64x8x8xf32>
  return
}

// -----

func.func @no_channel_dimension(%x: tensor<64xf32>, %p: tensor<64xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op input 64 has no channel dimension (rank < 2)}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return
}

// -----

func.func @epsilon_not_positive(%x: tensor<1x64x8x8xf32>, %p: tensor<64xf32>) {
  // expected-error @+1 {{attribute 'epsilon' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p epsilon 0.0 : (tensor<1x64x8x8xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  return
}

// -----

func.func @lrn_size(%x: tensor<1x96x55x55xf32>) {
  // expected-error @+1 {{attribute 'size' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = cnn.lrn %x size 0 alpha 1.0e-4 beta 0.75 k 2.0 : (tensor<1x96x55x55xf32>) -> tensor<1x96x55x55xf32>
  return
}

// -----

func.func @lrn_rank(%x: tensor<96x55x55xf32>) {
  // expected-error @+1 {{operand #0 must be 4-D (NCHW) statically shaped tensor}}
  %0 = "cnn.lrn"(%x) <{size = 5 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64}> : (tensor<96x55x55xf32>) -> tensor<96x55x55xf32>
  return
}

// -----

func.func @lrn_result(%x: tensor<1x96x55x55xf32>) {
  // expected-error @+1 {{'cnn.lrn' op result type 'tensor<1x96x27x27xf32>' does not follow from the operands: expected 'tensor<1x96x55x55xf32>'}}
  %0 = cnn.lrn %x size 5 alpha 1.0e-4 beta 0.75 k 2.0 : (tensor<1x96x55x55xf32>) -> tensor<1x96x27x27xf32>
  return
}

// -----

func.func @layer_norm_channels(%x: tensor<1x8x4x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.layer_norm' op scale 4 and shift 4 must have the 8 channels of the input 1x8x4x4}}
  %0 = cnn.layer_norm %x, %s, %s : (tensor<1x8x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x8x4x4xf32>
  return
}
