// quant::RoundHalfAway (kernels/internal/quantization.h) against static_cast<int32_t>(
// std::round(x)): every float within 2^12 steps of each half-integer and integer up to 300 (the
// int8 SOFTMAX's probabilities times 256 lie in [0, 256]), 4 million random floats below 2^23,
// and the values outside that range, which take std::round itself.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "kernels/internal/quantization.h"

namespace labelite {
namespace {

int32_t Want(float x) { return static_cast<int32_t>(std::round(x)); }

TEST(RoundHalfAway, EqualsStdRoundNearHalvesAndIntegers) {
  size_t checked = 0, mismatches = 0;
  for (int k = 0; k <= 600; ++k) {
    const float center = 0.5f * static_cast<float>(k);  // k / 2: integers and halves
    float lo = center, hi = center;
    for (int step = 0; step < 4096; ++step) {
      for (float x : {lo, hi}) {
        if (x < 0.0f) continue;
        ++checked;
        if (quant::RoundHalfAway(x) != Want(x)) ++mismatches;
      }
      lo = std::nextafter(lo, -1.0f);
      hi = std::nextafter(hi, 1000.0f);
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << checked;
  EXPECT_GT(checked, 4'000'000u);
  EXPECT_EQ(quant::RoundHalfAway(0.49999997f), 0);  // trunc(x + 0.5) would say 1
  EXPECT_EQ(quant::RoundHalfAway(2.5f), 3);         // halves away from zero, not to even
  EXPECT_EQ(quant::RoundHalfAway(255.5f), 256);
}

TEST(RoundHalfAway, EqualsStdRoundOnRandomFloatsAndOutsideTheFastRange) {
  std::mt19937 rng(99);
  std::uniform_real_distribution<float> below(0.0f, 8388608.0f);
  size_t mismatches = 0;
  for (int i = 0; i < 4'000'000; ++i) {
    const float x = i % 2 ? below(rng) : below(rng) / 32768.0f;
    if (quant::RoundHalfAway(x) != Want(x)) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0u);
  for (float x : {-0.5f, -1.5f, -2.4f, -0.0f, 8388608.0f, 1e9f, -1e9f})
    EXPECT_EQ(quant::RoundHalfAway(x), Want(x)) << x;
}

}  // namespace
}  // namespace labelite
