// RUN: rm -rf %t && split-file %s %t
// RUN: cnnc-opt %t/model.mlir --cnn-quantize="qparams=%t/q.qparams" | FileCheck %s
// RUN: cnnc-opt %t/model.mlir --cnn-quantize="qparams=%t/q.qparams emit-remarks=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK
// REMARK-DAG: loc("stem"): 'stem' runs int8, f32 output
// REMARK-DAG: loc("dilated_stem"): 'dilated_stem' stays float: 3 input channels, not a multiple of 4, with a horizontal dilation
// REMARK-DAG: loc("grouped"): 'grouped' stays float: a grouped convolution that is not depthwise
// REMARK-DAG: loc("uncalibrated"): 'uncalibrated' stays float: its input has no calibrated range
// REMARK-DAG: loc("narrow"): 'narrow' stays float: 2 output channels, fewer than 4
// REMARK-DAG: loc("c1"): 'c1' runs int8, u8 output
// REMARK-DAG: loc("dw"): 'dw' runs int8, u8 output
// REMARK-DAG: loc("proj"): 'proj' runs int8, f32 output
// RUN: cnnc-opt %t/model.mlir --cnn-quantize="qparams=%t/q.qparams keep-float=dw emit-remarks=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=KEPT
// KEPT-DAG: loc("dw"): 'dw' stays float: --keep-float names it
// KEPT-DAG: loc("c1"): 'c1' runs int8, f32 output
// RUN: not cnnc-opt %t/model.mlir --cnn-quantize="qparams=%t/q.qparams keep-float=dw,c9" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: --keep-float names 'c9', which is not a convolution or GEMM of the optimised graph (its layers are named as --remarks and --profile show them)
// RUN: not cnnc-opt %t/model.mlir --cnn-quantize="qparams=%t/missing.qparams" 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: {{.*}}missing.qparams: cannot read the quantization parameters: No such file or directory
// RUN: not cnnc-opt %t/model.mlir --cnn-quantize="qparams=%t/bad.qparams" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: {{.*}}bad.qparams:6: tensor 'c1' is given twice (first on line 5)

// The model input is quantized once (zero point 128 for [-2, 2]); c1 and dw
// stay u8, since only int8 kernels read them; proj gives f32 to the float
// add; the 3-channel stem runs int8 (the row-tap form), unless it dilates
// horizontally; the grouped (not depthwise) convolution and the GEMM of 2
// output channels (narrower than the int8 kernels' 4-lane vector) stay
// float, and so does what reads an uncalibrated tensor.
// CHECK-LABEL: func @model
// CHECK: %[[Q:.*]] = cnn.quantize %arg0 scale 0.015686274509803921 zero_point 128
// CHECK: %[[C1:.*]] = cnn.fused_conv2d %[[Q]], {{.*}}cnn.int8 = {input_scale = 0.015686274509803921 : f64, input_zero = 128 : i64, output = "u8", output_scale = 0.023529411764705882 : f64, output_zero = 0 : i64}
// CHECK-SAME: cnn.schedule = {parallel = "n", tile_c = 16 : i64, tile_x = 8 : i64, vec = 16 : i64, wblock = 0 : i64}
// CHECK: %[[DW:.*]] = cnn.fused_conv2d %[[C1]], {{.*}}groups 16 {{.*}}cnn.int8 = {{{.*}}output = "u8"
// CHECK: %[[P:.*]] = cnn.gemm %[[DW]], {{.*}} residual %[[C1]] {{.*}}cnn.int8 = {{{.*}}output = "f32", residual_scale = 0.023529411764705882 : f64, residual_zero = 0 : i64}
// CHECK-SAME: cnn.schedule = {k_block = 16 : i64, m_block = 6 : i64, parallel = "n", tile_m = 6 : i64, tile_n = 16 : i64, vec = 16 : i64, wblock = 0 : i64}
// CHECK: %[[RGB:.*]] = cnn.quantize %arg3
// CHECK: cnn.fused_conv2d %[[RGB]], {{.*}}cnn.int8 = {{{.*}}output = "f32"
// CHECK: cnn.fused_conv2d %arg3, {{.*}}dilation [1, 2]
// CHECK-NOT: cnn.int8
// CHECK: return
// CHECK-NOT: cnn.quantize

//--- q.qparams
version 1
model "m"
method minmax
samples 1
tensor "image" -2 2
tensor "c1" 0 6
tensor "dw" 0 6
tensor "proj" -3 3
tensor "grouped" 0 6
tensor "rgb" -1 1
//--- bad.qparams
version 1
model "m"
method minmax
samples 1
tensor "c1" 0 6
tensor "c1" 0 6
//--- model.mlir
func.func @model(%x: tensor<1x16x8x8xf32> {cnn.name = "image"}, %w: tensor<16x16x3x3xf32>, %b: tensor<16xf32>, %rgb: tensor<1x3x8x8xf32> {cnn.name = "rgb"}, %w3: tensor<16x3x3x3xf32>, %wd: tensor<16x1x3x3xf32>, %wp: tensor<16x16x1x1xf32>, %wg: tensor<16x8x3x3xf32>, %wn: tensor<2x16x1x1xf32>, %bn: tensor<2xf32>) -> (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x2x8x8xf32>) {
  %c1 = cnn.fused_conv2d %x, %w, %b pad [1, 1, 1, 1] activation relu : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32> loc("c1")
  %dw = cnn.fused_conv2d %c1, %wd, %b pad [1, 1, 1, 1] groups 16 activation clip min 0.0 max 6.0 : (tensor<1x16x8x8xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32> loc("dw")
  %p = cnn.gemm %dw, %wp, %b residual %c1 : (tensor<1x16x8x8xf32>, tensor<16x16x1x1xf32>, tensor<16xf32>, tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> loc("proj")
  %sum = cnn.add %p, %x : tensor<1x16x8x8xf32>
  %stem = cnn.fused_conv2d %rgb, %w3, %b pad [1, 1, 1, 1] : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32> loc("stem")
  %ds = cnn.fused_conv2d %rgb, %w3, %b pad [1, 2, 1, 2] dilation [1, 2] : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32> loc("dilated_stem")
  %g = cnn.fused_conv2d %x, %wg, %b pad [1, 1, 1, 1] groups 2 : (tensor<1x16x8x8xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32> loc("grouped")
  %u = cnn.fused_conv2d %sum, %w, %b pad [1, 1, 1, 1] : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32> loc("uncalibrated")
  %n = cnn.gemm %x, %wn, %bn : (tensor<1x16x8x8xf32>, tensor<2x16x1x1xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32> loc("narrow")
  return %sum, %stem, %ds, %g, %u, %n : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x2x8x8xf32>
}
