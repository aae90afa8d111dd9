//===- QuantizeReport.h - cnnc quantize-report -----------------------------===//

#ifndef CNNC_TOOLS_QUANTIZEREPORT_H
#define CNNC_TOOLS_QUANTIZEREPORT_H

#include <functional>
#include <string>
#include <vector>

namespace cnnc {

struct QuantizeReportOptions {
  std::string inputs;                 // the samples: a directory of .npy files, or a,b,c.npy
  std::string weightsPath;            // empty: the binaries' default weights
  int outputCount = 1;                // the model's outputs
  int profileRuns = 20;               // runs of each binary's --profile, on one thread
  std::vector<std::string> keepFloat; // as the int8 binary was built
  /// Above 0: keep int8 layers in float, the worst first, until the
  /// outputs' relative L2 error against fp32 is at most this.
  double maxError = 0;
};

/// Rebuilds the int8 binary at `binary` with these layers kept in float.
using Int8Builder =
    std::function<bool(const std::vector<std::string> &keepFloat, const std::string &binary)>;

/// Runs the fp32 and the int8 binary of one model on every sample with
/// --dump-layers and prints, per layer, the SQNR of the int8 model's output
/// against the fp32 model's (over all samples), each binary's time for it
/// (--profile on one thread) and the time int8 saves; then the SQNR of the
/// model's outputs. With maxError, first searches (rebuilding through
/// `rebuild`) for the layers to keep in float, and says which.
int quantizeReport(const std::string &fp32Binary, const std::string &int8Binary,
                   const Int8Builder &rebuild, const QuantizeReportOptions &options);

} // namespace cnnc

#endif // CNNC_TOOLS_QUANTIZEREPORT_H
