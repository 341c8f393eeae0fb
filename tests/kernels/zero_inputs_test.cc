// InputMayHoldZeros (kernels/fast/zero_inputs.h): which producers make a float CONV_2D or
// FULLY_CONNECTED look for zero k steps.
#include "kernels/fast/zero_inputs.h"

#include <gtest/gtest.h>

#include <deque>

namespace labelite::xnn {
namespace {

// A chain of operators, each reading the one before (producers[0]).
class Graph {
 public:
  const KernelContext* Add(int32_t code, Activation act = Activation::kNone,
                           std::vector<const KernelContext*> inputs = {}) {
    OperatorSpec& op = ops_.emplace_back();
    op.builtin_code = code;
    op.options.activation = act;
    KernelContext& c = contexts_.emplace_back();
    c.op = &op;
    c.producers = std::move(inputs);
    return &c;
  }
  // The op under test: CONV_2D reading `producer`.
  KernelContext Reader(const KernelContext* producer) {
    KernelContext c;
    c.producers = {producer, nullptr, nullptr};
    return c;
  }

 private:
  std::deque<OperatorSpec> ops_;
  std::deque<KernelContext> contexts_;
};

constexpr int32_t kAdd = 0, kAvgPool = 1, kConcat = 2, kConv = 3, kDepthwise = 4, kLogistic = 14,
                  kMaxPool = 17, kMul = 18, kRelu = 19, kRelu6 = 21, kReshape = 22, kPad = 34,
                  kHardSwish = 117;

TEST(InputMayHoldZeros, ReluProducers) {
  Graph g;
  EXPECT_TRUE(InputMayHoldZeros(g.Reader(g.Add(kRelu)), 0));
  EXPECT_TRUE(InputMayHoldZeros(g.Reader(g.Add(kRelu6)), 0));
  EXPECT_TRUE(InputMayHoldZeros(g.Reader(g.Add(kHardSwish)), 0));
  EXPECT_TRUE(InputMayHoldZeros(g.Reader(g.Add(kDepthwise, Activation::kRelu6)), 0));
  EXPECT_TRUE(InputMayHoldZeros(g.Reader(g.Add(kAdd, Activation::kRelu)), 0));
}

TEST(InputMayHoldZeros, OtherProducers) {
  Graph g;
  EXPECT_FALSE(InputMayHoldZeros(g.Reader(nullptr), 0));  // a graph input or constant
  EXPECT_FALSE(InputMayHoldZeros(g.Reader(g.Add(kConv)), 0));
  EXPECT_FALSE(InputMayHoldZeros(g.Reader(g.Add(kConv, Activation::kReluN1To1)), 0));
  EXPECT_FALSE(InputMayHoldZeros(g.Reader(g.Add(kLogistic)), 0));
  EXPECT_FALSE(InputMayHoldZeros(g.Reader(g.Add(kMul, Activation::kNone, {g.Add(kRelu)})), 0));
  EXPECT_FALSE(InputMayHoldZeros(g.Reader(g.Add(kRelu)), 1));  // no such input
}

TEST(InputMayHoldZeros, ThroughOpsThatKeepZeros) {
  Graph g;
  const KernelContext* relu = g.Add(kRelu);
  EXPECT_TRUE(InputMayHoldZeros(g.Reader(g.Add(kMaxPool, Activation::kNone, {relu})), 0));
  EXPECT_TRUE(InputMayHoldZeros(
      g.Reader(g.Add(kReshape, Activation::kNone, {g.Add(kAvgPool, Activation::kNone, {relu})})),
      0));
  EXPECT_TRUE(InputMayHoldZeros(g.Reader(g.Add(kPad, Activation::kNone, {relu})), 0));
  // DenseNet: a CONCATENATION of earlier outputs, one of them a ReLU's.
  EXPECT_TRUE(InputMayHoldZeros(
      g.Reader(g.Add(kConcat, Activation::kNone, {g.Add(kConv), relu, nullptr})), 0));
  EXPECT_FALSE(InputMayHoldZeros(
      g.Reader(g.Add(kConcat, Activation::kNone, {g.Add(kConv), g.Add(kLogistic)})), 0));
  // Up to 8 ops back.
  const KernelContext* p = relu;
  for (int i = 0; i < 8; ++i) p = g.Add(kReshape, Activation::kNone, {p});
  EXPECT_TRUE(InputMayHoldZeros(g.Reader(p), 0));
  p = g.Add(kReshape, Activation::kNone, {p});
  EXPECT_FALSE(InputMayHoldZeros(g.Reader(p), 0));
}

}  // namespace
}  // namespace labelite::xnn
