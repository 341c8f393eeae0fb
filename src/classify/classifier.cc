#include "labelite/classifier.h"
#include "base/quote.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "classify/preprocess.h"
#include "classify/scores.h"
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

Result<std::vector<char>> AllowMask(const ClassifierOptions& o, const AlignedLabels& labels) {
  if (o.allow.empty() && o.deny.empty()) return std::vector<char>{};
  if (!o.allow.empty() && !o.deny.empty()) return InvalidArgument("--allow and --deny are exclusive");
  const bool allow = !o.allow.empty();
  const auto& list = allow ? o.allow : o.deny;
  std::vector<char> mask(labels.names.size(), allow ? 0 : 1);
  for (const std::string& name : list) {
    bool found = false;
    for (size_t i = 0; i < labels.names.size(); ++i) {
      if (Lower(labels.names[i]) == Lower(name) ||
          (i < labels.display_names.size() && !labels.display_names[i].empty() &&
           Lower(labels.display_names[i]) == Lower(name))) {
        mask[i] = allow ? 1 : 0;
        found = true;
      }
    }
    if (!found) return InvalidArgument(std::string(allow ? "--allow" : "--deny") + ": no class is named " + QuoteForMessage(name));
  }
  return mask;
}

Result<std::shared_ptr<const Plan>> MakePlan(const ClassifierOptions& options) {
  auto plan = std::make_shared<Plan>();
  plan->options = options;
  if (options.top_k < 1) return InvalidArgument("--top-k must be at least 1");
  if (!options.model_bytes.empty()) {
    LABELITE_ASSIGN_OR_RETURN(plan->model, Model::FromBytes(options.model_bytes,
        options.model_path.empty() ? "<model bytes>" : options.model_path));
  } else {
    LABELITE_ASSIGN_OR_RETURN(plan->model, Model::FromFile(options.model_path));
  }
  LABELITE_ASSIGN_OR_RETURN(plan->input, PlanInput(*plan->model, options.mean, options.std));
  LABELITE_ASSIGN_OR_RETURN(plan->heads, PlanHeads(*plan->model, options.softmax));
  ClassifierSummary& s = plan->summary;
  const auto& md = plan->model->metadata();
  s.model_name = md && !md->name.empty() ? md->name
                                         : std::filesystem::path(plan->model->path()).filename().string();
  s.input_width = plan->input.width;
  s.input_height = plan->input.height;
  s.input_channels = plan->input.channels;
  s.input_type = plan->input.type;
  s.normalization = plan->input.normalization;
  plan->notices = plan->input.notices;
  for (const HeadPlan& h : plan->heads) {
    std::string source;
    auto labels = LabelsForHead(*plan, h, &source);
    if (!labels.ok()) return labels.status();
    for (const auto& n : labels->notices) plan->notices.push_back(n);
    for (const auto& w : labels->warnings) s.label_warnings.push_back(w);
    LABELITE_ASSIGN_OR_RETURN(std::vector<char> mask, AllowMask(options, *labels));
    plan->allowed.push_back(std::move(mask));
    plan->labels.push_back(std::move(*labels));
    s.num_classes.push_back(h.num_classes);
    s.score_mode.push_back(h.description);
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

Classifier::Classifier(std::unique_ptr<State> state) : state_(std::move(state)) {}
Classifier::~Classifier() = default;

Result<std::unique_ptr<Classifier>> Classifier::Create(const ClassifierOptions& options) {
  LABELITE_ASSIGN_OR_RETURN(std::shared_ptr<const Plan> plan, MakePlan(options));
  auto state = std::make_unique<State>();
  state->plan = plan;
  LABELITE_ASSIGN_OR_RETURN(state->interp,
      Interpreter::Create(plan->model, BuiltinOpResolver(), {options.kernels, options.num_threads}));
  return std::unique_ptr<Classifier>(new Classifier(std::move(state)));
}

Result<std::unique_ptr<Classifier>> Classifier::Clone() const {
  auto state = std::make_unique<State>();
  state->plan = state_->plan;
  const ClassifierOptions& o = state->plan->options;
  LABELITE_ASSIGN_OR_RETURN(state->interp,
      Interpreter::Create(state->plan->model, BuiltinOpResolver(), {o.kernels, o.num_threads}));
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
  d.target_width = p.input.width;
  d.target_height = p.input.height;
  return d;
}

Result<std::vector<Classification>> Classifier::Classify(const Image& image) {
  const Plan& p = *state_->plan;
  if (image.width < 1 || image.height < 1) return InvalidImage("empty image");
  Image matched = MatchChannels(image, p.input.channels);
  LABELITE_ASSIGN_OR_RETURN(Image resized,
      ResizeImage(matched, p.input.width, p.input.height, p.options.resize));
  Interpreter& it = *state_->interp;
  LABELITE_RETURN_IF_ERROR(FillInput(p.input, resized, *it.input(0)));
  LABELITE_RETURN_IF_ERROR(it.Invoke());
  std::vector<Classification> results;
  for (size_t h = 0; h < p.heads.size(); ++h) {
    const HeadPlan& head = p.heads[h];
    ComputeScores(head, *it.output(head.output_index), 0, &state_->scores);
    for (int index : TopK(state_->scores, p.options.top_k, p.options.score_threshold, p.allowed[h])) {
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
  LABELITE_ASSIGN_OR_RETURN(Image image, DecodeImage(bytes, decode_options()));
  return Classify(image);
}

Result<std::vector<Classification>> Classifier::ClassifyFile(const std::string& path) {
  LABELITE_ASSIGN_OR_RETURN(Image image, DecodeImageFile(path, decode_options()));
  auto r = Classify(image);
  if (!r.ok()) return r.status().WithPrefix(path);
  return r;
}

}  // namespace labelite
