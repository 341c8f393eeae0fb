// Classifier: image -> named classes with honest scores. labelite's main job as a library.
//
// Purpose: loads a .tflite image classifier once, works out how to feed it (input size, color,
// normalization, quantization) and how to read it (dequantization, softmax or not, score
// calibration, label alignment), then classifies decoded images, encoded image bytes or files.
// Every decision it makes is recorded in notices() so front ends can say what was done.
//
// Ownership and thread safety: a Classifier owns one interpreter, so one Classifier is used by
// one thread at a time. For N threads, Create one and call Clone() N-1 times: clones share the
// immutable model and labels and own their interpreters. Results are plain values.
//
//   ClassifierOptions options;
//   options.model_path = "mobilenet_v2_1.0_224_quant.tflite";
//   auto classifier = Classifier::Create(options);
//   if (!classifier.ok()) { /* classifier.status().message() */ }
//   auto result = (*classifier)->ClassifyFile("cat.jpg");
//   for (const Classification& c : *result) printf("%s %.3f\n", c.label.c_str(), c.score);
#ifndef LABELITE_CLASSIFIER_H_
#define LABELITE_CLASSIFIER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "labelite/image.h"
#include "labelite/status.h"
#include "labelite/types.h"

namespace labelite {

// Whether to apply softmax to the model's output scores.
enum class SoftmaxMode {
  kAuto,    // only when the output is logits (no final SOFTMAX/LOGISTIC, not a distribution)
  kAlways,  // --softmax
  kNever,   // --no-softmax
};

// Whose pipeline turns files into scores (--preprocess). Only kLabelite honours --resize.
//   kLabelite:  labelite's own (README): JPEG DCT-domain downscaling near the input size and
//               EXIF orientation, bilinear with half-pixel centers, softmax on logits, ties
//               ranked lower index first.
//   kMediaPipe: MediaPipe Tasks' ImageClassifier on CPU, to the bit for quantized models:
//               stb_image decode (EXIF orientation applied, alpha dropped), OpenCV warpPerspective of
//               the whole image onto the input (corner-aligned bilinear, 1/32-pixel fixed
//               point, replicated border), float inputs scaled by the metadata's first
//               mean/std as OpenCV's convertTo, uint8 inputs raw; scores dequantized and
//               calibrated, never softmaxed, the metadata's score threshold, top-k as
//               libc++'s partial_sort leaves ties.
//   kTaskLib:   the TFLite Task Library's ImageClassifier: stb_image decode (no EXIF), libyuv bilinear
//               stretch, per-channel metadata normalization, no softmax, libc++ tie order.
//   kKeras:     full-size decode, tf.image.resize bilinear (half-pixel centers, no
//               antialiasing) kept in float, then the model's normalization.
enum class PreprocessPreset { kLabelite, kMediaPipe, kTaskLib, kKeras };

// "labelite", "mediapipe", "tasklib", "keras".
const char* PreprocessPresetName(PreprocessPreset preset);
// The preset of that name, or nullopt.
std::optional<PreprocessPreset> ParsePreprocessPreset(std::string_view name);

struct ClassifierOptions {
  // The model: a path, or the bytes of a .tflite file (then model_path names it in messages).
  std::string model_path;
  std::vector<uint8_t> model_bytes;
  // Label source (path, sqlite:..., http://...); empty: the labels embedded in the model.
  std::string labels;
  std::string labels_format;          // override format sniffing
  std::string locale;                 // display names from the embedded file of this locale
  bool allow_label_mismatch = false;  // unnamed classes print as class_<index>

  int top_k = 5;
  float score_threshold = 0.0f;       // drop results scoring below this
  // Only / never these classes (exclusive). Each entry is one name, matched case-insensitively
  // against a label's whole name, its display name or one of its comma-separated synonyms
  // ("tabby" or "tabby, tabby cat"); an entry naming no class is read as "name,name,...".
  std::vector<std::string> allow;
  std::vector<std::string> deny;

  int num_threads = 1;
  KernelPath kernels = KernelPath::kFast;

  // Normalization override: (pixel - mean) / std per channel (one value = all channels).
  std::vector<float> mean;
  std::vector<float> std;
  ResizeMode resize = ResizeMode::kStretch;
  SoftmaxMode softmax = SoftmaxMode::kAuto;  // kAuto means never for kMediaPipe and kTaskLib
  PreprocessPreset preprocess = PreprocessPreset::kLabelite;
  uint64_t max_image_pixels = 100'000'000;
  // Rank the values of outputs that do not look like class scores (a feature vector from a
  // final pooling op, a spatial map); by default such a model is refused (kUnsupported).
  bool allow_any_output = false;
  // Leave out results whose score is exactly 0 (a quantized output at its floor: padding,
  // not an answer). The CLI sets it unless --threshold 0 is given.
  bool skip_zero_scores = false;
};

struct Classification {
  int index = 0;             // class index in the output tensor
  std::string label;         // class name ("class_<index>" when unnamed)
  std::string display_name;  // localized/short name when the labels have one, else ""
  float score = 0.0f;        // probability (or calibrated score) in [0, 1]
  int head = 0;              // output head (for models with several classification outputs)
};

// What the classifier concluded about the model (for `inspect`, verbose output and JSON).
struct ClassifierSummary {
  std::string model_name;    // file name, or metadata name
  int input_width = 0, input_height = 0, input_channels = 0;
  DataType input_type = DataType::kFloat32;
  std::string normalization; // e.g. "mean 127.5 std 127.5 from metadata"
  std::vector<int> num_classes;       // per head
  std::vector<std::string> score_mode; // per head: "softmax applied (logits)", ...
  std::string label_source;  // e.g. "labels.txt embedded in the model (1001 lines)"
  std::string input_name;    // the model's input tensor name (servers name their input by it)
  std::vector<std::string> output_names;  // per head: the output tensor's name
  // Label quality warnings (duplicates, empty labels, gaps); worth showing when asked.
  std::vector<std::string> label_warnings;
};

class Classifier {
 public:
  static Result<std::unique_ptr<Classifier>> Create(const ClassifierOptions& options);
  ~Classifier();

  // A classifier sharing this one's model and labels, with its own interpreter.
  Result<std::unique_ptr<Classifier>> Clone() const;

  // Results of all heads, each head's top-k in rank order (score descending, ties: lower index).
  Result<std::vector<Classification>> Classify(const Image& image);
  Result<std::vector<Classification>> ClassifyEncoded(std::span<const uint8_t> bytes);
  // Errors name the file.
  Result<std::vector<Classification>> ClassifyFile(const std::string& path);
  // A tensor already in the model's input layout and type (no decoding, resizing or
  // normalization): input_height * input_width * input_channels values of
  // summary().input_type, row-major HWC. Another type or size is a kInvalidArgument error with
  // origin kInput.
  Result<std::vector<Classification>> ClassifyTensor(DataType type, std::span<const uint8_t> data);

  const ClassifierSummary& summary() const;
  // The name of every class of one output head, as results print them (after label alignment;
  // "class_<index>" when unnamed). Empty for a head that does not exist.
  const std::vector<std::string>& class_names(int head = 0) const;
  // One line per decision taken (normalization default, label alignment, softmax, ...).
  const std::vector<std::string>& notices() const;
  // The decode options this classifier uses (color, target size hint for DCT scaling, limits).
  DecodeOptions decode_options() const;

  struct State;  // internal

 private:
  explicit Classifier(std::unique_ptr<State> state);
  Result<std::vector<Classification>> RunAndRank();  // invoke on the filled input, top-k
  std::unique_ptr<State> state_;
};

}  // namespace labelite

#endif  // LABELITE_CLASSIFIER_H_
