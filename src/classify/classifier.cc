#include "labelite/classifier.h"
#include "base/quote.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>

#include "classify/preprocess.h"
#include "classify/scores.h"
#include "image/preset_resize.h"
#include "kernels/registry.h"
#include "labelite/labels.h"
#include "model/model.h"
#include "runtime/interpreter.h"

namespace labelite {

namespace {

// Everything decided once per model; shared read-only by clones.
struct Plan {
  ClassifierOptions options;
  std::shared_ptr<const Model> model;
  InputPlan input;
  std::vector<HeadPlan> heads;
  std::vector<AlignedLabels> labels;       // per head
  std::vector<std::vector<char>> allowed;  // per head; empty = all
  std::vector<float> thresholds;           // per head
  RankOrder order = RankOrder::kLowerIndexFirst;
  ClassifierSummary summary;
  std::vector<std::string> notices;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Labels for one head: the --labels source for head 0, else the model's embedded label file.
Result<AlignedLabels> LabelsForHead(const Plan& plan, const HeadPlan& head, std::string* source) {
  const ClassifierOptions& o = plan.options;
  AlignOptions align;
  align.allow_mismatch = o.allow_label_mismatch;
  if (!o.labels.empty() && head.output_index == 0) {
    LabelSourceOptions lo;
    lo.format = o.labels_format;
    LABELITE_ASSIGN_OR_RETURN(LabelMap map, LoadLabels(o.labels, lo));
    *source = o.labels + " (" + map.format + ", " + std::to_string(map.entries.size()) + " labels)";
    return AlignLabels(map, head.num_classes, align);
  }
  const Model& model = *plan.model;
  const auto& md = model.metadata();
  std::string names_file, display_file;
  if (md && static_cast<size_t>(head.output_index) < md->outputs.size()) {
    for (const AssociatedFileInfo& f : md->outputs[static_cast<size_t>(head.output_index)].associated_files) {
      if (f.type != AssociatedFileType::kTensorAxisLabels) continue;
      if (f.locale.empty() && names_file.empty()) names_file = f.name;
      if (!o.locale.empty() && f.locale == o.locale) display_file = f.name;
    }
    if (names_file.empty()) {  // only localized files: the first one names the classes
      for (const AssociatedFileInfo& f : md->outputs[static_cast<size_t>(head.output_index)].associated_files)
        if (f.type == AssociatedFileType::kTensorAxisLabels) { names_file = f.name; break; }
    }
  }
  AlignedLabels aligned;
  if (names_file.empty()) {
    AlignOptions lenient;
    lenient.allow_mismatch = true;
    LABELITE_ASSIGN_OR_RETURN(aligned, AlignLabels(LabelMap{}, head.num_classes, lenient));
    aligned.warnings.clear();
    aligned.notices = {"no labels given and none embedded in the model: classes print as class_<index> (use --labels)"};
    *source = "none";
    return aligned;
  }
  LABELITE_ASSIGN_OR_RETURN(std::string text, model.ReadEmbeddedFile(names_file));
  LABELITE_ASSIGN_OR_RETURN(LabelMap map, ParseLabels(std::string_view(text), names_file, "text"));
  *source = names_file + " embedded in the model (" + std::to_string(map.entries.size()) + " labels)";
  LABELITE_ASSIGN_OR_RETURN(aligned, AlignLabels(map, head.num_classes, align));
  if (!display_file.empty()) {
    LABELITE_ASSIGN_OR_RETURN(std::string dtext, model.ReadEmbeddedFile(display_file));
    LABELITE_ASSIGN_OR_RETURN(LabelMap dmap, ParseLabels(std::string_view(dtext), display_file, "text"));
    AlignOptions lenient;
    lenient.allow_mismatch = true;
    LABELITE_ASSIGN_OR_RETURN(AlignedLabels d, AlignLabels(dmap, head.num_classes, lenient));
    aligned.display_names = d.names;
  } else if (!o.locale.empty()) {
    aligned.notices.push_back("no label file for locale " + QuoteForMessage(o.locale) + " in the model");
  }
  return aligned;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// Comma-separated pieces, trimmed, empty ones dropped: "tabby, tabby cat" -> {tabby, tabby cat}.
std::vector<std::string> CommaPieces(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string piece = Trim(s.substr(start, comma - start));
    if (!piece.empty()) out.push_back(std::move(piece));
    start = comma + 1;
  }
  return out;
}

// True when `name` (case-insensitive) is the label's whole name, its display name, or one of
// its comma-separated synonyms ("tabby" and "tabby cat" both name "tabby, tabby cat").
bool NamesClass(const std::string& lower_name, const std::string& label, const std::string& display) {
  if (Lower(label) == lower_name || (!display.empty() && Lower(display) == lower_name)) return true;
  for (const std::string& synonym : CommaPieces(label))
    if (Lower(synonym) == lower_name) return true;
  return false;
}

// Marks the classes `name` names; false when there is none.
bool MarkClasses(const std::string& name, const AlignedLabels& labels, bool allow, std::vector<char>& mask) {
  const std::string lower = Lower(Trim(name));
  bool found = false;
  for (size_t i = 0; i < labels.names.size(); ++i) {
    const std::string& display = i < labels.display_names.size() ? labels.display_names[i] : std::string();
    if (NamesClass(lower, labels.names[i], display)) {
      mask[i] = allow ? 1 : 0;
      found = true;
    }
  }
  return found;
}

// Each allow/deny entry is one class name, which may contain commas ("tabby, tabby cat"); an
// entry naming no class is read as a comma-separated list of names ("cat,dog").
Result<std::vector<char>> AllowMask(const ClassifierOptions& o, const AlignedLabels& labels) {
  if (o.allow.empty() && o.deny.empty()) return std::vector<char>{};
  if (!o.allow.empty() && !o.deny.empty()) return InvalidArgument("--allow and --deny are exclusive");
  const bool allow = !o.allow.empty();
  const auto& list = allow ? o.allow : o.deny;
  std::vector<char> mask(labels.names.size(), allow ? 0 : 1);
  for (const std::string& entry : list) {
    if (Trim(entry).empty() || MarkClasses(entry, labels, allow, mask)) continue;
    const std::vector<std::string> pieces = CommaPieces(entry);
    if (pieces.size() < 2)
      return InvalidArgument(std::string(allow ? "--allow" : "--deny") + ": no class is named " + QuoteForMessage(Trim(entry)));
    for (const std::string& piece : pieces)
      if (!MarkClasses(piece, labels, allow, mask))
        return InvalidArgument(std::string(allow ? "--allow" : "--deny") + ": no class is named " + QuoteForMessage(piece) +
                               " (nor " + QuoteForMessage(Trim(entry)) + ")");
  }
  return mask;
}

// What a preset does to the image, for -v.
std::string PresetNotice(PreprocessPreset preset) {
  const char* what = preset == PreprocessPreset::kMediaPipe
      ? "stb_image decode, OpenCV warpPerspective stretch (MediaPipe's CPU ImageToTensor)"
      : preset == PreprocessPreset::kTaskLib
      ? "stb_image decode, libyuv bilinear stretch (the Task Library's)"
      : "full-size decode, tf.image.resize bilinear in float (Keras)";
  return std::string("--preprocess ") + PreprocessPresetName(preset) + ": " + what + "; --resize is ignored";
}

// Errors are tagged with their origin: the options themselves (usage), the model, the labels.
Result<std::shared_ptr<const Plan>> MakePlan(const ClassifierOptions& options) {
  auto plan = std::make_shared<Plan>();
  plan->options = options;
  if (options.top_k < 1)
    return Status(StatusCode::kInvalidArgument, "--top-k must be at least 1", ErrorOrigin::kUsage);
  if (!(options.score_threshold <= 1.0f))  // NaN fails too; below 0 keeps every result
    return Status(StatusCode::kInvalidArgument, "--threshold must be a number up to 1", ErrorOrigin::kUsage);
  if (options.max_image_pixels == 0)
    return Status(StatusCode::kInvalidArgument, "--max-pixels must be at least 1", ErrorOrigin::kUsage);
  auto model = !options.model_bytes.empty()
                   ? Model::FromBytes(options.model_bytes,
                                      options.model_path.empty() ? "<model bytes>" : options.model_path)
                   : Model::FromFile(options.model_path);
  if (!model.ok()) return model.status().WithOrigin(ErrorOrigin::kModel);
  plan->model = std::move(*model);
  auto input = PlanInput(*plan->model, options.mean, options.std, false, options.preprocess);
  if (!input.ok()) {
    const bool usage = input.status().code() == StatusCode::kInvalidArgument && !options.mean.empty();
    return input.status().WithOrigin(usage ? ErrorOrigin::kUsage : ErrorOrigin::kModel);
  }
  const PreprocessPreset preset = options.preprocess;
  // MediaPipe and the Task Library never apply softmax and rank ties as libc++ does.
  const bool foreign_scores = preset == PreprocessPreset::kMediaPipe || preset == PreprocessPreset::kTaskLib;
  plan->input = std::move(*input);
  auto heads = PlanHeads(*plan->model,
                         foreign_scores && options.softmax == SoftmaxMode::kAuto ? SoftmaxMode::kNever : options.softmax,
                         options.allow_any_output);
  if (!heads.ok()) return heads.status().WithOrigin(ErrorOrigin::kModel);
  plan->heads = std::move(*heads);
  if (foreign_scores) {
    plan->order = RankOrder::kLibcxxPartialSort;
    for (HeadPlan& h : plan->heads) h.float_calibration = true;
    if (options.softmax == SoftmaxMode::kAuto)
      for (HeadPlan& h : plan->heads)
        h.description = std::string("scores used as they are (--preprocess ") + PreprocessPresetName(preset) +
                        " never applies softmax)" + h.description.substr(std::min(h.description.find(';'), h.description.size()));
  }
  if (preset != PreprocessPreset::kLabelite) plan->input.notices.push_back(PresetNotice(preset));
  ClassifierSummary& s = plan->summary;
  const auto& md = plan->model->metadata();
  s.model_name = md && !md->name.empty() ? md->name
                                         : std::filesystem::path(plan->model->path()).filename().string();
  s.input_width = plan->input.width;
  s.input_height = plan->input.height;
  s.input_channels = plan->input.channels;
  s.input_type = plan->input.type;
  s.normalization = plan->input.normalization;
  const SubgraphSpec& graph = plan->model->main_subgraph();
  s.input_name = graph.tensors[static_cast<size_t>(graph.inputs[0])].name;
  plan->notices = plan->input.notices;
  for (const HeadPlan& h : plan->heads) {
    // Their score threshold: the option when given, else the metadata's, else none at all
    // (scores used as they are may be negative logits).
    float threshold = options.score_threshold;
    if (foreign_scores && threshold == 0.0f) {
      threshold = -std::numeric_limits<float>::infinity();
      if (md && static_cast<size_t>(h.output_index) < md->outputs.size() &&
          md->outputs[static_cast<size_t>(h.output_index)].score_threshold)
        threshold = *md->outputs[static_cast<size_t>(h.output_index)].score_threshold;
    }
    plan->thresholds.push_back(threshold);
    std::string source;
    auto labels = LabelsForHead(*plan, h, &source);
    if (!labels.ok()) return labels.status().WithOrigin(ErrorOrigin::kLabels);
    for (const auto& n : labels->notices) plan->notices.push_back(n);
    for (const auto& w : labels->warnings) s.label_warnings.push_back(w);
    auto mask = AllowMask(options, *labels);
    if (!mask.ok()) return mask.status().WithOrigin(ErrorOrigin::kUsage);
    plan->allowed.push_back(std::move(*mask));
    plan->labels.push_back(std::move(*labels));
    s.num_classes.push_back(h.num_classes);
    s.score_mode.push_back(h.description);
    s.output_names.push_back(graph.tensors[static_cast<size_t>(graph.outputs[static_cast<size_t>(h.output_index)])].name);
    if (s.label_source.empty()) s.label_source = source;
  }
  return std::shared_ptr<const Plan>(std::move(plan));
}

// Brings a decoded image to the channel count the model takes.
Image MatchChannels(const Image& image, int channels) {
  if (image.channels == channels) return image;
  Image out;
  out.width = image.width;
  out.height = image.height;
  out.channels = channels;
  const size_t n = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
  out.pixels.resize(n * static_cast<size_t>(channels));
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = &image.pixels[i * static_cast<size_t>(image.channels)];
    if (channels == 1) {
      out.pixels[i] = image.channels >= 3
          ? static_cast<uint8_t>((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000) : p[0];
    } else {
      for (int c = 0; c < 3; ++c)
        out.pixels[i * 3 + static_cast<size_t>(c)] = image.channels >= 3 ? p[c] : p[0];
    }
  }
  return out;
}

}  // namespace

struct Classifier::State {
  std::shared_ptr<const Plan> plan;
  std::unique_ptr<Interpreter> interp;
  std::vector<float> scores;  // scratch
};

const char* PreprocessPresetName(PreprocessPreset preset) {
  switch (preset) {
    case PreprocessPreset::kLabelite: return "labelite";
    case PreprocessPreset::kMediaPipe: return "mediapipe";
    case PreprocessPreset::kTaskLib: return "tasklib";
    case PreprocessPreset::kKeras: return "keras";
  }
  return "labelite";
}

std::optional<PreprocessPreset> ParsePreprocessPreset(std::string_view name) {
  for (PreprocessPreset p : {PreprocessPreset::kLabelite, PreprocessPreset::kMediaPipe,
                             PreprocessPreset::kTaskLib, PreprocessPreset::kKeras})
    if (name == PreprocessPresetName(p)) return p;
  return std::nullopt;
}

Classifier::Classifier(std::unique_ptr<State> state) : state_(std::move(state)) {}
Classifier::~Classifier() = default;

Result<std::unique_ptr<Classifier>> Classifier::Create(const ClassifierOptions& options) {
  LABELITE_ASSIGN_OR_RETURN(std::shared_ptr<const Plan> plan, MakePlan(options));
  auto state = std::make_unique<State>();
  state->plan = plan;
  auto interp = Interpreter::Create(plan->model, BuiltinOpResolver(), {options.kernels, options.num_threads});
  if (!interp.ok()) return interp.status().WithOrigin(ErrorOrigin::kModel);
  state->interp = std::move(*interp);
  return std::unique_ptr<Classifier>(new Classifier(std::move(state)));
}

Result<std::unique_ptr<Classifier>> Classifier::Clone() const {
  auto state = std::make_unique<State>();
  state->plan = state_->plan;
  const ClassifierOptions& o = state->plan->options;
  auto interp = Interpreter::Create(state->plan->model, BuiltinOpResolver(), {o.kernels, o.num_threads});
  if (!interp.ok()) return interp.status().WithOrigin(ErrorOrigin::kModel);
  state->interp = std::move(*interp);
  return std::unique_ptr<Classifier>(new Classifier(std::move(state)));
}

const ClassifierSummary& Classifier::summary() const { return state_->plan->summary; }

const std::vector<std::string>& Classifier::class_names(int head) const {
  static const std::vector<std::string> kNone;
  const auto& labels = state_->plan->labels;
  if (head < 0 || static_cast<size_t>(head) >= labels.size()) return kNone;
  return labels[static_cast<size_t>(head)].names;
}
const std::vector<std::string>& Classifier::notices() const { return state_->plan->notices; }

DecodeOptions Classifier::decode_options() const {
  const Plan& p = *state_->plan;
  DecodeOptions d;
  d.color = p.input.color;
  d.max_pixels = p.options.max_image_pixels;
  switch (p.options.preprocess) {
    case PreprocessPreset::kLabelite:
      d.target_width = p.input.width;
      d.target_height = p.input.height;
      break;
    case PreprocessPreset::kMediaPipe:
      d.decoder = ImageDecoder::kStb;
      break;
    case PreprocessPreset::kTaskLib:
      d.decoder = ImageDecoder::kStb;
      d.apply_exif_orientation = false;  // its stb reader leaves JPEGs as stored
      break;
    case PreprocessPreset::kKeras:
      break;  // full size: no DCT-domain scaling
  }
  return d;
}

Result<std::vector<Classification>> Classifier::Classify(const Image& image) {
  const Plan& p = *state_->plan;
  if (image.width < 1 || image.height < 1) return InvalidImage("empty image").WithOrigin(ErrorOrigin::kInput);
  Image matched = MatchChannels(image, p.input.channels);
  Interpreter& it = *state_->interp;
  const int in_w = p.input.width, in_h = p.input.height;
  switch (p.options.preprocess) {
    case PreprocessPreset::kLabelite: {
      LABELITE_ASSIGN_OR_RETURN(Image resized, ResizeImage(matched, in_w, in_h, p.options.resize));
      LABELITE_RETURN_IF_ERROR(FillInput(p.input, resized, *it.input(0)));
      break;
    }
    case PreprocessPreset::kMediaPipe: {
      LABELITE_ASSIGN_OR_RETURN(Image resized, ResizeOpenCvWarp(matched, in_w, in_h));
      LABELITE_RETURN_IF_ERROR(FillInput(p.input, resized, *it.input(0)));
      break;
    }
    case PreprocessPreset::kTaskLib: {
      LABELITE_ASSIGN_OR_RETURN(Image resized, ResizeLibyuvBilinear(matched, in_w, in_h));
      LABELITE_RETURN_IF_ERROR(FillInput(p.input, resized, *it.input(0)));
      break;
    }
    case PreprocessPreset::kKeras: {
      LABELITE_ASSIGN_OR_RETURN(FloatImage resized, ResizeBilinearTf(matched, in_w, in_h));
      LABELITE_RETURN_IF_ERROR(FillInputFloat(p.input, resized, *it.input(0)));
      break;
    }
  }
  return RunAndRank();
}

Result<std::vector<Classification>> Classifier::ClassifyTensor(DataType type, std::span<const uint8_t> data) {
  const Plan& p = *state_->plan;
  Tensor& input = *state_->interp->input(0);
  if (type != p.input.type)
    return Status(StatusCode::kInvalidArgument, "the model takes a " + std::string(DataTypeName(p.input.type)) +
                  " tensor, not " + std::string(DataTypeName(type)), ErrorOrigin::kInput);
  if (data.size() != input.bytes)
    return Status(StatusCode::kInvalidArgument, "the model takes " + std::to_string(input.bytes) +
                  " bytes of input (" + std::to_string(p.input.height) + "x" + std::to_string(p.input.width) + "x" +
                  std::to_string(p.input.channels) + " " + std::string(DataTypeName(type)) + "), not " +
                  std::to_string(data.size()), ErrorOrigin::kInput);
  std::copy(data.begin(), data.end(), input.data);
  return RunAndRank();
}

Result<std::vector<Classification>> Classifier::RunAndRank() {
  const Plan& p = *state_->plan;
  Interpreter& it = *state_->interp;
  if (Status s = it.Invoke(); !s.ok()) return s.WithOrigin(ErrorOrigin::kModel);
  std::vector<Classification> results;
  for (size_t h = 0; h < p.heads.size(); ++h) {
    const HeadPlan& head = p.heads[h];
    ComputeScores(head, *it.output(head.output_index), 0, &state_->scores);
    for (int index : TopK(state_->scores, p.options.top_k, p.thresholds[h], p.allowed[h], p.order)) {
      if (p.options.skip_zero_scores && state_->scores[static_cast<size_t>(index)] == 0.0f) continue;
      Classification c;
      c.index = index;
      c.label = p.labels[h].names[static_cast<size_t>(index)];
      if (static_cast<size_t>(index) < p.labels[h].display_names.size())
        c.display_name = p.labels[h].display_names[static_cast<size_t>(index)];
      c.score = state_->scores[static_cast<size_t>(index)];
      c.head = static_cast<int>(h);
      results.push_back(std::move(c));
    }
  }
  return results;
}

Result<std::vector<Classification>> Classifier::ClassifyEncoded(std::span<const uint8_t> bytes) {
  Result<Image> image = DecodeImage(bytes, decode_options());
  if (!image.ok()) return image.status().WithOrigin(ErrorOrigin::kInput);
  return Classify(*image);
}

Result<std::vector<Classification>> Classifier::ClassifyFile(const std::string& path) {
  Result<Image> image = DecodeImageFile(path, decode_options());
  if (!image.ok()) return image.status().WithOrigin(ErrorOrigin::kInput);
  auto r = Classify(*image);
  if (!r.ok()) return r.status().WithPrefix(path);
  return r;
}

}  // namespace labelite
