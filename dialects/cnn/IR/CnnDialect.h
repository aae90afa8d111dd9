//===- CnnDialect.h - the cnn dialect -------------------------------------===//

#ifndef CNN_IR_CNNDIALECT_H
#define CNN_IR_CNNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "cnn/IR/CnnDialect.h.inc"

#endif // CNN_IR_CNNDIALECT_H
