//===- ReferenceCommands.cpp - cnnc weights and cnnc run ------------------===//
//
// Both speak to files through libcnnrt, the same code a compiled model uses,
// so its errors (missing tensor, wrong shape, bad .npy) read the same here.
//
//===----------------------------------------------------------------------===//

#include "ReferenceCommands.h"

#include "reference/Interpreter.h"
#include "reference/RandomWeights.h"

#include "cnnrt.h"
#include "cnnrt_image.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace cnnc {
namespace {

using reference::Tensor;

/// Names of the parameters the weights file holds (not the computed ones),
/// in declaration order.
std::vector<std::string> parameterNames(mlir::ModuleOp module) {
  std::vector<std::string> names;
  module.walk([&](cnn::ParameterOp p) {
    if (!p.getComputed())
      names.push_back(p.getSymName().str());
  });
  return names;
}

std::string inputName(mlir::func::FuncOp function, unsigned i) {
  if (auto name = function.getArgAttrOfType<mlir::StringAttr>(i, "cnn.name"))
    return name.str();
  return "input " + std::to_string(i);
}

bool loadWeights(mlir::ModuleOp module, const std::string &path,
                 reference::Parameters &parameters) {
  char error[512];
  cnnrt_weights *weights = nullptr;
  if (cnnrt_weights_open(path.c_str(), &weights, error, sizeof error) != CNNRT_OK) {
    llvm::errs() << "cnnc: " << error << "\n";
    return false;
  }
  std::vector<std::string> names = parameterNames(module);
  std::vector<const char *> cnames;
  for (const std::string &name : names)
    cnames.push_back(name.c_str());
  bool ok = cnnrt_weights_expect_names(weights, cnames.size(), cnames.data(), error,
                                       sizeof error) == CNNRT_OK;
  if (ok)
    module.walk([&](cnn::ParameterOp p) {
      if (!ok || p.getComputed())
        return;
      auto shape = llvm::cast<mlir::RankedTensorType>(p.getType()).getShape();
      Tensor t(std::vector<int64_t>(shape.begin(), shape.end()));
      const float *data = nullptr;
      ok = cnnrt_weights_get_f32(weights, p.getSymName().str().c_str(), int(shape.size()),
                                 shape.data(), &data, error, sizeof error) == CNNRT_OK;
      if (ok) {
        std::copy_n(data, t.size(), t.data.begin());
        parameters[p.getSymName().str()] = std::move(t);
      }
    });
  cnnrt_weights_close(weights);
  if (!ok) {
    llvm::errs() << "cnnc: " << error << "\n";
    return false;
  }
  // A running variance below zero (or NaN) is a corrupt file: it would give
  // plausible outputs, so it is refused, as the compiled model refuses it.
  module.walk([&](cnn::BatchNormOp bn) {
    auto variance = bn.getVariance().getDefiningOp<cnn::WeightOp>();
    if (!ok || !variance || !parameters.count(variance.getName().str()))
      return;
    const Tensor &values = parameters.at(variance.getName().str());
    for (size_t c = 0; ok && c < values.data.size(); ++c)
      if (!(values.data[c] >= 0) || std::isinf(values.data[c])) {
        llvm::errs() << "cnnc: " << path << ": tensor '" << variance.getName()
                     << "': running variance " << llvm::format("%g", values.data[c])
                     << " at channel " << c << "; it must be a finite number >= 0\n";
        ok = false;
      }
  });
  return ok;
}

/// The --input files, read as a compiled program reads them (cnnrt_image.h):
/// NAME=PATH, a bare .npz by input name, a batch of images for the only
/// input, else one per input in order.
bool loadInputs(mlir::func::FuncOp function, const std::vector<std::string> &paths,
                const cnnrt_preprocess &spec, bool quiet, std::vector<Tensor> &inputs) {
  unsigned count = function.getNumArguments();
  std::vector<std::string> names(count);
  std::vector<cnnrt_io> ios(count);
  for (unsigned i = 0; i < count; ++i) {
    auto shape = llvm::cast<mlir::RankedTensorType>(function.getArgument(i).getType()).getShape();
    if (shape.size() > CNNRT_MAX_DIMS) {
      llvm::errs() << "cnnc: input '" << inputName(function, i) << "' has rank " << shape.size()
                   << "; at most " << CNNRT_MAX_DIMS << " are read from files\n";
      return false;
    }
    names[i] = inputName(function, i);
    ios[i] = cnnrt_io{};
    ios[i].name = names[i].c_str();
    ios[i].rank = int(shape.size());
    std::copy(shape.begin(), shape.end(), ios[i].shape);
  }
  std::vector<const char *> values;
  for (const std::string &path : paths)
    values.push_back(path.c_str());
  std::vector<std::vector<const char *>> assigned(count,
                                                  std::vector<const char *>(values.size() + 1));
  std::vector<const char **> slots;
  for (std::vector<const char *> &slot : assigned)
    slots.push_back(slot.data());
  std::vector<int> counts(count);
  char error[512], note[512];
  if (cnnrt_assign_inputs(ios.data(), int(count), values.data(), int(values.size()), slots.data(),
                          counts.data(), error, sizeof error) != CNNRT_OK) {
    llvm::errs() << "cnnc: " << error << "\n";
    return false;
  }
  for (unsigned i = 0; i < count; ++i) {
    Tensor tensor(std::vector<int64_t>(ios[i].shape, ios[i].shape + ios[i].rank));
    std::vector<float> values(tensor.size());
    if (cnnrt_read_input(&ios[i], count == 1, slots[i], counts[i], &spec, values.data(), note,
                         sizeof note, error, sizeof error) != CNNRT_OK) {
      llvm::errs() << "cnnc: " << error << "\n";
      return false;
    }
    if (note[0] && !quiet)
      llvm::errs() << "cnnc: " << note << "\n";
    std::copy(values.begin(), values.end(), tensor.data.begin());
    inputs.push_back(std::move(tensor));
  }
  return true;
}

/// Every output in one .npz, each under its name.
bool writeArchive(const std::string &path, const std::vector<std::string> &names,
                  const std::vector<Tensor> &results) {
  std::vector<const char *> cnames;
  std::vector<int> ranks;
  std::vector<const int64_t *> shapes;
  std::vector<std::vector<float>> values;
  std::vector<const float *> data;
  for (size_t i = 0; i < results.size(); ++i) {
    cnames.push_back(names[i].c_str());
    ranks.push_back(int(results[i].shape.size()));
    shapes.push_back(results[i].shape.data());
    values.emplace_back(results[i].data.begin(), results[i].data.end());
  }
  for (const std::vector<float> &v : values)
    data.push_back(v.data());
  char error[512];
  if (cnnrt_npz_write(path.c_str(), results.size(), cnames.data(), ranks.data(), shapes.data(),
                      data.data(), error, sizeof error) != CNNRT_OK) {
    llvm::errs() << "cnnc: " << error << "\n";
    return false;
  }
  return true;
}

} // namespace

int writeRandomWeights(mlir::ModuleOp module, const ReferenceOptions &options,
                       const std::string &outputPath) {
  mlir::func::FuncOp function = cnn::modelFunction(module);
  reference::Parameters parameters = reference::randomParameters(
      module, options.seed, reference::randomInputs(function, options.seed));
  std::vector<std::string> names = parameterNames(module);
  std::vector<const char *> cnames;
  std::vector<int> ranks;
  std::vector<const int64_t *> shapes;
  std::vector<std::vector<float>> values;
  std::vector<const float *> data;
  for (const std::string &name : names) {
    const Tensor &t = parameters.at(name);
    cnames.push_back(name.c_str());
    ranks.push_back(int(t.shape.size()));
    shapes.push_back(t.shape.data());
    values.emplace_back(t.data.begin(), t.data.end());
  }
  for (const std::vector<float> &v : values)
    data.push_back(v.data());
  char error[512];
  if (cnnrt_weights_write(outputPath.c_str(), names.size(), cnames.data(), ranks.data(),
                          shapes.data(), data.data(), error, sizeof error) != CNNRT_OK) {
    llvm::errs() << "cnnc: " << error << "\n";
    return 1;
  }
  return 0;
}

bool checkWeightsFile(mlir::ModuleOp module, const std::string &path) {
  reference::Parameters parameters;
  return loadWeights(module, path, parameters);
}

int runReference(mlir::ModuleOp module, const ReferenceOptions &options) {
  mlir::func::FuncOp function = cnn::modelFunction(module);
  cnnrt_preprocess spec;
  cnnrt_preprocess_default(&spec);
  char error[512];
  if (!options.preprocess.empty() &&
      cnnrt_preprocess_parse(options.preprocess.c_str(), &spec, error, sizeof error)) {
    llvm::errs() << "cnnc: " << error << "\n";
    return 1;
  }
  std::vector<Tensor> inputs;
  if (options.inputPaths.empty())
    inputs = reference::randomInputs(function, options.seed);
  else if (!loadInputs(function, options.inputPaths, spec, options.quiet, inputs))
    return 1;

  reference::Parameters parameters;
  if (options.weightsPath.empty() && !parameterNames(module).empty() && !options.quiet)
    llvm::errs() << "cnnc run: running with seeded random weights (seed " << options.seed
                 << "); pass --weights w.safetensors\n";
  if (options.weightsPath.empty())
    parameters = reference::randomParameters(module, options.seed,
                                             reference::randomInputs(function, options.seed));
  else if (!loadWeights(module, options.weightsPath, parameters))
    return 1;

  unsigned outputs = function.getNumResults();
  bool archive =
      options.outputPaths.size() == 1 && cnnrt_is_npz_path(options.outputPaths[0].c_str());
  if (!options.outputPaths.empty() && !archive && options.outputPaths.size() != outputs) {
    llvm::errs() << "cnnc: the model has " << outputs << " output" << (outputs == 1 ? "" : "s")
                 << ", but " << options.outputPaths.size() << " --output "
                 << (options.outputPaths.size() == 1 ? "was" : "were")
                 << " given (one --output y.npz takes them all by name)\n";
    return 1;
  }

  reference::Interpreter interpreter(parameters);
  interpreter.initialize(module);
  std::vector<Tensor> results = interpreter.run(function, std::move(inputs));
  std::vector<std::string> names;
  for (unsigned i = 0; i < results.size(); ++i) {
    auto attr = function.getResultAttrOfType<mlir::StringAttr>(i, "cnn.name");
    names.push_back(attr ? attr.str() : "output " + std::to_string(i));
  }
  if (archive)
    return writeArchive(options.outputPaths[0], names, results) ? 0 : 1;
  for (unsigned i = 0; i < results.size(); ++i) {
    const Tensor &t = results[i];
    if (!options.outputPaths.empty()) {
      char error[512];
      std::vector<float> values(t.data.begin(), t.data.end());
      if (cnnrt_npy_write_f32(options.outputPaths[i].c_str(), int(t.shape.size()), t.shape.data(),
                              values.data(), error, sizeof error) != CNNRT_OK) {
        llvm::errs() << "cnnc: " << error << "\n";
        return 1;
      }
      continue;
    }
    double sum = 0, squares = 0;
    size_t best = 0;
    for (size_t j = 0; j < t.size(); ++j) {
      sum += t.data[j];
      squares += double(t.data[j]) * t.data[j];
      if (t.data[j] > t.data[best])
        best = j;
    }
    llvm::outs() << names[i] << " " << t.shapeString() << ": mean "
                 << llvm::format("%.6g", sum / t.size()) << ", rms "
                 << llvm::format("%.6g", std::sqrt(squares / t.size())) << ", max "
                 << llvm::format("%.6g", t.data[best]) << " at flat index " << best << "\n";
  }
  return 0;
}

} // namespace cnnc
