//===- CheckSpec.cpp - the spec's checks, callable without exceptions -----===//

#include "CheckSpec.h"

#include "Spec.h"

namespace cnnc::kernelgen {

bool checkSpec(const std::string &text, SpecProblem &problem) {
  try {
    parseSpec(text);
    return true;
  } catch (const SpecError &error) {
    // "spec line N (symbol): message"
    std::string what = error.what();
    size_t open = what.find(" ("), close = what.find("): ");
    if (what.rfind("spec line ", 0) == 0 && open != std::string::npos &&
        close != std::string::npos && open < close) {
      problem.symbol = what.substr(open + 2, close - open - 2);
      problem.message = what.substr(close + 3);
    } else {
      problem.symbol.clear();
      problem.message = what;
    }
    return false;
  }
}

} // namespace cnnc::kernelgen
