// Every verifier rule of concat, flatten, reshape, softmax and upsample.
// RUN: cnnc-opt %s --split-input-file --verify-diagnostics

func.func @concat_spatial_mismatch(%a: tensor<1x64x28x28xf32>, %b: tensor<1x32x14x14xf32>) {
  // expected-error @+1 {{'cnn.concat' op input 1 (1x32x14x14) does not match input 0 (1x64x28x28) outside axis 1}}
  %0 = cnn.concat %a, %b : (tensor<1x64x28x28xf32>, tensor<1x32x14x14xf32>) -> tensor<1x96x28x28xf32>
  return
}

// -----

func.func @concat_rank_mismatch(%a: tensor<1x64x28x28xf32>, %b: tensor<64x28x28xf32>) {
  // expected-error @+1 {{'cnn.concat' op input 1 (64x28x28) does not match input 0 (1x64x28x28) outside axis 1}}
  %0 = cnn.concat %a, %b : (tensor<1x64x28x28xf32>, tensor<64x28x28xf32>) -> tensor<1x128x28x28xf32>
  return
}

// -----

func.func @concat_axis_range(%a: tensor<1x64x28x28xf32>) {
  // expected-error @+1 {{'cnn.concat' op axis 4 is out of range for rank 4}}
  %0 = cnn.concat %a, %a axis 4 : (tensor<1x64x28x28xf32>, tensor<1x64x28x28xf32>) -> tensor<1x64x28x28xf32>
  return
}

// -----

func.func @concat_no_inputs() {
  // expected-error @+1 {{'cnn.concat' op needs at least one input}}
  %0 = "cnn.concat"() : () -> tensor<1xf32>
  return
}

// -----

func.func @flatten_start_dim(%x: tensor<1x512x7x7xf32>) {
  // expected-error @+1 {{'cnn.flatten' op start_dim 4 is out of range for rank 4}}
  %0 = cnn.flatten %x start_dim 4 : (tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<1x1470xf32>) {
  // expected-error @+1 {{'cnn.reshape' op cannot reshape 1x1470 (1470 elements) into 1x7x7x31 (1519 elements)}}
  %0 = cnn.reshape %x shape [1, 7, 7, 31] : (tensor<1x1470xf32>) -> tensor<1x7x7x31xf32>
  return
}

// -----

func.func @reshape_nonpositive(%x: tensor<1x1470xf32>) {
  // expected-error @+1 {{attribute 'shape' failed to satisfy constraint: i64 dense array attribute with at least 1 elements whose value is positive}}
  %0 = cnn.reshape %x shape [-1, 1470] : (tensor<1x1470xf32>) -> tensor<1x1470xf32>
  return
}

// -----

func.func @reshape_result(%x: tensor<1x1470xf32>) {
  // expected-error @+1 {{'cnn.reshape' op result type 'tensor<1x49x30xf32>' does not follow from the operands: expected 'tensor<1x7x7x30xf32>'}}
  %0 = cnn.reshape %x shape [1, 7, 7, 30] : (tensor<1x1470xf32>) -> tensor<1x49x30xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<1x1000xf32>) {
  // expected-error @+1 {{'cnn.softmax' op axis 2 is out of range for rank 2}}
  %0 = cnn.softmax %x axis 2 : tensor<1x1000xf32>
  return
}

// -----

func.func @upsample_align_corners_nearest(%x: tensor<1x21x32x32xf32>) {
  // expected-error @+1 {{'cnn.upsample' op align_corners applies only to bilinear upsampling}}
  %0 = cnn.upsample %x size [64, 64] align_corners : (tensor<1x21x32x32xf32>) -> tensor<1x21x64x64xf32>
  return
}

// -----

func.func @upsample_size(%x: tensor<1x21x32x32xf32>) {
  // expected-error @+1 {{attribute 'size' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements whose value is positive}}
  %0 = cnn.upsample %x size [64] : (tensor<1x21x32x32xf32>) -> tensor<1x21x64x64xf32>
  return
}

// -----

func.func @upsample_mode(%x: tensor<1x21x32x32xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'mode' [nearest, bilinear]}}
  %0 = cnn.upsample %x size [64, 64] mode bicubic : (tensor<1x21x32x32xf32>) -> tensor<1x21x64x64xf32>
  return
}

// -----

func.func @slice_past_the_end(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.slice' op entries 6 to 8 are not all within the 8 of axis 1 in 1x8x4x4}}
  %0 = cnn.slice %x axis 1 start 6 size 3 : (tensor<1x8x4x4xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @slice_axis(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.slice' op axis 4 is out of range for rank 4}}
  %0 = cnn.slice %x axis 4 start 0 size 1 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @shuffle_groups(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.channel_shuffle' op 8 channels do not divide into 3 groups}}
  %0 = cnn.channel_shuffle %x groups 3 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @transpose_repeats(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.transpose' op the permutation must hold each of 0 to 3 once}}
  %0 = cnn.transpose %x permutation [0, 2, 2, 1] : (tensor<1x8x4x4xf32>) -> tensor<1x4x4x8xf32>
  return
}

// -----

func.func @transpose_rank(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.transpose' op a permutation of 3 dimensions cannot reorder 1x8x4x4}}
  %0 = cnn.transpose %x permutation [0, 2, 1] : (tensor<1x8x4x4xf32>) -> tensor<1x4x8xf32>
  return
}
