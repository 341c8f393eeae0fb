#include "image/preset_resize.h"

#include <libyuv/scale.h>
#include <libyuv/scale_argb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace labelite {

namespace {

Status CheckResizeArgs(const Image& src, int width, int height, int max_channels) {
  if (src.channels < 1 || src.channels > max_channels)
    return InvalidArgument("resize: " + std::to_string(src.channels) + " channels not supported");
  if (src.width < 1 || src.height < 1 || width < 1 || height < 1)
    return InvalidArgument("resize: empty image or output size");
  if (src.pixels.size() != static_cast<size_t>(src.width) * src.height * src.channels)
    return InvalidArgument("resize: pixel buffer does not match the image size");
  if (static_cast<uint64_t>(width) * static_cast<uint64_t>(height) > (1ull << 28))
    return InvalidArgument("resize: output too large");
  return Status::Ok();
}

// Gaussian elimination with partial pivoting in double, in OpenCV's operation order (its LU
// for small matrices), solving a x = b in place; b receives x.
void SolveLu8(double a[8][8], double b[8]) {
  for (int i = 0; i < 8; ++i) {
    int k = i;
    for (int j = i + 1; j < 8; ++j)
      if (std::fabs(a[j][i]) > std::fabs(a[k][i])) k = j;
    if (k != i) {
      for (int j = i; j < 8; ++j) std::swap(a[i][j], a[k][j]);
      std::swap(b[i], b[k]);
    }
    const double d = -1 / a[i][i];
    for (int j = i + 1; j < 8; ++j) {
      const double alpha = a[j][i] * d;
      for (int c = i + 1; c < 8; ++c) a[j][c] += alpha * a[i][c];
      b[j] += alpha * b[i];
    }
  }
  for (int i = 7; i >= 0; --i) {
    double s = b[i];
    for (int c = i + 1; c < 8; ++c) s -= a[i][c] * b[c];
    b[i] = s / a[i][i];
  }
}

// The 32x32 bilinear weight table of OpenCV's INTER_LINEAR remap (INTER_BITS = 5): weights in
// 1/32768 units; ax*ay*32 and friends are exact, so every entry sums to 32768.
struct WarpTable {
  std::array<std::array<int32_t, 4>, 32 * 32> w;
  WarpTable() {
    for (int ay = 0; ay < 32; ++ay)
      for (int ax = 0; ax < 32; ++ax)
        w[static_cast<size_t>(ay * 32 + ax)] = {(32 - ax) * (32 - ay) * 32, ax * (32 - ay) * 32,
                                                (32 - ax) * ay * 32, ax * ay * 32};
  }
};

}  // namespace

std::array<double, 9> OpenCvInverseProjection(int src_width, int src_height, int width, int height) {
  // Corners as cv::boxPoints gives them for the whole-image rectangle, and the output corners
  // in MediaPipe's order; products are float, as OpenCV computes them from Point2f.
  const float sw = static_cast<float>(src_width), sh = static_cast<float>(src_height);
  const float dw = static_cast<float>(width), dh = static_cast<float>(height);
  const float src[4][2] = {{0, sh}, {0, 0}, {sw, 0}, {sw, sh}};
  const float dst[4][2] = {{0, dh}, {0, 0}, {dw, 0}, {dw, dh}};
  double a[8][8] = {}, b[8];
  for (int i = 0; i < 4; ++i) {
    a[i][0] = a[i + 4][3] = src[i][0];
    a[i][1] = a[i + 4][4] = src[i][1];
    a[i][2] = a[i + 4][5] = 1;
    a[i][6] = -src[i][0] * dst[i][0];
    a[i][7] = -src[i][1] * dst[i][0];
    a[i + 4][6] = -src[i][0] * dst[i][1];
    a[i + 4][7] = -src[i][1] * dst[i][1];
    b[i] = dst[i][0];
    b[i + 4] = dst[i][1];
  }
  SolveLu8(a, b);
  const double m[3][3] = {{b[0], b[1], b[2]}, {b[3], b[4], b[5]}, {b[6], b[7], 1.0}};
  // cv::invert of a 3x3 (DECOMP_LU): cofactors times 1/det.
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const double d = 1. / det;
  return {(m[1][1] * m[2][2] - m[1][2] * m[2][1]) * d, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) * d,
          (m[0][1] * m[1][2] - m[0][2] * m[1][1]) * d, (m[1][2] * m[2][0] - m[1][0] * m[2][2]) * d,
          (m[0][0] * m[2][2] - m[0][2] * m[2][0]) * d, (m[0][2] * m[1][0] - m[0][0] * m[1][2]) * d,
          (m[1][0] * m[2][1] - m[1][1] * m[2][0]) * d, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) * d,
          (m[0][0] * m[1][1] - m[0][1] * m[1][0]) * d};
}

Result<Image> ResizeOpenCvWarp(const Image& src, int width, int height) {
  LABELITE_RETURN_IF_ERROR(CheckResizeArgs(src, width, height, 4));
  static const WarpTable table;
  const std::array<double, 9> m = OpenCvInverseProjection(src.width, src.height, width, height);
  const int cn = src.channels;
  Image out;
  out.width = width;
  out.height = height;
  out.channels = cn;
  out.pixels.resize(static_cast<size_t>(width) * height * cn);
  // warpPerspective works in blocks of bw output columns: a pixel's position is the block
  // start's plus x1 steps, and that sum is what gets rounded.
  const int bh0 = std::min(16, height);
  const int bw = std::min(1024 / bh0, width);
  const auto at = [&](int y, int x) {
    y = std::clamp(y, 0, src.height - 1);  // BORDER_REPLICATE
    x = std::clamp(x, 0, src.width - 1);
    return &src.pixels[(static_cast<size_t>(y) * src.width + x) * cn];
  };
  for (int y = 0; y < height; ++y) {
    uint8_t* row = &out.pixels[static_cast<size_t>(y) * width * cn];
    for (int xb = 0; xb < width; xb += bw) {
      const double x0 = m[0] * xb + m[1] * y + m[2];
      const double y0 = m[3] * xb + m[4] * y + m[5];
      const double w0 = m[6] * xb + m[7] * y + m[8];
      for (int x1 = 0; x1 < bw && xb + x1 < width; ++x1) {
        double w = w0 + m[6] * x1;
        w = w != 0 ? 32.0 / w : 0;
        const double fx = std::clamp((x0 + m[0] * x1) * w, double{INT32_MIN}, double{INT32_MAX});
        const double fy = std::clamp((y0 + m[3] * x1) * w, double{INT32_MIN}, double{INT32_MAX});
        const int ix = static_cast<int>(std::nearbyint(fx)), iy = static_cast<int>(std::nearbyint(fy));
        const auto& wt = table.w[static_cast<size_t>((iy & 31) * 32 + (ix & 31))];
        const int sx = ix >> 5, sy = iy >> 5;
        const uint8_t *p00 = at(sy, sx), *p01 = at(sy, sx + 1), *p10 = at(sy + 1, sx), *p11 = at(sy + 1, sx + 1);
        uint8_t* o = row + static_cast<size_t>(xb + x1) * cn;
        for (int c = 0; c < cn; ++c) {
          const int32_t v = p00[c] * wt[0] + p01[c] * wt[1] + p10[c] * wt[2] + p11[c] * wt[3];
          o[c] = static_cast<uint8_t>(std::clamp((v + (1 << 14)) >> 15, 0, 255));
        }
      }
    }
  }
  return out;
}

Result<Image> ResizeLibyuvBilinear(const Image& src, int width, int height) {
  LABELITE_RETURN_IF_ERROR(CheckResizeArgs(src, width, height, 4));
  if (src.channels == 2) return InvalidArgument("resize: 2 channels not supported");
  const size_t in_n = static_cast<size_t>(src.width) * src.height;
  const size_t out_n = static_cast<size_t>(width) * height;
  Image out;
  out.width = width;
  out.height = height;
  out.channels = src.channels;
  if (src.channels == 1) {  // gray frames go through ScalePlane
    out.pixels.resize(out_n);
    libyuv::ScalePlane(src.pixels.data(), src.width, src.width, src.height, out.pixels.data(),
                       width, width, height, libyuv::kFilterBilinear);
    return out;
  }
  // ARGB in memory order B, G, R, A; bilinear filtering treats the four bytes alike, so the
  // channels are copied in order and the spare bytes carry 255.
  std::vector<uint8_t> argb(in_n * 4, 255), scaled(out_n * 4);
  const int cn = src.channels;
  for (size_t i = 0; i < in_n; ++i)
    for (int c = 0; c < cn; ++c) argb[i * 4 + c] = src.pixels[i * cn + c];
  if (libyuv::ARGBScale(argb.data(), src.width * 4, src.width, src.height, scaled.data(),
                        width * 4, width, height, libyuv::kFilterBilinear) != 0)
    return InvalidArgument("resize: libyuv::ARGBScale failed");
  out.pixels.resize(out_n * cn);
  for (size_t i = 0; i < out_n; ++i)
    for (int c = 0; c < cn; ++c) out.pixels[i * cn + c] = scaled[i * 4 + c];
  return out;
}

Result<FloatImage> ResizeBilinearTf(const Image& src, int width, int height) {
  LABELITE_RETURN_IF_ERROR(CheckResizeArgs(src, width, height, 4));
  struct Tap {
    int lower, upper;
    float lerp;
  };
  auto taps = [](int in_size, int out_size) {
    const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
    std::vector<Tap> t(static_cast<size_t>(out_size));
    for (int i = 0; i < out_size; ++i) {
      const float in = (static_cast<float>(i) + 0.5f) * scale - 0.5f;
      const float in_f = std::floor(in);
      t[static_cast<size_t>(i)] = {std::max(static_cast<int>(in_f), 0),
                                   std::min(static_cast<int>(std::ceil(in)), in_size - 1), in - in_f};
    }
    return t;
  };
  const std::vector<Tap> xs = taps(src.width, width), ys = taps(src.height, height);
  const int cn = src.channels;
  FloatImage out;
  out.width = width;
  out.height = height;
  out.channels = cn;
  out.pixels.resize(static_cast<size_t>(width) * height * cn);
  auto px = [&](int y, int x, int c) {
    return static_cast<float>(src.pixels[(static_cast<size_t>(y) * src.width + x) * cn + c]);
  };
  float* o = out.pixels.data();
  for (const Tap& ty : ys)
    for (const Tap& tx : xs)
      for (int c = 0; c < cn; ++c) {
        const float tl = px(ty.lower, tx.lower, c), tr = px(ty.lower, tx.upper, c);
        const float bl = px(ty.upper, tx.lower, c), br = px(ty.upper, tx.upper, c);
        const float top = tl + (tr - tl) * tx.lerp;
        const float bottom = bl + (br - bl) * tx.lerp;
        *o++ = top + (bottom - top) * ty.lerp;
      }
  return out;
}

}  // namespace labelite
