#include "server/model_pool.h"

#include <filesystem>
#include <limits>

#include "server/http_util.h"

namespace labelite::server {

struct ModelPool::Task {
  const std::function<void(Classifier&)>* job = nullptr;
  Clock::time_point deadline;
  bool started = false, done = false, abandoned = false;
  std::exception_ptr error;
  std::condition_variable cv;
};

Result<std::unique_ptr<ModelPool>> ModelPool::Create(std::string name, ClassifierOptions options,
                                                     int workers, int queue_capacity) {
  if (workers < 1) return InvalidArgument("a model needs at least one interpreter");
  std::unique_ptr<ModelPool> pool(new ModelPool());
  pool->name_ = std::move(name);
  pool->file_name_ = std::filesystem::path(options.model_path).filename().string();
  pool->capacity_ = queue_capacity;
  options.top_k = std::numeric_limits<int>::max();
  options.score_threshold = 0.0f;
  LABELITE_ASSIGN_OR_RETURN(std::unique_ptr<Classifier> first, Classifier::Create(options));
  pool->classifiers_.push_back(std::move(first));
  for (int i = 1; i < workers; ++i) {
    LABELITE_ASSIGN_OR_RETURN(std::unique_ptr<Classifier> clone, pool->classifiers_.front()->Clone());
    pool->classifiers_.push_back(std::move(clone));
  }
  for (auto& c : pool->classifiers_) pool->threads_.emplace_back(&ModelPool::Work, pool.get(), c.get());
  return pool;
}

ModelPool::~ModelPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

size_t ModelPool::queue_depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void ModelPool::Work(Classifier* classifier) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::shared_ptr<Task> task = std::move(queue_.front());
    queue_.pop_front();
    if (task->abandoned) continue;
    task->started = true;
    task->cv.notify_all();
    lock.unlock();
    try {
      (*task->job)(*classifier);
    } catch (...) {
      task->error = std::current_exception();
    }
    lock.lock();
    task->done = true;
    task->cv.notify_all();
  }
}

void ModelPool::Run(const std::function<void(Classifier&)>& job, Clock::time_point deadline) {
  auto task = std::make_shared<Task>();
  task->job = &job;
  task->deadline = deadline;
  std::unique_lock<std::mutex> lock(mu_);
  if (queue_.size() >= static_cast<size_t>(capacity_))
    throw HttpError(503, "model '" + name_ + "' is overloaded: " + std::to_string(queue_.size()) +
                             " requests already waiting; retry later", /*retry_after_s=*/1);
  queue_.push_back(task);
  cv_.notify_one();
  if (!task->cv.wait_until(lock, deadline, [&] { return task->started; })) {
    task->abandoned = true;  // the worker skips it; nothing of ours is touched after this
    std::erase(queue_, task);
    throw HttpError(503, "timed out waiting for a free interpreter of model '" + name_ + "'", 1);
  }
  task->cv.wait(lock, [&] { return task->done; });
  if (task->error) std::rethrow_exception(task->error);
}

}  // namespace labelite::server
