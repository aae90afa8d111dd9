// Every verifier rule of cnn.parameter and cnn.weight.
// RUN: cnnc-opt %s --split-input-file --verify-diagnostics

func.func @missing() {
  // expected-error @+1 {{'cnn.weight' op refers to 'conv1.weight', which is not a cnn.parameter}}
  %0 = cnn.weight @conv1.weight : tensor<64x3x7x7xf32>
  return
}

// -----

// A symbol that exists but is not a parameter.
func.func @conv1.weight() {
  // expected-error @+1 {{'cnn.weight' op refers to 'conv1.weight', which is not a cnn.parameter}}
  %0 = cnn.weight @conv1.weight : tensor<64x3x7x7xf32>
  return
}

// -----

cnn.parameter @fc.weight : tensor<1000x2048xf32>
func.func @type_mismatch() {
  // expected-error @+1 {{'cnn.weight' op has type 'tensor<1000x1024xf32>' but parameter 'fc.weight' is declared as 'tensor<1000x2048xf32>'}}
  %0 = cnn.weight @fc.weight : tensor<1000x1024xf32>
  return
}

// -----

func.func @not_at_module_level() {
  // expected-error @+1 {{'cnn.parameter' op expects parent op 'builtin.module'}}
  cnn.parameter @p : tensor<4xf32>
  return
}

// -----

// expected-error @+1 {{'cnn.parameter' op attribute 'type' failed to satisfy constraint: type attribute of statically shaped tensor of 32-bit float values}}
cnn.parameter @dynamic : tensor<?x4xf32>

// -----

// expected-note @+1 {{see existing symbol definition here}}
cnn.parameter @p : tensor<4xf32>
// expected-error @+1 {{redefinition of symbol named 'p'}}
cnn.parameter @p : tensor<4xf32>

// -----

cnn.parameter @fc.bias : tensor<10xf32>
func.func @store_into_file_parameter(%v: tensor<10xf32>) {
  // expected-error @+1 {{'cnn.store' op stores into 'fc.bias', which is read from the weights file, not computed}}
  cnn.store %v, @fc.bias : tensor<10xf32>
  return
}

// -----

cnn.parameter @folded : tensor<10xf32> computed
func.func @store_wrong_type(%v: tensor<5xf32>) {
  // expected-error @+1 {{'cnn.store' op stores 'tensor<5xf32>' into 'folded', declared as 'tensor<10xf32>'}}
  cnn.store %v, @folded : tensor<5xf32>
  return
}

// -----

func.func @store_nowhere(%v: tensor<5xf32>) {
  // expected-error @+1 {{'cnn.store' op refers to 'nowhere', which is not a cnn.parameter}}
  cnn.store %v, @nowhere : tensor<5xf32>
  return
}
