// STRIDED_SLICE, reference implementation of common::PrepareStridedSlice's strided walk (every
// mask; see kernels/common/strided_slice.h): the effective dimensions as an odometer, one
// element at a time.
#include <array>
#include <cstring>
#include <memory>

#include "kernels/common/strided_slice.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class StridedSliceKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareStridedSlice(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    const int64_t n = out.NumElements();
    if (n == 0) return Status::Ok();
    std::array<int64_t, common::StridedSliceParams::kMaxDims> idx{};
    int64_t src = p_.base;
    const size_t elem = p_.element_size;
    const int64_t e = static_cast<int64_t>(elem);
    for (int64_t o = 0; o < n; ++o) {
      std::memcpy(out.data + o * e, in.data + src * e, elem);
      for (int d = p_.dims - 1; d >= 0; --d) {
        src += p_.step[d];
        if (++idx[d] < p_.count[d]) break;
        src -= p_.step[d] * p_.count[d];
        idx[d] = 0;
      }
    }
    return Status::Ok();
  }

 private:
  common::StridedSliceParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceStridedSlice() { return std::make_unique<StridedSliceKernel>(); }

}  // namespace labelite
