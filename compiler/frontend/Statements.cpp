//===- Statements.cpp - running a body of statements ----------------------===//

#include "frontend/Budget.h"
#include "frontend/Elaborator.h"

#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

#include <algorithm>
#include <cmath>

namespace cnnc {

using namespace detail;

bool Elaborator::truth(const Value &value, SourceLocation location) {
  switch (value.getKind()) {
  case Value::Kind::None: return false;
  case Value::Kind::Bool:
  case Value::Kind::Int: return value.getInt() != 0;
  case Value::Kind::Float: return value.getNumber() != 0;
  case Value::Kind::String: return !value.getString().empty();
  case Value::Kind::List: return !value.getList().empty();
  default:
    fail(location, "a condition must be a boolean or a number, found " +
                       value.describe());
  }
}

/// Binds `value` to `targets`: one name takes it whole, several unpack a list.
void detail::bindTargets(Elaborator &elaborator, const std::vector<std::string> &targets,
                        const Value &value, Env &env, SourceLocation location) {
  if (targets.size() == 1) {
    env[targets[0]] = value;
    return;
  }
  if (!value.is(Value::Kind::List) || value.getList().size() != targets.size())
    elaborator.fail(location, "cannot unpack " + value.describe() +
                                  (value.is(Value::Kind::List)
                                       ? " of " + std::to_string(value.getList().size()) +
                                             " elements"
                                       : std::string()) +
                                  " into " + std::to_string(targets.size()) + " names");
  for (size_t i = 0; i < targets.size(); ++i)
    env[targets[i]] = value.getList()[i];
}

std::optional<Elaborator::Returned> Elaborator::exec(const ast::Body &body, Env &env) {
  for (const ast::StmtPtr &stmt : body) {
    tick(stmt->location);
    switch (stmt->kind) {
    case ast::Stmt::Kind::Assign:
      bindTargets(*this, stmt->targets, eval(*stmt->values[0], env), env,
                  stmt->location);
      break;
    case ast::Stmt::Kind::Expression:
      eval(*stmt->values[0], env);
      break;
    case ast::Stmt::Kind::Return: {
      Returned returned;
      returned.location = stmt->location;
      for (const ast::ExprPtr &value : stmt->values)
        returned.values.push_back(eval(*value, env));
      returned.names = stmt->outputNames;
      return returned;
    }
    case ast::Stmt::Kind::For: {
      Value range = eval(*stmt->values[0], env);
      if (!range.is(Value::Kind::List))
        fail(stmt->values[0]->location,
             "a loop runs over a list, found " + range.describe());
      for (const Value &item : range.getList()) {
        bindTargets(*this, stmt->targets, item, env, stmt->location);
        if (auto returned = exec(stmt->bodies[0], env))
          return returned;
      }
      break;
    }
    case ast::Stmt::Kind::Repeat: {
      Value count = eval(*stmt->values[0], env);
      if (!count.is(Value::Kind::Int) || count.getInt() < 0 || count.getInt() > maxListLength)
        fail(stmt->values[0]->location,
             "repeat needs a count from 0 to " + std::to_string(maxListLength) +
                 ", found " + count.str());
      for (int64_t i = 0; i < count.getInt(); ++i)
        if (auto returned = exec(stmt->bodies[0], env))
          return returned;
      break;
    }
    case ast::Stmt::Kind::If: {
      size_t branch = 0;
      for (; branch < stmt->values.size(); ++branch)
        if (truth(eval(*stmt->values[branch], env), stmt->values[branch]->location))
          break;
      if (branch < stmt->bodies.size())
        if (auto returned = exec(stmt->bodies[branch], env))
          return returned;
      break;
    }
    }
  }
  return std::nullopt;
}

} // namespace cnnc
