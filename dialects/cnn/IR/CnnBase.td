//===- CnnBase.td - the cnn dialect, its types and attribute kinds -------===//
//
// Shared definitions for every cnn op: the dialect itself, the tensor types the
// ops accept, and the attribute shapes (stride pairs, four-sided padding) that
// several op families repeat.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_BASE_TD
#define CNN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Cnn_Dialect : Dialect {
  let name = "cnn";
  let cppNamespace = "::cnn";
  let summary = "Convolutional networks, one op per layer.";
  let description = [{
    The `cnn` dialect describes a convolutional network at the level its author
    thinks of it: one op per layer, operating on statically shaped `f32` tensors
    in the logical layout NCHW (batch, channels, height, width). Result types are
    always inferred from operands and attributes, so a builder never computes a
    shape by hand and a printed result type is checked against the rule.

    Learned parameters are module-level symbols (`cnn.parameter`) with a name and
    a type; a function reads one with `cnn.weight`. Weight data never enters the
    IR: the compiled binary loads it by name at start-up.

    Conventions shared by all spatial ops:
    - `stride` and `dilation` are `[height, width]` pairs;
    - `pad` is four-sided, `[top, left, bottom, right]`;
    - an output extent is `floor((in + pad_before + pad_after - dilation * (k - 1) - 1) / stride) + 1`
      (pooling with `ceil_mode` rounds up instead, PyTorch's rule).
  }];
  let usePropertiesForAttributes = 1;
  // Names (`cnn.name` on a model's inputs and outputs, the `cnn.model`
  // function) follow the same rule as parameter names.
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

// Statically shaped f32 tensors within what the kernels index: rank 1 to 6
// and fewer than 2^31 elements (ShapeRules.h).
def Cnn_Tensor : Type<
    And<[StaticShapeTensorOf<[F32]>.predicate,
         CPred<"::cnn::tensorLimitError(::llvm::cast<::mlir::ShapedType>($_self).getShape()).empty()">]>,
    "statically shaped tensor of 32-bit float values, rank at most 6, fewer than 2^31 elements",
    "::mlir::TensorType">;
def Cnn_Tensor1D : AllOfType<[Cnn_Tensor, TensorRankOf<[F32], [1]>],
    "1-D statically shaped tensor of 32-bit float values">;
def Cnn_Tensor2D : AllOfType<[Cnn_Tensor, TensorRankOf<[F32], [2]>],
    "2-D statically shaped tensor of 32-bit float values">;
def Cnn_Tensor4D : AllOfType<[Cnn_Tensor, TensorRankOf<[F32], [4]>],
    "4-D (NCHW) statically shaped tensor of 32-bit float values">;

//===----------------------------------------------------------------------===//
// Attribute kinds
//===----------------------------------------------------------------------===//

/// A [height, width] pair of positive integers (strides, dilations, windows).
def Cnn_PositivePair : ConfinedAttr<DenseI64ArrayAttr,
    [DenseArrayCount<2>, DenseArrayStrictlyPositive<DenseI64ArrayAttr>]>;
def Cnn_UnitPair : DefaultValuedAttr<Cnn_PositivePair, "{1, 1}">;

/// Four-sided padding [top, left, bottom, right], each non-negative.
def Cnn_Padding : DefaultValuedAttr<ConfinedAttr<DenseI64ArrayAttr,
    [DenseArrayCount<4>, DenseArrayNonNegative<DenseI64ArrayAttr>]>,
    "{0, 0, 0, 0}">;

/// A [height, width] pair of non-negative integers (output padding).
def Cnn_NonNegativePair : DefaultValuedAttr<ConfinedAttr<DenseI64ArrayAttr,
    [DenseArrayCount<2>, DenseArrayNonNegative<DenseI64ArrayAttr>]>, "{0, 0}">;

class Cnn_FloatIs<string cmp, string what> : AttrConstraint<
    CPred<"::llvm::cast<::mlir::FloatAttr>($_self).getValueAsDouble() " # cmp>,
    "whose value is " # what>;
def Cnn_FloatNonNegative : Cnn_FloatIs<">= 0.0", "non-negative">;
def Cnn_FloatPositive : Cnn_FloatIs<"> 0.0", "positive">;
def Cnn_FloatBelowOne : Cnn_FloatIs<"< 1.0", "less than 1">;

def Cnn_Groups : DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>, "1">;

def Cnn_UpsampleNearest : I32EnumAttrCase<"nearest", 0>;
def Cnn_UpsampleBilinear : I32EnumAttrCase<"bilinear", 1>;
def Cnn_UpsampleMode : I32EnumAttr<"UpsampleMode",
    "how upsampling computes a new pixel",
    [Cnn_UpsampleNearest, Cnn_UpsampleBilinear]> {
  let cppNamespace = "::cnn";
}

def Cnn_ReduceSum : I32EnumAttrCase<"sum", 0>;
def Cnn_ReduceMean : I32EnumAttrCase<"mean", 1>;
def Cnn_ReduceMax : I32EnumAttrCase<"max", 2>;
def Cnn_ReduceMin : I32EnumAttrCase<"min", 3>;
def Cnn_ReduceL2 : I32EnumAttrCase<"l2", 4>;
def Cnn_ReduceKind : I32EnumAttr<"ReduceKind", "what a reduction computes",
    [Cnn_ReduceSum, Cnn_ReduceMean, Cnn_ReduceMax, Cnn_ReduceMin, Cnn_ReduceL2]> {
  let cppNamespace = "::cnn";
}

def Cnn_ActNone : I32EnumAttrCase<"none", 0>;
def Cnn_ActRelu : I32EnumAttrCase<"relu", 1>;
def Cnn_ActClip : I32EnumAttrCase<"clip", 2>;
def Cnn_ActLeakyRelu : I32EnumAttrCase<"leaky_relu", 3>;
def Cnn_ActSigmoid : I32EnumAttrCase<"sigmoid", 4>;
def Cnn_ActTanh : I32EnumAttrCase<"tanh", 5>;
def Cnn_ActSilu : I32EnumAttrCase<"silu", 6>;
def Cnn_ActHardswish : I32EnumAttrCase<"hardswish", 7>;
def Cnn_ActHardsigmoid : I32EnumAttrCase<"hardsigmoid", 8>;
def Cnn_ActGelu : I32EnumAttrCase<"gelu", 9>;
def Cnn_ActElu : I32EnumAttrCase<"elu", 10>;
def Cnn_ActSelu : I32EnumAttrCase<"selu", 11>;
def Cnn_ActSoftplus : I32EnumAttrCase<"softplus", 12>;
def Cnn_ActMish : I32EnumAttrCase<"mish", 13>;
def Cnn_ActAbs : I32EnumAttrCase<"abs", 14>;
def Cnn_ActExp : I32EnumAttrCase<"exp", 15>;
def Cnn_ActLog : I32EnumAttrCase<"log", 16>;
def Cnn_ActSqrt : I32EnumAttrCase<"sqrt", 17>;
def Cnn_Activation : I32EnumAttr<"Activation",
    "the element-wise activation a fused kernel applies last",
    [Cnn_ActNone, Cnn_ActRelu, Cnn_ActClip, Cnn_ActLeakyRelu, Cnn_ActSigmoid,
     Cnn_ActTanh, Cnn_ActSilu, Cnn_ActHardswish, Cnn_ActHardsigmoid, Cnn_ActGelu,
     Cnn_ActElu, Cnn_ActSelu, Cnn_ActSoftplus, Cnn_ActMish, Cnn_ActAbs, Cnn_ActExp,
     Cnn_ActLog, Cnn_ActSqrt]> {
  let cppNamespace = "::cnn";
}

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

class Cnn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cnn_Dialect, mnemonic, traits>;

#endif // CNN_BASE_TD
