// Resizers that reproduce other pipelines' arithmetic pixel for pixel (the --preprocess
// presets; labelite's own resizer is ResizeImage in labelite/image.h). Pure functions, safe
// from any thread. All map the whole source onto the whole output (stretch).
#ifndef LABELITE_SRC_IMAGE_PRESET_RESIZE_H_
#define LABELITE_SRC_IMAGE_PRESET_RESIZE_H_

#include <array>
#include <vector>

#include "labelite/image.h"
#include "labelite/status.h"

namespace labelite {

// MediaPipe Tasks' ImageToTensorCalculator on CPU (its OpenCV converter) for the whole image,
// no rotation, as OpenCV computes it:
//   1. source corners (0,h) (0,0) (w,0) (w,h) -> output corners (0,H) (0,0) (W,0) (W,H)
//      (note: corners, not pixel centers: output pixel x samples source x * w/W);
//   2. the 3x3 projection from cv::getPerspectiveTransform (an 8x8 system solved by Gaussian
//      elimination with partial pivoting in double), inverted by cofactors (cv::invert);
//   3. cv::warpPerspective, INTER_LINEAR: per output pixel the source position in double,
//      rounded half-to-even to 1/32 pixel, bilinear weights from a 32x32 table in 1/32768
//      units, (sum + 2^14) >> 15, BORDER_REPLICATE.
// 1..4 channels.
Result<Image> ResizeOpenCvWarp(const Image& src, int width, int height);

// The projection of step 2 for a w x h source and W x H output (row-major), exposed for tests.
std::array<double, 9> OpenCvInverseProjection(int src_width, int src_height, int width, int height);

// The TFLite Task Library's resize (its libyuv frame-buffer utilities): libyuv::ARGBScale with
// kFilterBilinear for RGB (through ARGB) and RGBA, libyuv::ScalePlane for gray. 1, 3 or 4
// channels.
Result<Image> ResizeLibyuvBilinear(const Image& src, int width, int height);

// tf.image.resize(images, [H, W], method="bilinear", antialias=False) on an 8-bit image:
// half-pixel centers, in = (x + 0.5) * (in_w / out_w) - 0.5 in float, neighbours
// max(floor(in), 0) and min(ceil(in), in_w - 1), float interpolation (x then y). The result
// is float, not rounded, as Keras feeds it to the model.
struct FloatImage {
  int width = 0, height = 0, channels = 0;
  std::vector<float> pixels;
};
Result<FloatImage> ResizeBilinearTf(const Image& src, int width, int height);

}  // namespace labelite

#endif  // LABELITE_SRC_IMAGE_PRESET_RESIZE_H_
