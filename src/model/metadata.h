// TFLite model metadata (the TFLITE_METADATA flatbuffer, identifier "M001") as plain structs.
// Filled by the model reader; never exposes flatbuffers types.
#ifndef LABELITE_MODEL_METADATA_H_
#define LABELITE_MODEL_METADATA_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "labelite/status.h"

namespace labelite {

// Values equal the metadata schema's AssociatedFileType.
enum class AssociatedFileType : int8_t {
  kUnknown = 0,
  kDescriptions = 1,
  kTensorAxisLabels = 2,
  kTensorValueLabels = 3,
  kTensorAxisScoreCalibration = 4,
  kVocabulary = 5,
  kScannIndexFile = 6,
};
const char* AssociatedFileTypeName(AssociatedFileType type);  // "TENSOR_AXIS_LABELS", ...

struct AssociatedFileInfo {
  std::string name;
  std::string description;
  AssociatedFileType type = AssociatedFileType::kUnknown;
  std::string locale;
  std::string version;
};

enum class ColorSpace : int8_t { kUnknown = 0, kRgb = 1, kGrayscale = 2 };

struct NormalizationInfo {
  std::vector<float> mean;  // one per channel, or one for all
  std::vector<float> std;
};

// Values equal the metadata schema's ScoreTransformationType.
enum class ScoreTransformation : int8_t { kIdentity = 0, kLog = 1, kInverseLogistic = 2 };

struct ScoreCalibrationInfo {
  ScoreTransformation transformation = ScoreTransformation::kIdentity;
  float default_score = 0.0f;
  // The TENSOR_AXIS_SCORE_CALIBRATION file of the same tensor, if any.
  std::string file_name;
};

struct TensorMetadataInfo {
  std::string name;
  std::string description;
  bool is_image = false;                 // content_properties is ImageProperties
  ColorSpace color_space = ColorSpace::kUnknown;
  std::optional<NormalizationInfo> normalization;
  std::optional<ScoreCalibrationInfo> score_calibration;
  std::optional<float> score_threshold;  // ScoreThresholdingOptions.global_score_threshold
  std::optional<int32_t> value_range_min, value_range_max;  // ValueRange of content
  std::vector<float> stats_min, stats_max;                  // Stats
  std::vector<AssociatedFileInfo> associated_files;
};

struct ModelMetadata {
  std::string name;
  std::string description;
  std::string version;
  std::string author;
  std::string license;
  std::string min_parser_version;
  std::vector<AssociatedFileInfo> associated_files;  // model-level
  // Subgraph 0's tensor metadata, in the order of the subgraph's inputs and outputs.
  std::vector<TensorMetadataInfo> inputs;
  std::vector<TensorMetadataInfo> outputs;
};

// Verifies `bytes` as a metadata flatbuffer (identifier "M001") and converts it. Errors are
// kInvalidModel without a path prefix (the model reader adds it).
Result<ModelMetadata> ParseModelMetadata(std::span<const uint8_t> bytes);

}  // namespace labelite

#endif  // LABELITE_MODEL_METADATA_H_
