// `labelite inspect MODEL [--json]`: what is inside a .tflite file and what labelite makes of
// it for classification, including what each output looks like (class scores, a feature
// vector, a spatial map). Exit codes: 0 ok; 1 usage; 3 a missing, unreadable or invalid model,
// or one that is cut short (its embedded files are then named "truncated", with byte counts,
// after everything that could be read is shown).
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "model/embedded_zip.h"
#include "cli/exit_codes.h"
#include "classify/scores.h"
#include "model/model.h"

namespace labelite::cli {

namespace {

struct InspectOptions {
  std::string model;
  bool json = false;
};

std::string Shape(const std::vector<int32_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

std::string Floats(const std::vector<float>& v) {
  std::string s;
  char buf[32];
  for (size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof(buf), "%s%g", i ? ", " : "", static_cast<double>(v[i]));
    s += buf;
  }
  return s;
}

std::string QuantText(const QuantizationParams& q) {
  if (q.empty()) return "not quantized";
  if (!q.per_channel()) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "scale %g zero_point %lld", static_cast<double>(q.scale[0]),
                  static_cast<long long>(q.zero_point[0]));
    return buf;
  }
  return "per-channel axis " + std::to_string(q.quantized_dimension) + ", " +
         std::to_string(q.scale.size()) + " scales";
}

size_t CountLines(const std::string& s) {
  size_t n = static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
  return (!s.empty() && s.back() != '\n') ? n + 1 : n;
}

const EmbeddedFile* FindEmbedded(const Model& m, const std::string& name) {
  for (const auto& f : m.embedded_files())
    if (f.name == name) return &f;
  return nullptr;
}

// The label file labelite would use for output 0: the metadata's TENSOR_AXIS_LABELS file, or
// else the only .txt file of the zip.
std::string LabelFileName(const Model& m) {
  if (m.metadata() && !m.metadata()->outputs.empty())
    for (const auto& f : m.metadata()->outputs[0].associated_files)
      if (f.type == AssociatedFileType::kTensorAxisLabels) return f.name;
  std::string found;
  for (const auto& f : m.embedded_files()) {
    if (f.name.size() > 4 && f.name.ends_with(".txt")) {
      if (!found.empty()) return "";
      found = f.name;
    }
  }
  return found;
}

// The conclusions printed under "classification" (text) and "classification" (JSON).
std::vector<std::string> Conclusions(const Model& m) {
  std::vector<std::string> lines;
  const SubgraphSpec& g = m.main_subgraph();
  if (!g.inputs.empty()) {
    const TensorSpec& in = g.tensors[g.inputs[0]];
    std::string s = "input " + std::string(DataTypeName(in.type)) + " ";
    if (in.shape.size() == 4)
      s += std::to_string(in.shape[1]) + "x" + std::to_string(in.shape[2]) + "x" +
           std::to_string(in.shape[3]);
    else
      s += Shape(in.shape);
    const NormalizationInfo* norm = nullptr;
    if (m.metadata() && !m.metadata()->inputs.empty() && m.metadata()->inputs[0].normalization)
      norm = &*m.metadata()->inputs[0].normalization;
    if (norm)
      s += ", normalization mean " + Floats(norm->mean) + " std " + Floats(norm->std) +
           " from metadata";
    else
      s += ", no normalization in metadata";
    lines.push_back(s);
  }
  for (size_t o = 0; o < g.outputs.size(); ++o) {
    const OutputShapeInfo info = DescribeOutput(m, static_cast<int>(o));
    lines.push_back("output " + std::to_string(o) + ": " + info.what +
                    (info.class_scores ? "" : " (classify refuses it without --allow-any-output)"));
  }
  if (!g.outputs.empty()) {
    const TensorSpec& out = g.tensors[g.outputs[0]];
    std::string s = "output ";
    s += out.shape.empty() ? "scalar" : std::to_string(out.shape.back()) + " classes";
    std::string labels = LabelFileName(m);
    if (labels.empty()) {
      s += ", labels: none embedded (give a label file)";
    } else if (!m.embedded_zip_problem().empty()) {
      s += ", labels: " + labels + " named by metadata but unreadable: " + m.embedded_zip_problem();
    } else if (FindEmbedded(m, labels)) {
      auto text = m.ReadEmbeddedFile(labels);
      s += ", labels: " + labels + " embedded" +
           (text.ok() ? " (" + std::to_string(CountLines(*text)) + " lines)"
                      : " but unreadable: " + text.status().message());
    } else {
      s += ", labels: " + labels + " named by metadata but not embedded";
    }
    lines.push_back(s);
  }
  return lines;
}

nlohmann::json TensorJson(const TensorSpec& t, int32_t index) {
  nlohmann::json q = {{"scale", t.quantization.scale}, {"zero_point", t.quantization.zero_point}};
  if (t.quantization.per_channel()) q["quantized_dimension"] = t.quantization.quantized_dimension;
  nlohmann::json j = {{"index", index},
                      {"name", t.name},
                      {"dtype", std::string(DataTypeName(t.type))},
                      {"shape", t.shape},
                      {"quantization", q}};
  if (!t.shape_signature.empty()) j["shape_signature"] = t.shape_signature;
  return j;
}

nlohmann::json MetadataJson(const Model& m) {
  if (!m.metadata()) return nullptr;
  const ModelMetadata& md = *m.metadata();
  nlohmann::json files = nlohmann::json::array();
  auto add_files = [&](const std::vector<AssociatedFileInfo>& list, const std::string& owner) {
    for (const auto& f : list) {
      const EmbeddedFile* e = FindEmbedded(m, f.name);
      nlohmann::json jf = {{"name", f.name}, {"type", AssociatedFileTypeName(f.type)},
                           {"size", e ? nlohmann::json(e->size) : nlohmann::json(nullptr)},
                           {"tensor", owner}};
      if (!f.locale.empty()) jf["locale"] = f.locale;
      files.push_back(jf);
    }
  };
  add_files(md.associated_files, "");
  for (const auto& t : md.inputs) add_files(t.associated_files, t.name);
  for (const auto& t : md.outputs) add_files(t.associated_files, t.name);
  nlohmann::json norm = nullptr;
  if (!md.inputs.empty() && md.inputs[0].normalization)
    norm = {{"mean", md.inputs[0].normalization->mean}, {"std", md.inputs[0].normalization->std}};
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& t : md.outputs) {
    nlohmann::json o = {{"name", t.name}};
    if (t.score_calibration)
      o["score_calibration"] = {{"transformation", static_cast<int>(t.score_calibration->transformation)},
                                {"default_score", t.score_calibration->default_score},
                                {"file", t.score_calibration->file_name}};
    if (t.score_threshold) o["score_threshold"] = *t.score_threshold;
    outputs.push_back(o);
  }
  return {{"name", md.name},
          {"description", md.description},
          {"version", md.version},
          {"author", md.author},
          {"license", md.license},
          {"min_parser_version", md.min_parser_version},
          {"normalization", norm},
          {"outputs", outputs},
          {"associated_files", files}};
}

void PrintJson(const Model& m) {
  const SubgraphSpec& g = m.main_subgraph();
  nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
  for (int32_t i : g.inputs) inputs.push_back(TensorJson(g.tensors[i], i));
  for (int32_t i : g.outputs) outputs.push_back(TensorJson(g.tensors[i], i));
  nlohmann::json ops = nlohmann::json::object(), versions = nlohmann::json::object();
  for (const auto& op : g.operators) {
    ops[op.name] = ops.value(op.name, 0) + 1;
    auto& v = versions[op.name];
    if (!v.is_array()) v = nlohmann::json::array();
    if (std::find(v.begin(), v.end(), op.version) == v.end()) v.push_back(op.version);
  }
  nlohmann::json embedded = nlohmann::json::array();
  for (const auto& f : m.embedded_files()) embedded.push_back({{"name", f.name}, {"size", f.size}});
  nlohmann::json j = {{"file", m.path()},
                      {"size", m.bytes().size()},
                      {"schema_version", m.schema_version()},
                      {"description", m.description()},
                      {"subgraphs", m.subgraphs().size()},
                      {"tensors", g.tensors.size()},
                      {"inputs", inputs},
                      {"outputs", outputs},
                      {"operators", ops},
                      {"operator_versions", versions},
                      {"metadata_entries", m.metadata_entry_names()},
                      {"metadata", MetadataJson(m)},
                      {"embedded_files", embedded},
                      {"embedded_zip_problem", m.embedded_zip_problem().empty()
                                                   ? nlohmann::json(nullptr)
                                                   : nlohmann::json(m.embedded_zip_problem())},
                      {"classification", Conclusions(m)}};
  std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void PrintTensorMetadata(const char* kind, const TensorMetadataInfo& t) {
  std::printf("  %s '%s'", kind, t.name.c_str());
  if (t.is_image)
    std::printf(", image %s", t.color_space == ColorSpace::kRgb         ? "RGB"
                              : t.color_space == ColorSpace::kGrayscale ? "grayscale"
                                                                        : "unknown colors");
  if (t.normalization)
    std::printf(", normalization mean [%s] std [%s]", Floats(t.normalization->mean).c_str(),
                Floats(t.normalization->std).c_str());
  if (!t.stats_min.empty() || !t.stats_max.empty())
    std::printf(", stats min [%s] max [%s]", Floats(t.stats_min).c_str(),
                Floats(t.stats_max).c_str());
  if (t.score_calibration)
    std::printf(", score calibration (transformation %d, default %g, file %s)",
                static_cast<int>(t.score_calibration->transformation),
                static_cast<double>(t.score_calibration->default_score),
                t.score_calibration->file_name.c_str());
  if (t.score_threshold) std::printf(", score threshold %g", static_cast<double>(*t.score_threshold));
  std::printf("\n");
  for (const auto& f : t.associated_files)
    std::printf("    file %s (%s%s%s)\n", f.name.c_str(), AssociatedFileTypeName(f.type),
                f.locale.empty() ? "" : ", locale ", f.locale.c_str());
}

void PrintText(const Model& m) {
  const SubgraphSpec& g = m.main_subgraph();
  std::printf("file: %s (%zu bytes)\n", m.path().c_str(), m.bytes().size());
  std::printf("schema version: %u\n", m.schema_version());
  std::printf("description: %s\n", m.description().c_str());
  std::printf("subgraphs: %zu (main: %zu tensors, %zu operators)\n", m.subgraphs().size(),
              g.tensors.size(), g.operators.size());
  auto print_tensors = [&](const char* title, const std::vector<int32_t>& list) {
    std::printf("%s:\n", title);
    for (int32_t i : list) {
      const TensorSpec& t = g.tensors[i];
      std::printf("  [%d] %s: %s %s, %s\n", i, t.name.c_str(),
                  std::string(DataTypeName(t.type)).c_str(), Shape(t.shape).c_str(),
                  QuantText(t.quantization).c_str());
    }
  };
  print_tensors("inputs", g.inputs);
  print_tensors("outputs", g.outputs);
  std::map<std::string, std::map<int, int>> ops;  // name -> version -> count
  for (const auto& op : g.operators) ops[op.name][op.version]++;
  std::printf("operators:\n");
  for (const auto& [name, versions] : ops)
    for (const auto& [version, count] : versions)
      std::printf("  %-28s v%-3d x%d\n", name.c_str(), version, count);
  std::string entries;
  for (const auto& e : m.metadata_entry_names()) entries += (entries.empty() ? "" : ", ") + e;
  std::printf("metadata entries: %s\n", entries.empty() ? "none" : entries.c_str());
  if (m.metadata()) {
    const ModelMetadata& md = *m.metadata();
    std::printf("metadata:\n  name: %s\n  description: %s\n", md.name.c_str(),
                md.description.c_str());
    if (!md.version.empty()) std::printf("  version: %s\n", md.version.c_str());
    if (!md.author.empty()) std::printf("  author: %s\n", md.author.c_str());
    if (!md.license.empty()) std::printf("  license: %s\n", md.license.c_str());
    if (!md.min_parser_version.empty())
      std::printf("  min parser version: %s\n", md.min_parser_version.c_str());
    for (const auto& f : md.associated_files)
      std::printf("  file %s (%s)\n", f.name.c_str(), AssociatedFileTypeName(f.type));
    for (const auto& t : md.inputs) PrintTensorMetadata("input", t);
    for (const auto& t : md.outputs) PrintTensorMetadata("output", t);
  } else {
    std::printf("metadata: none\n");
  }
  if (!m.embedded_zip_problem().empty())
    std::printf("embedded files: none readable: %s\n", m.embedded_zip_problem().c_str());
  else
    std::printf("embedded files:%s\n", m.embedded_files().empty() ? " none" : "");
  for (const auto& f : m.embedded_files())
    std::printf("  %s (%llu bytes)\n", f.name.c_str(), static_cast<unsigned long long>(f.size));
  std::printf("classification:\n");
  for (const auto& line : Conclusions(m)) std::printf("  %s\n", line.c_str());
}

int RunInspect(const InspectOptions& o) {
  auto model = Model::FromFile(o.model);
  if (!model.ok()) return ReportModelFileError(model.status());
  if (o.json)
    PrintJson(**model);
  else
    PrintText(**model);
  if (!(*model)->embedded_zip_problem().empty())
    return ReportError(InvalidModel(o.model + ": " + (*model)->embedded_zip_problem()), ErrorOrigin::kModel);
  // Damage that classifying would trip over (an unreadable archive, a corrupt entry, a file the
  // metadata names but the archive lacks) fails inspect too, after the report.
  const Status embedded = CheckEmbeddedFiles(**model);
  if (!embedded.ok()) return ReportError(embedded, ErrorOrigin::kModel);
  return kExitOk;
}

}  // namespace

void AddInspectCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show a model's tensors, operators, metadata and embedded files");
  cmd->add_option("model", o->model, "The .tflite model")->required();
  cmd->add_flag("--json", o->json, "Print one JSON object (inputs, outputs, operators, metadata, ...)");
  cmd->callback([o, exit_code] { *exit_code = RunInspect(*o); });
}

}  // namespace labelite::cli
