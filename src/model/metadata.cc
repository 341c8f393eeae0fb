// TFLITE_METADATA flatbuffer -> ModelMetadata.
#include "model/metadata.h"

#include <vector>

#include "schema/metadata_schema_generated.h"

namespace labelite {

namespace {

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

std::vector<float> Floats(const flatbuffers::Vector<float>* v) {
  return v ? std::vector<float>(v->begin(), v->end()) : std::vector<float>{};
}

std::vector<AssociatedFileInfo> Files(
    const flatbuffers::Vector<flatbuffers::Offset<tflite::AssociatedFile>>* files) {
  std::vector<AssociatedFileInfo> out;
  if (!files) return out;
  for (const tflite::AssociatedFile* f : *files) {
    AssociatedFileInfo info;
    info.name = Str(f->name());
    info.description = Str(f->description());
    int type = static_cast<int>(f->type());
    info.type = (type >= 0 && type <= static_cast<int>(AssociatedFileType::kScannIndexFile))
                    ? static_cast<AssociatedFileType>(type)
                    : AssociatedFileType::kUnknown;
    info.locale = Str(f->locale());
    info.version = Str(f->version());
    out.push_back(std::move(info));
  }
  return out;
}

void ReadContent(const tflite::Content* content, TensorMetadataInfo* out) {
  if (!content) return;
  if (auto* image = content->content_properties_as_ImageProperties()) {
    out->is_image = true;
    int cs = static_cast<int>(image->color_space());
    out->color_space = (cs >= 0 && cs <= 2) ? static_cast<ColorSpace>(cs) : ColorSpace::kUnknown;
  }
  if (auto* range = content->range()) {
    out->value_range_min = range->min();
    out->value_range_max = range->max();
  }
}

void ReadProcessUnits(const flatbuffers::Vector<flatbuffers::Offset<tflite::ProcessUnit>>* units,
                      TensorMetadataInfo* out) {
  if (!units) return;
  for (const tflite::ProcessUnit* unit : *units) {
    if (auto* n = unit->options_as_NormalizationOptions()) {
      out->normalization = NormalizationInfo{Floats(n->mean()), Floats(n->std())};
    } else if (auto* c = unit->options_as_ScoreCalibrationOptions()) {
      ScoreCalibrationInfo info;
      int t = static_cast<int>(c->score_transformation());
      info.transformation = (t >= 0 && t <= 2) ? static_cast<ScoreTransformation>(t)
                                               : ScoreTransformation::kIdentity;
      info.default_score = c->default_score();
      out->score_calibration = info;
    } else if (auto* th = unit->options_as_ScoreThresholdingOptions()) {
      out->score_threshold = th->global_score_threshold();
    }
  }
}

std::vector<TensorMetadataInfo> Tensors(
    const flatbuffers::Vector<flatbuffers::Offset<tflite::TensorMetadata>>* tensors) {
  std::vector<TensorMetadataInfo> out;
  if (!tensors) return out;
  for (const tflite::TensorMetadata* t : *tensors) {
    TensorMetadataInfo info;
    info.name = Str(t->name());
    info.description = Str(t->description());
    ReadContent(t->content(), &info);
    ReadProcessUnits(t->process_units(), &info);
    if (auto* stats = t->stats()) {
      info.stats_min = Floats(stats->min());
      info.stats_max = Floats(stats->max());
    }
    info.associated_files = Files(t->associated_files());
    if (info.score_calibration) {
      for (const auto& f : info.associated_files)
        if (f.type == AssociatedFileType::kTensorAxisScoreCalibration) {
          info.score_calibration->file_name = f.name;
          break;
        }
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace

const char* AssociatedFileTypeName(AssociatedFileType type) {
  switch (type) {
    case AssociatedFileType::kUnknown: return "UNKNOWN";
    case AssociatedFileType::kDescriptions: return "DESCRIPTIONS";
    case AssociatedFileType::kTensorAxisLabels: return "TENSOR_AXIS_LABELS";
    case AssociatedFileType::kTensorValueLabels: return "TENSOR_VALUE_LABELS";
    case AssociatedFileType::kTensorAxisScoreCalibration: return "TENSOR_AXIS_SCORE_CALIBRATION";
    case AssociatedFileType::kVocabulary: return "VOCABULARY";
    case AssociatedFileType::kScannIndexFile: return "SCANN_INDEX_FILE";
  }
  return "UNKNOWN";
}

Result<ModelMetadata> ParseModelMetadata(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) return InvalidModel("TFLITE_METADATA buffer is too small");
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return InvalidModel("TFLITE_METADATA buffer is too large");
  // A 16-aligned copy: the verifier checks alignment, and buffers stored outside the
  // flatbuffer (Buffer.offset) have no alignment guarantee.
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  if (!flatbuffers::BufferHasIdentifier(copy.data(), tflite::ModelMetadataIdentifier()))
    return InvalidModel("TFLITE_METADATA buffer lacks the metadata identifier 'M001'");
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 32;
  opts.max_tables = 100000;
  flatbuffers::Verifier verifier(copy.data(), copy.size(), opts);
  if (!tflite::VerifyModelMetadataBuffer(verifier))
    return InvalidModel("TFLITE_METADATA buffer is not a valid metadata flatbuffer");
  const tflite::ModelMetadata* m = tflite::GetModelMetadata(copy.data());

  ModelMetadata out;
  out.name = Str(m->name());
  out.description = Str(m->description());
  out.version = Str(m->version());
  out.author = Str(m->author());
  out.license = Str(m->license());
  out.min_parser_version = Str(m->min_parser_version());
  out.associated_files = Files(m->associated_files());
  if (m->subgraph_metadata() && m->subgraph_metadata()->size() > 0) {
    const tflite::SubGraphMetadata* g = m->subgraph_metadata()->Get(0);
    out.inputs = Tensors(g->input_tensor_metadata());
    out.outputs = Tensors(g->output_tensor_metadata());
  }
  return out;
}

}  // namespace labelite
