// XNNPACK's own convolution operator as the oracle of labelite's FastConv kernels: the same
// FastConvSpec (CONV_2D or DEPTHWISE_CONV_2D) run once, single-threaded, through
// xnn::CreateQuantizedConv (the interpreter's own mapping). xnn_initialize must have succeeded.
#ifndef LABELITE_TESTS_TESTING_XNN_CONV_H_
#define LABELITE_TESTS_TESTING_XNN_CONV_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/fast/fast_conv.h"
#include "kernels/xnnpack/quantized_conv_op.h"

namespace labelite::testing {

using ConvKind = xnn::QuantConvType;

// Output [batch][out_h][out_w][cout] of `input` [batch][in_h][in_w][cin]; empty (with a gtest
// failure) when XNNPACK refuses the parameters.
std::vector<uint8_t> RunXnnpackConv(ConvKind kind, const xnn::FastConvSpec& spec, size_t batch,
                                    const std::vector<uint8_t>& input);

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_XNN_CONV_H_
