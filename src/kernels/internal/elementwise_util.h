// Shared parts of the binary elementwise ops (ADD, SUB, MUL): TFLite's broadcasting rule
// (align trailing dimensions; each pair equal or one of them 1) and a walker that visits the
// output in row-major order with the matching offsets into both inputs.
#ifndef LABELITE_KERNELS_INTERNAL_ELEMENTWISE_UTIL_H_
#define LABELITE_KERNELS_INTERNAL_ELEMENTWISE_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/internal/op_checks.h"
#include "runtime/kernel.h"

namespace labelite::internal {

class Broadcast {
 public:
  // Checks that both inputs have the same type as the output, computes the broadcast shape,
  // sets the output's dims and the input strides.
  Status Prepare(KernelContext& ctx) {
    LABELITE_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
    const Tensor& a = *ctx.input(0);
    const Tensor& b = *ctx.input(1);
    Tensor& out = *ctx.output(0);
    LABELITE_RETURN_IF_ERROR(CheckType(ctx, b, "input 2", a.type));
    LABELITE_RETURN_IF_ERROR(CheckType(ctx, out, "output", a.type));
    const int rank = std::max(a.rank(), b.rank());
    dims_.assign(static_cast<size_t>(rank), 1);
    for (int i = 0; i < rank; ++i) {
      const int32_t da = i < rank - a.rank() ? 1 : a.dim(i - (rank - a.rank()));
      const int32_t db = i < rank - b.rank() ? 1 : b.dim(i - (rank - b.rank()));
      if (da != db && da != 1 && db != 1) {
        return ctx.Error("shapes " + ShapeString(a.dims) + " and " + ShapeString(b.dims) +
                         " cannot be broadcast");
      }
      dims_[static_cast<size_t>(i)] = (da == 1) ? db : da;
    }
    stride_a_ = Strides(a, rank);
    stride_b_ = Strides(b, rank);
    index_.assign(static_cast<size_t>(rank), 0);
    return SetOutputDims(ctx, out, dims_);
  }

  // Calls f(out_index, a_index, b_index) for every output element in row-major order.
  template <typename F>
  void ForEach(F&& f) {
    int64_t n = 1;
    for (int32_t d : dims_) n *= d;
    if (n == 0) return;
    std::fill(index_.begin(), index_.end(), 0);
    int64_t ia = 0, ib = 0;
    const int rank = static_cast<int>(dims_.size());
    for (int64_t i = 0; i < n; ++i) {
      f(i, ia, ib);
      for (int d = rank - 1; d >= 0; --d) {
        const size_t k = static_cast<size_t>(d);
        ia += stride_a_[k];
        ib += stride_b_[k];
        if (++index_[k] < dims_[k]) break;
        ia -= stride_a_[k] * index_[k];
        ib -= stride_b_[k] * index_[k];
        index_[k] = 0;
      }
    }
  }

  // Calls f(out_index, a_index, b_index, count, a_step, b_step) once per innermost output row
  // (count elements; the inputs advance by a_step / b_step, 0 where broadcast), in row-major
  // order: the same visits as ForEach, grouped for vector loops.
  template <typename F>
  void ForEachRow(F&& f) {
    int64_t n = 1;
    for (int32_t d : dims_) n *= d;
    if (n == 0) return;
    const int rank = static_cast<int>(dims_.size());
    if (rank == 0) {
      f(int64_t{0}, int64_t{0}, int64_t{0}, int64_t{1}, int64_t{0}, int64_t{0});
      return;
    }
    const size_t last = static_cast<size_t>(rank - 1);
    const int64_t row = dims_[last];
    std::fill(index_.begin(), index_.end(), 0);
    int64_t ia = 0, ib = 0;
    for (int64_t i = 0; i < n; i += row) {
      f(i, ia, ib, row, stride_a_[last], stride_b_[last]);
      for (size_t k = last; k-- > 0;) {
        ia += stride_a_[k];
        ib += stride_b_[k];
        if (++index_[k] < dims_[k]) break;
        ia -= stride_a_[k] * index_[k];
        ib -= stride_b_[k] * index_[k];
        index_[k] = 0;
      }
    }
  }

 private:
  // Row-major strides of `t` aligned to `rank` output dims; 0 along broadcast dimensions.
  static std::vector<int64_t> Strides(const Tensor& t, int rank) {
    std::vector<int64_t> s(static_cast<size_t>(rank), 0);
    int64_t stride = 1;
    for (int i = t.rank() - 1; i >= 0; --i) {
      const size_t k = static_cast<size_t>(i + rank - t.rank());
      s[k] = t.dim(i) == 1 ? 0 : stride;
      stride *= t.dim(i);
    }
    return s;
  }

  std::vector<int32_t> dims_;
  std::vector<int64_t> stride_a_, stride_b_;
  std::vector<int32_t> index_;
};

}  // namespace labelite::internal

#endif  // LABELITE_KERNELS_INTERNAL_ELEMENTWISE_UTIL_H_
