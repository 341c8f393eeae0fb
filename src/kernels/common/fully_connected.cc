#include "kernels/common/fully_connected.h"

#include <string>
#include <utility>
#include <vector>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::common {

namespace {

// Step 2: batches and the output's dims.
Status PrepareShape(KernelContext& ctx, FullyConnectedParams* p) {
  const Tensor& input = *ctx.input(0);
  if (input.rank() < 1 || p->depth <= 0 || input.NumElements() % p->depth != 0) {
    return ctx.Error("input " + internal::ShapeString(input.dims) + " cannot be read as rows of " +
                     std::to_string(p->depth) + " (the filter's depth)");
  }
  p->batches = static_cast<int32_t>(input.NumElements() / p->depth);
  std::vector<int32_t> out_dims;
  if (ctx.options().keep_num_dims) {
    if (input.dims.back() != p->depth) {
      return ctx.Error("keep_num_dims needs the input's last dimension (" +
                       std::to_string(input.dims.back()) + ") to equal the filter's depth (" +
                       std::to_string(p->depth) + ")");
    }
    out_dims = input.dims;
    out_dims.back() = p->units;
  } else {
    out_dims = {p->batches, p->units};
  }
  return internal::SetOutputDims(ctx, *ctx.output(0), std::move(out_dims));
}

// Step 3 for a float32 input.
Status PrepareFloat(KernelContext& ctx, FullyConnectedParams* p) {
  const Tensor& filter = *ctx.input(1);
  const Tensor* bias = ctx.input(2);
  const Tensor& output = *ctx.output(0);
  p->hybrid = hybrid::IsHybrid(*ctx.input(0), filter);
  if (p->hybrid) {
    return hybrid::PrepareHybridWeights(ctx, filter, p->units, /*channel_axis=*/0, bias, output,
                                        p->activation, &p->hybrid_weights);
  }
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, filter, "filter", DataType::kFloat32));
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", DataType::kFloat32));
  LABELITE_RETURN_IF_ERROR(internal::CheckFloatBias(ctx, bias, p->units));
  if (p->activation == Activation::kTanh || p->activation == Activation::kSignBit) {
    return internal::UnsupportedActivation(ctx, p->activation);
  }
  quant::ActivationRangeFloat(p->activation, &p->float_min, &p->float_max);
  return Status::Ok();
}

}  // namespace

Status PrepareFullyConnected(KernelContext& ctx, FullyConnectedParams* p) {
  *p = FullyConnectedParams{};
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 3, 1));
  const Tensor& input = *ctx.input(0);
  const Tensor& filter = *ctx.input(1);
  const OpOptions& o = ctx.options();
  if (o.weights_format != 0) {
    return ctx.UnsupportedError("shuffled weights format " + std::to_string(o.weights_format) +
                                " is not supported");
  }
  LABELITE_RETURN_IF_ERROR(internal::CheckRank(ctx, filter, "filter", 2));
  p->type = input.type;
  p->activation = o.activation;
  p->units = filter.dim(0);
  p->depth = filter.dim(1);
  LABELITE_RETURN_IF_ERROR(PrepareShape(ctx, p));
  switch (input.type) {
    case DataType::kFloat32:
      return PrepareFloat(ctx, p);
    case DataType::kUInt8:
    case DataType::kInt8:
      p->per_channel = internal::WeightScales(filter).size() > 1;
      return internal::PrepareConvQuant(ctx, input, filter, ctx.input(2), *ctx.output(0),
                                        p->units, /*channel_axis=*/0, o.activation,
                                        internal::MultiplierSource::kFullyConnected, &p->quant);
    default:
      return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                  " is not supported");
  }
}

}  // namespace labelite::common
