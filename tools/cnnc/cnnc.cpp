//===- cnnc.cpp - the cnn compiler driver ---------------------------------===//
//
// `cnnc model.cnn` elaborates a model into the cnn dialect; --emit picks the
// stage to print. `cnnc summary model.cnn` prints its layers, parameters and
// MACs. Stages are added here as the compiler grows, and --help lists only
// those that exist.
//
//===----------------------------------------------------------------------===//

#include "CalibrateCommand.h"
#include "QuantizeReport.h"
#include "OnnxCommands.h"
#include "ReferenceCommands.h"

#include "codegen/Build.h"
#include "codegen/KernelPlan.h"
#include "support/WriteFile.h"

#include "cnnrt.h"
#include "cnnrt_image.h"

#include "cnn/IR/CnnDialect.h"
#include "cnn/Transforms/Passes.h"
#include "driver/ModelLoading.h"
#include "driver/OutputPath.h"
#include "frontend/Elaborator.h"
#include "frontend/Parser.h"
#include "summary/Dot.h"
#include "summary/Summary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "support/ReadFile.h"

#include <algorithm>
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <iostream>
#include <sstream>

namespace cl = llvm::cl;

namespace {
enum class Emit { Ast, Cnn, Opt, Dot, DotOpt, Plan, HalideStmt, Asm, Obj, Exe };

cl::OptionCategory category("cnnc options");
cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.cnn | model.onnx | model.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("path"), cl::init("-"),
                                cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("The stage to print"),
    cl::values(clEnumValN(Emit::Ast, "ast", "the syntax tree of a .cnn file"),
               clEnumValN(Emit::Cnn, "cnn", "the cnn dialect, verified"),
               clEnumValN(Emit::Opt, "opt", "the cnn dialect after the optimisation passes"),
               clEnumValN(Emit::Dot, "dot", "the cnn dialect as a Graphviz graph (-o x.svg "
                                            "renders it)"),
               clEnumValN(Emit::DotOpt, "dot-opt", "the optimised graph: kernels as clusters "
                                                   "of the layers they replaced, arena offsets"),
               clEnumValN(Emit::Plan, "plan", "the kernel spec and the kernel calls"),
               clEnumValN(Emit::HalideStmt, "halide-stmt", "each kernel's lowered Halide"),
               clEnumValN(Emit::Asm, "asm", "each kernel's assembly"),
               clEnumValN(Emit::Obj, "obj", "one relocatable object: driver and kernels"),
               clEnumValN(Emit::Exe, "exe", "the model as a program (the default with -o "
                                            "unless the name ends in .mlir)")),
    cl::cat(category));
cl::opt<std::string> target("target",
                            cl::desc("What to compile for: host (default), x86-avx512, "
                                     "x86-avx2, cuda, cuda-NN (a CUDA capability), "
                                     "opencl, or a Halide target string"),
                            cl::init("host"), cl::cat(category));
cl::opt<std::string> tuningDatabase("tuning-db",
                                    cl::desc("Schedules that replace the heuristic's"),
                                    cl::value_desc("file"), cl::cat(category));
cl::opt<int> tuningThreads("tuning-threads",
                           cl::desc("The thread count whose --tuning-db schedules to use "
                                    "(default: one per core, as the binary runs)"),
                           cl::init(0), cl::cat(category));
cl::opt<bool> noWinograd("no-winograd",
                         cl::desc("Direct 3x3 convolutions only: no Winograd F(4x4, 3x3), "
                                  "whose rounding differs slightly"),
                         cl::cat(category));
cl::opt<bool> library("lib", cl::desc("With -o libmodel.a: a static library and a C header"),
                      cl::cat(category));
cl::opt<std::string> cacheDirectory("cache-dir",
                                    cl::desc("The kernel cache (default: $CNNC_CACHE_DIR or "
                                             "~/.cache/cnnc/kernels)"),
                                    cl::cat(category));
cl::opt<int> jobs("j", cl::desc("Kernels generated at once (default: one per core)"),
                  cl::init(0), cl::cat(category));
cl::opt<bool> verbose("v", cl::desc("Time each phase of code generation"), cl::cat(category));
cl::opt<bool> quiet("q", cl::desc("No notes on stderr (random weights, the kernel generator's "
                                  "count and progress); errors still print"),
                    cl::cat(category));
cl::list<std::string> params("param",
                             cl::desc("Override a model param, e.g. --param width=1.1"),
                             cl::value_desc("name=value"), cl::cat(category));
cl::opt<bool> remarks("remarks",
                      cl::desc("Say what each pass fused, folded or lowered, and what "
                               "it did not and why, at the .cnn line"),
                      cl::cat(category));
cl::opt<bool> json("json", cl::desc("cnnc summary: print JSON"), cl::cat(category));
cl::opt<uint64_t> seed("seed", cl::desc("cnnc weights, cnnc run: the random seed"),
                       cl::init(1), cl::cat(category));
cl::opt<std::string> weightsPath("weights",
                                 cl::desc("The weights: compiling, the file the program loads "
                                          "when its command line names none (checked now, "
                                          "recorded by absolute path); cnnc run: the weights "
                                          "(default: seeded random)"),
                                 cl::value_desc("w.safetensors"), cl::cat(category));
cl::opt<std::string> preprocessSpec("preprocess",
                                    cl::desc("How the program makes an image file into its "
                                             "input, e.g. imagenet or resize=256,crop=224,"
                                             "mean=...,std=...,layout=rgb (docs/runtime.md); "
                                             "recorded in the program"),
                                    cl::value_desc("spec"), cl::cat(category));
cl::list<std::string> inputPaths("input",
                                 cl::desc("cnnc run: an input, once per model input "
                                          "(default: seeded random)"),
                                 cl::value_desc("x.npy"), cl::cat(category));
cl::list<std::string> outputPaths("output",
                                  cl::desc("cnnc run: where to write an output, once per "
                                           "model output"),
                                  cl::value_desc("y.npy"), cl::cat(category));

cl::list<std::string> inputShapes("input-shape",
                                  cl::desc("An .onnx input's sizes where the file leaves "
                                           "them symbolic, e.g. --input-shape image=1x3x224x224"),
                                  cl::value_desc("name=NxCxHxW"), cl::cat(category));

cl::opt<std::string> calibrationInputs("inputs",
                                       cl::desc("cnnc calibrate: the samples, a directory of "
                                                ".npy files or a,b,c.npy"),
                                       cl::value_desc("dir|files"), cl::cat(category));
cl::opt<std::string> calibrationMethod("method",
                                       cl::desc("cnnc calibrate: minmax, percentile "
                                                "(default) or entropy"),
                                       cl::init("percentile"), cl::cat(category));
cl::opt<double> calibrationPercentile("percentile",
                                      cl::desc("cnnc calibrate --method=percentile: the "
                                               "percentile of |x| kept (default 99.99)"),
                                      cl::init(0), cl::cat(category));

cl::opt<std::string> quantize("quantize",
                             cl::desc("int8: run convolutions and GEMMs as int8 kernels, with "
                                      "the scales of --qparams; bf16: as bf16 kernels, with no "
                                      "calibration (docs/quantization.md)"),
                             cl::value_desc("int8|bf16"), cl::cat(category));
cl::list<std::string> keepFloat("keep-float",
                                cl::desc("--quantize: layers to keep in float"),
                                cl::value_desc("layer,..."), cl::CommaSeparated,
                                cl::cat(category));
cl::opt<double> maxError("max-error",
                         cl::desc("cnnc quantize-report: keep the worst int8 layers in float "
                                  "until the outputs' relative L2 error is at most this"),
                         cl::value_desc("e.g. 0.05"), cl::init(0), cl::cat(category));
cl::opt<std::string> qparamsPath("qparams",
                                 cl::desc("--quantize=int8: the calibration (cnnc calibrate)"),
                                 cl::value_desc("model.qparams"), cl::cat(category));

/// What the model options ask to load.
cnnc::ModelRequest modelRequest() {
  return {"cnnc", inputPath, params, inputShapes};
}

enum class Command {
  Compile, Summary, Weights, ConvertWeights, Run, Import, Calibrate, QuantizeReport
};

/// `cnnc weights convert FILE -o w.safetensors`: an ONNX file's initializers
/// natively, a PyTorch checkpoint through scripts/convert_weights.py (with
/// Debian's python3 and torch), run by argument vector.
int convertWeights() {
  llvm::StringRef path(inputPath);
  if (outputPath == "-" || !llvm::StringRef(outputPath).ends_with(".safetensors")) {
    llvm::errs() << "cnnc weights convert: expects model.onnx|model.pt|state_dict.pth -o "
                    "w.safetensors\n";
    return 1;
  }
  if (path.ends_with(".onnx")) {
    cnnc::onnx_import::ImportedModel imported;
    return cnnc::importOnnx(modelRequest(), imported) &&
                   cnnc::writeImportedWeights(imported, outputPath)
               ? 0
               : 1;
  }
  if (!path.ends_with(".pt") && !path.ends_with(".pth") && !path.ends_with(".ckpt") &&
      !path.ends_with(".bin")) {
    llvm::errs() << "cnnc weights convert: " << inputPath << ": expected an .onnx file or a "
                 << "PyTorch checkpoint (.pt, .pth, .ckpt, .bin)\n";
    return 1;
  }
  auto python = llvm::sys::findProgramByName("python3", {"/usr/bin"});
  if (!python) {
    llvm::errs() << "cnnc weights convert: PyTorch files need Debian's python3 and "
                    "python3-torch\n";
    return 1;
  }
  std::string script = cnnc::codegen::helperScript("convert_weights.py");
  llvm::StringRef arguments[] = {*python, script, inputPath, outputPath};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*python, arguments, std::nullopt, {}, 0, 0, &message);
  if (rc < 0)
    llvm::errs() << "cnnc weights convert: cannot run " << script << ": " << message << "\n";
  return rc == 0 ? 0 : 1;
}

void printVersion(llvm::raw_ostream &os) {
  os << "cnnc " << CNNC_VERSION << " (MLIR " << LLVM_VERSION_STRING << ")\n";
}

/// Writes an output the user named: "-" is standard output; a file is
/// replaced by a rename, a device or FIFO written in place
/// (support/WriteFile.h). A failed write is an error, never a short file.
bool writeFile(const std::string &path, const std::string &text) {
  std::string why;
  if (path == "-") {
    llvm::outs() << text;
    llvm::outs().flush();
    if (!llvm::outs().has_error())
      return true;
    why = llvm::outs().error().message();
    llvm::outs().clear_error();
  } else if (cnnc::writeFileSafely(path, text, why)) {
    return true;
  }
  llvm::errs() << "cnnc: cannot write " << (path == "-" ? "the standard output" : path) << ": "
               << why << "\n";
  return false;
}

bool writeOutput(const std::string &text) { return writeFile(outputPath, text); }

/// A graph as Graphviz text, or rendered by `dot` when -o names a picture.
bool writeGraph(const std::string &text) {
  llvm::StringRef out(outputPath);
  llvm::StringRef format = out.ends_with(".svg") ? "svg" : out.ends_with(".png") ? "png"
                           : out.ends_with(".pdf") ? "pdf" : "";
  if (format.empty())
    return writeOutput(text);
  auto dot = llvm::sys::findProgramByName("dot");
  if (!dot) {
    llvm::errs() << "cnnc: rendering " << outputPath << " needs Graphviz's dot (Debian's "
                 << "graphviz); -o graph.dot writes the graph itself\n";
    return false;
  }
  llvm::SmallString<128> source;
  if (llvm::sys::fs::createTemporaryFile("cnnc-graph", "dot", source)) {
    llvm::errs() << "cnnc: cannot create a temporary file for the graph\n";
    return false;
  }
  auto remove = llvm::make_scope_exit([&] { llvm::sys::fs::remove(source); });
  {
    std::error_code error;
    llvm::raw_fd_ostream file(source, error);
    if (error) {
      llvm::errs() << "cnnc: " << source << ": " << error.message() << "\n";
      return false;
    }
    file << text;
  }
  std::string flag = ("-T" + format).str();
  std::string rendered, why;
  if (!cnnc::createTemporaryBeside(outputPath, rendered, why)) {
    llvm::errs() << "cnnc: cannot write beside " << outputPath << ": " << why << "\n";
    return false;
  }
  llvm::StringRef arguments[] = {*dot, flag, source, "-o", rendered};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*dot, arguments, std::nullopt, {}, /*SecondsToWait=*/120,
                                     0, &message);
  if (rc != 0) {
    llvm::sys::fs::remove(rendered);
    llvm::errs() << "cnnc: dot failed" << (message.empty() ? "" : ": " + message) << "\n";
    return false;
  }
  if (!cnnc::commitTemporary(rendered, outputPath, why)) {
    llvm::errs() << "cnnc: cannot write " << outputPath << ": " << why << "\n";
    return false;
  }
  return true;
}

/// --emit as given, or what -o implies: a program unless the name says IR.
Emit effectiveEmit() {
  if (emit.getNumOccurrences())
    return emit;
  if (library)
    return Emit::Exe;
  // The same for a .cnn and a .mlir input: -o model makes a program.
  bool toFile = outputPath != "-" && !llvm::StringRef(outputPath).ends_with(".mlir");
  return toFile ? Emit::Exe : Emit::Cnn;
}

/// Checks the compile-time --weights against the plan's parameters and
/// --preprocess against its first input, and records both in the plan, so
/// the program uses them when its command line names none.
bool recordDefaults(cnnc::codegen::Plan &plan) {
  if (!weightsPath.empty()) {
    llvm::SmallString<256> absolute(weightsPath.getValue());
    if (llvm::sys::fs::make_absolute(absolute)) {
      llvm::errs() << "cnnc: --weights " << weightsPath << ": cannot make the path absolute\n";
      return false;
    }
    char error[1024];
    cnnrt_weights *weights = nullptr;
    std::vector<const char *> names;
    for (const cnnc::codegen::Parameter &parameter : plan.parameters)
      if (!parameter.computed)
        names.push_back(parameter.name.c_str());
    bool ok = cnnrt_weights_open(absolute.c_str(), &weights, error, sizeof error) == CNNRT_OK &&
              cnnrt_weights_expect_names(weights, names.size(), names.data(), error,
                                         sizeof error) == CNNRT_OK;
    for (const cnnc::codegen::Parameter &parameter : plan.parameters) {
      const cnnrt_tensor *tensor =
          ok && !parameter.computed ? cnnrt_weights_find(weights, parameter.name.c_str()) : nullptr;
      if (tensor && (size_t(tensor->rank) != parameter.shape.size() ||
                     !std::equal(parameter.shape.begin(), parameter.shape.end(), tensor->shape))) {
        std::snprintf(error, sizeof error, "%s: tensor '%s' has the wrong shape for the model",
                      absolute.c_str(), parameter.name.c_str());
        ok = false;
      }
    }
    if (weights)
      cnnrt_weights_close(weights);
    if (!ok) {
      llvm::errs() << "cnnc: --weights: " << error << "\n";
      return false;
    }
    plan.defaultWeights = absolute.str().str();
  }
  if (!preprocessSpec.empty()) {
    cnnrt_preprocess spec;
    char error[512];
    if (cnnrt_preprocess_parse(preprocessSpec.c_str(), &spec, error, sizeof error)) {
      llvm::errs() << "cnnc: " << error << "\n";
      return false;
    }
    const auto &input = plan.inputs.front();
    // The size it makes, where the spec fixes it.
    int64_t height = spec.pad_height    ? spec.pad_height
                     : spec.crop_height ? spec.crop_height
                                        : spec.resize_height;
    int64_t width = spec.pad_height    ? spec.pad_width
                    : spec.crop_height ? spec.crop_width
                                       : spec.resize_width;
    int64_t channels = spec.order == CNNRT_GRAY ? 1 : 3;
    if (input.shape.size() != 4 || input.shape[1] != channels ||
        (height && (input.shape[2] != height || input.shape[3] != width))) {
      llvm::errs() << "cnnc: --preprocess " << preprocessSpec << " makes " << channels
                   << "-channel images" << (height ? " of " + std::to_string(height) + "x" +
                                                         std::to_string(width) : std::string())
                   << "; input '" << input.name << "' is not that (NCHW, " << input.shape.size()
                   << " dimensions)\n";
      return false;
    }
    plan.preprocess = preprocessSpec;
  }
  return true;
}

int generateCode(mlir::ModuleOp module, Emit stage, const std::string &outputPath,
                 bool withDefaults = false) {
  std::string halideTarget = cnnc::codegen::halideTarget(target);
  mlir::FailureOr<cnnc::codegen::Plan> plan =
      cnnc::codegen::buildPlan(module, halideTarget, cnnc::codegen::generatorStamp());
  if (mlir::failed(plan))
    return 1;
  if (withDefaults && !recordDefaults(*plan))
    return 1;
  if (stage == Emit::Plan) {
    std::ostringstream text;
    cnnc::codegen::printPlan(*plan, text);
    return writeOutput(text.str()) ? 0 : 1;
  }
  cnnc::codegen::BuildOptions options;
  options.outputPath = outputPath;
  options.cacheDirectory = cacheDirectory;
  options.jobs = jobs;
  options.verbose = verbose;
  options.quiet = quiet;
  options.artifact = stage == Emit::HalideStmt ? cnnc::codegen::Artifact::HalideStmt
                     : stage == Emit::Asm      ? cnnc::codegen::Artifact::Assembly
                     : stage == Emit::Obj      ? cnnc::codegen::Artifact::Object
                     : library                 ? cnnc::codegen::Artifact::Library
                                               : cnnc::codegen::Artifact::Executable;
  bool toFile = outputPath != "-";
  if (!toFile && (stage == Emit::Obj || stage == Emit::Exe)) {
    llvm::errs() << "cnnc: give the file to write with -o\n";
    return 1;
  }
  return cnnc::codegen::build(*plan, options) ? 0 : 1;
}

/// --emit=ast: the program as parsed (an .onnx file's, as imported).
int printSyntaxTree(const std::string *text) {
  cnnc::SourceManager sources;
  cnnc::DiagnosticEngine diagnostics(sources, std::cerr);
  std::string why;
  int file = text ? sources.addBuffer(inputPath + ".cnn", *text) : sources.addFile(inputPath, why);
  if (file < 0) {
    llvm::errs() << "cnnc: cannot open input file '" << inputPath << "': " << why << "\n";
    return 1;
  }
  std::ostringstream printed;
  try {
    std::vector<std::unique_ptr<cnnc::ast::File>> files;
    cnnc::loadProgram(file, sources, diagnostics, files);
    cnnc::ast::print(*files.front(), printed);
  } catch (const cnnc::CompilationAborted &) {
    return 1;
  }
  return writeOutput(printed.str()) ? 0 : 1;
}

int run(Command command) {
  if (command == Command::ConvertWeights)
    return convertWeights();
  // Files that are not models, caught before any work.
  llvm::StringRef model(inputPath);
  if (model.ends_with(".pt") || model.ends_with(".pth") || model.ends_with(".ckpt")) {
    llvm::errs() << "cnnc: " << inputPath << " is a PyTorch checkpoint: it holds weights, not "
                 << "the network. Write the network in cnnc's language (docs/language.md) or "
                 << "export it to ONNX (torch.onnx.export); `cnnc weights convert " << inputPath
                 << " -o w.safetensors` turns the weights into a file cnnc reads.\n";
    return 1;
  }
  if (model.ends_with(".tflite") || model.ends_with(".pb") || model.ends_with(".h5")) {
    llvm::errs() << "cnnc: " << inputPath << ": cnnc reads .cnn, .onnx and .mlir files; convert "
                 << "a TensorFlow or TFLite model to ONNX first (tf2onnx)\n";
    return 1;
  }
  if (!cnnc::checkOutputPath("cnnc", outputPath))
    return 1;
  if (tuningThreads < 0 || tuningThreads > 64) {
    llvm::errs() << "cnnc: --tuning-threads " << tuningThreads << ": expected 1 to 64\n";
    return 1;
  }
  bool summary = command == Command::Summary;
  bool reporting = command == Command::QuantizeReport;
  // A QDQ model carries its own ranges (checked once it is imported).
  bool onnxInput = llvm::StringRef(inputPath).ends_with(".onnx");
  if (reporting) {
    // The report builds the model both ways itself.
    if ((qparamsPath.empty() && !onnxInput) || calibrationInputs.empty() || !quantize.empty() ||
        !(maxError >= 0 && maxError < 1)) {
      llvm::errs() << "cnnc quantize-report: expects model --qparams model.qparams --inputs "
                      "DIR|a.npy,b.npy [--weights w.safetensors] [--keep-float layer,...] "
                      "[--max-error E, from 0 to 1]\n";
      return 1;
    }
    quantize = "int8";
  }
  bool bf16 = quantize == "bf16";
  if (!quantize.empty() || !qparamsPath.empty() || !keepFloat.empty()) {
    if (bf16 && !qparamsPath.empty()) {
      llvm::errs() << "cnnc: --quantize=bf16 needs no calibration: drop --qparams\n";
      return 1;
    }
    if (!bf16 && (quantize != "int8" || (qparamsPath.empty() && !onnxInput))) {
      llvm::errs() << "cnnc: --quantize takes int8, with --qparams model.qparams (cnnc "
                      "calibrate writes one), or bf16\n";
      return 1;
    }
    if (!cnnc::codegen::deviceApi(cnnc::codegen::halideTarget(target)).empty()) {
      llvm::errs() << "cnnc: --quantize=" << quantize << ": the " << quantize
                   << " kernels run on the CPU; --target=" << target << " stays fp32\n";
      return 1;
    }
    if (bf16 && summary) {
      llvm::errs() << "cnnc summary: --quantize=bf16 is not shown yet (bf16 weights take 2 "
                      "bytes each; the table shows int8 builds only)\n";
      return 1;
    }
    if (command == Command::Calibrate) {
      llvm::errs() << "cnnc calibrate: calibration runs the fp32 model; drop --quantize\n";
      return 1;
    }
  }
  Emit emit = effectiveEmit();
  mlir::MLIRContext context;
  context.loadDialect<cnn::CnnDialect, mlir::func::FuncDialect>();
  // Messages show the file, line and caret; a dump of the op is IR, not a
  // message (--mlir-print-op-on-diagnostic brings it back).
  context.printOpOnDiagnostic(false);
  // Every error from here on (the verifier, the passes, code generation)
  // shows file:line:col and the source line, never a raw loc(...).
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler mlirDiagnostics(sourceMgr, &context);

  mlir::OwningOpRef<mlir::ModuleOp> module;
  // An .onnx file becomes a .cnn program and its weights, then goes the way
  // of any .cnn file.
  bool onnx = llvm::StringRef(inputPath).ends_with(".onnx");
  cnnc::onnx_import::ImportedModel imported;
  if (onnx && !cnnc::importOnnx(modelRequest(), imported))
    return 1;
  if (command == Command::Import) {
    if (!onnx || outputPath == "-" || !llvm::StringRef(outputPath).ends_with(".cnn")) {
      llvm::errs() << "cnnc import: expects model.onnx -o model.cnn\n";
      return 1;
    }
    std::string weights = cnnc::weightsBeside(outputPath);
    if (!imported.qparams.empty()) {
      std::string ranges = outputPath.substr(0, outputPath.size() - 4) + ".qparams";
      if (!writeFile(ranges, imported.qparams))
        return 1;
      llvm::errs() << "cnnc import: a QDQ model: its activation ranges are in " << ranges
                   << " (--quantize=int8 --qparams " << ranges << ")\n";
    }
    if (!writeOutput(imported.source) || !cnnc::writeImportedWeights(imported, weights))
      return 1;
    // Done only when the result works: the program it wrote elaborates and
    // its weights load, as a later cnnc command will read them.
    cnnc::ModelRequest written{"cnnc import", outputPath, {}, {}, imported.lineOrigins};
    mlir::OwningOpRef<mlir::ModuleOp> check =
        cnnc::elaborateModel(written, nullptr, context, sourceMgr);
    if (!check || !cnnc::checkWeightsFile(*check, weights)) {
      // Nothing that does not load is left behind.
      for (const std::string &path : {outputPath.getValue(), weights}) {
        llvm::sys::fs::file_status status;
        if (!llvm::sys::fs::status(path, status, /*Follow=*/false) &&
            status.type() == llvm::sys::fs::file_type::regular_file)
          llvm::sys::fs::remove(path);
      }
      llvm::errs() << "cnnc import: " << inputPath << " cannot be imported (above); the importer "
                   << "should have refused it itself: a bug in the importer, please report it "
                   << "with the model\n";
      return 1;
    }
    return 0;
  }
  // A QDQ model's own ranges stand in for a calibration.
  std::string temporaryQParams;
  auto removeQParams = llvm::make_scope_exit([&] {
    if (!temporaryQParams.empty())
      llvm::sys::fs::remove(temporaryQParams);
  });
  if (onnx && quantize == "int8" && qparamsPath.empty()) {
    if (imported.qparams.empty()) {
      llvm::errs() << "cnnc: " << inputPath << " holds no QuantizeLinear nodes: --quantize=int8 "
                   << "needs --qparams model.qparams (cnnc calibrate writes one)\n";
      return 1;
    }
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createTemporaryFile("cnnc-qdq", "qparams", path) ||
        !writeFile(path.str().str(), imported.qparams))
      return 1;
    temporaryQParams = path.str().str();
    qparamsPath.setValue(temporaryQParams);
  } else if (onnx && !imported.qparams.empty() && quantize.empty() &&
             command == Command::Compile && effectiveEmit() == Emit::Exe) {
    llvm::errs() << "cnnc: " << inputPath << " is a QDQ model; this program runs it in float on "
                 << "its dequantized weights (--quantize=int8 runs it on its scales)\n";
  }
  // The imported weights, in a file beside the output or a temporary one.
  std::string temporaryWeights;
  auto removeTemporary = llvm::make_scope_exit([&] {
    if (!temporaryWeights.empty())
      llvm::sys::fs::remove(temporaryWeights);
  });
  if (command == Command::Calibrate) {
    llvm::StringRef method = calibrationMethod.getValue();
    if (outputPath == "-" || calibrationInputs.empty()) {
      llvm::errs() << "cnnc calibrate: expects model --inputs DIR|a.npy,b.npy -o model.qparams\n";
      return 1;
    }
    if (method != "minmax" && method != "percentile" && method != "entropy") {
      llvm::errs() << "cnnc calibrate: --method " << method
                   << ": expected minmax, percentile or entropy\n";
      return 1;
    }
    if (calibrationPercentile.getNumOccurrences() &&
        (method != "percentile" || !(calibrationPercentile >= 50 && calibrationPercentile <= 100))) {
      llvm::errs() << "cnnc calibrate: --percentile goes with --method=percentile and is from "
                      "50 to 100\n";
      return 1;
    }
    if (target != "host" && target != "x86-avx512" && target != "x86-avx2") {
      llvm::errs() << "cnnc calibrate: calibration runs on this machine's CPU; --target="
                   << target << " is not one\n";
      return 1;
    }
  }
  if (onnx && (command == Command::Run || command == Command::Calibrate || reporting) &&
      weightsPath.empty()) {
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createTemporaryFile("cnnc-onnx", "safetensors", path)) {
      llvm::errs() << "cnnc: cannot create a temporary file for the weights\n";
      return 1;
    }
    temporaryWeights = path.str().str();
    if (!cnnc::writeImportedWeights(imported, temporaryWeights))
      return 1;
    weightsPath = temporaryWeights;
  }
  if (onnx && command == Command::Weights && !seed.getNumOccurrences())
    return outputPath != "-" && cnnc::writeImportedWeights(imported, outputPath) ? 0 : 1;
  if (onnx && command == Command::Compile && effectiveEmit() == Emit::Exe) {
    std::string weights = cnnc::weightsBeside(outputPath);
    if (!weightsPath.empty()) {
      llvm::errs() << "cnnc: an .onnx model brings its own weights; --weights is for .cnn "
                      "models\n";
      return 1;
    }
    if (!cnnc::writeImportedWeights(imported, weights))
      return 1;
    llvm::errs() << "cnnc: the model's weights are in " << weights << "; the program loads "
                 << "them from there (--weights overrides)\n";
    weightsPath = weights;
  }
  cnnc::ModelRequest request = modelRequest();
  if (cnnc::modelFormat(inputPath) == cnnc::ModelFormat::Mlir) {
    if (emit == Emit::Ast) {
      llvm::errs() << "cnnc: --emit=ast needs a .cnn file\n";
      return 1;
    }
    module = cnnc::parseMlirModel(request, context, sourceMgr);
  } else if (emit == Emit::Ast && !summary) {
    return printSyntaxTree(onnx ? &imported.source : nullptr);
  } else {
    if (onnx)
      request.lineOrigins = imported.lineOrigins;
    module = cnnc::elaborateModel(request, onnx ? &imported.source : nullptr, context, sourceMgr);
  }
  if (!module)
    return 1;

  bool calibrating = command == Command::Calibrate;
  bool codegen = (emit >= Emit::Plan && !summary && command == Command::Compile) || calibrating ||
                 reporting;
  // The report builds the model both ways, from this copy.
  mlir::OwningOpRef<mlir::ModuleOp> pristine;
  if (reporting)
    pristine = module->clone();
  auto optimize = [&](mlir::ModuleOp ir, const std::string &qparams,
                      const std::vector<std::string> &kept, bool withRemarks) {
    mlir::PassManager pm(&context);
    if (mlir::failed(mlir::applyPassManagerCLOptions(pm)))
      return false;
    cnn::PipelineOptions pipeline;
    pipeline.emitRemarks = withRemarks;
    pipeline.tuningDatabase = tuningDatabase;
    pipeline.threads = tuningThreads;
    pipeline.winograd = !noWinograd;
    pipeline.qparams = qparams;
    pipeline.bf16 = bf16 && !reporting;
    pipeline.keepFloat = kept;
    pipeline.target = cnnc::codegen::vectorIsa(target);
    cnn::buildOptimizationPipeline(pm, pipeline);
    return mlir::succeeded(pm.run(ir));
  };
  bool dot = emit == Emit::Dot || emit == Emit::DotOpt;
  mlir::OwningOpRef<mlir::ModuleOp> elaborated;
  if (dot)
    elaborated = module->clone();
  std::vector<std::string> kept(keepFloat.begin(), keepFloat.end());
  if ((emit == Emit::Opt || emit == Emit::DotOpt || remarks || codegen) &&
      !optimize(*module, quantize.empty() ? "" : qparamsPath.getValue(), kept, remarks))
    return 1;

  if (reporting) {
    mlir::OwningOpRef<mlir::ModuleOp> floatModule = pristine->clone();
    if (!optimize(*floatModule, "", {}, false))
      return 1;
    llvm::SmallString<128> binaries[2];
    auto removeBinaries = llvm::make_scope_exit([&] {
      for (auto &binary : binaries)
        if (!binary.empty())
          llvm::sys::fs::remove(binary);
    });
    for (auto &binary : binaries)
      if (llvm::sys::fs::createTemporaryFile("cnnc-quantize-report", "", binary)) {
        llvm::errs() << "cnnc quantize-report: cannot create a temporary file for the model\n";
        return 1;
      }
    if (generateCode(*floatModule, Emit::Exe, binaries[0].str().str()) ||
        generateCode(*module, Emit::Exe, binaries[1].str().str()))
      return 1;
    cnnc::QuantizeReportOptions options;
    options.inputs = calibrationInputs;
    options.weightsPath = weightsPath;
    options.keepFloat = kept;
    options.maxError = maxError;
    auto function = *module->getOps<mlir::func::FuncOp>().begin();
    options.outputCount = int(function.getFunctionType().getNumResults());
    auto rebuild = [&](const std::vector<std::string> &layers, const std::string &binary) {
      mlir::OwningOpRef<mlir::ModuleOp> int8Module = pristine->clone();
      return optimize(*int8Module, qparamsPath, layers, false) &&
             generateCode(*int8Module, Emit::Exe, binary) == 0;
    };
    return cnnc::quantizeReport(binaries[0].str().str(), binaries[1].str().str(), rebuild,
                                options);
  }

  if (calibrating) {
    // The fp32 model, compiled for this machine into a temporary program.
    llvm::SmallString<128> binary;
    if (llvm::sys::fs::createTemporaryFile("cnnc-calibrate", "", binary)) {
      llvm::errs() << "cnnc calibrate: cannot create a temporary file for the model\n";
      return 1;
    }
    auto removeBinary = llvm::make_scope_exit([&] { llvm::sys::fs::remove(binary); });
    if (generateCode(*module, Emit::Exe, binary.str().str()))
      return 1;
    cnnc::CalibrateOptions options;
    options.inputs = calibrationInputs;
    options.method = calibrationMethod;
    options.percentile = calibrationPercentile;
    options.weightsPath = weightsPath;
    options.outputPath = outputPath;
    return cnnc::calibrate(binary.str().str(), options);
  }
  if (codegen)
    return generateCode(*module, emit, outputPath, /*withDefaults=*/true);
  if (dot && command == Command::Compile) {
    std::string text;
    llvm::raw_string_ostream os(text);
    cnnc::printDot(*elaborated, emit == Emit::DotOpt ? *module : mlir::ModuleOp(), os);
    return writeGraph(text) ? 0 : 1;
  }

  cnnc::ReferenceOptions reference;
  reference.seed = seed;
  reference.weightsPath = weightsPath;
  reference.inputPaths.assign(inputPaths.begin(), inputPaths.end());
  reference.outputPaths.assign(outputPaths.begin(), outputPaths.end());
  reference.preprocess = preprocessSpec;
  reference.quiet = quiet;
  if (command == Command::Weights) {
    if (outputPath == "-") {
      llvm::errs() << "cnnc weights: give the file to write with -o\n";
      return 1;
    }
    return cnnc::writeRandomWeights(*module, reference, outputPath);
  }
  if (command == Command::Run)
    return cnnc::runReference(*module, reference);

  std::string text;
  llvm::raw_string_ostream os(text);
  if (summary) {
    cnnc::ModelSummary result = cnnc::summarize(*module);
    if (!quantize.empty()) {
      mlir::OwningOpRef<mlir::ModuleOp> optimized = module->clone();
      if (!optimize(*optimized, qparamsPath, kept, false))
        return 1;
      cnnc::markInt8(result, *optimized);
    }
    json ? cnnc::printJson(result, os) : cnnc::printTable(result, os);
  } else {
    module->print(os);
  }
  return writeOutput(text) ? 0 : 1;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Subcommands come first: take the word out before parsing.
  Command command = Command::Compile;
  llvm::StringRef first = argc > 1 ? argv[1] : "";
  if (first == "summary")
    command = Command::Summary;
  else if (first == "weights")
    command = argc > 2 && llvm::StringRef(argv[2]) == "convert" ? Command::ConvertWeights
                                                                 : Command::Weights;
  else if (first == "run")
    command = Command::Run;
  else if (first == "import")
    command = Command::Import;
  else if (first == "calibrate")
    command = Command::Calibrate;
  else if (first == "quantize-report")
    command = Command::QuantizeReport;
  std::vector<char *> arguments(argv, argv + argc);
  if (command != Command::Compile)
    arguments.erase(arguments.begin() + 1);
  if (command == Command::ConvertWeights)
    arguments.erase(arguments.begin() + 1);

  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter(printVersion);
  cl::ParseCommandLineOptions(
      arguments.size(), arguments.data(),
      "cnnc: compiles convolutional networks\n\n"
      "  cnnc model.cnn -o model [--target=T] [--tuning-db F] [--param name=value]...\n"
      "  cnnc model.cnn --lib -o libmodel.a\n"
      "  cnnc model.cnn --quantize=int8 --qparams model.qparams [--keep-float layer,...] -o "
      "model\n"
      "  cnnc model.cnn --quantize=bf16 [--keep-float layer,...] -o model\n"
      "  cnnc model.cnn --emit=ast|cnn|opt|dot|dot-opt|plan|halide-stmt|asm|obj [--remarks] "
      "[-o out]\n"
      "  cnnc summary model.cnn [--json] [--param name=value]...\n"
      "  cnnc import model.onnx -o model.cnn [--input-shape name=NxCxHxW]...\n"
      "  cnnc weights model.cnn [--seed N] -o w.safetensors\n"
      "  cnnc weights convert model.onnx|model.pt|state_dict.pth -o w.safetensors\n"
      "  cnnc calibrate model.cnn|model.onnx [--weights w.safetensors] --inputs DIR|a.npy,... "
      "[--method minmax|percentile|entropy] -o model.qparams\n"
      "  cnnc quantize-report model.cnn|model.onnx [--weights w.safetensors] --qparams Q "
      "--inputs DIR|a.npy,... [--keep-float layer,...] [--max-error E]\n"
      "  cnnc run model.cnn [--weights w.safetensors] [--input x.npy]... "
      "[--output y.npy]... [--seed N]\n");
  if (std::string unchecked = cnnc::codegen::uncheckedTargetFeature(target); !unchecked.empty()) {
    llvm::errs() << "cnnc: --target=" << target << ": the feature " << unchecked
                 << " removes the kernels' checks of buffer sizes and bounds, which the runtime "
                    "relies on; it is not supported\n";
    return 2;
  }
  if (cnnc::codegen::halideTarget(target).empty()) {
    llvm::errs() << "cnnc: --target=" << target
                 << ": expected host, x86-avx512, x86-avx2, cuda, cuda-NN (NN a CUDA capability "
                    "Halide 14 knows: 30, 32, 35, 50, 61, 70, 75, 80, 86; a newer GPU runs 86's "
                    "PTX), opencl, or a Halide target string arch-bits-os[-feature...] such as "
                    "x86-64-linux-avx2-fma\n";
    return 2;
  }
  return run(command);
}
