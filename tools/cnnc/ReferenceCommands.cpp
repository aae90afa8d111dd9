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
                     << "': running variance " << llvm::format("%g", values.data[c]) << " at channel " << c
                     << "; it must be a finite number >= 0\n";
        ok = false;
      }
  });
  return ok;
}

/// Input i from one .npy file, or from one image per batch item made by
/// `spec` (the compiled program's readers, cnnrt_image.h).
bool loadInput(mlir::func::FuncOp function, unsigned i, const std::vector<std::string> &paths,
               const cnnrt_preprocess &spec, Tensor &tensor) {
  auto want = llvm::cast<mlir::RankedTensorType>(function.getArgument(i).getType()).getShape();
  tensor = Tensor(std::vector<int64_t>(want.begin(), want.end()));
  char error[512];
  if (cnnrt_is_image_file(paths.front().c_str())) {
    if (want.size() != 4 || int64_t(paths.size()) != want[0]) {
      llvm::errs() << "cnnc: input '" << inputName(function, i) << "' " << tensor.shapeString()
                   << " takes one image per batch item; " << paths.size() << " given\n";
      return false;
    }
    size_t perImage = tensor.size() / paths.size();
    std::vector<float> pixels(perImage);
    for (size_t k = 0; k < paths.size(); ++k) {
      cnnrt_image image;
      int status = cnnrt_image_read(paths[k].c_str(), &image, error, sizeof error);
      if (!status)
        status = cnnrt_preprocess_image(&image, &spec, paths[k].c_str(), int(want[1]),
                                        int(want[2]), int(want[3]), pixels.data(), error,
                                        sizeof error);
      cnnrt_image_free(&image);
      std::copy(pixels.begin(), pixels.end(), tensor.data.begin() + k * perImage);
      if (status) {
        llvm::errs() << "cnnc: input '" << inputName(function, i) << "': " << error << "\n";
        return false;
      }
    }
    return true;
  }
  if (paths.size() != 1) {
    llvm::errs() << "cnnc: input '" << inputName(function, i) << "': " << paths.size()
                 << " files given; a tensor input takes one .npy file\n";
    return false;
  }
  int rank = 0;
  int64_t shape[CNNRT_MAX_RANK];
  float *data = nullptr;
  const char *converted = nullptr;
  if (cnnrt_npy_read(paths[0].c_str(), &rank, shape, &data, &converted, error, sizeof error) !=
      CNNRT_OK) {
    llvm::errs() << "cnnc: input '" << inputName(function, i) << "': " << error << "\n";
    return false;
  }
  if (llvm::ArrayRef<int64_t>(shape, rank) != want) {
    Tensor found(std::vector<int64_t>(shape, shape + rank));
    llvm::errs() << "cnnc: input '" << inputName(function, i) << "' (" << paths[0]
                 << ") has shape " << found.shapeString() << ", expected "
                 << tensor.shapeString() << "\n";
    free(data);
    return false;
  }
  if (converted)
    llvm::errs() << "cnnc: " << paths[0] << ": " << converted << ", converted to float32\n";
  std::copy_n(data, tensor.size(), tensor.data.begin());
  free(data);
  return true;
}

/// The --input files: all of them for a model of one input (a batch of
/// images), else one per input in order.
bool loadInputs(mlir::func::FuncOp function, const std::vector<std::string> &paths,
                const cnnrt_preprocess &spec, std::vector<Tensor> &inputs) {
  unsigned expected = function.getNumArguments();
  if (expected != 1 && paths.size() != expected) {
    llvm::errs() << "cnnc: the model takes " << expected << " inputs (";
    for (unsigned i = 0; i < expected; ++i)
      llvm::errs() << (i ? ", " : "") << inputName(function, i);
    llvm::errs() << "), but " << paths.size() << " --input "
                 << (paths.size() == 1 ? "was" : "were") << " given\n";
    return false;
  }
  for (unsigned i = 0; i < expected; ++i) {
    Tensor tensor;
    std::vector<std::string> mine =
        expected == 1 ? paths : std::vector<std::string>{paths[i]};
    if (!loadInput(function, i, mine, spec, tensor))
      return false;
    inputs.push_back(std::move(tensor));
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
  else if (!loadInputs(function, options.inputPaths, spec, inputs))
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
  if (!options.outputPaths.empty() && options.outputPaths.size() != outputs) {
    llvm::errs() << "cnnc: the model has " << outputs << " output"
                 << (outputs == 1 ? "" : "s") << ", but " << options.outputPaths.size()
                 << " --output " << (options.outputPaths.size() == 1 ? "was" : "were")
                 << " given\n";
    return 1;
  }

  reference::Interpreter interpreter(parameters);
  interpreter.initialize(module);
  std::vector<Tensor> results = interpreter.run(function, std::move(inputs));
  for (unsigned i = 0; i < results.size(); ++i) {
    const Tensor &t = results[i];
    if (!options.outputPaths.empty()) {
      char error[512];
      std::vector<float> values(t.data.begin(), t.data.end());
      if (cnnrt_npy_write_f32(options.outputPaths[i].c_str(), int(t.shape.size()),
                              t.shape.data(), values.data(), error,
                              sizeof error) != CNNRT_OK) {
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
    std::string name = "output " + std::to_string(i);
    if (auto attr = function.getResultAttrOfType<mlir::StringAttr>(i, "cnn.name"))
      name = attr.str();
    llvm::outs() << name << " " << t.shapeString() << ": mean "
                 << llvm::format("%.6g", sum / t.size()) << ", rms "
                 << llvm::format("%.6g", std::sqrt(squares / t.size())) << ", max "
                 << llvm::format("%.6g", t.data[best]) << " at flat index " << best << "\n";
  }
  return 0;
}

} // namespace cnnc
