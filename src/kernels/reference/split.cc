// SPLIT, reference implementation: the input (second input; the first is the constant axis)
// cut into num_splits equal parts along the axis; any element type.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

// Copies each part's [outer, size, inner] block between the whole and the parts.
class SplitLikeKernel : public Kernel {
 public:
  Status Eval(KernelContext& ctx) override {
    const size_t inner = static_cast<size_t>(p_.view.inner) * p_.view.element_size;
    const bool pack = to_whole_;
    uint8_t* whole = pack ? ctx.output(0)->data : ctx.input(whole_input_)->data;
    int64_t at = 0;  // offset of the part along the axis
    for (size_t i = 0; i < p_.sizes.size(); ++i) {
      uint8_t* part = pack ? ctx.input(static_cast<int>(i))->data : ctx.output(static_cast<int>(i))->data;
      const size_t block = static_cast<size_t>(p_.sizes[i]) * inner;
      for (int64_t o = 0; o < p_.view.outer; ++o) {
        uint8_t* w = whole + (static_cast<size_t>(o * p_.view.axis + at)) * inner;
        uint8_t* q = part + static_cast<size_t>(o) * block;
        if (block == 0) continue;
        if (pack) std::memcpy(w, q, block);
        else std::memcpy(q, w, block);
      }
      at += p_.sizes[i];
    }
    return Status::Ok();
  }

 protected:
  common::SplitParams p_;
  bool to_whole_ = false;  // PACK: parts -> whole
  int whole_input_ = 0;    // SPLIT takes the axis first
};

class SplitKernel : public SplitLikeKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    whole_input_ = 1;
    return common::PrepareSplit(ctx, &p_);
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSplit() { return std::make_unique<SplitKernel>(); }

}  // namespace labelite
