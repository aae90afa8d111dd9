//===- CalibrateCommand.h - cnnc calibrate ---------------------------------===//

#ifndef CNNC_TOOLS_CALIBRATECOMMAND_H
#define CNNC_TOOLS_CALIBRATECOMMAND_H

#include <string>
#include <vector>

namespace cnnc {

struct CalibrateOptions {
  std::string inputs;      // a directory of .npy files, or a comma-separated list
  std::string method;      // minmax, percentile or entropy
  double percentile = 0;   // 0: the binary's default
  std::string weightsPath; // empty: the binary's default weights
  std::string outputPath;  // the .qparams file
};

/// The sample files `inputs` names, sorted when it is a directory; false
/// with a message on stderr when there are none or one is not a file.
bool calibrationSamples(const std::string &inputs, std::vector<std::string> &samples);

/// Runs the compiled fp32 model at `binary` in its --calibrate mode on the
/// samples, then reads the file it wrote back through the qparams reader.
int calibrate(const std::string &binary, const CalibrateOptions &options);

} // namespace cnnc

#endif // CNNC_TOOLS_CALIBRATECOMMAND_H
