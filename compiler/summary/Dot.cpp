//===- Dot.cpp - the network as a Graphviz graph --------------------------===//

#include "summary/Dot.h"

#include "cnn/IR/CnnDialect.h"
#include "cnn/IR/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace cnnc {
namespace {

/// Escapes text for a double-quoted Graphviz string (names come from files).
std::string quoted(llvm::StringRef text) {
  std::string s = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      s += '\\';
    if (c == '\n') {
      s += "\\n";
      continue;
    }
    s += (c >= ' ' && c <= '~') ? c : '?';
  }
  return s + "\"";
}

std::string shapeText(mlir::Type type) {
  auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type);
  if (!tensor)
    return "";
  std::string s;
  for (int64_t d : tensor.getShape())
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

/// Ops drawn: everything but weight reads and the return.
bool drawn(mlir::Operation &op) {
  return !llvm::isa<cnn::WeightOp, mlir::func::ReturnOp>(op);
}

struct Node {
  std::string id, name, label;
  std::vector<std::string> absorbed;  // layers a kernel replaced
};

/// A cluster per name prefix that holds two or more nodes.
struct Cluster {
  std::map<std::string, std::unique_ptr<Cluster>> children;
  std::vector<const Node *> nodes;
};

std::string parentOf(const std::string &name) {
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}

class Writer {
public:
  explicit Writer(llvm::raw_ostream &os) : os(os) {}

  void write(mlir::func::FuncOp function, const std::map<std::string,
             std::vector<std::string>> &absorbed, bool optimized) {
    std::map<mlir::Operation *, Node *> nodeOf;
    std::vector<std::unique_ptr<Node>> nodes;
    for (mlir::BlockArgument argument : function.getArguments()) {
      auto node = std::make_unique<Node>();
      node->id = "input" + std::to_string(argument.getArgNumber());
      auto name = function.getArgAttrOfType<mlir::StringAttr>(argument.getArgNumber(),
                                                              "cnn.name");
      node->label = "input " + (name ? name.str() : std::to_string(argument.getArgNumber())) +
                    "\n" + shapeText(argument.getType());
      inputs.push_back(node.get());
      nodes.push_back(std::move(node));
    }
    int counter = 0;
    for (mlir::Operation &op : function.getBody().front()) {
      if (!drawn(op))
        continue;
      auto node = std::make_unique<Node>();
      node->id = "n" + std::to_string(counter++);
      node->name = cnn::layerName(&op, "");
      std::string kind = op.getName().stripDialect().str();
      node->label = (node->name.empty() ? kind : node->name + "\n" + kind);
      if (op.getNumResults())
        node->label += "\n" + shapeText(op.getResult(0).getType());
      if (optimized) {
        if (auto offset = op.getAttrOfType<mlir::IntegerAttr>("cnn.offset"))
          node->label += "\narena +" + std::to_string(offset.getInt());
        if (op.hasAttr("cnn.in_place"))
          node->label += "\nin place";
        auto found = absorbed.find(node->name);
        if (found != absorbed.end())
          node->absorbed = found->second;
      }
      nodeOf[&op] = node.get();
      nodes.push_back(std::move(node));
    }
    os << "digraph " << quoted(function.getName()) << " {\n"
       << "  rankdir=TB; node [shape=box, style=rounded, fontname=Helvetica, fontsize=10];\n";
    for (const Node *input : inputs)
      os << "  " << input->id << " [label=" << quoted(input->label)
         << ", shape=ellipse];\n";
    // Clusters from the names: "layer1.0.conv1" sits in layer1 > layer1.0.
    std::map<std::string, int> prefixCount;
    for (const auto &node : nodes)
      for (std::string p = parentOf(node->name); !p.empty(); p = parentOf(p))
        ++prefixCount[p];
    Cluster root;
    for (const auto &node : nodes) {
      if (node->id.rfind("input", 0) == 0)
        continue;
      std::vector<std::string> chain;
      for (std::string p = parentOf(node->name); !p.empty(); p = parentOf(p))
        if (prefixCount[p] >= 2)
          chain.insert(chain.begin(), p);
      Cluster *cluster = &root;
      for (const std::string &p : chain) {
        auto &child = cluster->children[p];
        if (!child)
          child = std::make_unique<Cluster>();
        cluster = child.get();
      }
      cluster->nodes.push_back(node.get());
    }
    writeCluster(root, 1);
    for (mlir::Operation &op : function.getBody().front()) {
      for (mlir::Value operand : op.getOperands()) {
        std::string from;
        if (auto argument = llvm::dyn_cast<mlir::BlockArgument>(operand))
          from = "input" + std::to_string(argument.getArgNumber());
        else if (nodeOf.count(operand.getDefiningOp()))
          from = nodeOf[operand.getDefiningOp()]->id;
        if (from.empty())
          continue;
        std::string to = llvm::isa<mlir::func::ReturnOp>(op) ? "output" : nodeOf.count(&op)
                                                                    ? nodeOf[&op]->id : "";
        if (!to.empty())
          os << "  " << from << " -> " << to << ";\n";
      }
    }
    os << "  output [shape=ellipse];\n}\n";
  }

private:
  void writeCluster(const Cluster &cluster, int depth) {
    std::string indent(size_t(depth) * 2, ' ');
    for (const Node *node : cluster.nodes) {
      if (node->absorbed.empty()) {
        os << indent << node->id << " [label=" << quoted(node->label) << "];\n";
        continue;
      }
      // A kernel: a cluster of the layers it replaced.
      os << indent << "subgraph cluster_" << node->id << " {\n"
         << indent << "  label=" << quoted("kernel " + node->name)
         << "; style=filled; color=lightblue; fontsize=9;\n"
         << indent << "  " << node->id << " [label=" << quoted(node->label)
         << ", style=\"rounded,filled\", fillcolor=white];\n";
      for (size_t i = 0; i < node->absorbed.size(); ++i)
        os << indent << "  " << node->id << "_" << i << " [label="
           << quoted(node->absorbed[i]) << ", style=dashed, fontsize=8];\n";
      os << indent << "}\n";
    }
    for (const auto &[prefix, child] : cluster.children) {
      os << indent << "subgraph " << quoted("cluster_" + prefix) << " {\n"
         << indent << "  label=" << quoted(prefix) << "; style=dashed; color=gray50;\n";
      writeCluster(*child, depth + 1);
      os << indent << "}\n";
    }
  }

  llvm::raw_ostream &os;
  std::vector<const Node *> inputs;
};

/// For the optimised module: which elaborated layers each surviving op
/// absorbed. A layer gone after the pipeline (a batch norm folded, an
/// activation or residual add fused, a no-op erased) joins the kernel that
/// computes its first operand, which is where the passes put it.
std::map<std::string, std::vector<std::string>>
absorbedLayers(mlir::func::FuncOp original, mlir::func::FuncOp optimized) {
  std::multiset<std::string> survivors;
  for (mlir::Operation &op : optimized.getBody().front())
    if (drawn(op))
      survivors.insert(cnn::layerName(&op, ""));
  std::map<mlir::Operation *, std::string> owner;  // original op -> kernel name
  std::map<std::string, std::vector<std::string>> absorbed;
  for (mlir::Operation &op : original.getBody().front()) {
    if (!drawn(op))
      continue;
    std::string name = cnn::layerName(&op, "");
    auto survivor = survivors.find(name);
    if (!name.empty() && survivor != survivors.end()) {
      survivors.erase(survivor);
      owner[&op] = name;
      continue;
    }
    std::string kernel;
    if (op.getNumOperands())
      if (mlir::Operation *first = op.getOperand(0).getDefiningOp(); first && owner.count(first))
        kernel = owner[first];
    owner[&op] = kernel;
    if (!kernel.empty())
      absorbed[kernel].push_back((name.empty() ? "" : name + ": ") +
                                 op.getName().stripDialect().str());
  }
  return absorbed;
}

} // namespace

void printDot(mlir::ModuleOp original, mlir::ModuleOp optimized, llvm::raw_ostream &os) {
  mlir::func::FuncOp before = cnn::modelFunction(original);
  Writer writer(os);
  if (!optimized) {
    writer.write(before, {}, /*optimized=*/false);
    return;
  }
  mlir::func::FuncOp after = cnn::modelFunction(optimized);
  writer.write(after, absorbedLayers(before, after), /*optimized=*/true);
}

} // namespace cnnc
