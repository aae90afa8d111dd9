// RUN: cnnc-opt %s --split-input-file --cnn-plan-memory | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-plan-memory="emit-remarks=true" --verify-diagnostics > /dev/null

// A chain: a (4 KiB) -> b (4 KiB) -> c (4 KiB). a dies when b is made, so c
// reuses a's bytes: an 8 KiB arena for 12 KiB of tensors, which is also the
// lower bound (two tensors alive at once).
// CHECK: module attributes {cnn.activation_bytes = 12288 : i64, cnn.arena_bytes = 8192 : i64, cnn.peak_live_bytes = 8192 : i64}
// CHECK: cnn.relu %arg0 {cnn.offset = 0 : i64}
// CHECK: cnn.relu %{{.*}} {cnn.offset = 4096 : i64}
// CHECK: cnn.relu %{{.*}} {cnn.offset = 0 : i64}
module {
  // expected-remark @+1 {{memory plan: arena 0.01 MB for 3 tensors of 0.01 MB in all; lower bound (most alive at once) 0.01 MB}}
  func.func @chain(%x: tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32> {
    %a = cnn.relu %x : tensor<1x4x16x16xf32>
    %b = cnn.relu %a : tensor<1x4x16x16xf32>
    %c = cnn.relu %b : tensor<1x4x16x16xf32>
    return %c : tensor<1x4x16x16xf32>
  }
}

// -----

// A skip connection keeps a alive across b and c; d (the sum) takes b's
// bytes, dead by then, and the dense output a's. A view (flatten) shares
// d's bytes and keeps them alive until the dense layer has read them. Sizes
// round up to 64 bytes (the 4-byte output takes 64). Arena 12 KiB = the
// lower bound (a, c and d alive together) for 16 KiB + 64 of tensors.
// CHECK: module attributes {cnn.activation_bytes = 16448 : i64, cnn.arena_bytes = 12288 : i64, cnn.peak_live_bytes = 12288 : i64}
// CHECK: %[[A:.*]] = cnn.relu %arg0 {cnn.offset = 0 : i64}
// CHECK: cnn.relu %[[A]] {cnn.offset = 4096 : i64}
// CHECK: cnn.relu {{.*}} {cnn.offset = 8192 : i64}
// CHECK: cnn.add {{.*}} {cnn.offset = 4096 : i64}
// CHECK: cnn.flatten
// CHECK-NOT: cnn.offset
// CHECK-SAME: -> tensor<1x1024xf32>
// CHECK: cnn.dense {{.*}} {cnn.offset = 0 : i64}
module {
  // expected-remark @+1 {{memory plan: arena 0.01 MB for 5 tensors}}
  func.func @skip(%x: tensor<1x4x16x16xf32>, %w: tensor<1x1024xf32>) -> tensor<1x1xf32> {
    %a = cnn.relu %x : tensor<1x4x16x16xf32>
    %b = cnn.relu %a : tensor<1x4x16x16xf32>
    %c = cnn.relu %b : tensor<1x4x16x16xf32>
    %d = cnn.add %c, %a : tensor<1x4x16x16xf32>
    %f = cnn.flatten %d : (tensor<1x4x16x16xf32>) -> tensor<1x1024xf32>
    %y = cnn.dense %f, %w : (tensor<1x1024xf32>, tensor<1x1024xf32>) -> tensor<1x1xf32>
    return %y : tensor<1x1xf32>
  }
}

// -----

// Channels innermost: DenseNet's growing concats. The last concat claims
// the places of a, b and c in its buffer; the first, a prefix of it, becomes
// a view. Both are in place: nothing is copied, and the block needs one
// 3 KiB buffer where copies would need 5 KiB more.
// CHECK-LABEL: func.func @dense
// CHECK: cnn.relu %arg0 {cnn.channel_offset = 0 : i64, cnn.offset = [[ROOT:[0-9]+]] : i64, cnn.root_channels = 12 : i64}
// CHECK: cnn.conv2d {{.*}}{cnn.channel_offset = 4 : i64, cnn.offset = [[ROOT]] : i64, cnn.root_channels = 12 : i64}
// CHECK: cnn.concat {{.*}}{cnn.channel_offset = 0 : i64, cnn.in_place, cnn.offset = [[ROOT]] : i64, cnn.root_channels = 12 : i64}
// CHECK: cnn.conv2d {{.*}}{cnn.channel_offset = 8 : i64, cnn.offset = [[ROOT]] : i64, cnn.root_channels = 12 : i64}
// CHECK: cnn.concat {{.*}}{cnn.in_place, cnn.offset = [[ROOT]] : i64}
module attributes {cnn.layout = "nhwc"} {
  // expected-remark @+1 {{2 of 2 concats in place}}
  func.func @dense(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %v: tensor<4x8x3x3xf32>)
      -> tensor<1x12x8x8xf32> {
    %a = cnn.relu %x : tensor<1x4x8x8xf32>
    %b = cnn.conv2d %a, %w pad [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
    %c1 = cnn.concat %a, %b : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32>
    %c = cnn.conv2d %c1, %v pad [1, 1, 1, 1] : (tensor<1x8x8x8xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x8x8xf32>
    %c2 = cnn.concat %a, %b, %c : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x12x8x8xf32>
    return %c2 : tensor<1x12x8x8xf32>
  }
}

// -----

// A model input belongs to the caller, and a repeated input can take one
// place only: both are copied, so the concat is not in place. The relu
// still writes straight into its slice. Without the nhwc layout nothing is
// placed (see the first cases).
// CHECK-LABEL: func.func @copies
// CHECK: cnn.relu %arg0 {cnn.channel_offset = 4 : i64, cnn.offset = 0 : i64, cnn.root_channels = 12 : i64}
// CHECK: cnn.concat
// CHECK-NOT: cnn.in_place
// CHECK-SAME: {cnn.offset = 0 : i64}
module attributes {cnn.layout = "nhwc"} {
  // expected-remark @+1 {{0 of 1 concats in place}}
  func.func @copies(%x: tensor<1x4x8x8xf32>) -> tensor<1x12x8x8xf32> {
    %a = cnn.relu %x : tensor<1x4x8x8xf32>
    %c = cnn.concat %x, %a, %x : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x12x8x8xf32>
    return %c : tensor<1x12x8x8xf32>
  }
}
