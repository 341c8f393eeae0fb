// uint8 / int8 MUL by a per-channel gate (kernels/fast/channel_mul_q8.h): its loop compiled for
// AVX512. Every lane computes the same float operations, so every level gives the same bytes.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include "kernels/fast/channel_mul_q8.h"

namespace labelite::xnn {

__attribute__((target("avx512f,avx512bw,avx512vl"))) void ChannelMulRowAvx512(const ChannelMulQ8Params& p, bool is_signed,
                                                const uint8_t* x, const float* fy, uint8_t* out,
                                                size_t n) {
  if (is_signed)
    channel_mul_internal::Row(p, reinterpret_cast<const int8_t*>(x), fy,
                              reinterpret_cast<int8_t*>(out), n);
  else
    channel_mul_internal::Row(p, x, fy, out, n);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
