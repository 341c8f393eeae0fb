#include "kernels/internal/conv_util.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::internal {

namespace {

Status CheckBias(const KernelContext& ctx, const Tensor* bias, DataType type, int32_t channels) {
  if (bias == nullptr) return Status::Ok();
  LABELITE_RETURN_IF_ERROR(CheckType(ctx, *bias, "bias", type));
  if (bias->NumElements() != channels) {
    return ctx.Error("bias has " + std::to_string(bias->NumElements()) + " elements " +
                     ShapeString(bias->dims) + ", expected " + std::to_string(channels));
  }
  return Status::Ok();
}

}  // namespace

Status CheckFloatBias(const KernelContext& ctx, const Tensor* bias, int32_t channels) {
  return CheckBias(ctx, bias, DataType::kFloat32, channels);
}

Status PrepareConvQuant(const KernelContext& ctx, const Tensor& input, const Tensor& filter,
                        const Tensor* bias, const Tensor& output, int32_t channels,
                        int channel_axis, Activation activation, MultiplierSource source,
                        ConvQuantParams* params, bool multipliers) {
  const DataType type = input.type;
  LABELITE_RETURN_IF_ERROR(CheckType(ctx, filter, "filter", type));
  LABELITE_RETURN_IF_ERROR(CheckType(ctx, output, "output", type));
  LABELITE_RETURN_IF_ERROR(CheckBias(ctx, bias, DataType::kInt32, channels));
  LABELITE_RETURN_IF_ERROR(CheckQuantized(ctx, input, "input"));
  LABELITE_RETURN_IF_ERROR(CheckQuantized(ctx, output, "output"));

  const std::vector<float> scales = WeightScales(filter);
  const bool per_channel = scales.size() > 1;
  for (float s : scales) {
    if (!(s > 0.0f) || !std::isfinite(s)) {
      return ctx.Error("filter has an invalid quantization scale " + std::to_string(s));
    }
  }
  if (per_channel) {
    if (type != DataType::kInt8) {
      return ctx.UnsupportedError("per-channel quantized filters must be int8, got " +
                                  std::string(DataTypeName(type)));
    }
    if (static_cast<int64_t>(scales.size()) != channels) {
      return ctx.Error("filter has " + std::to_string(scales.size()) + " per-channel scales, " +
                       "expected " + std::to_string(channels));
    }
    if (filter.quant->quantized_dimension != channel_axis) {
      return ctx.Error("filter is quantized along axis " +
                       std::to_string(filter.quant->quantized_dimension) + ", expected axis " +
                       std::to_string(channel_axis));
    }
  }
  if (type == DataType::kInt8 && !AllZeroPointsZero(filter)) {
    return ctx.UnsupportedError("int8 filter has a nonzero zero point (TFLite requires 0)");
  }

  params->input_offset = -input.zero_point;
  params->filter_offset = type == DataType::kUInt8 ? -filter.zero_point : 0;
  params->output_offset = output.zero_point;
  const size_t n = multipliers ? static_cast<size_t>(channels) : 0;
  params->multiplier.assign(n, 0);
  params->shift.assign(n, 0);

  const bool legacy = source == MultiplierSource::kConv ? type == DataType::kUInt8 : !per_channel;
  if (legacy) {
    const float filter_scale = scales[0];
    if (bias != nullptr) {
      const double product = static_cast<double>(input.scale) * static_cast<double>(filter_scale);
      const double bias_scale = static_cast<double>(bias->scale);
      if (std::abs(product - bias_scale) > 1e-6 * std::min(product, bias_scale)) {
        return ctx.Error("bias scale " + std::to_string(bias->scale) +
                         " is not input scale * filter scale (" + std::to_string(product) + ")");
      }
    }
    const double real = static_cast<double>(input.scale * filter_scale) /
                        static_cast<double>(output.scale);
    int32_t m = 0;
    int shift = 0;
    if (multipliers) quant::QuantizeMultiplier(real, &m, &shift);
    std::fill(params->multiplier.begin(), params->multiplier.end(), m);
    std::fill(params->shift.begin(), params->shift.end(), shift);
  } else if (multipliers) {
    for (int32_t c = 0; c < channels; ++c) {
      const float s = per_channel ? scales[static_cast<size_t>(c)] : scales[0];
      const double real = static_cast<double>(input.scale) * static_cast<double>(s) /
                          static_cast<double>(output.scale);
      quant::QuantizeMultiplier(real, &params->multiplier[static_cast<size_t>(c)],
                                &params->shift[static_cast<size_t>(c)]);
    }
  }

  if (!quant::ActivationRangeQuantized(activation, output.type, output.scale, output.zero_point,
                                       &params->act_min, &params->act_max)) {
    return internal::UnsupportedActivation(ctx, activation, "is not supported on quantized outputs");
  }
  return Status::Ok();
}

}  // namespace labelite::internal
