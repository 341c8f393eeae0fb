// FULLY_CONNECTED, hybrid (float32 input, int8 weights): LiteRT's EvalHybridDense.
//   1. out = bias (or 0); an all-zero input only gets the activation.
//   2. Each batch row is quantized on the fly: symmetric, or asymmetric with a zero point
//      when the op's asymmetric_quantize_inputs is set.
//   3. Per-tensor weights fold their scale into the batch scale (a float product); per-channel
//      weights (more than one scale) multiply the batch scale by the channel's.
//   4. out += float(dot - row_sum * zero_point) * scale, then the activation clamps.
#include <algorithm>

#include "kernels/reference/hybrid_ops.h"

namespace labelite::hybrid {

void FullyConnectedHybrid(int32_t batches, int32_t depth, int32_t units, bool asymmetric,
                          const HybridWeights& hw, const float* input, const int8_t* filter,
                          const float* bias, float* output, HybridScratch* s) {
  const size_t n_out = static_cast<size_t>(batches) * static_cast<size_t>(units);
  const size_t n_in = static_cast<size_t>(batches) * static_cast<size_t>(depth);
  for (int32_t b = 0; b < batches; ++b)
    for (int32_t u = 0; u < units; ++u)
      output[static_cast<size_t>(b) * units + u] = bias ? bias[u] : 0.0f;
  if (std::all_of(input, input + n_in, [](float v) { return v == 0.0f; })) {
    for (size_t i = 0; i < n_out; ++i) output[i] = Clamp(output[i], hw.act_min, hw.act_max);
    return;
  }
  const bool per_channel = hw.num_scales > 1;
  for (int32_t b = 0; b < batches; ++b) {
    const size_t at = static_cast<size_t>(b) * static_cast<size_t>(depth);
    if (asymmetric) {
      QuantizeAsymmetric(input + at, depth, s->quantized.data() + at, &s->scale[b], &s->offset[b]);
    } else {
      QuantizeSymmetric(input + at, depth, s->quantized.data() + at, &s->scale[b]);
      s->offset[b] = 0;
    }
    if (!per_channel) s->scale[b] *= hw.tensor_scale;
  }
  for (int32_t u = 0; u < units; ++u) {
    int32_t sum = 0;
    for (int32_t d = 0; d < depth; ++d) sum += filter[static_cast<size_t>(u) * depth + d];
    s->row_sums[u] = sum;
  }
  for (int32_t b = 0; b < batches; ++b) {
    const int8_t* x = s->quantized.data() + static_cast<size_t>(b) * depth;
    for (int32_t u = 0; u < units; ++u) {
      const int8_t* row = filter + static_cast<size_t>(u) * depth;
      int32_t dot = 0;
      for (int32_t d = 0; d < depth; ++d) dot += static_cast<int32_t>(row[d]) * x[d];
      dot -= s->row_sums[u] * s->offset[b];
      float scale = s->scale[b];
      if (per_channel) scale *= hw.channel_scales[u];
      float& out = output[static_cast<size_t>(b) * units + u];
      out += static_cast<float>(dot) * scale;
      out = Clamp(out, hw.act_min, hw.act_max);
    }
  }
}

}  // namespace labelite::hybrid
