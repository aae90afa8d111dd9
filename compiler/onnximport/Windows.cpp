//===- Windows.cpp - convolutions, pooling, and the Pad before them -------===//

#include "onnximport/Handlers.h"
#include "onnximport/Patterns.h"

#include <algorithm>

namespace cnnc::onnx_import {

namespace {

using Args = std::vector<std::string>;


/// A 2-D window: kernel, strides, dilations and [top, left, bottom, right] pads.
struct Window {
  int64_t kernel[2], stride[2] = {1, 1}, dilation[2] = {1, 1}, pads[4] = {0, 0, 0, 0};

  std::string padText() const {
    if (pads[0] == pads[2] && pads[1] == pads[3])
      return pair(pads[0], pads[1]);
    return Importer::list({pads[0], pads[1], pads[2], pads[3]});
  }
  bool padded() const { return pads[0] || pads[1] || pads[2] || pads[3]; }
};

Window readWindow(Importer &im, const Shape &input, std::vector<int64_t> kernel) {
  if (input.size() != 4)
    im.unsupported("only 2-D windows over [N, C, H, W] are supported; the input is " +
                   formatShape(input));
  if (im.hasAttribute("kernel_shape"))
    kernel = im.intsAttribute("kernel_shape");
  if (kernel.size() != 2)
    im.unsupported("kernel_shape must have 2 values");
  if (kernel[0] < 1 || kernel[1] < 1)
    im.unsupported("kernel_shape " + Importer::list(kernel) + " must be 2 positive values");
  Window w;
  w.kernel[0] = kernel[0];
  w.kernel[1] = kernel[1];
  auto two = [&](const std::string &name, int64_t *into) {
    std::vector<int64_t> v = im.intsAttribute(name);
    if (v.empty())
      return;
    if (v.size() != 2 || v[0] < 1 || v[1] < 1)
      im.unsupported("'" + name + "' must be 2 positive values");
    into[0] = v[0];
    into[1] = v[1];
  };
  two("strides", w.stride);
  two("dilations", w.dilation);
  std::string autoPad = im.stringAttribute("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    std::vector<int64_t> pads = im.intsAttribute("pads");
    if (!pads.empty()) {
      if (pads.size() != 4)
        im.unsupported("'pads' must have 4 values");
      // ONNX: [begin_h, begin_w, end_h, end_w], the language's order too.
      for (int i = 0; i < 4; ++i) {
        if (pads[size_t(i)] < 0)
          im.unsupported("negative pads are not supported");
        w.pads[i] = pads[size_t(i)];
      }
    }
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int d = 0; d < 2; ++d) {
      int64_t in = input[size_t(2 + d)], out = (in + w.stride[d] - 1) / w.stride[d];
      int64_t span = (w.kernel[d] - 1) * w.dilation[d] + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * w.stride[d] + span - in);
      int64_t small = total / 2, large = total - small;
      w.pads[d] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[d + 2] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "VALID") {
    im.unsupported("auto_pad '" + autoPad + "' is unknown");
  }
  return w;
}

/// The (dilated) window fits in the padded input at least once, as every
/// window op needs; ONNX's shape inference would give an empty output.
void checkFits(Importer &im, const Shape &input, const Window &w) {
  for (int d = 0; d < 2; ++d) {
    int64_t span = (w.kernel[d] - 1) * w.dilation[d] + 1;
    int64_t padded = input[size_t(2 + d)] + w.pads[d] + w.pads[d + 2];
    if (span > padded)
      im.unsupported("the window " + std::to_string(w.kernel[0]) + "x" +
                     std::to_string(w.kernel[1]) +
                     (w.dilation[0] != 1 || w.dilation[1] != 1 ? " (dilated)" : "") +
                     " does not fit in the padded input " +
                     std::to_string(input[2] + w.pads[0] + w.pads[2]) + "x" +
                     std::to_string(input[3] + w.pads[1] + w.pads[3]));
  }
}

/// Folds a zero Pad that feeds a window into the window's pads.
int absorbPad(Importer &im, int x, Window &w) {
  Layer *pad = im.producer(x);
  if (!pad || !pad->call.empty() || pad->opType != "Pad")
    return x;
  for (int i = 0; i < 4; ++i)
    w.pads[i] += int64_t(pad->facts.at("pad" + std::to_string(i)));
  return pad->operands[0];
}

/// A convolution's weight against its input and attributes, which ONNX
/// requires to agree and its shape inference does not check: the kernel
/// size, and the channels per group ([M, C/group, kH, kW] for Conv, [C,
/// M/group, kH, kW] for ConvTranspose).
int64_t checkedGroups(Importer &im, int x, const Constant &weight, bool transposed) {
  int64_t groups = im.intAttribute("group", 1);
  std::vector<int64_t> kernel = im.intsAttribute("kernel_shape");
  if (!kernel.empty() && (kernel.size() != 2 || kernel[0] != weight.shape[2] ||
                          kernel[1] != weight.shape[3]))
    im.unsupported("kernel_shape " + Importer::list(kernel) + " disagrees with W, of shape " +
                   formatShape(weight.shape));
  int64_t channels = im.shapeOf(x)[1];
  if (groups < 1 || channels % groups)
    im.unsupported("group " + std::to_string(groups) + " does not divide the input's " +
                   std::to_string(channels) + " channels");
  int64_t perGroupIn = transposed ? weight.shape[0] / groups : weight.shape[1];
  int64_t inW = transposed ? weight.shape[0] : weight.shape[1] * groups;
  if (inW != channels || perGroupIn * groups != channels)
    im.unsupported("W, of shape " + formatShape(weight.shape) + ", expects " +
                   std::to_string(inW) + " input channels in " + std::to_string(groups) +
                   " group(s); the input has " + std::to_string(channels));
  if (!transposed && weight.shape[0] % groups)
    im.unsupported("W's " + std::to_string(weight.shape[0]) +
                   " filters do not divide into " + std::to_string(groups) + " groups");
  return groups;
}

/// A convolution's bias B: one value per output channel.
Constant checkedBias(Importer &im, int64_t outputChannels) {
  Constant bias = im.constantInput(2, "B");
  if (bias.shape.size() != 1 || bias.shape[0] != outputChannels)
    im.unsupported("B has shape " + formatShape(bias.shape) + "; the convolution has " +
                   std::to_string(outputChannels) + " output channels");
  return bias;
}

} // namespace

std::string pair(int64_t a, int64_t b) {
  return a == b ? std::to_string(a) : Importer::list({a, b});
}

void convolution(Importer &im) {
  im.expectAttributes({"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
  int x = im.activationInput(0, "X");
  const Constant &weight = im.constantInput(1, "W");
  if (weight.shape.size() != 4)
    im.unsupported("only 2-D convolutions are supported (W has shape " +
                   formatShape(weight.shape) + ")");
  Window w = readWindow(im, im.shapeOf(x), {weight.shape[2], weight.shape[3]});
  int64_t groups = checkedGroups(im, x, weight, /*transposed=*/false);
  x = absorbPad(im, x, w);
  checkFits(im, im.shapeOf(x), w);
  int64_t outputChannels = weight.shape[0];
  Constant weightValue = weight, biasValue;
  if (im.hasInput(2))
    biasValue = checkedBias(im, outputChannels);
  // A scalar affine before it folds in where no padding would read its
  // zeros as the affine's shift (PP-OCRv4's pointwise convolutions).
  if (!w.padded())
    x = absorbAffineBefore(im, x, weightValue, biasValue);
  bool bias = !biasValue.values.empty();
  Args args = {std::to_string(weight.shape[0]), pair(w.kernel[0], w.kernel[1])};
  if (w.stride[0] != 1 || w.stride[1] != 1)
    args.push_back(pair(w.stride[0], w.stride[1]));
  if (w.padded())
    args.push_back("pad=" + w.padText());
  if (groups != 1)
    args.push_back("groups=" + std::to_string(groups));
  if (w.dilation[0] != 1 || w.dilation[1] != 1)
    args.push_back("dilation=" + pair(w.dilation[0], w.dilation[1]));
  if (!bias)
    args.push_back("bias=false");
  Layer &layer = im.addLayer("conv", {x}, args);
  layer.parameters.push_back({"weight", weightValue});
  if (bias)
    layer.parameters.push_back({"bias", biasValue});
  layer.facts["bias"] = bias;
}

void convTranspose(Importer &im) {
  im.expectAttributes({"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad",
                       "output_padding"});
  int x = im.activationInput(0, "X");
  const Constant &weight = im.constantInput(1, "W");
  if (weight.shape.size() != 4)
    im.unsupported("only 2-D transposed convolutions are supported");
  if (im.stringAttribute("auto_pad", "NOTSET") != "NOTSET")
    im.unsupported("auto_pad is not supported on ConvTranspose; give pads");
  Window w = readWindow(im, im.shapeOf(x), {weight.shape[2], weight.shape[3]});
  if (w.pads[0] != w.pads[2] || w.pads[1] != w.pads[3])
    im.unsupported("asymmetric pads are not supported on ConvTranspose");
  int64_t groups = checkedGroups(im, x, weight, /*transposed=*/true);
  std::vector<int64_t> outputPad = im.intsAttribute("output_padding");
  Args args = {std::to_string(weight.shape[1] * groups), pair(w.kernel[0], w.kernel[1]),
               pair(w.stride[0], w.stride[1]), "pad=" + pair(w.pads[0], w.pads[1])};
  if (!outputPad.empty()) {
    if (outputPad.size() != 2)
      im.unsupported("output_padding must have 2 values");
    args.push_back("output_pad=" + pair(outputPad[0], outputPad[1]));
  }
  if (groups != 1)
    args.push_back("groups=" + std::to_string(groups));
  if (w.dilation[0] != 1 || w.dilation[1] != 1)
    args.push_back("dilation=" + pair(w.dilation[0], w.dilation[1]));
  bool bias = im.hasInput(2);
  if (!bias)
    args.push_back("bias=false");
  Constant biasValue;
  int64_t outputChannels = weight.shape[1] * groups;
  if (bias)
    biasValue = checkedBias(im, outputChannels);
  Layer &layer = im.addLayer("conv_t", {x}, args);
  layer.parameters.push_back({"weight", weight});
  if (bias)
    layer.parameters.push_back({"bias", biasValue});
}

void pool(Importer &im, bool max) {
  if (max)
    im.expectAttributes({"kernel_shape", "strides", "pads", "ceil_mode", "auto_pad",
                         "dilations", "storage_order"});
  else
    im.expectAttributes({"kernel_shape", "strides", "pads", "ceil_mode", "auto_pad",
                         "count_include_pad"});
  if (im.node().output_size() > 1 && !im.node().output(1).empty())
    im.unsupported("the Indices output of MaxPool is not supported");
  int x = im.activationInput(0, "X");
  Window w = readWindow(im, im.shapeOf(x), {});
  if (w.dilation[0] != 1 || w.dilation[1] != 1)
    im.unsupported("dilated pooling is not supported");
  // torch.onnx writes avg_pool2d(padding=p) as a Pad and an unpadded
  // AveragePool: the padded zeros are counted, as count_pad=true counts them.
  bool countPad = im.intAttribute("count_include_pad", 0) != 0;
  if (!max && !w.padded()) {
    int before = x;
    x = absorbPad(im, x, w);
    countPad = countPad || x != before;
  }
  checkFits(im, im.shapeOf(x), w);
  if (im.intAttribute("storage_order", 0) != 0)
    im.unsupported("storage_order=1 is not supported");
  bool ceil = im.intAttribute("ceil_mode", 0) != 0;
  for (int i = 0; i < 4; ++i)
    if (w.pads[i] > w.kernel[i % 2] / 2)
      im.unsupported("padding " + w.padText() + " exceeds half the window (PyTorch's rule, "
                     "which the kernels follow)");
  Args args = {pair(w.kernel[0], w.kernel[1]), pair(w.stride[0], w.stride[1])};
  if (w.padded())
    args.push_back("pad=" + w.padText());
  if (ceil)
    args.push_back("ceil=true");
  if (!max && w.padded())
    args.push_back(std::string("count_pad=") + (countPad ? "true" : "false"));
  im.addLayer(max ? "maxpool" : "avgpool", {x}, args);
}

void globalPool(Importer &im, bool max) {
  int x = im.activationInput(0, "X");
  if (im.shapeOf(x).size() != 4)
    im.unsupported("only [N, C, H, W] inputs are supported");
  im.addLayer(max ? "gmp" : "gap", {x}, {});
}

void maxRoiPool(Importer &im) {
  im.expectAttributes({"pooled_shape", "spatial_scale"});
  int x = im.activationInput(0, "X"), rois = im.activationInput(1, "rois");
  std::vector<int64_t> size = im.intsAttribute("pooled_shape");
  if (size.size() != 2)
    im.unsupported("pooled_shape must have 2 values");
  im.addLayer("roi_pool", {x, rois},
              {pair(size[0], size[1]), Importer::number(im.floatAttribute("spatial_scale", 1))});
}

void pad(Importer &im) {
  im.expectAttributes({"mode", "pads", "value"});
  if (im.stringAttribute("mode", "constant") != "constant")
    im.unsupported("only constant padding is supported");
  int x = im.activationInput(0, "data");
  std::vector<int64_t> pads;
  double value = 0;
  if (im.opset() < 11) {
    pads = im.intsAttribute("pads");
    value = im.floatAttribute("value", 0);
  } else {
    pads = im.constantInput(1, "pads").ints();
    if (im.hasInput(2))
      value = im.constantInput(2, "constant_value").values.at(0);
  }
  size_t rank = im.shapeOf(x).size();
  if (std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; }))
    return im.bindActivation(0, x);
  Layer &pending = im.addPending("a Pad is supported only before a convolution, which "
                                 "takes it as its padding");
  pending.operands = {x};
  bool spatialOnly = rank == 4 && pads.size() == 8 && value == 0;
  for (size_t i = 0; spatialOnly && i < 8; ++i)
    spatialOnly = pads[i] >= 0 && (i % 4 >= 2 || pads[i] == 0);
  if (!spatialOnly) {
    pending.pendingReason = "only zero padding of the height and width of [N, C, H, W] is "
                            "supported, before a convolution";
    pending.opType = "PadUnsupported";
    return;
  }
  // [x1_begin.. xn_begin, x1_end.. xn_end] -> [top, left, bottom, right]
  pending.facts = {{"pad0", double(pads[2])}, {"pad1", double(pads[3])},
                   {"pad2", double(pads[6])}, {"pad3", double(pads[7])}};
}

} // namespace cnnc::onnx_import
