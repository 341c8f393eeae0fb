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

#include <time.h>

namespace labelite {

namespace {

using Clock = std::chrono::steady_clock;

// The stage clock of a worker: its thread's CPU time (user + system) in ms when its
// interpreter runs on the worker alone, so other processes' load does not inflate the split;
// wall time when the interpreter has threads of its own (their work is not the worker's).
double StageNowMs(bool cpu) {
  if (!cpu) return std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
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
  const bool cpu = threads_per_worker_ == 1;
  const double t0 = StageNowMs(cpu);
  Result<Image> decoded = path == "-" ? DecodeStandardInput(classifier.decode_options())
                                      : DecodeImageFile(path, classifier.decode_options());
  const double t1 = StageNowMs(cpu);
  r.decode_ms = t1 - t0;
  if (!decoded.ok()) {
    r.status = decoded.status().WithOrigin(ErrorOrigin::kInput);
    return r;
  }
  const ClassifierSummary& s = classifier.summary();
  // An image already of the input size goes on as decoded: a same-size resize is an exact
  // copy in every ResizeMode, and Classify() makes its own. The presets resize inside Classify().
  const bool presized = decoded->width == s.input_width && decoded->height == s.input_height;
  Result<Image> resized = preset_ == PreprocessPreset::kLabelite && !presized
      ? ResizeImage(*decoded, s.input_width, s.input_height, resize_)
      : Result<Image>(std::move(*decoded));
  const double t2 = StageNowMs(cpu);
  r.preprocess_ms = t2 - t1;
  const std::string name = path == "-" ? "<stdin>" : path;
  if (!resized.ok()) {
    r.status = resized.status().WithPrefix(name);
    return r;
  }
  std::vector<uint8_t>().swap(decoded->pixels);  // free the full-size pixels before inference
  // Classify() sees an image of the input size: its own resize is then an exact copy.
  Result<std::vector<Classification>> classes = classifier.Classify(*resized);
  r.inference_ms = StageNowMs(cpu) - t2;
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
        if (!may_start()) {
          const Clock::time_point waited = Clock::now();
          while (!may_start()) window_cv.wait_for(lock, kPoll);
          stats.window_wait_s += std::chrono::duration<double>(Clock::now() - waited).count();
        }
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
