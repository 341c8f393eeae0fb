// How an image becomes the model's input tensor.
//
// Decided once per model (InputPlan), applied per image (FillInput):
//   1. Geometry: the input tensor is [1, H, W, C] with C = 3 (RGB, or BGR when asked) or 1 (gray).
//   2. Pixel encoding: a 256-entry lookup table per channel maps an 8-bit pixel to the exact
//      tensor value (float32, uint8 or int8). Normalization precedence:
//        a. explicit mean/std (command line / options): value = (p - mean) / std, then
//           quantized with the input's scale/zero point for uint8/int8 inputs;
//        b. the model's metadata NormalizationOptions: the same for float32 and int8 inputs;
//           uint8 inputs take the raw pixels, as TFLite's Task Library does (their quantization
//           already encodes the normalization);
//        c. nothing: uint8 inputs take raw pixels; int8 inputs take the pixel mapped onto the
//           real range their quantization covers ([0,1], [-1,1] or [0,255]) and quantized
//           (for scale 1/255, zero point -128 that is p - 128); float32 inputs take
//           (p - 127.5) / 127.5, with a notice.
//   3. Presets (PreprocessPreset): kMediaPipe maps float inputs as MediaPipe's OpenCV
//      converter does, value = p * scale + offset with scale = (hi - lo) / 255, offset = lo,
//      lo = (0 - mean) / std, hi = (255 - mean) / std in float, from the first mean/std (it
//      refuses per-channel values); kKeras fills the tensor from a float image (FillInputFloat:
//      (v - mean) / std for float inputs, round(v) through the byte table for quantized ones).
#ifndef LABELITE_CLASSIFY_PREPROCESS_H_
#define LABELITE_CLASSIFY_PREPROCESS_H_

#include <array>
#include <string>
#include <vector>

#include "image/preset_resize.h"
#include "labelite/classifier.h"
#include "labelite/image.h"
#include "labelite/status.h"
#include "model/model.h"
#include "runtime/tensor.h"

namespace labelite {

struct InputPlan {
  int width = 0, height = 0, channels = 0;
  DataType type = DataType::kFloat32;
  ColorMode color = ColorMode::kRgb;
  std::array<std::array<float, 256>, 3> float_lut{};
  std::array<std::array<uint8_t, 256>, 3> byte_lut{};  // uint8, or int8 stored as its bits
  bool raw_pixels = false;  // byte_lut is the identity: FillInput copies the pixels
  PreprocessPreset preset = PreprocessPreset::kLabelite;
  std::array<float, 3> mean{127.5f, 127.5f, 127.5f}, std{127.5f, 127.5f, 127.5f};  // kKeras float
  std::string normalization;  // human-readable decision
  std::vector<std::string> notices;
};

// `tensor_index` is the model input to plan for (subgraph input 0 for classifiers).
Result<InputPlan> PlanInput(const Model& model, const std::vector<float>& mean,
                            const std::vector<float>& std, bool want_bgr = false,
                            PreprocessPreset preset = PreprocessPreset::kLabelite);

// Writes one image (already resized to plan.width x plan.height, plan.channels channels) into
// the batch slot `batch_index` of `tensor`.
Status FillInput(const InputPlan& plan, const Image& image, Tensor& tensor, int batch_index = 0);

// The same from a float image (kKeras).
Status FillInputFloat(const InputPlan& plan, const FloatImage& image, Tensor& tensor,
                      int batch_index = 0);

}  // namespace labelite

#endif  // LABELITE_CLASSIFY_PREPROCESS_H_
