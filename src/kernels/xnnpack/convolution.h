// ConvolutionKernel: CONV_2D and DEPTHWISE_CONV_2D on XNNPACK's convolution2d_nhwc operators
// (f32; qu8; qs8 with per-tensor int8 weights; qc8 with per-channel int8 weights) or on one of
// labelite's own kernels (kernels/fast/fast_conv.h). Prepare is the shared
// common::PrepareConv / PrepareDepthwiseConv (kernels/common/conv.h); this kernel only maps its
// parameters (the fused activation's bounds quantized as XNNPACK's delegate does).
// A depthwise convolution is a grouped convolution with groups = input channels and
// group_output_channels = depth multiplier; TFLite's [1, KH, KW, C*M] filter is already the
// layout XNNPACK expects with XNN_FLAG_DEPTHWISE_CONVOLUTION.
#ifndef LABELITE_KERNELS_XNNPACK_CONVOLUTION_H_
#define LABELITE_KERNELS_XNNPACK_CONVOLUTION_H_

#include <memory>
#include <string>
#include <vector>

#include "kernels/common/conv.h"
#include "kernels/fast/fast_conv.h"
#include "kernels/xnnpack/quantized_conv_op.h"
#include "kernels/xnnpack/xnn_common.h"

namespace labelite::xnn {

class ConvolutionKernel : public XnnKernel {
 public:
  explicit ConvolutionKernel(bool depthwise) : depthwise_(depthwise) {}
  Status Prepare(KernelContext& ctx) override;
  Status Bind(KernelContext& ctx) override;
  Status Eval(KernelContext& ctx) override;
  // The FastConv's name (e.g. "vnni") when one of labelite's own kernels runs it, else
  // "xnnpack".
  const char* path() const override {
    if (!fused_path_.empty()) return fused_path_.c_str();
    return fast_ != nullptr ? fast_->path() : "xnnpack";
  }
  // Float convolutions on one of labelite's own kernels that can (FastConv::FuseOutputFunction).
  bool FuseOutputFunction(const FloatOutputFunction& f) override;
  // XNNPACK's operator and every FastConv pack the filter and bias at Prepare.
  bool packed_constant_inputs() const override { return true; }
  // A PAD in front folded into the convolution's padding (as XNNPACK's delegate does): the
  // kernel reads the PAD's input instead, and the PAD runs only if something else reads it.
  bool reads_input(int i) const override { return i != 0 || padded_source_ == nullptr; }
  std::vector<int32_t> extra_inputs() const override {
    if (padded_source_index_ < 0) return {};
    return {padded_source_index_};
  }

 private:
  // Maps the prepared parameters to labelite's own kernels or XNNPACK's operator; what neither
  // runs (hybrid weights, a filter or bias that is not constant, ...) is Unsupported, so the
  // interpreter falls back to the reference kernel, which prepares the same way.
  Status Create(const KernelContext& ctx, const common::ConvParams& p);
  Status CreateF32(const KernelContext& ctx, const common::ConvParams& p);
  Status CreateQuantized(const KernelContext& ctx, const common::ConvParams& p);
  // fast_ on spec with the PAD in front folded in (FoldPad), when there is one it can fold.
  template <typename Spec>
  bool TryFoldPad(const KernelContext& ctx, const Spec& spec);

  enum class Type { kF32, kQuantized };
  bool depthwise_;
  Type type_ = Type::kF32;
  QuantConvType quant_type_ = QuantConvType::kQS8;  // when type_ is kQuantized
  std::unique_ptr<FastConv> fast_;  // replaces op_ when set
  const Tensor* padded_source_ = nullptr;  // the folded PAD's input, which fast_ reads
  int32_t padded_source_index_ = -1;       // its tensor index
  std::string fused_path_;  // path() once an output function is fused, else empty
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_CONVOLUTION_H_
