// QUANTIZE on the fast path: float32 -> uint8/int8 through XNNPACK's convert operators;
// uint8/int8 -> uint8/int8 requantization (which Debian 12's XNNPACK lacks) through a 256-entry
// table filled with TFLite's own fixed-point arithmetic and applied 64 bytes at a time
// (byte_table.h), so it is exact and far faster than the per-element reference loop.
#include <algorithm>
#include <array>
#include <memory>

#include "kernels/internal/quantization.h"
#include "kernels/fast/byte_table.h"
#include "kernels/xnnpack/unary.h"

namespace labelite {
namespace {

class QuantizeKernel : public xnn::UnaryKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    const Tensor& in = *ctx.input(0);
    const Tensor& out = *ctx.output(0);
    if (in.type != DataType::kFloat32 || !xnn::IsPerTensorQuantized(out))
      return ctx.UnsupportedError("only float32 -> per-tensor uint8/int8 runs on XNNPACK");
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    if (out.type == DataType::kUInt8)
      return Finish(ctx,
                    xnn_create_convert_nc_f32_qu8(c, c, c, out.scale,
                                                  static_cast<uint8_t>(out.zero_point), 0, 255,
                                                  0, &op),
                    &op, &xnn::SetupAs<float, uint8_t, xnn_setup_convert_nc_f32_qu8>,
                    "xnn_create_convert_nc_f32_qu8");
    if (out.type == DataType::kInt8)
      return Finish(ctx,
                    xnn_create_convert_nc_f32_qs8(c, c, c, out.scale,
                                                  static_cast<int8_t>(out.zero_point), -128,
                                                  127, 0, &op),
                    &op, &xnn::SetupAs<float, int8_t, xnn_setup_convert_nc_f32_qs8>,
                    "xnn_create_convert_nc_f32_qs8");
    return ctx.UnsupportedError("output type is not uint8 or int8");
  }
};

bool Is8Bit(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

class FastQuantizeKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!in || !out) return ctx.Error("expects 1 input and 1 output");
    if (!(Is8Bit(in->type) && Is8Bit(out->type))) {
      convert_ = std::make_unique<QuantizeKernel>();
      return convert_->Prepare(ctx);
    }
    if ((in->quant && in->quant->per_channel()) || (out->quant && out->quant->per_channel()))
      return ctx.UnsupportedError("per-channel requantization");
    if (!(in->scale > 0.0f) || !(out->scale > 0.0f)) return ctx.Error("scales must be positive");
    out->dims = in->dims;
    int32_t multiplier = 0;
    int shift = 0;
    quant::QuantizeMultiplier(static_cast<double>(in->scale) / static_cast<double>(out->scale),
                              &multiplier, &shift);
    const int32_t qmin = quant::QuantizedMin(out->type), qmax = quant::QuantizedMax(out->type);
    const int32_t lo = in->type == DataType::kUInt8 ? 0 : -128;
    for (int32_t v = lo; v < lo + 256; ++v) {
      const int32_t q = quant::MultiplyByQuantizedMultiplier(v - in->zero_point, multiplier, shift) +
                        out->zero_point;
      table_[static_cast<uint8_t>(v)] = static_cast<uint8_t>(std::clamp(q, qmin, qmax));
    }
    return Status::Ok();
  }
  Status Bind(KernelContext& ctx) override { return convert_ ? convert_->Bind(ctx) : Status::Ok(); }
  Status Eval(KernelContext& ctx) override {
    if (convert_) return convert_->Eval(ctx);
    // Bit patterns: int8 as uint8.
    xnn::ApplyByteTable(table_, ctx.input(0)->data, ctx.output(0)->data,
                        static_cast<size_t>(ctx.input(0)->NumElements()), ctx.threadpool);
    return Status::Ok();
  }
  const char* path() const override { return convert_ ? convert_->path() : "fast (table)"; }

 private:
  std::unique_ptr<QuantizeKernel> convert_;
  std::array<uint8_t, 256> table_{};
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackQuantize() { return std::make_unique<FastQuantizeKernel>(); }

}  // namespace labelite
