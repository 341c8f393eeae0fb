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

// Whether the graph's weights (KernelContext::constant_bytes) fit in half the last-level cache,
// so that they come from there, not from memory, at every invoke. Then a GEMM of one to three
// rows (a batch-1 FULLY_CONNECTED, a 1x1-pixel convolution), which streams its weights once,
// reads less when it skips the zero steps of its input: MobileNet v3's logits after HARD_SWISH,
// its squeeze-excite blocks after RELU, about half zeros; Zen 4, 1280 -> 1000 from L3 68 -> 49
// us. From memory it reads more slowly with the holes (the hardware prefetcher streams whole
// panels; Inception v3's 1x1x2048 layers, 95 MB of weights, took 1.4x as long).
bool WeightsStayCached(const KernelContext& ctx);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_ZERO_INPUTS_H_
