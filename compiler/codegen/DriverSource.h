//===- DriverSource.h - a plan as the C source of a compiled model --------===//

#ifndef CNNC_CODEGEN_DRIVERSOURCE_H
#define CNNC_CODEGEN_DRIVERSOURCE_H

#include "codegen/KernelPlan.h"

#include <ostream>
#include <string>

namespace cnnc::codegen {

/// The model as C data for libcnnrt (cnnrt_model.h): a `const cnnrt_model`
/// named `symbol`, and, unless `library`, a main() that runs it.
void emitDriverSource(const Plan &plan, const std::string &symbol, bool library,
                      std::ostream &os);

/// The C identifier of the model's `cnnrt_model`: cnnc_model_<name> for
/// names of letters, digits and underscores; others are spelled out in hex.
std::string modelSymbol(const std::string &model);

/// The C header of a model built with --lib.
void emitLibraryHeader(const Plan &plan, const std::string &symbol, std::ostream &os);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_DRIVERSOURCE_H
