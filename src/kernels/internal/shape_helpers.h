// Shape helpers shared by the layout and elementwise reference kernels (concatenation, pad,
// transpose, strided slice, maximum/minimum, prelu): shape strings for error messages,
// numpy-style broadcasting and row-major strides.
#ifndef LABELITE_KERNELS_INTERNAL_SHAPE_HELPERS_H_
#define LABELITE_KERNELS_INTERNAL_SHAPE_HELPERS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "labelite/types.h"
#include "runtime/tensor.h"

namespace labelite::shape {

// "[1, 224, 224, 3]".
inline std::string ToString(const std::vector<int32_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

// "float32" etc. as a std::string, for messages.
inline std::string TypeName(DataType type) { return std::string(DataTypeName(type)); }

// True for the element types the float/uint8/int8 kernels run.
inline bool IsFloatOrQuantized8(DataType t) {
  return t == DataType::kFloat32 || t == DataType::kUInt8 || t == DataType::kInt8;
}

// The numpy broadcast of two shapes (aligned at the last dimension), or nullopt when a pair of
// dimensions differs and neither is 1.
inline std::optional<std::vector<int32_t>> Broadcast(const std::vector<int32_t>& a,
                                                     const std::vector<int32_t>& b) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int32_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int32_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int32_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Up to this many dimensions for broadcasting kernels.
inline constexpr int kMaxBroadcastRank = 6;

// Element strides of `dims` seen through the broadcast to `out_rank` dimensions of `out_dims`:
// a broadcast (size-1) dimension gets stride 0. Leading missing dimensions get stride 0.
inline std::array<int64_t, kMaxBroadcastRank> BroadcastStrides(const std::vector<int32_t>& dims,
                                                               const std::vector<int32_t>& out_dims) {
  std::array<int64_t, kMaxBroadcastRank> strides{};
  const size_t rank = out_dims.size();
  int64_t stride = 1;
  for (size_t k = dims.size(); k-- > 0;) {
    const size_t o = k + (rank - dims.size());
    strides[o] = (dims[k] == 1 && out_dims[o] != 1) ? 0 : stride;
    stride *= dims[k];
  }
  return strides;
}

// Row-major element strides of `dims`.
inline std::vector<int64_t> Strides(const std::vector<int32_t>& dims) {
  std::vector<int64_t> s(dims.size());
  int64_t stride = 1;
  for (size_t k = dims.size(); k-- > 0;) {
    s[k] = stride;
    stride *= dims[k];
  }
  return s;
}

// Calls fn(out_index, a_index, b_index) for every element of the broadcast output, in
// row-major order. a_strides/b_strides come from BroadcastStrides.
template <typename Fn>
void ForEachBroadcast(const std::vector<int32_t>& out_dims,
                      const std::array<int64_t, kMaxBroadcastRank>& a_strides,
                      const std::array<int64_t, kMaxBroadcastRank>& b_strides, Fn&& fn) {
  const int rank = static_cast<int>(out_dims.size());
  int64_t total = 1;
  for (int32_t d : out_dims) total *= d;
  if (total == 0) return;
  std::array<int32_t, kMaxBroadcastRank> idx{};
  int64_t ia = 0, ib = 0;
  for (int64_t o = 0; o < total; ++o) {
    fn(o, ia, ib);
    // Odometer increment from the last dimension.
    for (int k = rank - 1; k >= 0; --k) {
      ++idx[k];
      ia += a_strides[k];
      ib += b_strides[k];
      if (idx[k] < out_dims[k]) break;
      ia -= a_strides[k] * out_dims[k];
      ib -= b_strides[k] * out_dims[k];
      idx[k] = 0;
    }
  }
}

}  // namespace labelite::shape

#endif  // LABELITE_KERNELS_INTERNAL_SHAPE_HELPERS_H_
