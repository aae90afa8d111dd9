// The stem and first basic block of ResNet-18, written by hand in the cnn
// dialect: conv, batch norm, ReLU, max pool, then two 3x3 convs whose sum with
// the shortcut goes through a last ReLU. Parameter names are torchvision's.
cnn.parameter @conv1.weight : tensor<64x3x7x7xf32>
cnn.parameter @bn1.weight : tensor<64xf32>
cnn.parameter @bn1.bias : tensor<64xf32>
cnn.parameter @bn1.running_mean : tensor<64xf32>
cnn.parameter @bn1.running_var : tensor<64xf32>
cnn.parameter @layer1.0.conv1.weight : tensor<64x64x3x3xf32>
cnn.parameter @layer1.0.conv2.weight : tensor<64x64x3x3xf32>

func.func @main(%image: tensor<1x3x224x224xf32>) -> tensor<1x64x56x56xf32> {
  %w1 = cnn.weight @conv1.weight : tensor<64x3x7x7xf32>
  %scale = cnn.weight @bn1.weight : tensor<64xf32>
  %shift = cnn.weight @bn1.bias : tensor<64xf32>
  %mean = cnn.weight @bn1.running_mean : tensor<64xf32>
  %var = cnn.weight @bn1.running_var : tensor<64xf32>
  %stem = cnn.conv2d %image, %w1 stride [2, 2] pad [3, 3, 3, 3]
      : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
  %bn = cnn.batch_norm %stem, %scale, %shift, %mean, %var
      : (tensor<1x64x112x112xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  %act = cnn.relu %bn : tensor<1x64x112x112xf32>
  %pool = cnn.max_pool2d %act window [3, 3] stride [2, 2] pad [1, 1, 1, 1]
      : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>

  %wa = cnn.weight @layer1.0.conv1.weight : tensor<64x64x3x3xf32>
  %wb = cnn.weight @layer1.0.conv2.weight : tensor<64x64x3x3xf32>
  %a = cnn.conv2d %pool, %wa pad [1, 1, 1, 1]
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %a_act = cnn.relu %a : tensor<1x64x56x56xf32>
  %b = cnn.conv2d %a_act, %wb pad [1, 1, 1, 1]
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %sum = cnn.add %b, %pool : tensor<1x64x56x56xf32>
  %out = cnn.relu %sum : tensor<1x64x56x56xf32>
  return %out : tensor<1x64x56x56xf32>
}
