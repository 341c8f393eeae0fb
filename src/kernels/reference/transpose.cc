// TRANSPOSE, reference implementation of common::PrepareTranspose's strided walk: one element
// at a time, walking the output in order.
#include <array>
#include <cstring>
#include <memory>

#include "kernels/common/transpose.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class TransposeKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareTranspose(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    const int rank = p_.rank;
    const int64_t n = out.NumElements();
    if (n == 0) return Status::Ok();
    const size_t elem = p_.element_size;
    std::array<int64_t, common::TransposeParams::kMaxRank> idx{};
    int64_t src = 0;
    for (int64_t o = 0; o < n; ++o) {
      std::memcpy(out.data + o * static_cast<int64_t>(elem), in.data + src * static_cast<int64_t>(elem), elem);
      for (int d = rank - 1; d >= 0; --d) {
        src += p_.in_strides[d];
        if (++idx[d] < p_.out_dims[d]) break;
        src -= p_.in_strides[d] * p_.out_dims[d];
        idx[d] = 0;
      }
    }
    return Status::Ok();
  }

 private:
  common::TransposeParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceTranspose() { return std::make_unique<TransposeKernel>(); }

}  // namespace labelite
