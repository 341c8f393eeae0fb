// Internal to the reference kernels: the one Eval of SPLIT, SPLIT_V, PACK and UNPACK, which all
// copy each part's [outer, size, inner] block between one whole tensor and its parts (their
// Prepares, in kernels/common/data_movement, fill the SplitParams).
#ifndef LABELITE_KERNELS_REFERENCE_SPLIT_LIKE_H_
#define LABELITE_KERNELS_REFERENCE_SPLIT_LIKE_H_

#include <cstdint>
#include <cstring>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite::reference_internal {

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

}  // namespace labelite::reference_internal

#endif  // LABELITE_KERNELS_REFERENCE_SPLIT_LIKE_H_
