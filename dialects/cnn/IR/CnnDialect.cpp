//===- CnnDialect.cpp - the cnn dialect -----------------------------------===//

#include "cnn/IR/CnnDialect.h"
#include "cnn/IR/CnnOps.h"

using namespace cnn;

#include "cnn/IR/CnnDialect.cpp.inc"

void CnnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cnn/IR/CnnOps.cpp.inc"
      >();
}
