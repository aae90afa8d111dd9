//===- RandomWeights.cpp - seeded parameters and inputs for a model -------===//

#include "reference/RandomWeights.h"

#include "cnnrt.h"

#include <cmath>
#include <map>
#include <set>
#include <random>

namespace cnnc::reference {
namespace {

/// FNV-1a: a name hash that is the same on every platform and run.
uint64_t hashName(llvm::StringRef name, uint64_t seed) {
  uint64_t hash = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

enum class Role {
  ConvWeight, DenseWeight, Bias, Scale, ResidualScale, Shift, Mean, Variance, Other
};

/// A batch norm whose output goes straight into a residual sum.
bool endsResidualBranch(cnn::BatchNormOp bn) {
  return llvm::any_of(bn->getUsers(), [](mlir::Operation *user) {
    return llvm::isa<cnn::AddOp>(user);
  });
}

/// What a parameter is, from the first op that reads it.
Role roleOf(cnn::WeightOp weight, double &fanIn) {
  for (mlir::OpOperand &use : weight.getResult().getUses()) {
    mlir::Operation *user = use.getOwner();
    unsigned index = use.getOperandNumber();
    auto shape = llvm::cast<mlir::RankedTensorType>(weight.getType()).getShape();
    if (auto conv = llvm::dyn_cast<cnn::Conv2DOp>(user)) {
      fanIn = double(shape[1] * shape[2] * shape[3]);
      return index == 1 ? Role::ConvWeight : Role::Bias;
    }
    if (auto conv = llvm::dyn_cast<cnn::ConvTranspose2DOp>(user)) {
      // Each output sums about Cin/groups * kh * kw / (sh * sw) products.
      auto stride = conv.getStride();
      fanIn = double(shape[0] / conv.getGroups() * shape[2] * shape[3]) /
              double(stride[0] * stride[1]);
      return index == 1 ? Role::ConvWeight : Role::Bias;
    }
    if (llvm::isa<cnn::DenseOp>(user)) {
      fanIn = double(shape[1]);
      return index == 1 ? Role::DenseWeight : Role::Bias;
    }
    if (auto bn = llvm::dyn_cast<cnn::BatchNormOp>(user))
      return index == 1   ? (endsResidualBranch(bn) ? Role::ResidualScale : Role::Scale)
             : index == 2 ? Role::Shift
             : index == 3 ? Role::Mean
                          : Role::Variance;
  }
  return Role::Other;
}

/// Inputs the batch-norm statistics are averaged over.
constexpr int calibrationPasses = 3;

} // namespace

std::vector<Tensor> randomInputs(mlir::func::FuncOp function, uint64_t seed) {
  std::mt19937_64 rng(hashName("inputs", seed));
  std::vector<Tensor> inputs;
  int64_t imageH = 1, imageW = 1;
  for (mlir::BlockArgument argument : function.getArguments()) {
    auto shape = llvm::cast<mlir::RankedTensorType>(argument.getType()).getShape();
    Tensor t(std::vector<int64_t>(shape.begin(), shape.end()));
    bool boxes = llvm::any_of(argument.getUses(), [](mlir::OpOperand &use) {
      return llvm::isa<cnn::RoiPoolOp>(use.getOwner()) && use.getOperandNumber() == 1;
    });
    if (boxes) {
      // [batch index, x1, y1, x2, y2] with the corners inside the image.
      std::uniform_real_distribution<double> x(0, double(imageW - 1)), y(0, double(imageH - 1));
      for (int64_t r = 0; r < t.dim(0); ++r) {
        double xa = x(rng), xb = x(rng), ya = y(rng), yb = y(rng);
        double *row = &t.data[r * 5];
        row[0] = 0;
        row[1] = float(std::min(xa, xb));
        row[2] = float(std::min(ya, yb));
        row[3] = float(std::max(xa, xb));
        row[4] = float(std::max(ya, yb));
      }
    } else {
      // The compiled program's generator, so that `cnnc run` and a program
      // given the same --seed run on the same input.
      std::vector<float> values(t.size());
      cnnrt_random_input(seed, int(argument.getArgNumber()), values.data(), values.size());
      std::copy(values.begin(), values.end(), t.data.begin());
      if (shape.size() == 4) {
        imageH = shape[2];
        imageW = shape[3];
      }
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

Parameters randomParameters(mlir::ModuleOp module, uint64_t seed,
                            const std::vector<Tensor> &calibrationInputs) {
  Parameters parameters;
  std::set<std::string> computed;
  module.walk([&](cnn::ParameterOp p) {
    if (p.getComputed())
      computed.insert(p.getSymName().str());
  });
  module.walk([&](cnn::WeightOp weight) {
    std::string name = weight.getName().str();
    if (parameters.count(name) || computed.count(name))
      return;
    auto shape = llvm::cast<mlir::RankedTensorType>(weight.getType()).getShape();
    Tensor t(std::vector<int64_t>(shape.begin(), shape.end()));
    std::mt19937_64 rng(hashName(name, seed));
    double fanIn = 1;
    Role role = roleOf(weight, fanIn);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // Every value is rounded to float32, as the weights file stores it.
    for (double &v : t.data) {
      switch (role) {
      case Role::ConvWeight:
      case Role::DenseWeight: v = float(normal(rng) * std::sqrt(2.0 / fanIn)); break;
      case Role::Bias: v = float(0.2 * unit(rng) - 0.1); break;
      case Role::Scale: v = float(0.5 + unit(rng)); break;
      // Small, as training leaves them (and as zero-init-residual starts
      // them): a deep stack of blocks each adding a full-size branch is
      // chaotic, and would amplify float32 rounding past any tolerance.
      case Role::ResidualScale: v = float(0.02 + 0.06 * unit(rng)); break;
      case Role::Shift: v = float(0.4 * unit(rng) - 0.2); break;
      case Role::Mean: v = 0; break;
      case Role::Variance: v = 1; break;
      case Role::Other: v = float(0.1 * normal(rng)); break;
      }
    }
    parameters[name] = std::move(t);
  });
  // A declared parameter no op reads still belongs in the weights file.
  module.walk([&](cnn::ParameterOp parameter) {
    std::string name = parameter.getSymName().str();
    if (parameter.getComputed() || parameters.count(name))
      return;
    auto shape = llvm::cast<mlir::RankedTensorType>(parameter.getType()).getShape();
    Tensor t(std::vector<int64_t>(shape.begin(), shape.end()));
    std::mt19937_64 rng(hashName(name, seed));
    std::normal_distribution<double> normal(0.0, 1.0);
    for (double &v : t.data)
      v = float(0.1 * normal(rng));
    parameters[name] = std::move(t);
  });

  bool hasBatchNorm = false;
  module.walk([&](cnn::BatchNormOp) { hasBatchNorm = true; });
  if (!hasBatchNorm) {
    // An optimised module's folded parameters come from these.
    Interpreter(parameters).initialize(module);
    return parameters;
  }

  // Statistics accumulate over several seeded inputs: with one input, a
  // late layer with a 2x2 feature map would be calibrated on 4 values and
  // fit no other input. Each pass normalises with the averages so far.
  struct Moments {
    std::vector<double> sum, squares;
    double count = 0;
  };
  std::map<std::string, Moments> moments;
  Interpreter interpreter(parameters);
  interpreter.beforeBatchNorm = [&](cnn::BatchNormOp bn, const Tensor &input) {
    auto mean = bn.getMean().getDefiningOp<cnn::WeightOp>();
    auto variance = bn.getVariance().getDefiningOp<cnn::WeightOp>();
    if (!mean || !variance)
      return;
    int64_t N = input.dim(0), C = input.dim(1), P = 1;
    for (size_t d = 2; d < input.shape.size(); ++d)
      P *= input.shape[d];
    Moments &m = moments[mean.getName().str()];
    m.sum.resize(C);
    m.squares.resize(C);
    m.count += double(N * P);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t p = 0; p < P; ++p) {
          double v = input.data[(n * C + c) * P + p];
          m.sum[c] += v;
          m.squares[c] += v * v;
        }
    Tensor &means = parameters[mean.getName().str()];
    Tensor &variances = parameters[variance.getName().str()];
    std::mt19937_64 rng(hashName(mean.getName(), seed + 1));
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> jitter(0.9, 1.1);
    std::vector<double> mus(C), vars(C);
    double typical = 0;
    for (int64_t c = 0; c < C; ++c) {
      mus[c] = m.sum[c] / m.count;
      vars[c] = std::max(0.0, m.squares[c] / m.count - mus[c] * mus[c]);
      typical += vars[c] / double(C);
    }
    for (int64_t c = 0; c < C; ++c) {
      // A little off the exact statistics, as trained ones are. The floors
      // keep the network well conditioned, so float32 rounding is not
      // amplified past any tolerance: a channel nearly constant on the
      // calibration inputs (a rarely active ReLU) would otherwise get a huge
      // gain, and one whose spread is tiny next to its mean would lose its
      // precision when the mean is subtracted.
      double var = std::max(vars[c], 0.1 * typical);
      means.data[c] = float(mus[c] + 0.1 * std::sqrt(var) * normal(rng));
      variances.data[c] = float(var * jitter(rng) + 0.1 * mus[c] * mus[c] + 1e-5);
    }
  };
  mlir::func::FuncOp function = cnn::modelFunction(module);
  interpreter.initialize(module);
  for (int pass = 0; pass < calibrationPasses; ++pass)
    interpreter.run(function, pass == 0 ? calibrationInputs
                                        : randomInputs(function, seed + 1000 + pass));
  return parameters;
}

} // namespace cnnc::reference
