//===- Spec.cpp - parsing the kernel spec ---------------------------------===//

#include "Spec.h"
#include "Validate.h"

#include <set>
#include <sstream>

namespace cnnc::kernelgen {

namespace {
[[noreturn]] void fail(const KernelSpec &spec, const std::string &message) {
  throw SpecError("spec line " + std::to_string(spec.line) + " (" + spec.symbol +
                  "): " + message);
}
} // namespace

int64_t KernelSpec::integer(const std::string &key) const {
  auto it = values.find(key);
  if (it == values.end())
    fail(*this, "missing key '" + key + "'");
  try {
    size_t used = 0;
    int64_t value = std::stoll(it->second, &used);
    if (used == it->second.size())
      return value;
  } catch (const std::exception &) {
  }
  fail(*this, "key '" + key + "' wants an integer, found '" + it->second + "'");
}

int64_t KernelSpec::integer(const std::string &key, int64_t fallback) const {
  return has(key) ? integer(key) : fallback;
}

double KernelSpec::real(const std::string &key, double fallback) const {
  auto it = values.find(key);
  if (it == values.end())
    return fallback;
  try {
    size_t used = 0;
    double value = std::stod(it->second, &used);
    if (used == it->second.size())
      return value;
  } catch (const std::exception &) {
  }
  fail(*this, "key '" + key + "' wants a number, found '" + it->second + "'");
}

std::string KernelSpec::word(const std::string &key, const std::string &fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second;
}

std::vector<int64_t> KernelSpec::integers(const std::string &key) const {
  auto it = values.find(key);
  if (it == values.end())
    fail(*this, "missing key '" + key + "'");
  std::vector<int64_t> result;
  std::stringstream items(it->second + ",");
  std::string item;
  while (std::getline(items, item, ',')) {
    size_t used = 0;
    try {
      result.push_back(std::stoll(item, &used));
    } catch (const std::exception &) {
    }
    if (used == 0 || used != item.size())
      fail(*this, "key '" + key + "' wants integers separated by ',', found '" + it->second +
                      "'");
  }
  return result;
}

bool isGpuTarget(const std::string &target) {
  std::stringstream features(target);
  std::string feature;
  while (std::getline(features, feature, '-'))
    if (feature == "cuda" || feature == "opencl")
      return true;
  return false;
}

SpecFile parseSpec(const std::string &text) {
  SpecFile file;
  std::set<std::string> symbols;
  std::stringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::stringstream words(line);
    std::string head;
    if (!(words >> head) || head[0] == '#')
      continue;
    if (head == "version") {
      if (!(words >> file.version))
        throw SpecError("spec line " + std::to_string(number) + ": 'version' wants a number");
    } else if (head == "target") {
      if (!file.target.empty() || !(words >> file.target))
        throw SpecError("spec line " + std::to_string(number) +
                        ": one 'target <halide target>' line is expected");
    } else if (head == "kernel") {
      KernelSpec spec;
      spec.line = number;
      if (file.target.empty())
        throw SpecError("spec line " + std::to_string(number) +
                        ": a kernel before the 'target' line");
      spec.gpu = isGpuTarget(file.target);
      if (!(words >> spec.symbol >> spec.family))
        throw SpecError("spec line " + std::to_string(number) +
                        ": expected 'kernel <symbol> <family> key=value...'");
      std::string pair;
      while (words >> pair) {
        size_t equals = pair.find('=');
        if (equals == std::string::npos || equals == 0)
          fail(spec, "expected key=value, found '" + pair + "'");
        if (!spec.values.emplace(pair.substr(0, equals), pair.substr(equals + 1)).second)
          fail(spec, "key '" + pair.substr(0, equals) + "' is given twice");
      }
      validateKernel(spec);
      if (!symbols.insert(spec.symbol).second)
        fail(spec, "the symbol is defined twice in the spec");
      file.kernels.push_back(std::move(spec));
    } else {
      throw SpecError("spec line " + std::to_string(number) + ": unknown entry '" + head + "'");
    }
  }
  if (file.version != 1)
    throw SpecError("spec version " + std::to_string(file.version) +
                    " is not supported (this generator reads version 1)");
  if (file.target.empty())
    throw SpecError("spec has no 'target' line");
  return file;
}

} // namespace cnnc::kernelgen
