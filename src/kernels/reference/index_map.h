// Internal to the reference kernels: the one Eval of SLICE, TILE and BROADCAST_TO, which all
// copy output[idx] = input[(begin + idx) mod in_dims] per dimension (their Prepares, in
// kernels/common/data_movement, fill the IndexMapParams differently).
#ifndef LABELITE_KERNELS_REFERENCE_INDEX_MAP_H_
#define LABELITE_KERNELS_REFERENCE_INDEX_MAP_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite::reference_internal {

// output[idx] = input[(begin + idx) mod in_dims] per dimension, row by row.
class IndexMapKernel : public Kernel {
 public:
  Status Eval(KernelContext& ctx) override {
    const uint8_t* in = ctx.input(0)->data;
    uint8_t* out = ctx.output(0)->data;
    const size_t rank = p_.out_dims.size();
    int64_t total = 1;
    for (int64_t d : p_.out_dims) total *= d;
    if (total == 0) return Status::Ok();
    if (rank == 0) {
      std::memcpy(out, in, p_.element_size);
      return Status::Ok();
    }
    std::vector<int64_t> in_stride(rank, 1), idx(rank, 0);
    for (size_t d = rank - 1; d > 0; --d) in_stride[d - 1] = in_stride[d] * p_.in_dims[d];
    const int64_t row = p_.out_dims[rank - 1];
    const size_t es = p_.element_size;
    for (int64_t done = 0; done < total; done += row) {
      int64_t base = 0;
      for (size_t d = 0; d + 1 < rank; ++d)
        base += ((p_.begin[d] + idx[d]) % p_.in_dims[d]) * in_stride[d];
      for (int64_t j = 0; j < row; ++j) {
        const int64_t src = base + (p_.begin[rank - 1] + j) % p_.in_dims[rank - 1];
        std::memcpy(out, in + src * static_cast<int64_t>(es), es);
        out += es;
      }
      for (size_t d = rank - 1; d-- > 0;) {  // odometer over all but the last dimension
        if (++idx[d] < p_.out_dims[d]) break;
        idx[d] = 0;
      }
    }
    return Status::Ok();
  }

 protected:
  common::IndexMapParams p_;
};

}  // namespace labelite::reference_internal

#endif  // LABELITE_KERNELS_REFERENCE_INDEX_MAP_H_
