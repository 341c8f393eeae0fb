// ModelPool: a fixed set of interpreters for one model behind a bounded queue.
//
// Purpose: runs classification jobs for the HTTP connection threads on `workers` worker
// threads, each owning one Classifier (the first is Created, the others are Clones sharing the
// model and labels). Decoding happens inside the job, so all CPU-heavy work is bounded by the
// worker count however many connections are open.
//
// Thread safety: Run may be called from any number of threads. A job runs on exactly one
// worker with exclusive use of its Classifier. The destructor lets queued jobs finish, then
// joins the workers.
//
//   auto pool = ModelPool::Create("mobilenet", options, /*workers=*/2, /*queue=*/64);
//   (*pool)->Run([&](Classifier& c) { result = c.ClassifyEncoded(bytes); }, deadline);
#ifndef LABELITE_SERVER_MODEL_POOL_H_
#define LABELITE_SERVER_MODEL_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "labelite/classifier.h"
#include "labelite/status.h"

namespace labelite::server {

using Clock = std::chrono::steady_clock;

class ModelPool {
 public:
  // `options.top_k` is replaced by "every class": routes cut the ranking to what they return.
  static Result<std::unique_ptr<ModelPool>> Create(std::string name, ClassifierOptions options,
                                                   int workers, int queue_capacity);
  ~ModelPool();

  // Runs `job` on a free interpreter and waits for it to finish. Throws HttpError 503 (with
  // Retry-After) when `queue_capacity` jobs are already waiting, or when `deadline` passes
  // before a worker takes the job (a job already running is always waited for; long jobs
  // check the deadline themselves). An exception thrown by `job` is rethrown here.
  void Run(const std::function<void(Classifier&)>& job, Clock::time_point deadline);

  const std::string& name() const { return name_; }
  const std::string& file_name() const { return file_name_; }  // the .tflite's file name
  const Classifier& classifier() const { return *classifiers_.front(); }
  const ClassifierSummary& summary() const { return classifier().summary(); }
  int workers() const { return static_cast<int>(classifiers_.size()); }
  size_t queue_depth() const;
  void CountImages(size_t n) { images_ += n; }
  uint64_t images() const { return images_.load(); }

 private:
  struct Task;
  ModelPool() = default;
  void Work(Classifier* classifier);

  std::string name_, file_name_;
  int capacity_ = 0;
  std::vector<std::unique_ptr<Classifier>> classifiers_;
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Task>> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> images_{0};
};

}  // namespace labelite::server

#endif  // LABELITE_SERVER_MODEL_POOL_H_
