// Names that would break out of a C string literal or comment if copied
// into generated code as they are: quotes, a trigraph (??/ is a backslash
// in C11), a backslash, */ and a call.
cnn.parameter @"w??/\22); system(\22id\22); //*/x" : tensor<8x4x1x1xf32>
cnn.parameter @"bias\5c" : tensor<8xf32>

func.func @"model */ ??/ \22"(%image: tensor<1x4x6x6xf32> {cnn.name = "in\22put??/"}) -> (tensor<1x8x6x6xf32> {cnn.name = "out*/put"}) {
  %w = cnn.weight @"w??/\22); system(\22id\22); //*/x" : tensor<8x4x1x1xf32>
  %c = cnn.conv2d %image, %w : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  %r = cnn.relu %c : tensor<1x8x6x6xf32> loc("layer\22 */ ??/")
  return %r : tensor<1x8x6x6xf32>
}
