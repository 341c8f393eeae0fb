// SPACE_TO_DEPTH, reference implementation (NHWC): output[n, h, w, (bh * b + bw) * C + c] =
// input[n, h * b + bh, w * b + bw, c]; any element type.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class SpaceToDepthKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareSpaceToDepth(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    const uint8_t* in = ctx.input(0)->data;
    uint8_t* out = ctx.output(0)->data;
    const int32_t b = p_.block, oh = p_.in_h / b, ow = p_.in_w / b;
    const size_t row = static_cast<size_t>(p_.in_c) * p_.element_size;
    for (int32_t n = 0; n < p_.batch; ++n)
      for (int32_t h = 0; h < oh; ++h)
        for (int32_t w = 0; w < ow; ++w)
          for (int32_t bh = 0; bh < b; ++bh)
            for (int32_t bw = 0; bw < b; ++bw) {
              const int64_t src = ((int64_t{n} * p_.in_h + h * b + bh) * p_.in_w + w * b + bw);
              std::memcpy(out, in + src * static_cast<int64_t>(row), row);
              out += row;
            }
    return Status::Ok();
  }

 private:
  common::SpaceDepthParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSpaceToDepth() { return std::make_unique<SpaceToDepthKernel>(); }

}  // namespace labelite
