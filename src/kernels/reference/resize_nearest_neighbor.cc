// RESIZE_NEAREST_NEIGHBOR as TFLite computes it:
//   scale = in/out (align_corners: (in-1)/(out-1) when out > 1), offset 0.5 with
//   half_pixel_centers; source = min(align_corners ? round((x + offset) * scale)
//   : floor((x + offset) * scale), in - 1), and >= 0 with half_pixel_centers.
// TFLite's optimized uint8/int8 kernel, without either flag, uses 16.16 fixed point instead:
//   source = min((x * ((in << 16) / out + 1)) >> 16, in - 1); labelite does the same.
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels/internal/resize_common.h"

namespace labelite {
namespace {

std::vector<int32_t> SourceIndices(int32_t in_size, int32_t out_size, bool align_corners,
                                   bool half_pixel, bool fixed_point) {
  std::vector<int32_t> src(static_cast<size_t>(out_size));
  if (fixed_point) {
    const int64_t scale = (static_cast<int64_t>(in_size) << 16) / out_size + 1;
    for (int32_t i = 0; i < out_size; ++i)
      src[static_cast<size_t>(i)] = static_cast<int32_t>(std::min<int64_t>((i * scale) >> 16, in_size - 1));
    return src;
  }
  const float scale = (align_corners && out_size > 1)
                          ? static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1)
                          : static_cast<float>(in_size) / static_cast<float>(out_size);
  const float offset = half_pixel ? 0.5f : 0.0f;
  for (int32_t i = 0; i < out_size; ++i) {
    const float p = (static_cast<float>(i) + offset) * scale;
    int32_t v = std::min(align_corners ? static_cast<int32_t>(std::round(p))
                                       : static_cast<int32_t>(std::floor(p)),
                         in_size - 1);
    if (half_pixel) v = std::max(v, 0);
    src[static_cast<size_t>(i)] = v;
  }
  return src;
}

class ResizeNearestNeighborKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    int32_t out_h = 0, out_w = 0;
    LABELITE_RETURN_IF_ERROR(PrepareResize(ctx, &out_h, &out_w));
    const OpOptions& o = ctx.options();
    const Tensor& in = *ctx.input(0);
    const bool fixed = in.type != DataType::kFloat32 && !o.align_corners && !o.half_pixel_centers;
    ys_ = SourceIndices(in.dim(1), out_h, o.align_corners, o.half_pixel_centers, fixed);
    xs_ = SourceIndices(in.dim(2), out_w, o.align_corners, o.half_pixel_centers, fixed);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    const size_t row = static_cast<size_t>(in.dim(3)) * DataTypeSize(in.type);
    const int64_t in_h = in.dim(1), in_w = in.dim(2);
    uint8_t* dst = out.data;
    for (int64_t b = 0; b < in.dim(0); ++b)
      for (int32_t sy : ys_)
        for (int32_t sx : xs_) {
          std::memcpy(dst, in.data + static_cast<size_t>((b * in_h + sy) * in_w + sx) * row, row);
          dst += row;
        }
    return Status::Ok();
  }

 private:
  std::vector<int32_t> ys_, xs_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceResizeNearestNeighbor() {
  return std::make_unique<ResizeNearestNeighborKernel>();
}

}  // namespace labelite
