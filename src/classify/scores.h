// How output tensors become scores in [0, 1].
//
// Per output head, decided once per model (PlanHeads):
//   1. Dequantize: real = (q - zero_point) * scale (a uint8 255 with scale 1/256 is 0.996).
//   2. Probabilities or logits: when the op producing the output (looking through RESHAPE,
//      SQUEEZE, QUANTIZE, DEQUANTIZE) is SOFTMAX or LOGISTIC, scores are used as they are;
//      otherwise, per result, values already in [0, 1] summing to 1 (+-0.01) are taken as a
//      distribution and anything else as logits, to which softmax is applied. --softmax /
//      --no-softmax override.
//   3. Score calibration from metadata (ScoreCalibrationOptions + its calibration file):
//      score' = scale / (1 + exp(-(slope * T(score) + offset))), T = identity, log or
//      inverse-logistic; classes without parameters, or scoring below their min_score, get the
//      default score.
#ifndef LABELITE_CLASSIFY_SCORES_H_
#define LABELITE_CLASSIFY_SCORES_H_

#include <optional>
#include <string>
#include <vector>

#include "labelite/classifier.h"
#include "model/model.h"
#include "runtime/tensor.h"

namespace labelite {

struct CalibrationParams {
  bool present = false;
  float scale = 1, slope = 1, offset = 0;
  std::optional<float> min_score;
};

struct HeadPlan {
  int output_index = 0;
  int num_classes = 0;
  enum class Kind { kProbabilities, kLogits, kDetect } kind = Kind::kDetect;
  SoftmaxMode softmax = SoftmaxMode::kAuto;
  std::string description;  // "probabilities (graph ends in SOFTMAX)", ...
  // Calibration (empty when the model has none).
  std::vector<CalibrationParams> calibration;
  ScoreTransformation transformation = ScoreTransformation::kIdentity;
  float default_score = 0.0f;
  // MediaPipe's ScoreCalibrationCalculator arithmetic (--preprocess mediapipe/tasklib): float
  // transform (log clamped below 1e-16 by an antisymmetric extension), float slope/offset, the
  // sigmoid in double from the sign-stable form, capped to [0, scale].
  bool float_calibration = false;
};

// What output `index` of the model looks like (for `inspect` and the refusal below):
//   a [1,H,W,C] map with H or W > 1 (segmentation, detection anchors), a feature vector
//   (the graph ends in a pooling, MEAN or L2_NORMALIZATION op: an embedding extractor),
//   or class scores (anything else: FULLY_CONNECTED/CONV_2D logits, SOFTMAX, LOGISTIC, ...).
struct OutputShapeInfo {
  bool class_scores = true;
  std::string what;  // "1001 class scores (SOFTMAX)", "a 1024-value feature vector from AVERAGE_POOL_2D ..."
};
OutputShapeInfo DescribeOutput(const Model& model, int output_index);

// One plan per output. An output that is not class scores (DescribeOutput) is refused
// (kUnsupported, naming what it is) unless allow_any_output.
Result<std::vector<HeadPlan>> PlanHeads(const Model& model, SoftmaxMode softmax,
                                        bool allow_any_output = false);

// Scores of batch item `batch_index` of `output`, after dequantization, softmax decision and
// calibration.
void ComputeScores(const HeadPlan& head, const Tensor& output, int batch_index,
                   std::vector<float>* scores);

// How TopK orders equal scores.
//   kLowerIndexFirst: labelite's rule.
//   kLibcxxPartialSort: whatever std::partial_sort of libc++ (LLVM 15 and later: heap select,
//     then a sort_heap whose pops use Floyd's sift-down) leaves, comparing scores only, over
//     the candidates in index order. MediaPipe Tasks and the TFLite Task Library rank that way
//     (built with libc++), so their top-k among equal quantized scores is reproduced exactly.
enum class RankOrder { kLowerIndexFirst, kLibcxxPartialSort };

// Indices of the k best scores (>= threshold, allowed[i] != 0 when `allowed` is non-empty),
// score descending, ties ordered by `order`.
std::vector<int> TopK(const std::vector<float>& scores, int k, float threshold,
                      const std::vector<char>& allowed,
                      RankOrder order = RankOrder::kLowerIndexFirst);

}  // namespace labelite

#endif  // LABELITE_CLASSIFY_SCORES_H_
