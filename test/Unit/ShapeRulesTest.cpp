//===- ShapeRulesTest.cpp - the shape rules against hand-worked cases -----===//
//
// Expected values are worked out by hand or taken from PyTorch's documented
// formulas, never from the rule under test.
//
//===----------------------------------------------------------------------===//

#include "cnn/IR/ShapeRules.h"

#include <gtest/gtest.h>

using namespace cnn;

namespace {

Shape shapeOf(const ShapeOrError &result) {
  EXPECT_TRUE(static_cast<bool>(result)) << result.getError();
  return result.getShape();
}

TEST(SlidingWindow, FloorModeMatchesPyTorch) {
  // ResNet stem: 224, k7, s2, p3 -> 112; max-pool 112, k3, s2, p1 -> 56.
  EXPECT_EQ(slidingWindowExtent(224, 7, 2, 3, 3, 1), 112);
  EXPECT_EQ(slidingWindowExtent(112, 3, 2, 1, 1, 1), 56);
  // Dilation 2 turns a 3x3 kernel into a 5x5 one.
  EXPECT_EQ(slidingWindowExtent(10, 3, 1, 0, 0, 2), 6);
  // A window larger than the padded input leaves nothing.
  EXPECT_EQ(slidingWindowExtent(2, 5, 1, 1, 1, 1), 0);
}

TEST(SlidingWindow, CeilModeDropsWindowStartingInPadding) {
  // GoogLeNet: 112, k3, s2, ceil -> 56 (floor would give 55).
  EXPECT_EQ(slidingWindowExtent(112, 3, 2, 0, 0, 1, true), 56);
  // 5, k2, s2, p1, ceil: ceil((5+2-2)/2)+1 = 4, but the 4th window would
  // start at 6 >= 5 + 1, inside the padding, so PyTorch gives 3.
  EXPECT_EQ(slidingWindowExtent(5, 2, 2, 1, 1, 1, true), 3);
}

TEST(Conv2D, GroupedAndAsymmetricPadding) {
  WindowGeometry g;
  g.stride = {2, 1};
  g.pad = {1, 0, 2, 3};
  // Height: (10 + 1 + 2 - 3) / 2 + 1 = 6. Width: (9 + 0 + 3 - 3) / 1 + 1 = 10.
  EXPECT_EQ(shapeOf(inferConv2D({2, 8, 10, 9}, {6, 4, 3, 3}, std::nullopt, g, 2)),
            (Shape{2, 6, 6, 10}));
}

TEST(Conv2D, Depthwise) {
  WindowGeometry g;
  g.pad = {1, 1, 1, 1};
  EXPECT_EQ(shapeOf(inferConv2D({1, 32, 112, 112}, {32, 1, 3, 3},
                                ShapeRef{32}, g, 32)),
            (Shape{1, 32, 112, 112}));
}

TEST(Conv2D, RejectsChannelMismatch) {
  auto result = inferConv2D({1, 3, 8, 8}, {16, 4, 3, 3}, std::nullopt, {}, 1);
  ASSERT_FALSE(result);
  EXPECT_NE(result.getError().find("expects 4 input channels"), std::string::npos);
}

TEST(Conv2D, RejectsIndivisibleGroups) {
  EXPECT_FALSE(inferConv2D({1, 6, 8, 8}, {8, 2, 3, 3}, std::nullopt, {}, 3));
  EXPECT_FALSE(inferConv2D({1, 6, 8, 8}, {7, 3, 3, 3}, std::nullopt, {}, 2));
}

TEST(ConvTranspose2D, DoublesResolution) {
  WindowGeometry g;
  g.stride = {2, 2};
  g.pad = {1, 1, 1, 1};
  // (8 - 1) * 2 - 2 + (4 - 1) + 0 + 1 = 16.
  EXPECT_EQ(shapeOf(inferConvTranspose2D({1, 21, 8, 8}, {21, 21, 4, 4},
                                         std::nullopt, g, {0, 0}, 1)),
            (Shape{1, 21, 16, 16}));
  // FCN-32s: stride 32, kernel 64, no padding: (7 - 1) * 32 + 63 + 1 = 256.
  g.stride = {32, 32};
  g.pad = {0, 0, 0, 0};
  EXPECT_EQ(shapeOf(inferConvTranspose2D({1, 21, 7, 7}, {21, 21, 64, 64},
                                         std::nullopt, g, {0, 0}, 1)),
            (Shape{1, 21, 256, 256}));
}

TEST(ConvTranspose2D, RejectsOutputPadNotBelowStride) {
  EXPECT_FALSE(inferConvTranspose2D({1, 4, 4, 4}, {4, 4, 3, 3}, std::nullopt,
                                    {}, {1, 0}, 1));
}

TEST(Pool2D, RejectsPaddingOverHalfWindow) {
  WindowGeometry g;
  g.pad = {2, 2, 2, 2};
  EXPECT_FALSE(inferPool2D({1, 1, 8, 8}, {3, 3}, g, false));
}

TEST(Pool2D, RejectsWindowLargerThanInput) {
  auto result = inferPool2D({1, 1, 2, 2}, {3, 3}, {}, false);
  ASSERT_FALSE(result);
  EXPECT_NE(result.getError().find("does not fit"), std::string::npos);
}

TEST(Broadcast, SqueezeExcitation) {
  EXPECT_EQ(shapeOf(inferBroadcast({1, 96, 56, 56}, {1, 96, 1, 1})),
            (Shape{1, 96, 56, 56}));
  EXPECT_FALSE(inferBroadcast({1, 96, 56, 56}, {1, 48, 1, 1}));
  // Ranks align on the right, as in NumPy (ConvNeXt's layer scale).
  EXPECT_EQ(shapeOf(inferBroadcast({1, 96, 56, 56}, {96, 1, 1})), (Shape{1, 96, 56, 56}));
  EXPECT_FALSE(inferBroadcast({1, 96, 56, 56}, {48, 1, 1}));
}

TEST(Concat, SumsAxisAndChecksOthers) {
  EXPECT_EQ(shapeOf(inferConcat({ShapeRef{1, 64, 28, 28}, ShapeRef{1, 32, 28, 28}}, 1)),
            (Shape{1, 96, 28, 28}));
  EXPECT_FALSE(inferConcat({ShapeRef{1, 64, 28, 28}, ShapeRef{1, 32, 14, 14}}, 1));
  EXPECT_FALSE(inferConcat({ShapeRef{1, 64, 28, 28}}, 4));
}

TEST(Reshape, PreservesElementCount) {
  EXPECT_EQ(shapeOf(inferReshape({1, 1470}, {1, 7, 7, 30})), (Shape{1, 7, 7, 30}));
  EXPECT_FALSE(inferReshape({1, 1470}, {1, 7, 7, 31}));
  EXPECT_EQ(shapeOf(inferFlatten({2, 512, 7, 7}, 1)), (Shape{2, 25088}));
}

TEST(Dense, ChecksFeaturesAndBias) {
  EXPECT_EQ(shapeOf(inferDense({4, 2048}, {1000, 2048}, ShapeRef{1000})),
            (Shape{4, 1000}));
  EXPECT_FALSE(inferDense({4, 2048}, {1000, 1024}, std::nullopt));
  EXPECT_FALSE(inferDense({4, 2048}, {1000, 2048}, ShapeRef{10}));
}

TEST(FormatShape, UsesTensorTypeSpelling) {
  EXPECT_EQ(formatShape({1, 64, 56, 56}), "1x64x56x56");
}

} // namespace
