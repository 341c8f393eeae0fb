// CONV_2D, hybrid (float32 input, int8 weights), as LiteRT's conv.cc:
//   per-channel weights whose scales differ (EvalHybridPerChannel, reference_ops::
//   HybridConvPerChannel): each batch is quantized asymmetrically,
//     acc = sum filter * (q - zero_point[b]) over the taps inside the input,
//     out = clamp(float(acc) * (channel_scale[oc] * batch_scale[b]) + bias[oc]);
//   otherwise (EvalHybrid): symmetric quantization, batch_scale[b] *= filter scale,
//     out = clamp(float(acc) * batch_scale[b] + bias[oc]).
// Padded taps contribute 0 (a real zero) in both.
#include "kernels/reference/hybrid_ops.h"

namespace labelite::hybrid {

void Conv2DHybrid(const internal::Window2D& w, int32_t cin, int32_t cout,
                  const HybridWeights& hw, const float* input, const int8_t* filter,
                  const float* bias, float* output, HybridScratch* s) {
  const int64_t batch_size = int64_t{w.in_h} * w.in_w * cin;
  for (int32_t b = 0; b < w.batches; ++b) {
    const float* x = input + b * batch_size;
    int8_t* q = s->quantized.data() + b * batch_size;
    if (hw.per_channel) {
      QuantizeAsymmetric(x, batch_size, q, &s->scale[b], &s->offset[b]);
    } else {
      QuantizeSymmetric(x, batch_size, q, &s->scale[b]);
      s->offset[b] = 0;
      s->scale[b] *= hw.tensor_scale;
    }
  }
  for (int32_t b = 0; b < w.batches; ++b)
    for (int32_t oy = 0; oy < w.out_h; ++oy)
      for (int32_t ox = 0; ox < w.out_w; ++ox)
        for (int32_t oc = 0; oc < cout; ++oc) {
          const int32_t y0 = oy * w.stride_h - w.pad_h, x0 = ox * w.stride_w - w.pad_w;
          // acc = sum f * (q - zp) = sum f * q - zp * sum f (exact in int32): the inner loop
          // is then a plain int8 dot product the compiler vectorizes.
          int32_t acc = 0, fsum = 0;
          for (int32_t ky = 0; ky < w.filter_h; ++ky) {
            const int32_t iy = y0 + ky * w.dilation_h;
            if (iy < 0 || iy >= w.in_h) continue;
            for (int32_t kx = 0; kx < w.filter_w; ++kx) {
              const int32_t ix = x0 + kx * w.dilation_w;
              if (ix < 0 || ix >= w.in_w) continue;
              const int8_t* in = s->quantized.data() +
                                 ((int64_t{b} * w.in_h + iy) * w.in_w + ix) * cin;
              const int8_t* f = filter + ((int64_t{oc} * w.filter_h + ky) * w.filter_w + kx) * cin;
              int32_t dot = 0, sum = 0;
              for (int32_t ic = 0; ic < cin; ++ic) {
                dot += static_cast<int32_t>(f[ic]) * static_cast<int32_t>(in[ic]);
                sum += f[ic];
              }
              acc += dot;
              fsum += sum;
            }
          }
          acc -= s->offset[b] * fsum;
          // The two scales multiply first, as in LiteRT's optimized HybridConvPerChannel (its
          // reference kernel multiplies acc by one, then the other: another float rounding).
          float v = hw.per_channel
                        ? static_cast<float>(acc) * (hw.channel_scales[oc] * s->scale[b])
                        : static_cast<float>(acc) * s->scale[b];
          if (bias) v += bias[oc];
          *output++ = Clamp(v, hw.act_min, hw.act_max);
        }
}

}  // namespace labelite::hybrid
