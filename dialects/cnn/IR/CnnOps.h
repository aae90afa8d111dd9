//===- CnnOps.h - the cnn dialect's operations ----------------------------===//

#ifndef CNN_IR_CNNOPS_H
#define CNN_IR_CNNOPS_H

#include "cnn/IR/CnnDialect.h"
#include "cnn/IR/CnnEnums.h.inc"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "cnn/IR/CnnOps.h.inc"

#endif // CNN_IR_CNNOPS_H
