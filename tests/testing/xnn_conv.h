// XNNPACK's own convolution operator as the oracle of labelite's FastConv kernels: the same
// FastConvSpec (CONV_2D or DEPTHWISE_CONV_2D) run through xnn_create/setup/run of the qs8, qc8
// or qu8 convolution2d_nhwc operator, single-threaded. xnn_initialize must have succeeded.
#ifndef LABELITE_TESTS_TESTING_XNN_CONV_H_
#define LABELITE_TESTS_TESTING_XNN_CONV_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/xnnpack/fast_conv.h"

namespace labelite::testing {

// qs8: int8 per-tensor weights; qc8: int8 per-channel; qu8: uint8.
enum class ConvKind { kQS8, kQC8, kQU8 };

// Output [batch][out_h][out_w][cout] of `input` [batch][in_h][in_w][cin]; empty (with a gtest
// failure) when XNNPACK refuses the parameters.
std::vector<uint8_t> RunXnnpackConv(ConvKind kind, const xnn::FastConvSpec& spec, size_t batch,
                                    const std::vector<uint8_t>& input);

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_XNN_CONV_H_
