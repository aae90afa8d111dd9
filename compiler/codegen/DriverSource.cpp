//===- DriverSource.cpp - a plan as the C source of a compiled model ------===//
//
// The generated file is data: tables the runtime walks. Keeping code out of
// it keeps it quick to compile and leaves one implementation of loading,
// init, timing and the command line, in libcnnrt.
//
//===----------------------------------------------------------------------===//

#include "codegen/DriverSource.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <set>
#include <sstream>

namespace cnnc::codegen {

namespace {

/// A C string literal holding exactly `text`. Names come from model files,
/// so only letters, digits and a few inert characters are written as they
/// are; every other byte is a three-digit octal escape. That leaves no quote,
/// backslash, newline, `?` (trigraphs: `??/` is a backslash in C11) or `*/`
/// in the output, so the literal can end nowhere but at its closing quote,
/// and it is safe inside a comment too.
std::string quoted(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || (c && std::strchr(" _.-:,@#[]()", c))) {
      out += c;
    } else {
      char escape[5];
      std::snprintf(escape, sizeof escape, "\\%03o", byte);
      out += escape;
    }
  }
  return out + "\"";
}

template <typename T> std::string list(const std::vector<T> &values) {
  std::ostringstream os;
  os << "{";
  for (size_t i = 0; i < values.size(); ++i)
    os << (i ? ", " : "") << values[i];
  if (values.empty())
    os << "0";
  os << "}";
  return os.str();
}

std::string bufferRef(const BufferRef &ref) {
  static const char *kinds[] = {"CNNRT_ARENA", "CNNRT_INPUT", "CNNRT_PREPARED"};
  static const char *types[] = {"CNNRT_F32", "CNNRT_U8", "CNNRT_I8", "CNNRT_I32", "CNNRT_BF16"};
  std::ostringstream os;
  os << "{" << kinds[ref.kind] << ", " << ref.index << ", " << ref.byteOffset << ", "
     << ref.extents.size() << ", " << list(ref.extents) << ", " << list(ref.strides) << ", "
     << types[ref.type];
  if (ref.type == BufferRef::U8)
    os << ", " << std::setprecision(17) << ref.scale << ", " << ref.zero;
  os << "}";
  return os.str();
}

void emitIo(const std::vector<ModelIo> &ios, const std::string &name, std::ostream &os) {
  os << "static const cnnrt_io " << name << "[] = {\n";
  for (const ModelIo &io : ios)
    os << "  {" << quoted(io.name) << ", " << io.shape.size() << ", " << list(io.shape) << ", "
       << bufferRef(io.buffer) << "},\n";
  if (ios.empty())
    os << "  {0},\n";
  os << "};\n";
}

} // namespace

void emitDriverSource(const Plan &plan, const std::string &symbol, bool library,
                      std::ostream &os) {
  os << "/* The model " << quoted(plan.model) << ", compiled by cnnc for " << plan.target
     << ". Generated: edit the .cnn file instead. */\n";
  os << "#include \"cnnrt_model.h\"\n\nstruct halide_buffer_t;\n";
  std::string device = deviceApi(plan.target);
  if (!device.empty())
    os << "extern const struct halide_device_interface_t *halide_" << device
       << "_device_interface(void);\n";
  std::set<std::string> declared;
  for (const Step &step : plan.steps)
    if (declared.insert(step.symbol).second) {
      os << "extern int " << step.symbol << "(";
      for (size_t i = 0; i < step.arguments.size(); ++i)
        os << (i ? ", " : "") << "struct halide_buffer_t *";
      os << ");\n";
    }

  os << "\nstatic const cnnrt_parameter parameters[] = {\n";
  for (const Parameter &parameter : plan.parameters)
    os << "  {" << quoted(parameter.name) << ", " << parameter.shape.size() << ", "
       << list(parameter.shape) << ", " << (parameter.computed ? 1 : 0) << "},\n";
  os << "};\n\nstatic const cnnrt_prepared prepared[] = {\n";
  for (const PreparedParameter &prepared : plan.prepared)
    os << "  {" << prepared.parameter << ", "
       << (prepared.permutation.empty() ? 0 : prepared.sourceShape.size()) << ", "
       << list(prepared.sourceShape) << ", " << list(prepared.permutation) << ", "
       << prepared.winograd << ", " << int(prepared.quantize) << ", " << prepared.bias << ", "
       << std::setprecision(17) << prepared.inputScale << ", " << prepared.inputZero << ", "
       << prepared.rowTaps << "},\n";
  if (plan.prepared.empty())
    os << "  {0},\n";
  os << "};\n\nstatic const cnnrt_init_call init[] = {\n";
  for (const InitCall &call : plan.init)
    os << "  {" << (call.function == "fold_batch_norm" ? "CNNRT_FOLD_BATCH_NORM" : "CNNRT_BATCH_NORM_AFFINE")
       << ", " << list(call.parameters) << ", " << list(call.integers) << ", "
       << std::setprecision(17) << call.epsilon << "},\n";
  if (plan.init.empty())
    os << "  {0},\n";
  os << "};\n\n";
  emitIo(plan.inputs, "inputs", os);
  emitIo(plan.outputs, "outputs", os);
  os << "\nstatic const cnnrt_step steps[] = {\n";
  for (const Step &step : plan.steps) {
    os << "  {" << quoted(step.layer) << ", " << quoted(step.op) << ", " << quoted(step.symbol)
       << ", (cnnrt_kernel)" << step.symbol << ", " << step.arguments.size() << ", {";
    for (size_t i = 0; i < step.arguments.size(); ++i)
      os << (i ? ", " : "") << bufferRef(step.arguments[i]);
    os << "}, " << step.multiplyAdds << "},\n";
  }
  os << "};\n\n";
  os << "const cnnrt_model " << symbol << " = {\n  " << quoted(plan.model) << ",\n  "
     << plan.parameters.size() << ", parameters,\n  " << plan.prepared.size() << ", prepared,\n  "
     << plan.init.size() << ", init,\n  " << plan.inputs.size() << ", inputs,\n  "
     << plan.outputs.size() << ", outputs,\n  " << plan.steps.size() << ", steps,\n  "
     << plan.arenaBytes << ",\n  ";
  if (device.empty())
    os << "0, 0,\n  ";
  else
    os << quoted(device) << ", halide_" << device << "_device_interface,\n  ";
  auto optional = [](const std::string &text) { return text.empty() ? "0" : quoted(text); };
  os << optional(plan.defaultWeights) << ",\n  " << optional(plan.preprocess) << ",\n  "
     << quoted("cnnc " CNNC_VERSION " for " + plan.target) << ",\n};\n";
  if (!library)
    os << "\nint main(int argc, char **argv) { return cnnrt_main(&" << symbol
       << ", argc, argv); }\n";
}

void emitLibraryHeader(const Plan &plan, const std::string &symbol, std::ostream &os) {
  std::string guard = symbol + "_H";
  for (char &c : guard)
    c = char(std::toupper(static_cast<unsigned char>(c)));
  os << "/* The model " << quoted(plan.model) << ", compiled by cnnc. Generated. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n#include \"cnnrt_model.h\"\n\n"
     << "/* Open a session on it with cnnrt_session_open(&" << symbol << ", ...).\n";
  for (const ModelIo &io : plan.inputs) {
    os << " * input  " << quoted(io.name) << ": float[";
    for (size_t d = 0; d < io.shape.size(); ++d)
      os << (d ? "][" : "") << io.shape[d];
    os << "] (NCHW)\n";
  }
  for (const ModelIo &io : plan.outputs) {
    os << " * output " << quoted(io.name) << ": float[";
    for (size_t d = 0; d < io.shape.size(); ++d)
      os << (d ? "][" : "") << io.shape[d];
    os << "]\n";
  }
  os << " */\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\nextern const cnnrt_model " << symbol
     << ";\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
}

std::string modelSymbol(const std::string &model) {
  auto plain = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!model.empty() && std::all_of(model.begin(), model.end(), plain))
    return "cnnc_model_" + model;
  // Any other name is spelled out: letters and digits stay, every other
  // byte becomes _xx (its hex value). The prefix differs from the plain
  // names' one, so no two names share a symbol.
  std::string symbol = "cnnc_modelx_";
  for (char c : model) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      symbol += c;
    } else {
      char escape[4];
      std::snprintf(escape, sizeof escape, "_%02x", static_cast<unsigned char>(c));
      symbol += escape;
    }
  }
  return symbol;
}

} // namespace cnnc::codegen
