// A parameter name holding a newline: refused by the verifier.
cnn.parameter @"w\0A#include <stdlib.h>" : tensor<8x4x1x1xf32>
func.func @main(%image: tensor<1x4x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %w = cnn.weight @"w\0A#include <stdlib.h>" : tensor<8x4x1x1xf32>
  %c = cnn.conv2d %image, %w : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  return %c : tensor<1x8x6x6xf32>
}
