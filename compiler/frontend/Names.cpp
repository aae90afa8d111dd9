//===- Names.cpp - names: lookup, suggestions, layer and parameter names --===//

#include "frontend/Budget.h"
#include "frontend/Elaborator.h"

#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace cnnc {

using namespace detail;

/// Edits between two names: insertions, deletions, substitutions, and
/// swaps of neighbours (`covn` is one edit from `conv`).
static size_t editDistance(const std::string &a, const std::string &b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

/// A name the user plausibly meant: it starts with the same letter (a typo
/// rarely changes the first), is at most a third edited (one edit in a
/// short name, and never all of it), and is not the block being elaborated (a name used inside
/// its own body is seldom a call to itself). `gelu` is not `relu`, nor
/// `mean` `len`.
std::string Elaborator::suggest(const std::string &name, const Env &env) const {
  std::string best;
  size_t bestDistance = std::max<size_t>(1, name.size() / 3) + 1;
  std::string enclosing = callStack.empty() ? "" : callStack.back().block;
  auto consider = [&](const std::string &candidate) {
    if (candidate.empty() || name.empty() || candidate[0] != name[0] ||
        candidate == enclosing || name.size() > 64)
      return;
    size_t distance = editDistance(name, candidate);
    if (distance < bestDistance && distance < name.size()) {
      bestDistance = distance;
      best = candidate;
    }
  };
  for (const auto &entry : env) consider(entry.first);
  for (const auto &entry : globals) consider(entry.first);
  for (const auto &entry : blocks) consider(entry.first);
  for (const auto &entry : builtins()) consider(entry.first);
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

/// What users of PyTorch, Keras and ONNX type for a layer or function, and
/// its name here; names that differ only in case (`ReLU`, `Softmax`) are
/// found without a table.
static std::string otherFrameworkHint(const std::string &name) {
  static const std::map<std::string, std::string> spelledHere = {
      // PyTorch
      {"transpose", "permute"}, {"cat", "concat"}, {"Conv2d", "conv"}, {"conv2d", "conv"},
      {"ConvTranspose2d", "conv_t"}, {"conv_transpose2d", "conv_t"}, {"Linear", "dense"},
      {"linear", "dense"}, {"BatchNorm2d", "bn"}, {"batch_norm", "bn"}, {"batchnorm", "bn"},
      {"LeakyReLU", "leaky"}, {"leaky_relu", "leaky"}, {"MaxPool2d", "maxpool"},
      {"max_pool2d", "maxpool"}, {"AvgPool2d", "avgpool"}, {"avg_pool2d", "avgpool"},
      {"AdaptiveAvgPool2d", "adaptive_avgpool"}, {"adaptive_avg_pool2d", "adaptive_avgpool"},
      {"AdaptiveMaxPool2d", "adaptive_maxpool"}, {"mean", "gap"}, {"view", "reshape"},
      {"Identity", "id"}, {"identity", "id"}, {"Parameter", "learned"},
      {"parameter", "learned"}, {"interpolate", "upsample"}, {"LayerNorm", "layer_norm"},
      {"layernorm", "layer_norm"}, {"hardtanh", "clip"}, {"clamp", "clip"}, {"swish", "silu"},
      {"LocalResponseNorm", "lrn"}, {"ChannelShuffle", "channel_shuffle"},
      {"StochasticDepth", "stochastic_depth"}, {"bmm", "matmul"}, {"mm", "matmul"},
      // Keras
      {"Conv2D", "conv"}, {"Conv2DTranspose", "conv_t"}, {"DepthwiseConv2D", "conv"},
      {"Dense", "dense"}, {"BatchNormalization", "bn"}, {"MaxPooling2D", "maxpool"},
      {"AveragePooling2D", "avgpool"}, {"GlobalAveragePooling2D", "gap"},
      {"GlobalMaxPooling2D", "gmp"}, {"Concatenate", "concat"}, {"concatenate", "concat"},
      {"UpSampling2D", "upsample"}, {"Permute", "permute"},
      // ONNX
      {"Conv", "conv"}, {"ConvTranspose", "conv_t"}, {"Gemm", "dense"},
      {"MaxPool", "maxpool"}, {"AveragePool", "avgpool"},
      {"GlobalAveragePool", "gap"}, {"GlobalMaxPool", "gmp"}, {"Transpose", "permute"},
      {"Resize", "upsample"}, {"LeakyRelu", "leaky"}, {"LayerNormalization", "layer_norm"},
      {"HardSigmoid", "hardsigmoid"}, {"HardSwish", "hardswish"}};
  std::string here;
  if (auto it = spelledHere.find(name); it != spelledHere.end()) {
    here = it->second;
  } else {
    std::string lower = name;
    for (char &c : lower)
      c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower != name && builtins().count(lower))
      here = lower;
  }
  if (here.empty())
    return "";
  std::string hint = " (it is '" + here + "' here";
  if (name == "DepthwiseConv2D")
    hint += ", with groups=ch(x)";
  if (name == "mean")
    hint += ", the mean over height and width";
  return hint + ": docs/language.md lists the built-in layers)";
}

Value Elaborator::lookup(const std::string &name, SourceLocation location, Env &env) {
  if (auto it = env.find(name); it != env.end())
    return it->second;
  if (auto it = globals.find(name); it != globals.end())
    return it->second;
  if (auto it = blocks.find(name); it != blocks.end())
    return Value::callable(name, it->second);
  if (builtins().count(name))
    return Value::callable(name, nullptr);
  std::string hint = otherFrameworkHint(name);
  fail(location, "unknown name '" + name + "'" + (hint.empty() ? suggest(name, env) : hint));
}

std::string Elaborator::evalLayerName(const ast::Expr &call, Env &env) {
  std::string name;
  for (const ast::NamePiece &piece : call.layerName) {
    if (!piece.value) {
      name += piece.text;
      continue;
    }
    Value value = eval(*piece.value, env);
    if (!value.is(Value::Kind::Int) && !value.is(Value::Kind::String))
      fail(piece.value->location, "a layer name can interpolate integers and "
                                  "strings, found " + value.describe());
    name += value.str();
  }
  // A name is dot-separated segments of letters, digits, underscores and
  // hyphens (torchvision's RegNet has `trunk_output.block1.block1-0`).
  bool valid = !name.empty() && name.front() != '.' && name.back() != '.' &&
               name.find("..") == std::string::npos;
  for (char c : name)
    valid &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  if (!valid)
    fail(call.layerNameLocation, "'" + name + "' is not a layer name (dot-separated "
                                              "letters, digits, underscores and hyphens)");
  return name;
}

std::string Elaborator::nameLayer(const BoundArguments &args, const std::string &kind,
                                  bool consumesIndex) {
  if (!function)
    fail(args.location, "'" + args.callee + "' makes a layer, and layers exist only in the "
                                            "model, not in a param's value");
  NameScope &scope = scopes.back();
  ++layersMade;
  std::string relative;
  if (!args.layerName.empty())
    relative = args.layerName;
  else if (scope.sequential && consumesIndex)
    relative = std::to_string((*scope.nextIndex)++);
  else
    relative = kind + (std::isdigit(static_cast<unsigned char>(kind.back())) ? "_" : "") +
               std::to_string((*scope.autoCounters)[kind]++);
  return scope.prefix.empty() ? relative : scope.prefix + "." + relative;
}

mlir::Location Elaborator::locate(const ast::Expr &expr, const std::string &layerName) {
  SourceLocation at = expr.location;
  mlir::Location file = mlir::FileLineColLoc::get(
      builder.getStringAttr(sources.getPath(at.file)), at.line, at.column);
  return mlir::NameLoc::get(builder.getStringAttr(layerName), file);
}

mlir::Value Elaborator::parameter(const BoundArguments &args, const std::string &layerName,
                                  const std::string &suffix,
                                  llvm::ArrayRef<int64_t> shape) {
  std::string name = suffix.empty() ? layerName : layerName + "." + suffix;
  std::string tooLarge = cnn::tensorLimitError(shape, "its parameter " + suffix);
  if (!tooLarge.empty())
    fail(args.location, args.callee + " '" + layerName + "': " + tooLarge);
  auto [it, inserted] = parameterSites.emplace(name, args.location);
  if (!inserted) {
    diagnostics.error(args.location, "parameter '" + name +
                                         "' is already defined; name this layer "
                                         "differently with 'as'");
    diagnostics.note(it->second, "'" + name + "' was defined by this layer");
    for (auto frame = callStack.rbegin(); frame != callStack.rend(); ++frame)
      diagnostics.note(frame->callSite, "in block '" + frame->block + "' called here");
    throw CompilationAborted{};
  }
  auto type = mlir::RankedTensorType::get(shape, builder.getF32Type());
  mlir::Location location = locate(*args.call, layerName);
  {
    mlir::OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(function);
    cnn::ParameterOp::create(builder, location, name, type);
  }
  return cnn::WeightOp::create(builder, location, type, name);
}

} // namespace cnnc
