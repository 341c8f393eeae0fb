#include "classify/batch.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>

namespace labelite {

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

Result<Image> DecodeStandardInput(const DecodeOptions& options) {
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(std::cin)),
                             std::istreambuf_iterator<char>());
  auto image = DecodeImage(bytes, options);
  if (!image.ok()) return image.status().WithPrefix("<stdin>");
  return image;
}

int HardwareThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace

BatchClassifier::~BatchClassifier() = default;

Result<std::unique_ptr<BatchClassifier>> BatchClassifier::Create(const ClassifierOptions& options,
                                                                 const BatchOptions& batch,
                                                                 size_t num_inputs) {
  if (batch.threads < 0) return InvalidArgument("threads must be at least 1");
  if (batch.window < 0) return InvalidArgument("window must be at least 1");
  const int threads = batch.threads == 0 ? HardwareThreads() : batch.threads;
  const int workers = static_cast<int>(std::clamp<size_t>(num_inputs, 1, static_cast<size_t>(threads)));
  std::unique_ptr<BatchClassifier> b(new BatchClassifier());
  b->threads_per_worker_ = std::max(1, threads / workers);
  b->resize_ = options.resize;
  b->preset_ = options.preprocess;
  b->ordered_ = batch.ordered;
  b->window_ = batch.window > 0 ? batch.window : 4 * workers;
  ClassifierOptions o = options;
  o.num_threads = b->threads_per_worker_;
  LABELITE_ASSIGN_OR_RETURN(std::unique_ptr<Classifier> first, Classifier::Create(o));
  b->classifiers_.push_back(std::move(first));
  for (int w = 1; w < workers; ++w) {
    LABELITE_ASSIGN_OR_RETURN(std::unique_ptr<Classifier> clone, b->classifiers_[0]->Clone());
    b->classifiers_.push_back(std::move(clone));
  }
  return b;
}

// Decode, preprocess and infer one input on the calling worker; every failure is a result.
BatchResult BatchClassifier::ClassifyOne(Classifier& classifier, size_t index,
                                         const std::string& path) const {
  BatchResult r;
  r.index = index;
  r.path = path;
  const Clock::time_point t0 = Clock::now();
  Result<Image> decoded = path == "-" ? DecodeStandardInput(classifier.decode_options())
                                      : DecodeImageFile(path, classifier.decode_options());
  const Clock::time_point t1 = Clock::now();
  r.decode_ms = MsSince(t0, t1);
  if (!decoded.ok()) {
    r.status = decoded.status().WithOrigin(ErrorOrigin::kInput);
    return r;
  }
  const ClassifierSummary& s = classifier.summary();
  Result<Image> resized = preset_ == PreprocessPreset::kLabelite
      ? ResizeImage(*decoded, s.input_width, s.input_height, resize_)
      : Result<Image>(std::move(*decoded));  // the presets resize inside Classify()
  const Clock::time_point t2 = Clock::now();
  r.preprocess_ms = MsSince(t1, t2);
  const std::string name = path == "-" ? "<stdin>" : path;
  if (!resized.ok()) {
    r.status = resized.status().WithPrefix(name);
    return r;
  }
  std::vector<uint8_t>().swap(decoded->pixels);  // free the full-size pixels before inference
  // Classify() sees an image of the input size: its own resize is then an exact copy.
  Result<std::vector<Classification>> classes = classifier.Classify(*resized);
  r.inference_ms = MsSince(t2, Clock::now());
  if (classes.ok()) r.classes = std::move(*classes);
  else r.status = classes.status().WithPrefix(name);
  return r;
}

BatchStats BatchClassifier::Run(const std::vector<std::string>& paths, const Sink& sink,
                                const std::atomic<bool>* cancel) {
  const Clock::time_point start = Clock::now();
  const size_t n = paths.size();
  BatchStats stats;
  stats.total = n;
  auto cancelled = [cancel] { return cancel != nullptr && cancel->load(std::memory_order_relaxed); };
  // A signal handler cannot notify a condition variable, so waits poll `cancel` this often.
  constexpr auto kPoll = std::chrono::milliseconds(50);

  std::mutex mu;
  std::condition_variable results_cv, window_cv;
  size_t next_input = 0;                  // the next input a worker starts
  size_t next_emit = 0;                   // ordered: the next input handed to the sink
  std::map<size_t, BatchResult> pending;  // ordered: finished, waiting for earlier inputs
  std::deque<BatchResult> ready;          // unordered: finished
  int running = workers();

  auto work = [&](Classifier& classifier) {
    for (;;) {
      size_t i;
      {
        std::unique_lock<std::mutex> lock(mu);
        auto may_start = [&] {
          return cancelled() || next_input >= n || !ordered_ || next_input < next_emit + static_cast<size_t>(window_);
        };
        while (!may_start()) window_cv.wait_for(lock, kPoll);
        if (cancelled() || next_input >= n) break;
        i = next_input++;
      }
      BatchResult r = ClassifyOne(classifier, i, paths[i]);
      {
        std::lock_guard<std::mutex> lock(mu);
        if (ordered_) pending.emplace(i, std::move(r));
        else ready.push_back(std::move(r));
      }
      results_cv.notify_one();
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      --running;
    }
    results_cv.notify_one();
  };

  auto deliver = [&](BatchResult&& r) {
    ++stats.done;
    if (!r.status.ok()) ++stats.failed;
    stats.decode_s += r.decode_ms / 1000;
    stats.preprocess_s += r.preprocess_ms / 1000;
    stats.inference_s += r.inference_ms / 1000;
    sink(std::move(r));
  };

  std::vector<std::thread> pool;
  for (auto& c : classifiers_) pool.emplace_back(work, std::ref(*c));
  {
    std::unique_lock<std::mutex> lock(mu);
    std::vector<BatchResult> batch;
    for (;;) {
      if (ordered_) {
        for (auto it = pending.begin(); it != pending.end() && it->first == next_emit; it = pending.erase(it)) {
          batch.push_back(std::move(it->second));
          ++next_emit;
        }
      } else {
        for (BatchResult& r : ready) batch.push_back(std::move(r));
        ready.clear();
      }
      if (!batch.empty()) {
        lock.unlock();
        window_cv.notify_all();
        for (BatchResult& r : batch) deliver(std::move(r));
        batch.clear();
        lock.lock();
        continue;
      }
      if (running == 0) break;
      results_cv.wait_for(lock, kPoll);
    }
  }
  for (std::thread& t : pool) t.join();
  // Only after a cancellation: results behind a gap (ordered) are still delivered, in order.
  for (auto& [index, r] : pending) deliver(std::move(r));
  stats.cancelled = stats.done < n;
  stats.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  return stats;
}

}  // namespace labelite
