// DEPTHWISE_CONV_2D, hybrid (float32 input, int8 per-channel weights), as LiteRT's
// depthwise_conv.cc EvalHybridPerChannel (reference_integer_ops::DepthwiseConvHybridPerChannel):
// each batch is quantized asymmetrically, then for output channel oc = ic * multiplier + m
//   acc = sum filter[ky, kx, oc] * (q[iy, ix, ic] - zero_point[b]) over the taps inside the input
//   out = clamp(float(acc) * channel_scale[oc] * batch_scale[b] + bias[oc]).
#include "kernels/reference/hybrid_ops.h"

namespace labelite::hybrid {

void DepthwiseConv2DHybrid(const internal::Window2D& w, int32_t cin, int32_t multiplier,
                           const HybridWeights& hw, const float* input, const int8_t* filter,
                           const float* bias, float* output, HybridScratch* s) {
  const int64_t batch_size = int64_t{w.in_h} * w.in_w * cin;
  const int32_t cout = cin * multiplier;
  for (int32_t b = 0; b < w.batches; ++b) {
    QuantizeAsymmetric(input + b * batch_size, batch_size, s->quantized.data() + b * batch_size,
                       &s->scale[b], &s->offset[b]);
  }
  for (int32_t b = 0; b < w.batches; ++b)
    for (int32_t oy = 0; oy < w.out_h; ++oy)
      for (int32_t ox = 0; ox < w.out_w; ++ox)
        for (int32_t oc = 0; oc < cout; ++oc) {
          const int32_t ic = oc / multiplier;
          const int32_t y0 = oy * w.stride_h - w.pad_h, x0 = ox * w.stride_w - w.pad_w;
          int32_t acc = 0;
          for (int32_t ky = 0; ky < w.filter_h; ++ky) {
            const int32_t iy = y0 + ky * w.dilation_h;
            if (iy < 0 || iy >= w.in_h) continue;
            for (int32_t kx = 0; kx < w.filter_w; ++kx) {
              const int32_t ix = x0 + kx * w.dilation_w;
              if (ix < 0 || ix >= w.in_w) continue;
              const int32_t q =
                  s->quantized[static_cast<size_t>(((int64_t{b} * w.in_h + iy) * w.in_w + ix) * cin + ic)];
              const int32_t f = filter[(int64_t{ky} * w.filter_w + kx) * cout + oc];
              acc += f * (q - s->offset[b]);
            }
          }
          // acc * channel scale, then * batch scale, as LiteRT's optimized
          // DepthwiseConvHybridPerChannel rounds (its reference kernel multiplies by the product).
          const float v0 = static_cast<float>(acc) * hw.channel_scales[oc];
          float v = v0 * s->scale[b];
          if (bias) v += bias[oc];
          *output++ = Clamp(v, hw.act_min, hw.act_max);
        }
}

}  // namespace labelite::hybrid
