//===- QuantizeReport.h - cnnc quantize-report -----------------------------===//

#ifndef CNNC_TOOLS_QUANTIZEREPORT_H
#define CNNC_TOOLS_QUANTIZEREPORT_H

#include <string>

namespace cnnc {

struct QuantizeReportOptions {
  std::string inputs;      // the samples: a directory of .npy files, or a,b,c.npy
  std::string weightsPath; // empty: the binaries' default weights
  int outputCount = 1;     // the model's outputs
  int profileRuns = 20;    // runs of each binary's --profile, on one thread
};

/// Runs the fp32 and the int8 binary of one model on every sample with
/// --dump-layers and prints, per layer, the SQNR of the int8 model's output
/// against the fp32 model's (over all samples), each binary's time for it
/// (--profile on one thread) and the time int8 saves; then the SQNR of the
/// model's outputs.
int quantizeReport(const std::string &fp32Binary, const std::string &int8Binary,
                   const QuantizeReportOptions &options);

} // namespace cnnc

#endif // CNNC_TOOLS_QUANTIZEREPORT_H
