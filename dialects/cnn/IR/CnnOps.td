//===- CnnOps.td - the cnn dialect's operations --------------------------===//
//
// One op per network layer. Every op infers its result type (the
// InferTypeOpAdaptor trait), so the rules that relate operand shapes,
// attributes and the result live in one place: ShapeRules.cpp, shared by the
// verifier, the builders and the language frontend.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_OPS_TD
#define CNN_OPS_TD

include "cnn/IR/CnnBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// Verifies an op against its shape rule before InferTypeOpInterface does, so
/// a broken rule is reported once, in the rule's own words (see CnnOps.h).
def Cnn_ChecksShapeRule : NativeOpTrait<"ChecksShapeRule"> {
  let cppNamespace = "::cnn::OpTrait";
}

/// A layer op: no side effects, result type inferred from the operands by
/// its rule in ShapeRules.cpp.
class Cnn_LayerOp<string mnemonic, list<Trait> traits = []>
    : Cnn_Op<mnemonic, !listconcat([Pure, Cnn_ChecksShapeRule,
                                    InferTypeOpAdaptor], traits)>;

/// A layer op whose result has its operands' type; ODS derives the inference.
class Cnn_SameTypeOp<string mnemonic, list<Trait> traits = []>
    : Cnn_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType,
                                    InferTypeOpInterface], traits)>;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def Cnn_ParameterOp : Cnn_Op<"parameter", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "a named learned parameter of the model";
  let description = [{
    Declares one learned tensor of the model by name and type. Names follow the
    PyTorch `state_dict` convention (`layer1.0.conv1.weight`), so weights saved
    from PyTorch load unchanged. The data itself is never in the IR.

    A name is 1 to 256 bytes with no control characters (it travels into
    weights files, messages and generated code, where it is escaped).

    A `computed` parameter is not in the weights file: the model's `init`
    function computes it once at load (a folded or repacked weight) and
    writes it with `cnn.store`.

    ```mlir
    cnn.parameter @conv1.weight : tensor<64x3x7x7xf32>
    cnn.parameter @conv1.folded_weight : tensor<64x3x7x7xf32> computed
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<Cnn_Tensor>:$type,
                       UnitAttr:$computed);
  let assemblyFormat = "$sym_name `:` $type (`computed` $computed^)? attr-dict";
  let hasVerifier = 1;
}

def Cnn_WeightOp : Cnn_Op<"weight",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "reads a parameter declared by cnn.parameter";
  let description = [{
    Yields the value of the named `cnn.parameter`. Its result type must be the
    parameter's declared type.

    ```mlir
    %w = cnn.weight @conv1.weight : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$name `:` type($result) attr-dict";
}

def Cnn_StoreOp : Cnn_Op<"store", [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "sets a computed parameter (in the init function)";
  let description = [{
    Gives the `computed` parameter `name` its value. The init function, run
    once at load, stores every computed parameter; the model reads them with
    `cnn.weight`.

    ```mlir
    cnn.store %w, @conv1.folded_weight : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$value, FlatSymbolRefAttr:$name);
  let assemblyFormat = "$value `,` $name `:` type($value) attr-dict";
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

def Cnn_Conv2DOp : Cnn_LayerOp<"conv2d"> {
  let summary = "2-D convolution (cross-correlation), grouped and dilated";
  let description = [{
    `out[n, co, y, x] = bias[co] + sum over ci in co's group, ky, kx of
    in[n, ci, y*sh - pt + ky*dh, x*sw - pl + kx*dw] * weight[co, ci', ky, kx]`.

    The weight is `[Cout, Cin / groups, kh, kw]`; both channel counts must be
    divisible by `groups` (depthwise: `groups == Cin`). The bias is optional.

    ```mlir
    %y = cnn.conv2d %x, %w, %b stride [2, 2] pad [3, 3, 3, 3]
        : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor4D:$input, Cnn_Tensor4D:$weight,
                       Optional<Cnn_Tensor1D>:$bias,
                       Cnn_UnitPair:$stride, Cnn_Padding:$pad,
                       Cnn_UnitPair:$dilation, Cnn_Groups:$groups);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`stride` $stride^)? (`pad` $pad^)?
    (`dilation` $dilation^)? (`groups` $groups^)? attr-dict
    `:` functional-type(operands, results)
  }];
}

def Cnn_ConvTranspose2DOp : Cnn_LayerOp<"conv_transpose2d"> {
  let summary = "2-D transposed convolution (learned upsampling)";
  let description = [{
    The gradient of `cnn.conv2d` with respect to its input, used for learned
    upsampling (FCN). The weight is `[Cin, Cout / groups, kh, kw]` (PyTorch's
    layout). Each output extent is
    `(in - 1) * stride - pad_before - pad_after + dilation * (k - 1) + output_pad + 1`;
    `output_pad` must be smaller than the stride or the dilation.

    ```mlir
    %y = cnn.conv_transpose2d %x, %w stride [2, 2] pad [1, 1, 1, 1]
        : (tensor<1x21x8x8xf32>, tensor<21x21x4x4xf32>) -> tensor<1x21x16x16xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor4D:$input, Cnn_Tensor4D:$weight,
                       Optional<Cnn_Tensor1D>:$bias,
                       Cnn_UnitPair:$stride, Cnn_Padding:$pad,
                       Cnn_NonNegativePair:$output_pad,
                       Cnn_UnitPair:$dilation, Cnn_Groups:$groups);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`stride` $stride^)? (`pad` $pad^)?
    (`output_pad` $output_pad^)? (`dilation` $dilation^)? (`groups` $groups^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_DenseOp : Cnn_LayerOp<"dense"> {
  let summary = "fully connected layer";
  let description = [{
    `out[n, m] = bias[m] + sum over k of in[n, k] * weight[m, k]`; the weight is
    `[M, K]` (PyTorch's `nn.Linear` layout). The bias is optional. An input
    `[N, K, H, W]` is mixed at every pixel, over dimension 1 like every
    channel op: the language puts a `cnn.transpose` on each side of a dense
    layer over another dimension (PyTorch's `nn.Linear` on channels-last
    tensors), and cnn-sink-transposes removes those that cancel.

    ```mlir
    %y = cnn.dense %x, %w, %b
        : (tensor<1x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor2D:$weight,
                       Optional<Cnn_Tensor1D>:$bias);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_MatmulOp : Cnn_LayerOp<"matmul"> {
  let summary = "batched matrix product of two tensors";
  let description = [{
    `out[..., m, n] = sum over k of lhs[..., m, k] * rhs[..., k, n]`
    (`torch.matmul`, ONNX's MatMul) on tensors of equal rank, 2 to 6: the
    last two dimensions are the matrices, the others a batch that broadcasts
    (each pair equal or one of them 1). Attention's scores and its weighted
    sum are two of these.

    ```mlir
    %s = cnn.matmul %q, %k
        : (tensor<1x8x40x15xf32>, tensor<1x8x15x40xf32>) -> tensor<1x8x40x40xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def Cnn_BatchNormOp : Cnn_LayerOp<"batch_norm"> {
  let summary = "batch normalisation with running statistics (inference)";
  let description = [{
    `out = (in - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + shift[c]` over
    channel dimension 1. Every statistic is a 1-D tensor of the channel count.

    ```mlir
    %y = cnn.batch_norm %x, %scale, %shift, %mean, %var epsilon 1.0e-05
        : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor1D:$scale,
                       Cnn_Tensor1D:$shift, Cnn_Tensor1D:$mean,
                       Cnn_Tensor1D:$variance,
                       DefaultValuedAttr<ConfinedAttr<F64Attr, [Cnn_FloatPositive]>, "1e-5">:$epsilon);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift `,` $mean `,` $variance (`epsilon` $epsilon^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_LayerNormOp : Cnn_LayerOp<"layer_norm"> {
  let summary = "layer normalisation over the channels of each position";
  let description = [{
    `out = (in - mean) / sqrt(var + epsilon) * scale[c] + shift[c]`, the mean
    and the (biased) variance taken over channel dimension 1 at each position:
    ConvNeXt's LayerNorm2d. PyTorch's `nn.LayerNorm` over the last dimension
    is this op between two `cnn.transpose`s, which the language writes.

    ```mlir
    %y = cnn.layer_norm %x, %scale, %shift epsilon 1.0e-06
        : (tensor<1x96x56x56xf32>, tensor<96xf32>, tensor<96xf32>) -> tensor<1x96x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor1D:$scale, Cnn_Tensor1D:$shift,
                       DefaultValuedAttr<ConfinedAttr<F64Attr, [Cnn_FloatPositive]>, "1e-5">:$epsilon);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift (`epsilon` $epsilon^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_LrnOp : Cnn_LayerOp<"lrn"> {
  let summary = "local response normalisation across channels";
  let description = [{
    PyTorch's `LocalResponseNorm`: `out = in / (k + alpha / size * sum of in^2
    over the `size` neighbouring channels)^beta`, the window centred on the
    channel and cut off at the edges. AlexNet uses size 5, alpha 1e-4, beta 0.75,
    k 2.

    ```mlir
    %y = cnn.lrn %x size 5 alpha 1.0e-04 beta 7.500000e-01 k 2.000000e+00
        : (tensor<1x96x55x55xf32>) -> tensor<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor4D:$input,
                       ConfinedAttr<I64Attr, [IntPositive]>:$size,
                       F64Attr:$alpha, F64Attr:$beta, F64Attr:$k);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input `size` $size `alpha` $alpha `beta` $beta `k` $k attr-dict
    `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Element-wise activations
//===----------------------------------------------------------------------===//

class Cnn_ActivationOp<string mnemonic, string formula>
    : Cnn_SameTypeOp<mnemonic> {
  let summary = "element-wise " # mnemonic # " activation";
  let description = "Computes `" # formula # "` for every element.";
  let arguments = (ins Cnn_Tensor:$input);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Cnn_ReluOp : Cnn_ActivationOp<"relu", "max(x, 0)">;
def Cnn_SigmoidOp : Cnn_ActivationOp<"sigmoid", "1 / (1 + exp(-x))">;
def Cnn_TanhOp : Cnn_ActivationOp<"tanh", "tanh(x)">;
def Cnn_SiluOp : Cnn_ActivationOp<"silu", "x * sigmoid(x)">;
def Cnn_HardswishOp : Cnn_ActivationOp<"hardswish", "x * clip(x + 3, 0, 6) / 6">;
def Cnn_HardsigmoidOp : Cnn_ActivationOp<"hardsigmoid", "clip(x + 3, 0, 6) / 6">;
def Cnn_GeluOp : Cnn_ActivationOp<"gelu", "x * (1 + erf(x / sqrt(2))) / 2">;
// SELU's constants are fixed (torch.nn.SELU's, ONNX's defaults).
def Cnn_SeluOp : Cnn_ActivationOp<"selu",
    "1.0507009873554805 * (x if x > 0 else 1.6732632423543772 * (exp(x) - 1))">;
def Cnn_SoftplusOp : Cnn_ActivationOp<"softplus", "log(1 + exp(x))">;
def Cnn_MishOp : Cnn_ActivationOp<"mish", "x * tanh(log(1 + exp(x)))">;
def Cnn_AbsOp : Cnn_ActivationOp<"abs", "|x|">;
def Cnn_ExpOp : Cnn_ActivationOp<"exp", "exp(x)">;
def Cnn_LogOp : Cnn_ActivationOp<"log", "log(x) (NaN below 0, -inf at 0)">;
def Cnn_SqrtOp : Cnn_ActivationOp<"sqrt", "sqrt(x) (NaN below 0)">;

def Cnn_EluOp : Cnn_SameTypeOp<"elu"> {
  let summary = "element-wise ELU";
  let description = [{
    `x if x > 0 else alpha * (exp(x) - 1)`, alpha 1 by default.

    ```mlir
    %y = cnn.elu %x alpha 5.000000e-01 : tensor<1x64x7x7xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, DefaultValuedAttr<F64Attr, "1.0">:$alpha);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input (`alpha` $alpha^)? attr-dict `:` type($input)";
}

def Cnn_LeakyReluOp : Cnn_SameTypeOp<"leaky_relu"> {
  let summary = "element-wise leaky ReLU";
  let description = [{
    `x if x > 0 else alpha * x`. YOLO v1 uses alpha 0.1.

    ```mlir
    %y = cnn.leaky_relu %x alpha 1.000000e-01 : tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, DefaultValuedAttr<F64Attr, "0.01">:$alpha);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input (`alpha` $alpha^)? attr-dict `:` type($input)";
}

def Cnn_ClipOp : Cnn_SameTypeOp<"clip"> {
  let summary = "element-wise clamp to [min, max] (ReLU6 is clip 0, 6)";
  let description = [{
    `min(max(x, min), max)`. MobileNet's ReLU6 is `cnn.clip %x min 0.0 max 6.0`.
    `min` must not exceed `max`.

    ```mlir
    %y = cnn.clip %x min 0.000000e+00 max 6.000000e+00 : tensor<1x32x112x112xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, F64Attr:$min, F64Attr:$max);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input `min` $min `max` $max attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Cnn_DropoutOp : Cnn_SameTypeOp<"dropout"> {
  let summary = "dropout: the identity at inference, kept for fidelity";
  let description = [{
    Kept so that the IR mirrors the source network; the inference pipeline
    erases it. `rate` is the training-time drop probability, in [0, 1).

    ```mlir
    %y = cnn.dropout %x rate 5.000000e-01 : tensor<1x4096xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input,
      ConfinedAttr<F64Attr, [Cnn_FloatNonNegative, Cnn_FloatBelowOne]>:$rate);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input `rate` $rate attr-dict `:` type($input)";
}

def Cnn_IdentityOp : Cnn_SameTypeOp<"identity"> {
  let summary = "the identity (a shortcut with nothing on it)";
  let description = [{
    Yields its input. It keeps a named layer visible in the IR (a residual
    shortcut, `act=id`); the inference pipeline erases it.

    ```mlir
    %y = cnn.identity %x : tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Binary element-wise
//===----------------------------------------------------------------------===//

def Cnn_AddOp : Cnn_SameTypeOp<"add", [Commutative]> {
  let summary = "element-wise sum of two tensors of one shape";
  let description = [{
    The residual sum. Both operands must have the same shape: a shortcut whose
    channel count or resolution differs needs a projection first.

    ```mlir
    %y = cnn.add %a, %b : tensor<1x256x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Cnn_MulOp : Cnn_LayerOp<"mul", [Commutative]> {
  let summary = "element-wise product with broadcasting";
  let description = [{
    NumPy broadcasting on shapes of equal rank: each dimension pair must be
    equal or one of them 1. Squeeze-and-excitation multiplies `[N, C, H, W]` by
    `[N, C, 1, 1]`.

    ```mlir
    %y = cnn.mul %x, %s : (tensor<1x96x56x56xf32>, tensor<1x96x1x1xf32>) -> tensor<1x96x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

class Cnn_BroadcastOp<string mnemonic, string operation, string example>
    : Cnn_LayerOp<mnemonic> {
  let summary = "element-wise " # operation # " with broadcasting";
  let description = "`lhs " # example # " rhs` under the broadcasting of `cnn.mul`.";
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Cnn_SubOp : Cnn_BroadcastOp<"sub", "difference", "-">;
def Cnn_DivOp : Cnn_BroadcastOp<"div", "quotient", "/">;
// torch.maximum and torch.minimum: NaN if either operand is NaN.
def Cnn_MaxOp : Cnn_BroadcastOp<"max", "maximum", "max">;
def Cnn_MinOp : Cnn_BroadcastOp<"min", "minimum", "min">;

def Cnn_ScaleShiftOp : Cnn_SameTypeOp<"scale_shift"> {
  let summary = "element-wise x * scale + shift, with numbers";
  let description = [{
    What arithmetic between a tensor and a number makes: `x + 3` has scale 1
    and shift 3, `x / 6` scale 1/6, `1 - x` scale -1 and shift 1.

    ```mlir
    %y = cnn.scale_shift %x scale 1.0 shift 3.0 : tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, F64Attr:$scale, F64Attr:$shift);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input `scale` $scale `shift` $shift attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Cnn_MaxPool2DOp : Cnn_LayerOp<"max_pool2d"> {
  let summary = "2-D max pooling";
  let description = [{
    The maximum over each `window`; padded positions never win. With
    `ceil_mode` the output extent rounds up (PyTorch's rule: a last window that
    would start in the padding is dropped). Every window must fit in the padded
    input, and padding may be at most half the window.

    ```mlir
    %y = cnn.max_pool2d %x window [3, 3] stride [2, 2] pad [1, 1, 1, 1]
        : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor4D:$input, Cnn_PositivePair:$window,
                       Cnn_UnitPair:$stride, Cnn_Padding:$pad,
                       UnitAttr:$ceil_mode);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input `window` $window (`stride` $stride^)? (`pad` $pad^)?
    (`ceil_mode` $ceil_mode^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_AvgPool2DOp : Cnn_LayerOp<"avg_pool2d"> {
  let summary = "2-D average pooling";
  let description = [{
    The mean over each `window`. With `count_include_pad` the divisor is the
    window size (padding counts as zeros, PyTorch's default); without it, only
    positions inside the input count. `ceil_mode` and the window rules are those
    of `cnn.max_pool2d`.

    ```mlir
    %y = cnn.avg_pool2d %x window [2, 2] stride [2, 2] count_include_pad
        : (tensor<1x256x56x56xf32>) -> tensor<1x256x28x28xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor4D:$input, Cnn_PositivePair:$window,
                       Cnn_UnitPair:$stride, Cnn_Padding:$pad,
                       UnitAttr:$ceil_mode, UnitAttr:$count_include_pad);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input `window` $window (`stride` $stride^)? (`pad` $pad^)?
    (`ceil_mode` $ceil_mode^)? (`count_include_pad` $count_include_pad^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

// A pooling's optional input prologue is the fused convolution's:
// `input_activation(input[c] * input_multiplier[c] + input_offset[c])`, a batch
// norm and activation that came before it (DenseNet's norm5 and ReLU).
class Cnn_GlobalPoolOp<string mnemonic, string reduction>
    : Cnn_LayerOp<mnemonic, [AttrSizedOperandSegments]> {
  let summary = "global " # reduction # " pooling to one value per channel";
  let description = "Reduces every channel's H x W plane to its " # reduction #
    ": `[N, C, H, W] -> [N, C, 1, 1]`, after the optional input prologue of " #
    "`cnn.fused_conv2d`.";
  let arguments = (ins Cnn_Tensor4D:$input,
                       Optional<Cnn_Tensor1D>:$input_multiplier,
                       Optional<Cnn_Tensor1D>:$input_offset,
                       DefaultValuedAttr<Cnn_Activation, "::cnn::Activation::none">:$input_activation);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input (`input_affine` $input_multiplier^ `,` $input_offset)?
    (`input_activation` $input_activation^)? attr-dict `:` functional-type(operands, results)
  }];
  let builders = [OpBuilder<(ins "::mlir::Value":$input), [{
    build($_builder, $_state, input, ::mlir::Value(), ::mlir::Value());
  }]>];
}

def Cnn_GlobalAvgPool2DOp : Cnn_GlobalPoolOp<"global_avg_pool2d", "mean">;
def Cnn_GlobalMaxPool2DOp : Cnn_GlobalPoolOp<"global_max_pool2d", "maximum">;

class Cnn_AdaptivePoolOp<string mnemonic, string reduction>
    : Cnn_LayerOp<mnemonic, [AttrSizedOperandSegments]> {
  let summary = "adaptive " # reduction # " pooling to a fixed output size";
  let description = "PyTorch's adaptive pooling: output cell `(i, j)` takes the " #
    reduction # " of rows `floor(i * H / oh)` to `ceil((i + 1) * H / oh)` and the " #
    "matching columns, after the optional input prologue of `cnn.fused_conv2d`. " #
    "SPP stacks several of these.";
  let arguments = (ins Cnn_Tensor4D:$input,
                       Optional<Cnn_Tensor1D>:$input_multiplier,
                       Optional<Cnn_Tensor1D>:$input_offset,
                       Cnn_PositivePair:$output_size,
                       DefaultValuedAttr<Cnn_Activation, "::cnn::Activation::none">:$input_activation);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input (`input_affine` $input_multiplier^ `,` $input_offset)?
    (`input_activation` $input_activation^)? `size` $output_size attr-dict
    `:` functional-type(operands, results)
  }];
  let builders = [OpBuilder<(ins "::mlir::Value":$input, "::mlir::DenseI64ArrayAttr":$output_size), [{
    build($_builder, $_state, input, ::mlir::Value(), ::mlir::Value(), output_size);
  }]>];
}

def Cnn_AdaptiveAvgPool2DOp : Cnn_AdaptivePoolOp<"adaptive_avg_pool2d", "mean">;
def Cnn_AdaptiveMaxPool2DOp : Cnn_AdaptivePoolOp<"adaptive_max_pool2d", "maximum">;

def Cnn_RoiPoolOp : Cnn_LayerOp<"roi_pool"> {
  let summary = "region-of-interest max pooling (Fast/Faster R-CNN)";
  let description = [{
    For each row `[batch_index, x1, y1, x2, y2]` of `rois` (image coordinates),
    scales the box by `spatial_scale` onto the feature map, splits it into an
    `output_size` grid and takes the maximum of each cell (torchvision's
    `roi_pool`). The result is `[R, C, oh, ow]`.

    ```mlir
    %y = cnn.roi_pool %features, %rois size [7, 7] spatial_scale 6.250000e-02
        : (tensor<1x512x14x14xf32>, tensor<8x5xf32>) -> tensor<8x512x7x7xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor4D:$input, Cnn_Tensor2D:$rois,
                       Cnn_PositivePair:$output_size,
                       ConfinedAttr<F64Attr, [Cnn_FloatPositive]>:$spatial_scale);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input `,` $rois `size` $output_size `spatial_scale` $spatial_scale attr-dict
    `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def Cnn_ConcatOp : Cnn_LayerOp<"concat"> {
  let summary = "concatenation along one dimension (channels by default)";
  let description = [{
    Joins its operands along `axis`; every other dimension must agree. Inception
    modules and dense blocks concatenate on channels (axis 1).

    ```mlir
    %y = cnn.concat %a, %b : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x96x28x28xf32>
    ```
  }];
  let arguments = (ins Variadic<Cnn_Tensor>:$inputs,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "1">:$axis);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $inputs (`axis` $axis^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_FlattenOp : Cnn_LayerOp<"flatten"> {
  let summary = "merges dimensions start_dim.. into one";
  let description = [{
    `[N, C, H, W] -> [N, C * H * W]` with the default `start_dim` 1, as before a
    classifier's first dense layer.

    ```mlir
    %y = cnn.flatten %x : (tensor<1x512x7x7xf32>) -> tensor<1x25088xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "1">:$start_dim);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input (`start_dim` $start_dim^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_ReshapeOp : Cnn_LayerOp<"reshape"> {
  let summary = "reinterprets the elements (row-major) with a new shape";
  let description = [{
    The element count must not change. The new shape is the `shape` attribute,
    so the result type still follows from the op alone (YOLO v1 turns its last
    dense layer's 1470 values into `[N, 7, 7, 30]`).

    ```mlir
    %y = cnn.reshape %x shape [1, 7, 7, 30] : (tensor<1x1470xf32>) -> tensor<1x7x7x30xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input,
      ConfinedAttr<DenseI64ArrayAttr, [DenseArrayMinCt<1>,
                   DenseArrayStrictlyPositive<DenseI64ArrayAttr>]>:$shape);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `shape` $shape attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_SliceOp : Cnn_LayerOp<"slice"> {
  let summary = "`size` consecutive entries of one dimension, from `start`";
  let description = [{
    What `split` and `chunk` make: ShuffleNet v2 splits its channels in two.
    A slice of the channels is a view when channels are innermost: its
    readers read the input's bytes with the input's strides, so no kernel
    runs.

    ```mlir
    %y = cnn.slice %x axis 1 start 58 size 58 : (tensor<1x116x28x28xf32>) -> tensor<1x58x28x28xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$start,
                       ConfinedAttr<I64Attr, [IntPositive]>:$size);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis `start` $start `size` $size attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_TransposeOp : Cnn_LayerOp<"transpose"> {
  let summary = "reorders dimensions, as torch.permute";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`. ConvNeXt moves
    channels last for its layer norms and linear layers, and back; the pass
    cnn-sink-transposes moves transposes past the ops between such a pair
    until they meet and cancel, so no copy is left.

    ```mlir
    %y = cnn.transpose %x permutation [0, 2, 3, 1] : (tensor<1x96x56x56xf32>) -> tensor<1x56x56x96xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `permutation` $permutation attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_ReduceOp : Cnn_LayerOp<"reduce"> {
  let summary = "sum, mean, max, min or L2 norm over some dimensions";
  let description = [{
    Reduces `axes` (sorted, distinct) to extent 1; the others are kept.
    Sums are taken in blocks, as softmax's denominator; max and min are NaN
    when any element is (PyTorch's amax and amin). Global average pooling
    has its own op; this one serves the reductions detectors and
    transformers end with.

    ```mlir
    %y = cnn.reduce %x kind max axes [1] : (tensor<1x80x8400xf32>) -> tensor<1x1x8400xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_ReduceKind:$kind, DenseI64ArrayAttr:$axes);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `kind` $kind `axes` $axes attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_ChannelShuffleOp : Cnn_LayerOp<"channel_shuffle"> {
  let summary = "interleaves `groups` groups of channels (ShuffleNet)";
  let description = [{
    Output channel `k * groups + g` is input channel `g * (C / groups) + k`:
    PyTorch's `view(N, groups, C / groups, H, W).transpose(1, 2).reshape(N, C, H, W)`.

    ```mlir
    %y = cnn.channel_shuffle %x groups 2 : (tensor<1x116x28x28xf32>) -> tensor<1x116x28x28xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, ConfinedAttr<I64Attr, [IntPositive]>:$groups);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input `groups` $groups attr-dict `:` functional-type(operands, results)";
}

def Cnn_SoftmaxOp : Cnn_SameTypeOp<"softmax"> {
  let summary = "softmax (or its logarithm) along one dimension";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis` (default 1, the class
    dimension of `[N, classes]`); with `log`, its logarithm computed as
    `x - max - log(sum(exp(x - max)))`, finite where the softmax underflows
    to 0 (torch.log_softmax).

    ```mlir
    %y = cnn.softmax %x : tensor<1x1000xf32>
    %z = cnn.softmax %x axis 1 log : tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "1">:$axis,
                       UnitAttr:$log);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input (`axis` $axis^)? (`log` $log^)? attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Cnn_UpsampleOp : Cnn_LayerOp<"upsample"> {
  let summary = "resizes the H x W plane to a given size";
  let description = [{
    Nearest-neighbour or bilinear resampling to `size = [oh, ow]` (PyTorch's
    `interpolate`; `align_corners` only for bilinear). A scale factor in the
    source language becomes the size it implies.

    ```mlir
    %y = cnn.upsample %x size [64, 64] mode bilinear
        : (tensor<1x21x32x32xf32>) -> tensor<1x21x64x64xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor4D:$input, Cnn_PositivePair:$size,
                       DefaultValuedAttr<Cnn_UpsampleMode, "::cnn::UpsampleMode::nearest">:$mode,
                       UnitAttr:$align_corners);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input `size` $size (`mode` $mode^)? (`align_corners` $align_corners^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Weight transforms (computed once, from parameters only)
//===----------------------------------------------------------------------===//

def Cnn_FoldBatchNormOp : Cnn_Op<"fold_batch_norm",
    [Pure, Cnn_ChecksShapeRule, InferTypeOpAdaptor]> {
  let summary = "folds an inference batch norm into the preceding layer's weights";
  let description = [{
    For a convolution or dense layer followed by a batch norm, computes the
    weights and bias of the single layer that does both:
    `f[c] = scale[c] / sqrt(variance[c] + epsilon)`,
    `folded_weight[c, ...] = weight[c, ...] * f[c]`,
    `folded_bias[c] = (bias[c] - mean[c]) * f[c] + shift[c]` (bias 0 when
    absent). Its operands are parameters, so it runs once, at load time.

    ```mlir
    %w2, %b2 = cnn.fold_batch_norm %w, %scale, %shift, %mean, %var
        : (tensor<64x3x7x7xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<64x3x7x7xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Cnn_Tensor:$weight, Cnn_Tensor1D:$scale, Cnn_Tensor1D:$shift,
                       Cnn_Tensor1D:$mean, Cnn_Tensor1D:$variance,
                       Optional<Cnn_Tensor1D>:$bias,
                       DefaultValuedAttr<ConfinedAttr<F64Attr, [Cnn_FloatPositive]>, "1e-5">:$epsilon);
  let results = (outs Cnn_Tensor:$folded_weight, Cnn_Tensor1D:$folded_bias);
  let assemblyFormat = [{
    $weight `,` $scale `,` $shift `,` $mean `,` $variance (`bias` $bias^)?
    (`epsilon` $epsilon^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Cnn_BatchNormAffineOp : Cnn_Op<"batch_norm_affine",
    [Pure, Cnn_ChecksShapeRule, InferTypeOpAdaptor]> {
  let summary = "a batch norm's per-channel multiplier and offset";
  let description = [{
    `multiplier[c] = scale[c] / sqrt(variance[c] + epsilon)`,
    `offset[c] = shift[c] - mean[c] * multiplier[c]`: the batch norm as
    `x * multiplier + offset`, the form a kernel applies to its input when
    the batch norm cannot be folded into weights. A weight transform.

    ```mlir
    %m, %o = cnn.batch_norm_affine %scale, %shift, %mean, %var
        : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Cnn_Tensor1D:$scale, Cnn_Tensor1D:$shift, Cnn_Tensor1D:$mean,
                       Cnn_Tensor1D:$variance,
                       DefaultValuedAttr<ConfinedAttr<F64Attr, [Cnn_FloatPositive]>, "1e-5">:$epsilon);
  let results = (outs Cnn_Tensor1D:$multiplier, Cnn_Tensor1D:$offset);
  let assemblyFormat = [{
    $scale `,` $shift `,` $mean `,` $variance (`epsilon` $epsilon^)? attr-dict
    `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Kernels (what the optimisation passes produce)
//===----------------------------------------------------------------------===//

def Cnn_QuantizeOp : Cnn_SameTypeOp<"quantize"> {
  let summary = "rounds a tensor to the u8 grid of an int8 kernel's input";
  let description = [{
    `scale * (clamp(round(x / scale) + zero_point, 0, 255) - zero_point)`:
    the value an int8 kernel reads, stored as the u8 `q` itself. The
    `cnn-quantize` pass puts one where a float tensor (a model input, a
    pooling's or a float kernel's result) feeds an int8 convolution or
    GEMM (`cnn.int8`), once per tensor; between int8 kernels tensors stay
    u8 and need none. Its scale and zero point come from the calibration
    (docs/quantization.md). With `real`, the rounded value itself is
    stored, as f32: a QDQ model's QuantizeLinear/DequantizeLinear pair on a
    tensor a float kernel made.

    ```mlir
    %q = cnn.quantize %x scale 0.0183 zero_point 0 : tensor<1x64x56x56xf32>
    %r = cnn.quantize %y scale 0.0183 zero_point 0 real : tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, F64Attr:$scale, I64Attr:$zero_point, UnitAttr:$real);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `scale` $scale `zero_point` $zero_point (`real` $real^)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Cnn_FusedConv2DOp : Cnn_LayerOp<"fused_conv2d", [AttrSizedOperandSegments]> {
  let summary = "convolution, bias, residual sum and activation in one kernel";
  let description = [{
    `activation(conv2d(input, weight) + bias + residual)`: the convolution of
    `cnn.conv2d` (same attributes and rules), then the optional bias and
    residual (a tensor of the result's shape), then the activation, with no
    intermediate tensor. `alpha` is leaky ReLU's slope; `min` and `max`
    bound `clip`.

    An optional prologue transforms the input as the kernel reads it:
    `input_activation(input[c] * input_multiplier[c] + input_offset[c])`
    (a batch norm and ReLU that came before the convolution); padding stays
    zero.

    ```mlir
    %y = cnn.fused_conv2d %x, %w, %b residual %r pad [1, 1, 1, 1] activation relu
        : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor4D:$input, Cnn_Tensor4D:$weight,
                       Optional<Cnn_Tensor1D>:$bias, Optional<Cnn_Tensor4D>:$residual,
                       Optional<Cnn_Tensor1D>:$input_multiplier,
                       Optional<Cnn_Tensor1D>:$input_offset,
                       Cnn_UnitPair:$stride, Cnn_Padding:$pad,
                       Cnn_UnitPair:$dilation, Cnn_Groups:$groups,
                       DefaultValuedAttr<Cnn_Activation, "::cnn::Activation::none">:$activation,
                       DefaultValuedAttr<F64Attr, "0.0">:$alpha,
                       DefaultValuedAttr<F64Attr, "0.0">:$min,
                       DefaultValuedAttr<F64Attr, "0.0">:$max,
                       DefaultValuedAttr<Cnn_Activation, "::cnn::Activation::none">:$input_activation);
  let results = (outs Cnn_Tensor4D:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`residual` $residual^)?
    (`input_affine` $input_multiplier^ `,` $input_offset)?
    (`input_activation` $input_activation^)? (`stride` $stride^)?
    (`pad` $pad^)? (`dilation` $dilation^)? (`groups` $groups^)?
    (`activation` $activation^)? (`alpha` $alpha^)? (`min` $min^)? (`max` $max^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_GemmOp : Cnn_LayerOp<"gemm", [AttrSizedOperandSegments]> {
  let summary = "channel-mixing matrix product: 1x1 convolutions and dense layers";
  let description = [{
    `out[n, m, ...] = activation(sum over k of weight[m, k] * input[n, k, ...]
    + bias[m] + residual[n, m, ...])`: an (M x K) by (K x N*H*W) matrix
    product, with the fused epilogue of `cnn.fused_conv2d`. The input is
    `[N, K]` (a dense layer) or `[N, K, H, W]` (a 1x1 convolution with stride
    1 and no padding); the weight is `[M, K]` or `[M, K, 1, 1]`, so a
    convolution's parameter is used as it is. The input prologue is that of
    `cnn.fused_conv2d`.

    ```mlir
    %y = cnn.gemm %x, %w, %b activation relu
        : (tensor<1x64x56x56xf32>, tensor<256x64x1x1xf32>, tensor<256xf32>) -> tensor<1x256x56x56xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$weight,
                       Optional<Cnn_Tensor1D>:$bias, Optional<Cnn_Tensor>:$residual,
                       Optional<Cnn_Tensor1D>:$input_multiplier,
                       Optional<Cnn_Tensor1D>:$input_offset,
                       DefaultValuedAttr<Cnn_Activation, "::cnn::Activation::none">:$activation,
                       DefaultValuedAttr<F64Attr, "0.0">:$alpha,
                       DefaultValuedAttr<F64Attr, "0.0">:$min,
                       DefaultValuedAttr<F64Attr, "0.0">:$max,
                       DefaultValuedAttr<Cnn_Activation, "::cnn::Activation::none">:$input_activation);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`residual` $residual^)?
    (`input_affine` $input_multiplier^ `,` $input_offset)?
    (`input_activation` $input_activation^)?
    (`activation` $activation^)? (`alpha` $alpha^)? (`min` $min^)? (`max` $max^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

#endif // CNN_OPS_TD
