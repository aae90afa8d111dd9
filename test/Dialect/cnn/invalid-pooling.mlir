// Every verifier rule of the pooling ops, one case each.
// RUN: cnnc-opt %s --split-input-file --verify-diagnostics

func.func @window_count(%x: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{attribute 'window' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements whose value is positive}}
  %0 = cnn.max_pool2d %x window [2, 2, 2] : (tensor<1x8x8x8xf32>) -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @window_zero(%x: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{attribute 'window' failed to satisfy constraint}}
  %0 = cnn.avg_pool2d %x window [0, 2] : (tensor<1x8x8x8xf32>) -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @padding_over_half_window(%x: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{'cnn.max_pool2d' op padding [2, 2, 2, 2] exceeds half the window 3x3}}
  %0 = cnn.max_pool2d %x window [3, 3] pad [2, 2, 2, 2] : (tensor<1x8x8x8xf32>) -> tensor<1x8x10x10xf32>
  return
}

// -----

func.func @window_larger_than_input(%x: tensor<1x8x2x2xf32>) {
  // expected-error @+1 {{'cnn.avg_pool2d' op window 3x3 (dilated) does not fit in the padded input 2x2}}
  %0 = cnn.avg_pool2d %x window [3, 3] : (tensor<1x8x2x2xf32>) -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @ceil_mode_result(%x: tensor<1x64x112x112xf32>) {
  // expected-error @+1 {{'cnn.max_pool2d' op result type 'tensor<1x64x55x55xf32>' does not follow from the operands: expected 'tensor<1x64x56x56xf32>'}}
  %0 = cnn.max_pool2d %x window [3, 3] stride [2, 2] ceil_mode : (tensor<1x64x112x112xf32>) -> tensor<1x64x55x55xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<8x8x8xf32>) {
  // expected-error @+1 {{operand #0 must be 4-D (NCHW) statically shaped tensor}}
  %0 = "cnn.max_pool2d"(%x) <{window = array<i64: 2, 2>}> : (tensor<8x8x8xf32>) -> tensor<8x7x7xf32>
  return
}

// -----

func.func @global_pool_result(%x: tensor<1x512x7x7xf32>) {
  // expected-error @+1 {{'cnn.global_avg_pool2d' op result type 'tensor<1x512x7x7xf32>' does not follow from the operands: expected 'tensor<1x512x1x1xf32>'}}
  %0 = cnn.global_avg_pool2d %x : (tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32>
  return
}

// -----

func.func @global_pool_rank(%x: tensor<512x7x7xf32>) {
  // expected-error @+1 {{operand #0 must be 4-D (NCHW) statically shaped tensor}}
  %0 = "cnn.global_max_pool2d"(%x) <{operandSegmentSizes = array<i32: 1, 0, 0>}>
      : (tensor<512x7x7xf32>) -> tensor<512x1x1xf32>
  return
}

// -----

// A pool's input prologue has one multiplier and offset per channel.
func.func @pool_prologue_size(%x: tensor<1x8x7x7xf32>, %m: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.global_avg_pool2d' op input prologue needs 8 values (one per input channel)}}
  %0 = cnn.global_avg_pool2d %x input_affine %m, %m input_activation relu
      : (tensor<1x8x7x7xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @adaptive_size_zero(%x: tensor<1x256x13x13xf32>) {
  // expected-error @+1 {{attribute 'output_size' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements whose value is positive}}
  %0 = cnn.adaptive_avg_pool2d %x size [0, 6] : (tensor<1x256x13x13xf32>) -> tensor<1x256x1x6xf32>
  return
}

// -----

func.func @adaptive_result(%x: tensor<1x256x13x13xf32>) {
  // expected-error @+1 {{'cnn.adaptive_max_pool2d' op result type 'tensor<1x256x6x6xf32>' does not follow from the operands: expected 'tensor<1x256x4x4xf32>'}}
  %0 = cnn.adaptive_max_pool2d %x size [4, 4] : (tensor<1x256x13x13xf32>) -> tensor<1x256x6x6xf32>
  return
}

// -----

func.func @roi_columns(%f: tensor<1x512x14x14xf32>, %r: tensor<8x4xf32>) {
  // expected-error @+1 {{'cnn.roi_pool' op rois 8x4 must have 5 columns [batch_index, x1, y1, x2, y2]}}
  %0 = cnn.roi_pool %f, %r size [7, 7] spatial_scale 0.0625 : (tensor<1x512x14x14xf32>, tensor<8x4xf32>) -> tensor<8x512x7x7xf32>
  return
}

// -----

func.func @roi_scale(%f: tensor<1x512x14x14xf32>, %r: tensor<8x5xf32>) {
  // expected-error @+1 {{attribute 'spatial_scale' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0 = cnn.roi_pool %f, %r size [7, 7] spatial_scale 0.0 : (tensor<1x512x14x14xf32>, tensor<8x5xf32>) -> tensor<8x512x7x7xf32>
  return
}

// -----

func.func @roi_rank(%f: tensor<1x512x14x14xf32>, %r: tensor<40xf32>) {
  // expected-error @+1 {{operand #1 must be 2-D statically shaped tensor}}
  %0 = cnn.roi_pool %f, %r size [7, 7] spatial_scale 0.0625 : (tensor<1x512x14x14xf32>, tensor<40xf32>) -> tensor<8x512x7x7xf32>
  return
}
