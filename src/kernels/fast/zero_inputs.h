// InputMayHoldZeros: whether an operator's input comes from a ReLU, so that many of its values
// are exactly zero, and neighbouring pixels' zero together (dead channels, dark regions).
//
// F32Gemm then looks, per tile of output pixels, for the k steps whose inputs are zero in every
// row and skips them (F32Steps: 10% less time on DenseNet-121, ResNet and Inception v3 float at
// one thread, Zen 5). Elsewhere the look would only cost (EfficientNet's swish, ConvNeXt's GELU:
// 2-3% more), hence this guess from the graph, made once in Prepare: the input is written by
//   - RELU, RELU6, HARD_SWISH (zero below -3), or any op with a fused RELU or RELU6;
//   - or an op that keeps such zeros (pooling, CONCATENATION of one such input, PAD, RESHAPE,
//     SQUEEZE, MEAN) of such an input, up to 8 ops back.
// A wrong guess costs time only, never bits: the skipped steps would add fma(0, w, acc) == acc.
#ifndef LABELITE_KERNELS_FAST_ZERO_INPUTS_H_
#define LABELITE_KERNELS_FAST_ZERO_INPUTS_H_

#include "runtime/kernel.h"

namespace labelite::xnn {

bool InputMayHoldZeros(const KernelContext& ctx, int input);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_ZERO_INPUTS_H_
