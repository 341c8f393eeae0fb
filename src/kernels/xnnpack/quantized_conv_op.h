// XNNPACK's quantized convolution operators (qs8, qc8, qu8 convolution2d_nhwc) created from a
// FastConvSpec: the one place that maps labelite's description of a convolution to XNNPACK's
// arguments. CONV_2D and DEPTHWISE_CONV_2D run through it when no FastConv takes them, and the
// FastConv tests and benchmarks use it as their reference.
// A depthwise spec becomes a grouped convolution: one group per input channel, cout / cin
// outputs per group, XNN_FLAG_DEPTHWISE_CONVOLUTION (TFLite's [1, KH, KW, C*M] filter is the
// layout XNNPACK expects with that flag).
#ifndef LABELITE_KERNELS_XNNPACK_QUANTIZED_CONV_OP_H_
#define LABELITE_KERNELS_XNNPACK_QUANTIZED_CONV_OP_H_

#include <xnnpack.h>

#include <cstddef>

#include "kernels/fast/fast_conv.h"

namespace labelite::xnn {

// qs8: int8 per-tensor weights; qc8: int8 per-channel weights; qu8: uint8.
enum class QuantConvType { kQS8, kQC8, kQU8 };

// Packs the spec's weights into a new operator (*op; the caller deletes it).
xnn_status CreateQuantizedConv(const FastConvSpec& spec, QuantConvType type, xnn_operator_t* op);

// Binds `batch` images of in_h x in_w pixels and the output buffer; work goes to `pool`.
xnn_status SetupQuantizedConv(xnn_operator_t op, QuantConvType type, size_t batch, size_t in_h,
                              size_t in_w, const void* input, void* output, pthreadpool_t pool);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_QUANTIZED_CONV_OP_H_
