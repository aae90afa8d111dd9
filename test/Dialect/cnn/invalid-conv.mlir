// Every verifier rule of conv2d, conv_transpose2d and dense, one case each.
// RUN: cnnc-opt %s --split-input-file --verify-diagnostics

func.func @input_not_4d(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{operand #0 must be 4-D (NCHW) statically shaped tensor of 32-bit float values, but got 'tensor<3x8x8xf32>'}}
  %0 = "cnn.conv2d"(%x, %w) : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @dynamic_shape(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{operand #0 must be 4-D (NCHW) statically shaped tensor}}
  %0 = "cnn.conv2d"(%x, %w) : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @not_f32(%x: tensor<1x3x8x8xf16>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{operand #0 must be 4-D (NCHW) statically shaped tensor of 32-bit float values}}
  %0 = "cnn.conv2d"(%x, %w) : (tensor<1x3x8x8xf16>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @bias_not_1d(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{operand #2 must be 1-D statically shaped tensor of 32-bit float values}}
  %0 = cnn.conv2d %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @stride_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{attribute 'stride' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements whose value is positive}}
  %0 = cnn.conv2d %x, %w stride [2] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @stride_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{attribute 'stride' failed to satisfy constraint}}
  %0 = cnn.conv2d %x, %w stride [0, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @dilation_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{attribute 'dilation' failed to satisfy constraint}}
  %0 = cnn.conv2d %x, %w dilation [1, 0] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{attribute 'pad' failed to satisfy constraint: i64 dense array attribute with exactly 4 elements whose value is non-negative}}
  %0 = cnn.conv2d %x, %w pad [1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{attribute 'pad' failed to satisfy constraint}}
  %0 = cnn.conv2d %x, %w pad [1, -1, 1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x6xf32>
  return
}

// -----

func.func @groups_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{attribute 'groups' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = cnn.conv2d %x, %w groups 0 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @input_channels_not_divisible(%x: tensor<1x6x8x8xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op input channels (6) are not divisible by groups (4)}}
  %0 = cnn.conv2d %x, %w groups 4 : (tensor<1x6x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @output_channels_not_divisible(%x: tensor<1x6x8x8xf32>, %w: tensor<7x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op output channels (7) are not divisible by groups (2)}}
  %0 = cnn.conv2d %x, %w groups 2 : (tensor<1x6x8x8xf32>, tensor<7x3x3x3xf32>) -> tensor<1x7x6x6xf32>
  return
}

// -----

func.func @weight_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<16x4x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op weight 16x4x3x3 expects 4 input channels (4 per group x 1 groups) but the input 1x3x8x8 has 3}}
  %0 = cnn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @bias_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op bias has 5 elements but there are 4 output channels}}
  %0 = cnn.conv2d %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @kernel_too_large(%x: tensor<1x3x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op kernel 5x5 (dilated) does not fit in the padded input 4x4}}
  %0 = cnn.conv2d %x, %w dilation [2, 2] : (tensor<1x3x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @wrong_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op result type 'tensor<1x4x8x8xf32>' does not follow from the operands: expected 'tensor<1x4x6x6xf32>'}}
  %0 = cnn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @transpose_weight_channels(%x: tensor<1x4x5x5xf32>, %w: tensor<3x4x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv_transpose2d' op weight 3x4x3x3 expects 3 input channels but the input 1x4x5x5 has 4}}
  %0 = cnn.conv_transpose2d %x, %w : (tensor<1x4x5x5xf32>, tensor<3x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @transpose_groups(%x: tensor<1x3x5x5xf32>, %w: tensor<3x4x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv_transpose2d' op input channels (3) are not divisible by groups (2)}}
  %0 = cnn.conv_transpose2d %x, %w groups 2 : (tensor<1x3x5x5xf32>, tensor<3x4x3x3xf32>) -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @transpose_bias(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.conv_transpose2d' op bias has 4 elements but there are 3 output channels}}
  %0 = cnn.conv_transpose2d %x, %w, %b : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @transpose_output_pad(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv_transpose2d' op output padding (2) must be smaller than the stride (2) or the dilation (1)}}
  %0 = cnn.conv_transpose2d %x, %w stride [2, 2] output_pad [2, 0] : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x13x11xf32>
  return
}

// -----

func.func @transpose_output_pad_negative(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{attribute 'output_pad' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements whose value is non-negative}}
  %0 = cnn.conv_transpose2d %x, %w output_pad [-1, 0] : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @transpose_padding_removes_output(%x: tensor<1x4x1x1xf32>, %w: tensor<4x3x1x1xf32>) {
  // expected-error @+1 {{'cnn.conv_transpose2d' op padding [1, 0, 0, 0] removes the whole output}}
  %0 = cnn.conv_transpose2d %x, %w pad [1, 0, 0, 0] : (tensor<1x4x1x1xf32>, tensor<4x3x1x1xf32>) -> tensor<1x3x1x1xf32>
  return
}

// -----

func.func @dense_features(%x: tensor<1x2048xf32>, %w: tensor<1000x1024xf32>) {
  // expected-error @+1 {{'cnn.dense' op weight 1000x1024 expects 1024 input features but the input 1x2048 has 2048}}
  %0 = cnn.dense %x, %w : (tensor<1x2048xf32>, tensor<1000x1024xf32>) -> tensor<1x1000xf32>
  return
}

// -----

func.func @dense_bias(%x: tensor<1x2048xf32>, %w: tensor<1000x2048xf32>, %b: tensor<100xf32>) {
  // expected-error @+1 {{'cnn.dense' op bias has 100 elements but there are 1000 output features}}
  %0 = cnn.dense %x, %w, %b : (tensor<1x2048xf32>, tensor<1000x2048xf32>, tensor<100xf32>) -> tensor<1x1000xf32>
  return
}

// -----

// A dense layer mixes dimension 1 of a [N, K, ...] input: rank 2 or more.
func.func @dense_input_rank(%x: tensor<2048xf32>, %w: tensor<1000x2048xf32>) {
  // expected-error @+1 {{'cnn.dense' op input 2048 must be [N, K, ...]}}
  %0 = "cnn.dense"(%x, %w) : (tensor<2048xf32>, tensor<1000x2048xf32>) -> tensor<1000xf32>
  return
}
