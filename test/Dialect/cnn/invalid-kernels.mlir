// Every verifier rule of fold_batch_norm and fused_conv2d.
// RUN: cnnc-opt %s --split-input-file --verify-diagnostics

func.func @fold_statistic_size(%w: tensor<8x4x3x3xf32>, %p: tensor<8xf32>, %q: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.fold_batch_norm' op variance has 4 elements but the weight 8x4x3x3 has 8 output channels}}
  %0:2 = cnn.fold_batch_norm %w, %p, %p, %p, %q : (tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>) -> (tensor<8x4x3x3xf32>, tensor<8xf32>)
  return
}

// -----

func.func @fold_bias_size(%w: tensor<8x4x3x3xf32>, %p: tensor<8xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'cnn.fold_batch_norm' op bias has 3 elements but there are 8 output channels}}
  %0:2 = cnn.fold_batch_norm %w, %p, %p, %p, %p bias %b : (tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<3xf32>) -> (tensor<8x4x3x3xf32>, tensor<8xf32>)
  return
}

// -----

func.func @fold_result(%w: tensor<8x4x3x3xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.fold_batch_norm' op result type 'tensor<8x4x1x1xf32>', 'tensor<8xf32>' does not follow from the operands: expected 'tensor<8x4x3x3xf32>', 'tensor<8xf32>'}}
  %0:2 = cnn.fold_batch_norm %w, %p, %p, %p, %p : (tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8x4x1x1xf32>, tensor<8xf32>)
  return
}

// -----

func.func @fused_residual_shape(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %r: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{'cnn.fused_conv2d' op residual 1x8x8x8 does not match the output 1x8x6x6}}
  %0 = cnn.fused_conv2d %x, %w residual %r : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_conv_rule(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.fused_conv2d' op weight 8x3x3x3 expects 3 input channels (3 per group x 1 groups) but the input 1x4x8x8 has 4}}
  %0 = cnn.fused_conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_clip_range(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cnn.fused_conv2d' op has min (6.000000e+00) greater than max (0.000000e+00)}}
  %0 = cnn.fused_conv2d %x, %w activation clip min 6.0 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_activation_name(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'activation' [none, relu, clip, leaky_relu, sigmoid, tanh, silu, hardswish, hardsigmoid, gelu, elu, selu, softplus, mish, abs, exp, log, sqrt]}}
  %0 = cnn.fused_conv2d %x, %w activation swish : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @gemm_kernel_not_pointwise(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cnn.gemm' op weight 8x4x3x3 must be [M, K] or [M, K, 1, 1]}}
  %0 = cnn.gemm %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @gemm_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x5xf32>) {
  // expected-error @+1 {{'cnn.gemm' op weight 8x5 expects 5 input channels but the input 1x4x8x8 has 4}}
  %0 = cnn.gemm %x, %w : (tensor<1x4x8x8xf32>, tensor<8x5xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @gemm_input_rank(%x: tensor<8xf32>, %w: tensor<8x8xf32>) {
  // expected-error @+1 {{'cnn.gemm' op input 8 must be [N, K, ...]}}
  %0 = cnn.gemm %x, %w : (tensor<8xf32>, tensor<8x8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @gemm_residual(%x: tensor<2x4xf32>, %w: tensor<8x4xf32>, %r: tensor<2x4xf32>) {
  // expected-error @+1 {{'cnn.gemm' op residual 2x4 does not match the output 2x8}}
  %0 = cnn.gemm %x, %w residual %r : (tensor<2x4xf32>, tensor<8x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @prologue_size(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %q: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.fused_conv2d' op input prologue needs 4 values (one per input channel)}}
  %0 = cnn.fused_conv2d %x, %w input_affine %q, %q : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @affine_statistics(%p: tensor<4xf32>, %q: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_affine' op mean has 8 elements but the input 1x4 has 4 channels}}
  %m, %o = cnn.batch_norm_affine %p, %p, %q, %p : (tensor<4xf32>, tensor<4xf32>, tensor<8xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
