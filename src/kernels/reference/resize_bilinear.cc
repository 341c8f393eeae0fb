// RESIZE_BILINEAR as TFLite's reference/generic kernel computes it, in float for every type:
//   scale = in/out (align_corners: (in-1)/(out-1) when out > 1);
//   source = (x + 0.5) * scale - 0.5 with half_pixel_centers, else x * scale;
//   x0 = max(floor(source), 0), x1 = min(ceil(source), in-1);
//   value = sum of the 4 neighbours weighted by (1 - frac)/frac, + 0.5 for uint8/int8 and
//   truncated to the type (TFLite's static_cast).
// Quantized tensors are interpolated as raw values (input and output share parameters).
#include <cmath>
#include <memory>
#include <vector>

#include "kernels/internal/resize_common.h"

namespace labelite {
namespace {

struct Axis {
  std::vector<float> pos;  // source coordinate
  std::vector<int32_t> lo, hi;
};

void ComputeAxis(int32_t in_size, int32_t out_size, bool align_corners, bool half_pixel, Axis* a) {
  float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  if (align_corners && out_size > 1)
    scale = static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1);
  a->pos.resize(static_cast<size_t>(out_size));
  a->lo.resize(a->pos.size());
  a->hi.resize(a->pos.size());
  for (int32_t i = 0; i < out_size; ++i) {
    const float p = half_pixel ? (static_cast<float>(i) + 0.5f) * scale - 0.5f
                               : static_cast<float>(i) * scale;
    const size_t k = static_cast<size_t>(i);
    a->pos[k] = p;
    a->lo[k] = std::max(static_cast<int32_t>(std::floor(p)), 0);
    a->hi[k] = std::min(static_cast<int32_t>(std::ceil(p)), in_size - 1);
  }
}

class ResizeBilinearKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    int32_t out_h = 0, out_w = 0;
    LABELITE_RETURN_IF_ERROR(PrepareResize(ctx, &out_h, &out_w));
    const OpOptions& o = ctx.options();
    if (o.align_corners && o.half_pixel_centers)
      return ctx.Error("align_corners and half_pixel_centers are both set");
    const Tensor& in = *ctx.input(0);
    ComputeAxis(in.dim(1), out_h, o.align_corners, o.half_pixel_centers, &ys_);
    ComputeAxis(in.dim(2), out_w, o.align_corners, o.half_pixel_centers, &xs_);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    switch (ctx.input(0)->type) {
      case DataType::kFloat32: Run<float>(ctx, 0.0f); break;
      case DataType::kUInt8: Run<uint8_t>(ctx, 0.5f); break;
      case DataType::kInt8: Run<int8_t>(ctx, 0.5f); break;
      default: return Internal("RESIZE_BILINEAR: unexpected type");
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(KernelContext& ctx, float rounding) const {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    const T* x = in.data_as<T>();
    T* y = out.data_as<T>();
    const int64_t batches = in.dim(0), in_h = in.dim(1), in_w = in.dim(2), depth = in.dim(3);
    const int64_t out_h = out.dim(1), out_w = out.dim(2);
    for (int64_t b = 0; b < batches; ++b) {
      for (int64_t oy = 0; oy < out_h; ++oy) {
        const size_t ky = static_cast<size_t>(oy);
        const float fy = ys_.pos[ky] - static_cast<float>(ys_.lo[ky]);
        const T* row0 = x + (b * in_h + ys_.lo[ky]) * in_w * depth;
        const T* row1 = x + (b * in_h + ys_.hi[ky]) * in_w * depth;
        for (int64_t ox = 0; ox < out_w; ++ox) {
          const size_t kx = static_cast<size_t>(ox);
          const float fx = xs_.pos[kx] - static_cast<float>(xs_.lo[kx]);
          const int64_t x0 = xs_.lo[kx] * depth, x1 = xs_.hi[kx] * depth;
          T* dst = y + ((b * out_h + oy) * out_w + ox) * depth;
          for (int64_t c = 0; c < depth; ++c) {
            dst[c] = static_cast<T>(static_cast<float>(row0[x0 + c]) * (1 - fy) * (1 - fx) +
                                    static_cast<float>(row1[x0 + c]) * fy * (1 - fx) +
                                    static_cast<float>(row0[x1 + c]) * (1 - fy) * fx +
                                    static_cast<float>(row1[x1 + c]) * fy * fx + rounding);
          }
        }
      }
    }
  }

  Axis ys_, xs_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceResizeBilinear() {
  return std::make_unique<ResizeBilinearKernel>();
}

}  // namespace labelite
