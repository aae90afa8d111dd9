//===- Summary.cpp - per-layer parameters, shapes and MACs ----------------===//

#include "summary/Summary.h"

#include "cnn/IR/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <set>

namespace cnnc {
namespace {

int64_t elements(mlir::Value value) {
  return value ? llvm::cast<mlir::RankedTensorType>(value.getType()).getNumElements() : 0;
}

llvm::ArrayRef<int64_t> shape(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
}

/// "25,557,032".
std::string grouped(int64_t value) {
  std::string digits = std::to_string(value), result;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      result += ',';
    result += digits[i];
  }
  return result;
}

} // namespace

ModelSummary summarize(mlir::ModuleOp module) {
  ModelSummary summary;
  if (auto name = module->getAttrOfType<mlir::StringAttr>("cnn.model"))
    summary.model = name.str();

  // Statistics read by batch norm are buffers; every other parameter learns.
  std::set<std::string> buffers;
  auto markBuffers = [&](mlir::Value mean, mlir::Value variance) {
    for (mlir::Value stat : {mean, variance})
      if (auto weight = stat.getDefiningOp<cnn::WeightOp>())
        buffers.insert(weight.getName().str());
  };
  module.walk([&](cnn::BatchNormOp bn) { markBuffers(bn.getMean(), bn.getVariance()); });
  module.walk([&](cnn::FoldBatchNormOp fold) {
    markBuffers(fold.getMean(), fold.getVariance());
  });
  module.walk([&](cnn::BatchNormAffineOp affine) {
    markBuffers(affine.getMean(), affine.getVariance());
  });
  std::set<std::string> learned;
  module.walk([&](cnn::ParameterOp parameter) {
    if (!buffers.count(parameter.getSymName().str()) && !parameter.getComputed()) {
      summary.totalParams +=
          llvm::cast<mlir::RankedTensorType>(parameter.getType()).getNumElements();
      learned.insert(parameter.getSymName().str());
    }
  });
  // Layers without a case of their own (layer norm, an arithmetic op on a
  // `learned` tensor) count the learned parameters they read, each once,
  // so that the rows add up to the total.
  std::set<std::string> counted;
  auto countOperands = [&](mlir::Operation *op, LayerSummary &layer) {
    bool first = true;
    for (mlir::Value operand : op->getOperands()) {
      auto weight = operand.getDefiningOp<cnn::WeightOp>();
      if (!weight || !learned.count(weight.getName().str()) ||
          !counted.insert(weight.getName().str()).second)
        continue;
      (first ? layer.weights : layer.biases) += elements(operand);
      first = false;
    }
  };

  // The model's layers; the init function's weight arithmetic is not one.
  cnn::modelFunction(module).walk([&](mlir::Operation *op) {
    if (op->getDialect() == nullptr || op->getName().getDialectNamespace() != "cnn" ||
        llvm::isa<cnn::WeightOp, cnn::ParameterOp>(op))
      return;
    LayerSummary layer;
    layer.name = cnn::layerName(op, "-");
    layer.op = op->getName().stripDialect().str();
    if (op->getNumResults() == 1) {
      auto out = shape(op->getResult(0));
      layer.output.assign(out.begin(), out.end());
    }
    int64_t outputs = op->getNumResults() ? elements(op->getResult(0)) : 0;
    llvm::TypeSwitch<mlir::Operation *>(op)
        .Case<cnn::Conv2DOp, cnn::FusedConv2DOp>([&](auto conv) {
          layer.weights = elements(conv.getWeight());
          layer.biases = elements(conv.getBias());
          // Each output sums (Cin / groups) * kh * kw products.
          auto w = shape(conv.getWeight());
          layer.macs = outputs * w[1] * w[2] * w[3];
        })
        .Case([&](cnn::ConvTranspose2DOp conv) {
          layer.weights = elements(conv.getWeight());
          layer.biases = elements(conv.getBias());
          // Each input element scatters into (Cout / groups) * kh * kw outputs.
          auto w = shape(conv.getWeight());
          layer.macs = elements(conv.getInput()) * w[1] * w[2] * w[3];
        })
        .Case([&](cnn::GemmOp gemm) {
          layer.weights = elements(gemm.getWeight());
          layer.biases = elements(gemm.getBias());
          layer.macs = outputs * shape(gemm.getWeight())[1];
        })
        .Case([&](cnn::DenseOp dense) {
          layer.weights = elements(dense.getWeight());
          layer.biases = elements(dense.getBias());
          layer.macs = outputs * shape(dense.getWeight())[1];
        })
        .Case([&](cnn::MatmulOp matmul) {
          countOperands(matmul, layer); // a learned operand's elements
          layer.macs = outputs * shape(matmul.getLhs()).back();
        })
        .Case([&](cnn::BatchNormOp bn) {
          layer.weights = elements(bn.getScale());
          layer.biases = elements(bn.getShift());
        })
        .Default([&](mlir::Operation *other) { countOperands(other, layer); });
    summary.totalMacs += layer.macs;
    summary.layers.push_back(std::move(layer));
  });
  return summary;
}

void markInt8(ModelSummary &summary, mlir::ModuleOp optimized) {
  std::set<std::string> int8;
  cnn::modelFunction(optimized).walk([&](mlir::Operation *op) {
    if (op->hasAttr("cnn.int8"))
      int8.insert(cnn::layerName(op, "-"));
  });
  for (LayerSummary &layer : summary.layers)
    layer.int8 = int8.count(layer.name) > 0;
  summary.quantized = true;
}

int64_t weightBytes(const ModelSummary &summary, bool int8) {
  int64_t bytes = 0;
  for (const LayerSummary &layer : summary.layers) {
    int64_t channels = layer.output.size() > 1 ? layer.output[1] : 0;
    bytes += int8 && layer.int8 ? layer.weights + 8 * channels : 4 * (layer.weights + layer.biases);
  }
  return bytes;
}

void printTable(const ModelSummary &summary, llvm::raw_ostream &os) {
  size_t nameWidth = 5;
  for (const LayerSummary &layer : summary.layers)
    nameWidth = std::max(nameWidth, layer.name.size());
  auto pad = [](const std::string &text, size_t width) {
    return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
  };
  auto right = [](const std::string &text, size_t width) {
    return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
  };
  os << "model " << summary.model << "\n";
  os << pad("layer", nameWidth) << "  " << pad("op", 20) << pad("output", 20)
     << right("weights", 12) << right("biases", 10) << right("MACs", 16)
     << (summary.quantized ? "  precision" : "") << "\n";
  for (const LayerSummary &layer : summary.layers) {
    std::string output;
    for (size_t i = 0; i < layer.output.size(); ++i)
      output += (i ? "x" : "") + std::to_string(layer.output[i]);
    os << pad(layer.name, nameWidth) << "  " << pad(layer.op, 20) << pad(output, 20)
       << right(grouped(layer.weights), 12) << right(grouped(layer.biases), 10)
       << right(grouped(layer.macs), 16)
       // Only layers with weights have a precision of their own; the rest
       // run in float or inside an int8 kernel they were fused into.
       << (!summary.quantized ? "" : layer.int8 ? "  int8" : layer.weights ? "  float" : "")
       << "\n";
  }
  os << "total params: " << grouped(summary.totalParams)
     << llvm::format(" (%.2f M)", summary.totalParams / 1e6) << "\n";
  os << "total MACs: " << grouped(summary.totalMacs)
     << llvm::format(" (%.2f G)", summary.totalMacs / 1e9) << "\n";
  if (summary.quantized) {
    int64_t layers = 0;
    for (const LayerSummary &layer : summary.layers)
      layers += layer.int8;
    os << llvm::format("weights: %.2f MB in fp32, %.2f MB with int8 (%lld layers int8)\n",
                       weightBytes(summary, false) / 1e6, weightBytes(summary, true) / 1e6,
                       static_cast<long long>(layers));
  }
}

void printJson(const ModelSummary &summary, llvm::raw_ostream &os) {
  llvm::json::OStream json(os, 2);
  json.object([&] {
    json.attribute("model", summary.model);
    json.attributeArray("layers", [&] {
      for (const LayerSummary &layer : summary.layers)
        json.object([&] {
          json.attribute("name", layer.name);
          json.attribute("op", layer.op);
          json.attributeArray("output", [&] {
            for (int64_t d : layer.output)
              json.value(d);
          });
          json.attribute("weights", layer.weights);
          if (summary.quantized)
            json.attribute("int8", layer.int8);
          json.attribute("biases", layer.biases);
          json.attribute("macs", layer.macs);
        });
    });
    json.attribute("total_params", summary.totalParams);
    json.attribute("total_macs", summary.totalMacs);
    if (summary.quantized) {
      json.attribute("weight_bytes_fp32", weightBytes(summary, false));
      json.attribute("weight_bytes_int8", weightBytes(summary, true));
    }
  });
  os << "\n";
}

} // namespace cnnc
