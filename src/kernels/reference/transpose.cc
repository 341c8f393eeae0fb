// TRANSPOSE: output dimension i is input dimension perm[i] (perm: constant int32 or int64,
// a permutation of 0..rank-1). Any element size is moved by bytes, walking the output in order.
#include <array>
#include <cstring>
#include <memory>

#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

constexpr int kMaxRank = 6;

class TransposeKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    const Tensor* perm = ctx.input(1);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!in || !perm || !out) return ctx.Error("expects input, perm and 1 output");
    if (out->type != in->type)
      return ctx.Error("output type " + shape::TypeName(out->type) + " differs from input type " +
                       shape::TypeName(in->type));
    elem_ = DataTypeSize(in->type);
    if (elem_ == 0) return ctx.UnsupportedError("element type " + shape::TypeName(in->type));
    const int rank = in->rank();
    if (rank > kMaxRank) return ctx.UnsupportedError("rank " + std::to_string(rank) + " (at most 6)");
    if (perm->type != DataType::kInt32 && perm->type != DataType::kInt64)
      return ctx.Error("perm type " + shape::TypeName(perm->type) + " (int32 or int64 expected)");
    if (perm->rank() != 1 || perm->dim(0) != rank)
      return ctx.Error("perm shape " + shape::ToString(perm->dims) + " for input rank " +
                       std::to_string(rank));
    if (!perm->is_constant || !perm->data) return ctx.UnsupportedError("perm is not constant");
    std::vector<int32_t> dims(static_cast<size_t>(rank));
    std::vector<bool> seen(static_cast<size_t>(rank), false);
    const std::vector<int64_t> in_strides = shape::Strides(in->dims);
    for (int i = 0; i < rank; ++i) {
      const int64_t p = perm->type == DataType::kInt32 ? perm->data_as<int32_t>()[i]
                                                       : perm->data_as<int64_t>()[i];
      if (p < 0 || p >= rank || seen[static_cast<size_t>(p)])
        return ctx.Error("perm is not a permutation of 0.." + std::to_string(rank - 1));
      seen[static_cast<size_t>(p)] = true;
      dims[static_cast<size_t>(i)] = in->dim(static_cast<int>(p));
      strides_[i] = in_strides[static_cast<size_t>(p)];
    }
    out->dims = std::move(dims);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    const int rank = out.rank();
    const int64_t n = out.NumElements();
    if (n == 0) return Status::Ok();
    std::array<int32_t, kMaxRank> idx{};
    int64_t src = 0;
    for (int64_t o = 0; o < n; ++o) {
      std::memcpy(out.data + o * static_cast<int64_t>(elem_), in.data + src * static_cast<int64_t>(elem_), elem_);
      for (int d = rank - 1; d >= 0; --d) {
        src += strides_[d];
        if (++idx[d] < out.dim(d)) break;
        src -= strides_[d] * out.dim(d);
        idx[d] = 0;
      }
    }
    return Status::Ok();
  }

 private:
  size_t elem_ = 1;
  std::array<int64_t, kMaxRank> strides_{};
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceTranspose() { return std::make_unique<TransposeKernel>(); }

}  // namespace labelite
