// GATHER, reference implementation (TFLite's reference_ops::Gather): for every batch b, outer
// index o and index i, copies the inner block params[b, o, indices[b, i], :] to
// output[b, o, i, :]. Any element type; an index outside [0, axis size) is an error.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class GatherKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareGather(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    const uint8_t* in = ctx.input(0)->data;
    const Tensor& indices = *ctx.input(1);
    uint8_t* out = ctx.output(0)->data;
    const size_t inner = static_cast<size_t>(p_.inner_bytes);
    for (int64_t b = 0; b < p_.batch; ++b) {
      for (int64_t o = 0; o < p_.outer; ++o) {
        for (int64_t i = 0; i < p_.coords; ++i) {
          const int64_t k = b * p_.coords + i;
          const int64_t idx = p_.int64_indices ? indices.data_as<int64_t>()[k]
                                               : indices.data_as<int32_t>()[k];
          if (idx < 0 || idx >= p_.axis_size) {
            return ctx.Error("index " + std::to_string(idx) + " is out of range [0, " +
                             std::to_string(p_.axis_size) + ")");
          }
          const int64_t src = (b * p_.outer + o) * p_.axis_size + idx;
          const int64_t dst = (b * p_.outer + o) * p_.coords + i;
          if (inner) std::memcpy(out + dst * p_.inner_bytes, in + src * p_.inner_bytes, inner);
        }
      }
    }
    return Status::Ok();
  }

 private:
  common::GatherParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceGather() { return std::make_unique<GatherKernel>(); }

}  // namespace labelite
