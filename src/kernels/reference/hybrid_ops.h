// The reference arithmetic of LiteRT's dynamic-range ("hybrid") kernels: float32 activations,
// int8 weights (see kernels/common/hybrid.h for the three steps). The ops' reference kernels
// prepare with hybrid::PrepareHybridWeights and call these from Eval. Each computes the
// integers of the kernel named below and rounds its float steps (input quantization, scaling
// order) as LiteRT's builtin (optimized) kernels do on x86, bit for bit; LiteRT's BUILTIN_REF
// kernels differ from those in the order of two float multiplications and the input range.
#ifndef LABELITE_KERNELS_REFERENCE_HYBRID_OPS_H_
#define LABELITE_KERNELS_REFERENCE_HYBRID_OPS_H_

#include <cstdint>
#include <vector>

#include "kernels/common/hybrid.h"
#include "kernels/internal/conv_util.h"

namespace labelite::hybrid {

// Per-batch buffers sized in Prepare (Eval allocates nothing).
struct HybridScratch {
  std::vector<int8_t> quantized;   // the quantized input
  std::vector<float> scale;        // per batch
  std::vector<int32_t> offset;     // per batch (asymmetric zero points)
  std::vector<int32_t> row_sums;   // per output channel (FULLY_CONNECTED, asymmetric)
  void Resize(int64_t input_elements, int32_t batches, int32_t channels) {
    quantized.assign(static_cast<size_t>(input_elements), 0);
    scale.assign(static_cast<size_t>(batches), 0.0f);
    offset.assign(static_cast<size_t>(batches), 0);
    row_sums.assign(static_cast<size_t>(channels), 0);
  }
};

// CONV_2D (conv.cc EvalHybridPerChannel with reference_ops::HybridConvPerChannel when the
// weights' scales differ, else EvalHybrid). OHWI filter, NHWC input and output.
void Conv2DHybrid(const internal::Window2D& w, int32_t channels_in, int32_t channels_out,
                  const HybridWeights& hw, const float* input, const int8_t* filter,
                  const float* bias, float* output, HybridScratch* scratch);

// DEPTHWISE_CONV_2D (depthwise_conv.cc EvalHybridPerChannel with
// reference_integer_ops::DepthwiseConvHybridPerChannel): [1, KH, KW, C * multiplier] filter.
void DepthwiseConv2DHybrid(const internal::Window2D& w, int32_t channels_in,
                           int32_t depth_multiplier, const HybridWeights& hw, const float* input,
                           const int8_t* filter, const float* bias, float* output,
                           HybridScratch* scratch);

// FULLY_CONNECTED (fully_connected.cc EvalHybridDense with the portable
// MatrixBatchVectorMultiplyAccumulate): filter [units, depth], input [batches, depth].
void FullyConnectedHybrid(int32_t batches, int32_t depth, int32_t units, bool asymmetric,
                          const HybridWeights& hw, const float* input, const int8_t* filter,
                          const float* bias, float* output, HybridScratch* scratch);

}  // namespace labelite::hybrid

#endif  // LABELITE_KERNELS_REFERENCE_HYBRID_OPS_H_
