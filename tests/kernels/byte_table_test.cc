// ApplyByteTable (the fast path's 256-entry lookup, VPERMI2B on AVX-512 VBMI) against the plain
// loop: every byte value, random tables, lengths around the 64-byte step, unaligned pointers.
#include "kernels/fast/byte_table.h"

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include "kernels/fast/isa.h"

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

namespace labelite::xnn {
namespace {

TEST(ByteTable, EveryValueAndLengthMatchesTheLoop) {
  std::mt19937 rng(7);
  std::array<uint8_t, 256> table;
  for (auto& v : table) v = static_cast<uint8_t>(rng());
  std::vector<uint8_t> in(1003);  // the longest case (999) at the largest offset (3)
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 37 + 11);
  for (size_t n : {0, 1, 63, 64, 65, 127, 128, 200, 256, 999}) {
    for (size_t offset : {0, 1, 3}) {
      std::vector<uint8_t> want(n + 2, 0xAB), got(n + 2, 0xAB);
      ApplyByteTableScalar(table, in.data() + offset, want.data() + 1, n);
      ApplyByteTable(table, in.data() + offset, got.data() + 1, n);
      EXPECT_EQ(got, want) << "n=" << n << " offset=" << offset;  // guards untouched too
    }
  }
}

// The same at every ISA level the CPU has (the AVX2 VPSHUFB loops, 128 and 32 bytes a step;
// the AVX-512 VBMI loop).
TEST(ByteTable, EveryIsaLevelMatchesTheLoop) {
  std::mt19937 rng(11);
  std::array<uint8_t, 256> table;
  for (auto& v : table) v = static_cast<uint8_t>(rng());
  std::vector<uint8_t> all(256 * 3 + 5);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i * 97 + 3);
  std::vector<uint8_t> want(all.size());
  ApplyByteTableScalar(table, all.data(), want.data(), all.size());
  for (IsaLevel level : {IsaLevel::kXnnpack, IsaLevel::kAvx2, IsaLevel::kAvx512}) {
    if (level > DetectedIsa()) continue;
    SetIsaLimit(level);
    for (size_t n : {size_t{1}, size_t{31}, size_t{32}, size_t{33}, size_t{127}, size_t{128},
                     size_t{161}, all.size()}) {  // the 128- and 32-byte steps and the tail
      std::vector<uint8_t> got(n);
      ApplyByteTable(table, all.data(), got.data(), n);
      EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin()))
          << IsaLevelName(level) << " n=" << n;
    }
  }
  SetIsaLimit(DetectedIsa());
}

// Split over a pool: just below and above the size that splits, and chunks of 4 KB, a partial
// last one, and 16 KB (the clamp of the chunk size), with 3 threads.
TEST(ByteTable, SplitOverAPoolMatchesTheLoop) {
  std::mt19937 rng(13);
  std::array<uint8_t, 256> table;
  for (auto& v : table) v = static_cast<uint8_t>(rng());
  std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)> pool(pthreadpool_create(3),
                                                                    &pthreadpool_destroy);
  ASSERT_NE(pool, nullptr);
  for (size_t n : {size_t{16383}, size_t{16384}, size_t{20000}, size_t{100003}, size_t{500000}}) {
    std::vector<uint8_t> in(n), want(n), got(n + 1, 0xCD);
    for (auto& v : in) v = static_cast<uint8_t>(rng());
    ApplyByteTableScalar(table, in.data(), want.data(), n);
    ApplyByteTable(table, in.data(), got.data(), n, pool.get());
    EXPECT_TRUE(std::equal(want.begin(), want.end(), got.begin())) << "n=" << n;
    EXPECT_EQ(got[n], 0xCD) << "n=" << n;  // nothing written past the end
  }
}

TEST(ByteTable, IdentityAndXorTables) {
  std::array<uint8_t, 256> identity, flip;
  std::vector<uint8_t> all(256);
  for (int v = 0; v < 256; ++v) {
    identity[v] = static_cast<uint8_t>(v);
    flip[v] = static_cast<uint8_t>(v ^ 0x80);  // uint8 <-> int8 with the same scale
    all[v] = static_cast<uint8_t>(v);
  }
  std::vector<uint8_t> out(256);
  ApplyByteTable(identity, all.data(), out.data(), 256);
  EXPECT_EQ(out, all);
  ApplyByteTable(flip, all.data(), out.data(), 256);
  for (int v = 0; v < 256; ++v) EXPECT_EQ(out[v], v ^ 0x80) << v;
}

}  // namespace
}  // namespace labelite::xnn
