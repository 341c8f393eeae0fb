// _labelite._Classifier: labelite::Classifier for labelite.Classifier (python/labelite/__init__.py).
//
// Thread safety: one C++ Classifier serves one thread at a time, so every call takes the
// object's mutex after releasing the GIL; Python threads sharing one labelite.Classifier are
// safe and take turns. classify_batch runs its items on `threads` C++ threads, each with its
// own 1-thread clone (kept for the next batch).
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "bindings.h"
#include "labelite/classifier.h"

namespace labelite::python {

namespace {

using Pixels = nb::ndarray<const uint8_t, nb::c_contig, nb::device::cpu>;
using Classes = std::vector<Classification>;

template <typename T>
T Get(const nb::dict& d, const char* key) {
  return nb::cast<T>(d[key]);
}

// The options dict built by labelite.Classifier (already validated there).
ClassifierOptions OptionsFrom(const nb::dict& d) {
  ClassifierOptions o;
  o.model_path = Get<std::string>(d, "model_path");
  if (!d["model_bytes"].is_none()) {
    nb::bytes b = Get<nb::bytes>(d, "model_bytes");
    const auto* p = static_cast<const uint8_t*>(b.data());
    o.model_bytes.assign(p, p + b.size());
  }
  o.labels = Get<std::string>(d, "labels");
  o.labels_format = Get<std::string>(d, "labels_format");
  o.locale = Get<std::string>(d, "locale");
  o.allow_label_mismatch = Get<bool>(d, "allow_label_mismatch");
  o.top_k = Get<int>(d, "top_k");
  o.score_threshold = Get<float>(d, "score_threshold");
  o.allow = Get<std::vector<std::string>>(d, "allow");
  o.deny = Get<std::vector<std::string>>(d, "deny");
  o.num_threads = Get<int>(d, "threads");
  o.kernels = Get<std::string>(d, "kernels") == "reference" ? KernelPath::kReference : KernelPath::kFast;
  o.mean = Get<std::vector<float>>(d, "mean");
  o.std = Get<std::vector<float>>(d, "std");
  const std::string resize = Get<std::string>(d, "resize");
  o.resize = resize == "crop" ? ResizeMode::kCrop : resize == "pad" ? ResizeMode::kPad : ResizeMode::kStretch;
  const std::string softmax = Get<std::string>(d, "softmax");
  o.softmax = softmax == "always" ? SoftmaxMode::kAlways
              : softmax == "never" ? SoftmaxMode::kNever : SoftmaxMode::kAuto;
  o.max_image_pixels = Get<uint64_t>(d, "max_pixels");
  o.skip_zero_scores = Get<bool>(d, "skip_zero_scores");
  o.allow_any_output = Get<bool>(d, "allow_any_output");
  o.preprocess = *ParsePreprocessPreset(Get<std::string>(d, "preprocess"));
  return o;
}

// An HxW, HxWx1, HxWx3 or HxWx4 uint8 array as an Image (copied: Image owns its pixels).
Result<Image> ImageFrom(const uint8_t* data, size_t ndim, const size_t* shape) {
  if (ndim != 2 && ndim != 3)
    return InvalidArgument("an image array has 2 (HxW) or 3 (HxWxC) dimensions, not " + std::to_string(ndim));
  const size_t channels = ndim == 3 ? shape[2] : 1;
  if (channels != 1 && channels != 3 && channels != 4)
    return InvalidArgument("an image array has 1, 3 or 4 channels, not " + std::to_string(channels));
  if (shape[0] < 1 || shape[1] < 1 || shape[0] > (1u << 30) || shape[1] > (1u << 30))
    return InvalidImage("an image array of " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]) +
                        " pixels");
  Image image;
  image.height = static_cast<int>(shape[0]);
  image.width = static_cast<int>(shape[1]);
  image.channels = static_cast<int>(channels);
  image.pixels.assign(data, data + shape[0] * shape[1] * channels);
  return image;
}

nb::list ToPython(const Classes& classes) {
  nb::list out;
  for (const Classification& c : classes)
    out.append(nb::make_tuple(c.index, c.label, static_cast<double>(c.score), c.display_name, c.head));
  return out;
}

// One batch item, read while the GIL is held; the arrays stay alive in the caller's list.
struct Item {
  enum Kind { kPath = 0, kEncoded = 1, kPixels = 2 } kind = kPath;
  std::string path;
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t ndim = 0;
  size_t shape[3] = {0, 0, 0};
};

Result<Classes> RunItem(Classifier& c, const Item& item) {
  switch (item.kind) {
    case Item::kPath: return c.ClassifyFile(item.path);
    case Item::kEncoded: return c.ClassifyEncoded(std::span<const uint8_t>(item.data, item.size));
    case Item::kPixels: {
      Result<Image> image = ImageFrom(item.data, item.ndim, item.shape);
      if (!image.ok()) return image.status().WithOrigin(ErrorOrigin::kInput);
      return c.Classify(*image);
    }
  }
  return Internal("unknown item kind");
}

class PyClassifier {
 public:
  explicit PyClassifier(const nb::dict& options) : options_(OptionsFrom(options)) {
    Result<std::unique_ptr<Classifier>> c = [&] {
      nb::gil_scoped_release release;
      return Classifier::Create(options_);
    }();
    if (!c.ok()) Throw(c.status(), ErrorOrigin::kModel);
    main_ = std::move(*c);
  }

  nb::list ClassifyFile(const std::string& path) {
    return Finish(Run([&] { return main_->ClassifyFile(path); }));
  }
  nb::list ClassifyEncoded(nb::bytes bytes) {
    const std::span<const uint8_t> data(static_cast<const uint8_t*>(bytes.data()), bytes.size());
    return Finish(Run([&] { return main_->ClassifyEncoded(data); }));
  }
  nb::list ClassifyPixels(Pixels pixels) {
    Item item;
    item.kind = Item::kPixels;
    item.data = pixels.data();
    item.ndim = pixels.ndim();
    for (size_t i = 0; i < pixels.ndim() && i < 3; ++i) item.shape[i] = pixels.shape(i);
    return Finish(Run([&] { return RunItem(*main_, item); }));
  }

  // items: (kind, str, bytes or uint8 array) pairs. Returns, per item, a result list or a
  // (origin, code, message) tuple.
  nb::list ClassifyBatch(const nb::list& items, int threads) {
    std::vector<Item> work(items.size());
    for (size_t i = 0; i < work.size(); ++i) {
      nb::tuple t = nb::cast<nb::tuple>(items[i]);
      Item& item = work[i];
      item.kind = static_cast<Item::Kind>(nb::cast<int>(t[0]));
      if (item.kind == Item::kPath) {
        item.path = nb::cast<std::string>(t[1]);
        continue;
      }
      if (item.kind == Item::kEncoded) {
        nb::bytes b = nb::cast<nb::bytes>(t[1]);
        item.data = static_cast<const uint8_t*>(b.data());
        item.size = b.size();
        continue;
      }
      Pixels a = nb::cast<Pixels>(t[1]);
      item.data = a.data();
      item.size = a.size();
      item.ndim = a.ndim();
      for (size_t d = 0; d < a.ndim() && d < 3; ++d) item.shape[d] = a.shape(d);
    }
    std::vector<std::optional<Result<Classes>>> results(work.size());
    Status setup;
    {
      nb::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mu_);
      setup = RunBatch(work, threads, results);
    }
    if (!setup.ok()) Throw(setup, ErrorOrigin::kModel);
    nb::list out;
    for (auto& r : results) {
      if ((*r).ok()) out.append(ToPython(**r));
      else out.append(StatusTuple((*r).status(), ErrorOrigin::kInput));
    }
    return out;
  }

  std::vector<std::string> Labels(int head) const { return main_->class_names(head); }
  std::vector<std::string> Notices() const { return main_->notices(); }
  nb::dict Summary() const {
    const ClassifierSummary& s = main_->summary();
    nb::dict d;
    d["model_name"] = s.model_name;
    d["input_width"] = s.input_width;
    d["input_height"] = s.input_height;
    d["input_channels"] = s.input_channels;
    d["input_type"] = std::string(DataTypeName(s.input_type));
    d["normalization"] = s.normalization;
    d["num_classes"] = nb::cast(s.num_classes);
    d["score_mode"] = nb::cast(s.score_mode);
    d["label_source"] = s.label_source;
    d["label_warnings"] = nb::cast(s.label_warnings);
    return d;
  }

 private:
  template <typename F>
  Result<Classes> Run(F&& f) {
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    return f();
  }
  static nb::list Finish(const Result<Classes>& r) {
    if (!r.ok()) Throw(r.status(), ErrorOrigin::kInput);
    return ToPython(*r);
  }

  // Items are taken in order by `workers` threads, each with its own 1-thread classifier (one
  // of them is the calling thread). A single worker uses the main classifier and its threads.
  Status RunBatch(const std::vector<Item>& work, int threads,
                  std::vector<std::optional<Result<Classes>>>& results) {
    const size_t workers = std::min<size_t>(std::max(threads, 1), std::max<size_t>(work.size(), 1));
    if (workers > 1) LABELITE_RETURN_IF_ERROR(EnsureWorkers(workers));
    std::atomic<size_t> next{0};
    auto loop = [&](Classifier& c) {
      for (size_t i; (i = next.fetch_add(1)) < work.size();) results[i] = RunItem(c, work[i]);
    };
    if (workers == 1) {
      loop(*main_);
      return Status::Ok();
    }
    std::vector<std::thread> pool;
    for (size_t w = 1; w < workers; ++w) {
      try {
        pool.emplace_back(loop, std::ref(*workers_[w]));
      } catch (const std::system_error&) {
        break;  // no thread to spare: the others take the items
      }
    }
    loop(*workers_[0]);
    for (std::thread& t : pool) t.join();
    return Status::Ok();
  }

  // 1-thread classifiers sharing the model and labels (the first one loads them once).
  Status EnsureWorkers(size_t n) {
    if (workers_.empty()) {
      Result<std::unique_ptr<Classifier>> first = [&]() -> Result<std::unique_ptr<Classifier>> {
        if (options_.num_threads == 1) return main_->Clone();
        ClassifierOptions one = options_;
        one.num_threads = 1;
        return Classifier::Create(one);
      }();
      if (!first.ok()) return first.status();
      workers_.push_back(std::move(*first));
    }
    while (workers_.size() < n) {
      LABELITE_ASSIGN_OR_RETURN(std::unique_ptr<Classifier> clone, workers_[0]->Clone());
      workers_.push_back(std::move(clone));
    }
    return Status::Ok();
  }

  ClassifierOptions options_;
  std::unique_ptr<Classifier> main_;
  std::vector<std::unique_ptr<Classifier>> workers_;
  std::mutex mu_;
};

}  // namespace

void RegisterClassifier(nb::module_& m) {
  nb::class_<PyClassifier>(m, "_Classifier")
      .def(nb::init<const nb::dict&>(), nb::arg("options"))
      .def("classify_file", &PyClassifier::ClassifyFile)
      .def("classify_encoded", &PyClassifier::ClassifyEncoded)
      .def("classify_pixels", &PyClassifier::ClassifyPixels)
      .def("classify_batch", &PyClassifier::ClassifyBatch)
      .def("labels", &PyClassifier::Labels, nb::arg("head") = 0)
      .def("notices", &PyClassifier::Notices)
      .def("summary", &PyClassifier::Summary);
}

}  // namespace labelite::python
