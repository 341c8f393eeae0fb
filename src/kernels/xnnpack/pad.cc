// PAD on XNNPACK's constant_pad_nd operators (x32 for float32, x8 for uint8/int8), with
// constant non-negative paddings of rank <= 4, as TFLite's delegate. The pad value is 0.0 for
// float32 and the output zero point for quantized types (TFLite's PAD semantics).
#include <memory>
#include <string>
#include <vector>

#include "kernels/xnnpack/xnn_common.h"

namespace labelite {
namespace {

class PadKernel : public xnn::XnnKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(xnn::EnsureInitialized(ctx));
    const Tensor* in = ctx.input(0);
    const Tensor* pads = ctx.input(1);
    Tensor* out = ctx.output(0);
    if (in == nullptr || pads == nullptr || !pads->is_constant || pads->type != DataType::kInt32)
      return ctx.UnsupportedError("needs constant int32 paddings");
    const int rank = in->rank();
    if (rank < 1 || rank > 4 || pads->NumElements() != 2 * rank)
      return ctx.UnsupportedError("rank " + std::to_string(rank) + " padding");
    if (out->type != in->type) return ctx.UnsupportedError("input and output types differ");
    pre_.assign(static_cast<size_t>(rank), 0);
    post_.assign(static_cast<size_t>(rank), 0);
    out->dims = in->dims;
    for (int d = 0; d < rank; ++d) {
      const int32_t before = pads->data_as<int32_t>()[2 * d];
      const int32_t after = pads->data_as<int32_t>()[2 * d + 1];
      if (before < 0 || after < 0) return ctx.UnsupportedError("negative padding");
      pre_[static_cast<size_t>(d)] = static_cast<size_t>(before);
      post_[static_cast<size_t>(d)] = static_cast<size_t>(after);
      out->dims[static_cast<size_t>(d)] += before + after;
    }
    shape_ = xnn::ToSizes(in->dims);
    xnn_operator_t op = nullptr;
    xnn_status s;
    wide_ = in->type == DataType::kFloat32;
    if (wide_) {
      const float zero = 0.0f;
      s = xnn_create_constant_pad_nd_x32(&zero, 0, &op);
    } else if (in->type == DataType::kUInt8 || in->type == DataType::kInt8) {
      if (!xnn::IsPerTensorQuantized(*in) || in->scale != out->scale ||
          in->zero_point != out->zero_point)
        return ctx.UnsupportedError("quantized pad needs equal in/out quantization");
      const uint8_t value = static_cast<uint8_t>(out->zero_point);
      s = xnn_create_constant_pad_nd_x8(&value, 0, &op);
    } else {
      return ctx.UnsupportedError("type is not float32, uint8 or int8");
    }
    op_.reset(op);
    return xnn::Check(ctx, s, "xnn_create_constant_pad_nd");
  }

  Status Bind(KernelContext& ctx) override {
    const void* in = ctx.input(0)->data;
    void* out = ctx.output(0)->data;
    const xnn_status s =
        wide_ ? xnn_setup_constant_pad_nd_x32(op_.get(), shape_.size(), shape_.data(), pre_.data(),
                                              post_.data(), in, out, ctx.threadpool)
              : xnn_setup_constant_pad_nd_x8(op_.get(), shape_.size(), shape_.data(), pre_.data(),
                                             post_.data(), in, out, ctx.threadpool);
    return xnn::Check(ctx, s, "xnn_setup_constant_pad_nd");
  }

 private:
  bool wide_ = true;
  std::vector<size_t> shape_, pre_, post_;
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackPad() { return std::make_unique<PadKernel>(); }

}  // namespace labelite
