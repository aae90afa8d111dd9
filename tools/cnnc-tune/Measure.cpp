//===- Measure.cpp - building and running measuring programs --------------===//

#include "Measure.h"

#include "codegen/Build.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <chrono>
#include <sstream>

namespace cnnc::tune {

namespace {
double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
} // namespace

bool runProgram(const std::vector<std::string> &command, std::string &output,
                int timeoutSeconds, std::string &error) {
  llvm::SmallString<128> capture;
  if (llvm::sys::fs::createTemporaryFile("cnnc-tune", "out", capture)) {
    error = "cannot create a temporary file";
    return false;
  }
  std::vector<llvm::StringRef> arguments(command.begin(), command.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(capture),
                                                llvm::StringRef(capture)};
  std::string why;
  int status = llvm::sys::ExecuteAndWait(command[0], arguments, std::nullopt, redirects,
                                         unsigned(timeoutSeconds), 0, &why);
  auto text = llvm::MemoryBuffer::getFile(capture);
  output = text ? (*text)->getBuffer().str() : "";
  llvm::sys::fs::remove(capture);
  if (status != 0) {
    error = command[0] + (status == -2 ? " timed out or crashed" : " failed") +
            (why.empty() ? "" : ": " + why) + (output.empty() ? "" : "\n" + output);
    return false;
  }
  return true;
}

double tolerance(const std::string &reference, const std::string &variant) {
  bool winograd = reference.find("winograd=") != std::string::npos ||
                  variant.find("winograd=") != std::string::npos;
  return winograd ? 2e-3 : 1e-4;
}

bool Measurer::measure(const Task &task, const std::vector<std::string> &schedules, int rounds,
                       std::vector<Measurement> &results, std::string &error) {
  auto start = std::chrono::steady_clock::now();
  std::vector<codegen::Plan> plans;
  for (const std::string &schedule : schedules) {
    mlir::FailureOr<codegen::Plan> plan = model.kernelPlan(task, schedule);
    if (mlir::failed(plan)) {
      error = "no plan for schedule '" + schedule + "'";
      return false;
    }
    plans.push_back(std::move(*plan));
  }
  codegen::BuildOptions options;
  options.cacheDirectory = cache;
  options.jobs = jobs;
  options.quiet = true;
  options.outputPath = work + "/measure-" + std::to_string(programs++);
  if (!codegen::buildMeasurement(plans, options)) {
    error = "cannot build the measuring program for '" + task.signature + "'";
    return false;
  }
  buildSeconds += secondsSince(start);
  start = std::chrono::steady_clock::now();
  std::string output;
  bool ran = runProgram({options.outputPath, "--threads", std::to_string(threads), "--rounds",
                         std::to_string(rounds)},
                        output, 600, error);
  llvm::sys::fs::remove(options.outputPath);
  runSeconds += secondsSince(start);
  if (!ran)
    return false;
  results.assign(schedules.size(), Measurement{false, "no result", 0, 0});
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string word, status;
    size_t index;
    if (!(words >> word >> index >> status) || word != "candidate" || index >= schedules.size())
      continue;
    Measurement &result = results[index];
    if (status == "ok" && (words >> result.ms >> result.error)) {
      result.ok = true;
      result.problem.clear();
      double allowed = tolerance(schedules[0], schedules[index]);
      if (!(result.error <= allowed)) {
        result.ok = false;
        std::ostringstream why;
        why << "wrong output: error " << result.error << " of the largest value (allowed "
            << allowed << ")";
        result.problem = why.str();
      }
    } else {
      std::getline(words, result.problem);
      result.problem = status + ":" + result.problem;
    }
  }
  return true;
}

} // namespace cnnc::tune
