#include "classify/scores.h"
#include "base/quote.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace labelite {

namespace {

constexpr int32_t kLogistic = 14, kSoftmax = 25, kReshape = 22, kSqueeze = 43,
                  kDequantize = 6, kQuantize = 114, kAveragePool2D = 1, kMaxPool2D = 17,
                  kMean = 40, kL2Normalization = 11, kReduceMax = 82;

// The op that computes tensor `t`, looking through ops that only move or retype values.
const OperatorSpec* ProducerOf(const SubgraphSpec& g, int32_t t) {
  for (int hops = 0; hops < 8; ++hops) {
    const OperatorSpec* producer = nullptr;
    for (const OperatorSpec& op : g.operators)
      if (std::find(op.outputs.begin(), op.outputs.end(), t) != op.outputs.end()) producer = &op;
    if (!producer) return nullptr;
    const int32_t c = producer->builtin_code;
    if ((c == kReshape || c == kSqueeze || c == kDequantize || c == kQuantize) && !producer->inputs.empty()) {
      t = producer->inputs[0];
      continue;
    }
    return producer;
  }
  return nullptr;
}

// Parses a TENSOR_AXIS_SCORE_CALIBRATION file: one line per class, "scale,slope,offset" or
// "scale,slope,offset,min_score"; an empty line means "no calibration, use the default score".
Result<std::vector<CalibrationParams>> ParseCalibration(const std::string& text, const std::string& name) {
  std::vector<CalibrationParams> params;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    CalibrationParams p;
    if (!line.empty()) {
      std::vector<float> v;
      std::stringstream ls(line);
      std::string field;
      while (std::getline(ls, field, ',')) {
        char* end = nullptr;
        const float f = std::strtof(field.c_str(), &end);
        if (end == field.c_str()) return InvalidModel(name + ":" + std::to_string(line_no) + ": not a number: " + QuoteForMessage(field));
        v.push_back(f);
      }
      if (v.size() != 3 && v.size() != 4)
        return InvalidModel(name + ":" + std::to_string(line_no) + ": expected 3 or 4 comma-separated values");
      p.present = true;
      p.scale = v[0];
      p.slope = v[1];
      p.offset = v[2];
      if (v.size() == 4) p.min_score = v[3];
    }
    params.push_back(p);
  }
  return params;
}

std::string ShapeText(const std::vector<int32_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

// libc++'s heap primitives over candidate indices; `better(a, b)` plays the comparator
// (score[a] > score[b]), so the heap's top is the worst of the k kept so far.
template <typename Better>
void SiftDown(std::vector<int>& v, Better better, std::ptrdiff_t len, std::ptrdiff_t start) {
  std::ptrdiff_t child = start;
  if (len < 2 || (len - 2) / 2 < child) return;
  child = 2 * child + 1;
  if (child + 1 < len && better(v[child], v[child + 1])) ++child;
  if (better(v[child], v[start])) return;
  const int top = v[start];
  do {
    v[start] = v[child];
    start = child;
    if ((len - 2) / 2 < child) break;
    child = 2 * child + 1;
    if (child + 1 < len && better(v[child], v[child + 1])) ++child;
  } while (!better(v[child], top));
  v[start] = top;
}

template <typename Better>
void SiftUp(std::vector<int>& v, Better better, std::ptrdiff_t len) {
  if (len < 2) return;
  std::ptrdiff_t last = len - 1, parent = (len - 2) / 2;
  if (!better(v[parent], v[last])) return;
  const int t = v[last];
  do {
    v[last] = v[parent];
    last = parent;
    if (parent == 0) break;
    parent = (parent - 1) / 2;
  } while (better(v[parent], t));
  v[last] = t;
}

// pop_heap with Floyd's sift-down: the hole at the root walks down to a leaf along the larger
// children, takes the last element, which then sifts up.
template <typename Better>
void PopHeap(std::vector<int>& v, Better better, std::ptrdiff_t len) {
  if (len < 2) return;
  const int top = v[0];
  std::ptrdiff_t hole = 0, child = 0;
  for (;;) {
    child = 2 * child + 1;
    if (child + 1 < len && better(v[child], v[child + 1])) ++child;
    v[hole] = v[child];
    hole = child;
    if (child > (len - 2) / 2) break;
  }
  const std::ptrdiff_t last = len - 1;
  if (hole == last) {
    v[hole] = top;
    return;
  }
  v[hole] = v[last];
  v[last] = top;
  SiftUp(v, better, hole + 1);
}

template <typename Better>
void LibcxxPartialSort(std::vector<int>& v, std::ptrdiff_t k, Better better) {
  if (k == 0) return;
  for (std::ptrdiff_t start = (k - 2) / 2; k > 1 && start >= 0; --start) SiftDown(v, better, k, start);
  for (size_t i = static_cast<size_t>(k); i < v.size(); ++i) {
    if (better(v[i], v[0])) {
      std::swap(v[i], v[0]);
      SiftDown(v, better, k, 0);
    }
  }
  for (std::ptrdiff_t n = k; n > 1; --n) PopHeap(v, better, n);
}

// log(x) for x >= threshold, else 2 log(threshold) - log(2 threshold - x), as MediaPipe's
// ClampedLog (continuous, order-preserving below the threshold).
float ClampedLog(float x, float threshold) {
  if (x < threshold)
    return static_cast<float>(2.0 * std::log(static_cast<double>(threshold)) - std::log(2.0 * threshold - x));
  return static_cast<float>(std::log(static_cast<double>(x)));
}

// One calibrated score in MediaPipe's float/double mix (see HeadPlan::float_calibration).
float FloatCalibrated(const CalibrationParams& p, ScoreTransformation t, float score) {
  constexpr float kLogScoreMinimum = 1e-16f;
  float transformed = score;
  if (t == ScoreTransformation::kLog) {
    transformed = ClampedLog(score, kLogScoreMinimum);
  } else if (t == ScoreTransformation::kInverseLogistic) {
    transformed = ClampedLog(score, kLogScoreMinimum) -
                  ClampedLog(static_cast<float>(1.0 - score), kLogScoreMinimum);
  }
  const float shifted = transformed * p.slope + p.offset;
  float calibrated;
  if (shifted >= 0.0f) {
    calibrated = static_cast<float>(p.scale / (1.0 + std::exp(static_cast<double>(-shifted))));
  } else {
    const float e = static_cast<float>(std::exp(static_cast<double>(shifted)));
    calibrated = static_cast<float>(p.scale * e / (1.0 + e));
  }
  return std::max(std::min(calibrated, p.scale), 0.0f);
}

}  // namespace

OutputShapeInfo DescribeOutput(const Model& model, int output_index) {
  const SubgraphSpec& g = model.main_subgraph();
  OutputShapeInfo info;
  if (output_index < 0 || static_cast<size_t>(output_index) >= g.outputs.size()) {
    info.class_scores = false;
    info.what = "no such output";
    return info;
  }
  const int32_t tensor = g.outputs[static_cast<size_t>(output_index)];
  const TensorSpec& t = g.tensors[static_cast<size_t>(tensor)];
  const std::string shape = ShapeText(t.shape);
  const int64_t last = t.shape.empty() ? 1 : t.shape.back();
  if (t.shape.empty()) {
    info.class_scores = false;
    info.what = "a scalar";
    return info;
  }
  if (t.shape.size() == 4 && (t.shape[1] > 1 || t.shape[2] > 1)) {
    info.class_scores = false;
    info.what = "a " + shape + " map of " + std::to_string(t.shape[1]) + "x" + std::to_string(t.shape[2]) +
                " positions (segmentation or detection?), not class scores";
    return info;
  }
  const OperatorSpec* producer = ProducerOf(g, tensor);
  const int32_t c = producer ? producer->builtin_code : -1;
  if (c == kAveragePool2D || c == kMaxPool2D || c == kMean || c == kL2Normalization || c == kReduceMax) {
    info.class_scores = false;
    info.what = "a " + std::to_string(last) + "-value feature vector " + shape + " from " + producer->name +
                " (an embedding extractor?), not class scores";
    return info;
  }
  info.what = std::to_string(last) + " class scores " + shape +
              (producer ? " (graph ends in " + producer->name + ")" : "");
  return info;
}

Result<std::vector<HeadPlan>> PlanHeads(const Model& model, SoftmaxMode softmax, bool allow_any_output) {
  const SubgraphSpec& g = model.main_subgraph();
  std::vector<HeadPlan> heads;
  for (size_t o = 0; o < g.outputs.size(); ++o) {
    const TensorSpec& t = g.tensors[static_cast<size_t>(g.outputs[o])];
    if (!allow_any_output) {
      const OutputShapeInfo info = DescribeOutput(model, static_cast<int>(o));
      if (!info.class_scores)
        return Unsupported(model.path() + ": output " + std::to_string(o) + " " + QuoteForMessage(t.name) + " is " + info.what +
                           "; use --allow-any-output to rank its values anyway");
    }
    if (t.shape.empty()) return Unsupported(model.path() + ": output " + QuoteForMessage(t.name) + " is a scalar, not class scores");
    int64_t classes = 1;
    for (size_t d = 1; d < t.shape.size(); ++d) classes *= t.shape[d];
    if (t.shape.size() == 1) classes = t.shape[0];
    if (classes < 1 || classes > 10'000'000)
      return Unsupported(model.path() + ": output " + QuoteForMessage(t.name) + " does not look like class scores");
    if (t.type != DataType::kFloat32 && t.type != DataType::kUInt8 && t.type != DataType::kInt8 &&
        t.type != DataType::kInt16)
      return Unsupported(model.path() + ": output " + QuoteForMessage(t.name) + " has type " + std::string(DataTypeName(t.type)));
    HeadPlan h;
    h.output_index = static_cast<int>(o);
    h.num_classes = static_cast<int>(classes);
    h.softmax = softmax;
    const OperatorSpec* producer = ProducerOf(g, g.outputs[o]);
    if (producer && (producer->builtin_code == kSoftmax || producer->builtin_code == kLogistic)) {
      h.kind = HeadPlan::Kind::kProbabilities;
      h.description = "probabilities (graph ends in " + producer->name + ")";
    } else {
      h.kind = HeadPlan::Kind::kDetect;
      h.description = "no final SOFTMAX/LOGISTIC: softmax applied unless the scores already form a distribution";
    }
    if (softmax == SoftmaxMode::kAlways) h.description = "softmax applied (--softmax)";
    if (softmax == SoftmaxMode::kNever) h.description = "scores used as they are (--no-softmax)";

    const auto& md = model.metadata();
    if (md && o < md->outputs.size() && md->outputs[o].score_calibration) {
      const ScoreCalibrationInfo& info = *md->outputs[o].score_calibration;
      h.transformation = info.transformation;
      h.default_score = info.default_score;
      if (!info.file_name.empty()) {
        auto text = model.ReadEmbeddedFile(info.file_name);
        if (!text.ok()) return text.status();
        auto params = ParseCalibration(*text, info.file_name);
        if (!params.ok()) return params.status();
        h.calibration = std::move(*params);
        h.description += "; score calibration from " + info.file_name;
      }
    }
    heads.push_back(std::move(h));
  }
  return heads;
}

void ComputeScores(const HeadPlan& head, const Tensor& output, int batch_index,
                   std::vector<float>* scores) {
  const size_t n = static_cast<size_t>(head.num_classes);
  const size_t base = static_cast<size_t>(batch_index) * n;
  scores->resize(n);
  const float scale = output.scale;
  const float zp = static_cast<float>(output.zero_point);
  for (size_t i = 0; i < n; ++i) {
    float v;
    switch (output.type) {
      case DataType::kUInt8: v = (static_cast<float>(output.data_as<uint8_t>()[base + i]) - zp) * scale; break;
      case DataType::kInt8: v = (static_cast<float>(output.data_as<int8_t>()[base + i]) - zp) * scale; break;
      case DataType::kInt16: v = (static_cast<float>(output.data_as<int16_t>()[base + i]) - zp) * scale; break;
      default: v = output.data_as<float>()[base + i]; break;
    }
    (*scores)[i] = v;
  }
  bool apply = false;
  if (head.softmax == SoftmaxMode::kAlways) {
    apply = true;
  } else if (head.softmax == SoftmaxMode::kAuto && head.kind != HeadPlan::Kind::kProbabilities) {
    double sum = 0;
    bool in_unit = true;
    for (float v : *scores) {
      sum += v;
      in_unit = in_unit && v >= 0.0f && v <= 1.0f;
    }
    apply = !(in_unit && std::fabs(sum - 1.0) <= 0.01);
  }
  if (apply) {
    const float max = *std::max_element(scores->begin(), scores->end());
    double sum = 0;
    for (float& v : *scores) {
      v = std::exp(v - max);
      sum += v;
    }
    for (float& v : *scores) v = static_cast<float>(v / sum);
  }
  if (!head.calibration.empty()) {
    for (size_t i = 0; i < n; ++i) {
      const CalibrationParams* p = i < head.calibration.size() ? &head.calibration[i] : nullptr;
      float& s = (*scores)[i];
      if (!p || !p->present || (p->min_score && s < *p->min_score)) {
        s = head.default_score;
        continue;
      }
      if (head.float_calibration) {
        s = FloatCalibrated(*p, head.transformation, s);
        continue;
      }
      double x = s;
      if (head.transformation == ScoreTransformation::kLog) x = std::log(x);
      else if (head.transformation == ScoreTransformation::kInverseLogistic) x = std::log(x / (1.0 - x));
      s = static_cast<float>(p->scale / (1.0 + std::exp(-(p->slope * x + p->offset))));
    }
  }
}

std::vector<int> TopK(const std::vector<float>& scores, int k, float threshold,
                      const std::vector<char>& allowed, RankOrder order) {
  std::vector<int> idx;
  for (int i = 0; i < static_cast<int>(scores.size()); ++i) {
    if (!allowed.empty() && !allowed[static_cast<size_t>(i)]) continue;
    if (!(scores[static_cast<size_t>(i)] >= threshold)) continue;
    idx.push_back(i);
  }
  const size_t kk = std::min(idx.size(), static_cast<size_t>(std::max(k, 0)));
  if (order == RankOrder::kLibcxxPartialSort) {
    LibcxxPartialSort(idx, static_cast<std::ptrdiff_t>(kk), [&](int a, int b) {
      return scores[static_cast<size_t>(a)] > scores[static_cast<size_t>(b)];
    });
    idx.resize(kk);
    return idx;
  }
  auto better = [&](int a, int b) {
    const float sa = scores[static_cast<size_t>(a)], sb = scores[static_cast<size_t>(b)];
    return sa > sb || (sa == sb && a < b);
  };
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(kk), idx.end(), better);
  idx.resize(kk);
  return idx;
}

}  // namespace labelite
