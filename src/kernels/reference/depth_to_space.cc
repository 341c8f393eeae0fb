// DEPTH_TO_SPACE, reference implementation (NHWC): output[n, h * b + bh, w * b + bw, c] =
// input[n, h, w, (bh * b + bw) * C_out + c]; any element type.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class DepthToSpaceKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareDepthToSpace(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    const uint8_t* in = ctx.input(0)->data;
    uint8_t* out = ctx.output(0)->data;
    const int32_t b = p_.block;
    const size_t row = static_cast<size_t>(p_.in_c / (b * b)) * p_.element_size;
    for (int32_t n = 0; n < p_.batch; ++n)
      for (int32_t h = 0; h < p_.in_h; ++h)
        for (int32_t bh = 0; bh < b; ++bh)
          for (int32_t w = 0; w < p_.in_w; ++w)
            for (int32_t bw = 0; bw < b; ++bw) {
              const int64_t pixel = (int64_t{n} * p_.in_h + h) * p_.in_w + w;
              const size_t src = static_cast<size_t>(pixel) * p_.in_c * p_.element_size +
                                 static_cast<size_t>(bh * b + bw) * row;
              std::memcpy(out, in + src, row);
              out += row;
            }
    return Status::Ok();
  }

 private:
  common::SpaceDepthParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceDepthToSpace() { return std::make_unique<DepthToSpaceKernel>(); }

}  // namespace labelite
