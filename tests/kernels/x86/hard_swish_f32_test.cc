// labelite's float32 HARD_SWISH rows (kernels/x86/hard_swish_f32_x86.h) against XNNPACK's
// hardswish operator (what the fast path ran before), bit for bit: every 61st float bit pattern
// (all exponents, both signs, denormals, infinities, NaNs), dense windows around -3, 0 and 3,
// and lengths around the 8/16/32-lane steps (the masked tails). Both levels the CPU has. This
// file also runs in kernels_avx2_xnnpack_tests (hide_avx512_main.cc), where XNNPACK runs its
// FMA3 kernel instead of its AVX-512F one, so the rows meet both.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

#include <xnnpack.h>

#include "kernels/fast/isa.h"
#include "kernels/x86/denormals.h"
#include "kernels/x86/hard_swish_f32_x86.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

using xnn::IsaLevel;

float FromBits(uint32_t b) { return std::bit_cast<float>(b); }
uint32_t Bits(float f) { return std::bit_cast<uint32_t>(f); }

// XNNPACK's hardswish over a whole buffer, on the caller's thread (denormals flushed by it).
std::vector<float> XnnHardSwish(const std::vector<float>& in) {
  std::vector<float> out(in.size());
  EXPECT_EQ(xnn_initialize(nullptr), xnn_status_success);
  xnn_operator_t op = nullptr;
  const size_t n = in.size();
  EXPECT_EQ(xnn_create_hardswish_nc_f32(n, n, n, 0, &op), xnn_status_success);
  EXPECT_EQ(xnn_setup_hardswish_nc_f32(op, 1, in.data(), out.data(), nullptr), xnn_status_success);
  EXPECT_EQ(xnn_run_operator(op, nullptr), xnn_status_success);
  xnn_delete_operator(op);
  return out;
}

struct Level {
  IsaLevel level;
  xnn::HardSwishF32Fn fn;
  const char* name;
};
std::vector<Level> Levels() {
  std::vector<Level> levels;
  if (xnn::DetectedIsa() >= IsaLevel::kAvx2) levels.push_back({IsaLevel::kAvx2, &xnn::HardSwishF32Avx2, "avx2"});
  if (xnn::DetectedIsa() >= IsaLevel::kAvx512)
    levels.push_back({IsaLevel::kAvx512, &xnn::HardSwishF32Avx512, "avx512"});
  return levels;
}

// Mismatching elements; reports the first few.
size_t Compare(const char* level, const std::vector<float>& x, const std::vector<float>& want,
               const std::vector<float>& got) {
  size_t bad = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (Bits(want[i]) == Bits(got[i])) continue;
    if (++bad <= 8)
      ADD_FAILURE() << level << ": hard-swish of bits 0x" << std::hex << Bits(x[i]) << ": rows 0x"
                    << Bits(got[i]) << ", XNNPACK 0x" << Bits(want[i]);
  }
  return bad;
}

TEST(HardSwishF32, RowsEqualXnnpackOnFloatBitPatterns) {
  const std::vector<Level> levels = Levels();
  if (levels.empty()) GTEST_SKIP() << "this CPU has no AVX2 + FMA";
  std::vector<float> x;
  for (uint64_t b = 0; b < (uint64_t{1} << 32); b += 61) x.push_back(FromBits(static_cast<uint32_t>(b)));
  for (float c : {-3.0f, 0.0f, 3.0f, 1.0f, -1.0f})
    for (int32_t d = -30000; d <= 30000; ++d) x.push_back(FromBits(Bits(c) + static_cast<uint32_t>(d)));
  for (uint32_t b = 0; b < 0x1000; ++b) {  // denormals of both signs
    x.push_back(FromBits(b * 977));
    x.push_back(FromBits(0x80000000u | (b * 977)));
  }
  const std::vector<float> want = XnnHardSwish(x);
  for (const Level& l : levels) {
    std::vector<float> got(x.size());
    {
      const xnn::DenormalsFlushed flushed;
      l.fn(x.data(), got.data(), x.size());
    }
    EXPECT_EQ(Compare(l.name, x, want, got), 0u);
    // In place, as the fused convolutions run it.
    std::vector<float> inplace = x;
    {
      const xnn::DenormalsFlushed flushed;
      l.fn(inplace.data(), inplace.data(), inplace.size());
    }
    EXPECT_EQ(0, std::memcmp(inplace.data(), want.data(), want.size() * 4)) << l.name;
  }
}

// Every length to 70 and a few around larger steps, from offsets that leave the loads
// unaligned; the floats past the end stay untouched.
TEST(HardSwishF32, TailsAndBlocks) {
  const std::vector<Level> levels = Levels();
  if (levels.empty()) GTEST_SKIP() << "this CPU has no AVX2 + FMA";
  std::vector<size_t> lengths;
  for (size_t n = 1; n <= 70; ++n) lengths.push_back(n);
  for (size_t n : {127, 128, 129, 1000, 8191}) lengths.push_back(n);
  for (const Level& l : levels) {
    for (size_t n : lengths) {
      std::vector<float> x(n + 9);
      for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i * 37 % 97) - 48) / 8.0f;
      const std::vector<float> in(x.begin() + 1, x.begin() + 1 + static_cast<std::ptrdiff_t>(n));
      const std::vector<float> want = XnnHardSwish(in);
      std::vector<float> out(n + 9, 123.0f);
      {
        const xnn::DenormalsFlushed flushed;
        l.fn(x.data() + 1, out.data() + 1, n);
      }
      EXPECT_EQ(0, std::memcmp(out.data() + 1, want.data(), n * 4)) << l.name << " n=" << n;
      EXPECT_EQ(out[0], 123.0f);
      for (size_t i = n + 1; i < out.size(); ++i) ASSERT_EQ(out[i], 123.0f) << l.name << " n=" << n;
    }
    // A block of rows inside a wider buffer, in place, as the convolutions apply it
    // (FloatOutputFunction::ApplyToBlock).
    std::vector<float> buf(7 * 40), copy;
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<float>(static_cast<int>(i % 29) - 14) / 3.0f;
    copy = buf;
    const FloatOutputFunction f{[](const void* fn, float* data, size_t n) {
                                  (*static_cast<const xnn::HardSwishF32Fn*>(fn))(data, data, n);
                                },
                                &l.fn, "hard-swish", 0};
    {
      const xnn::DenormalsFlushed flushed;
      f.ApplyToBlock(buf.data() + 40 + 5, 5, 21, 40);
    }
    for (size_t r = 0; r < 7; ++r)
      for (size_t c = 0; c < 40; ++c) {
        const size_t i = r * 40 + c;
        const bool inside = r >= 1 && r < 6 && c >= 5 && c < 26;
        const float want = inside ? XnnHardSwish({copy[i]})[0] : copy[i];
        ASSERT_EQ(Bits(buf[i]), Bits(want)) << l.name << " row " << r << " col " << c;
      }
  }
}

}  // namespace
}  // namespace labelite
