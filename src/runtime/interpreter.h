// Interpreter: runs subgraph 0 of a Model.
//
// Thread-safety contract: a Model is immutable and may be shared by any number of
// Interpreters in any threads. One Interpreter is used by one thread at a time (it owns the
// arena, the kernels' state and its thread pool). For N concurrent workers create N
// Interpreters over one std::shared_ptr<const Model>.
//
// Lifecycle:
//   LABELITE_ASSIGN_OR_RETURN(auto interp, Interpreter::Create(model, BuiltinOpResolver(), {}));
//   // Create resolves every op (all unsupported ops reported at once), then prepares:
//   // shape propagation, per-op precomputation, memory planning, binding. Operators whose
//   // outputs no kernel reads (Kernel::reads_input: a fused consumer) are skipped, unless
//   // preserve_intermediates is set; their tensors, like every intermediate, are undefined.
//   std::memcpy(interp->input(0)->data, pixels, interp->input(0)->bytes);
//   LABELITE_RETURN_IF_ERROR(interp->Invoke());      // any number of times
//   const Tensor* scores = interp->output(0);
//   LABELITE_RETURN_IF_ERROR(interp->ResizeInputBatch(8));  // re-prepares for 8 images
#ifndef LABELITE_RUNTIME_INTERPRETER_H_
#define LABELITE_RUNTIME_INTERPRETER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "labelite/status.h"
#include "model/model.h"
#include "runtime/kernel.h"
#include "runtime/op_resolver.h"
#include "runtime/tensor.h"
#include "runtime/work_pool.h"

namespace labelite {

struct InterpreterOptions {
  KernelPath kernels = KernelPath::kFast;
  int num_threads = 1;  // 1: no thread pool is created
  // Give every tensor its own memory so all intermediate results can be read after Invoke
  // (layer-by-layer comparisons; costs the unplanned size instead of the arena size).
  bool preserve_intermediates = false;
};

// Per-operator timing collected when profiling is on.
struct OpProfile {
  int op_index = 0;
  std::string op_name;
  const char* path = "";  // Kernel::path(), "folded" or "skipped (unread)"
  double total_ms = 0.0;
  int64_t macs = 0;       // multiply-accumulates per invoke (conv, depthwise, fully connected)
};

class Interpreter {
 public:
  static Result<std::unique_ptr<Interpreter>> Create(std::shared_ptr<const Model> model,
                                                     const OpResolver& resolver,
                                                     const InterpreterOptions& options = {});
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  Status Invoke();

  int num_inputs() const;
  int num_outputs() const;
  Tensor* input(int i);
  const Tensor* output(int i) const;
  // Index among inputs()/outputs() of the tensor with this name, or -1.
  int FindInput(const std::string& name) const;
  int FindOutput(const std::string& name) const;
  // All tensors of the graph (for layer-by-layer dumps).
  const std::vector<Tensor>& tensors() const { return tensors_; }
  const Model& model() const { return *model_; }

  // Sets the batch (first) dimension of every input and re-prepares the graph.
  Status ResizeInputBatch(int batch);

  size_t arena_bytes() const { return arena_bytes_; }
  // Sum of the sizes of all activation tensors (what a planner-less runtime would allocate).
  size_t unplanned_bytes() const { return unplanned_bytes_; }
  int64_t TotalMacs() const;

  void EnableProfiling(bool on) { profiling_ = on; }
  const std::vector<OpProfile>& profile() const { return profile_; }
  const char* KernelPathOf(int op_index) const;

 private:
  Interpreter() = default;
  Status Resolve(const OpResolver& resolver);
  Status PrepareAll();
  Status PlanMemory();
  Status BindAll();
  Status AwaitThreadpool();
  bool AllInputsConstant(const KernelContext& ctx) const;
  Status FoldOperator(size_t op_index);
  void SkipUnreadOperators();
  void FuseOutputFunctions();

  std::shared_ptr<const Model> model_;
  InterpreterOptions options_;
  std::vector<Tensor> tensors_;
  std::vector<KernelContext> contexts_;
  std::vector<std::unique_ptr<Kernel>> kernels_;
  std::vector<const KernelRegistration*> registrations_;
  std::unique_ptr<uint8_t, void (*)(void*)> arena_{nullptr, nullptr};
  // Operators whose inputs are all constant run once while preparing (constant folding, as
  // LiteRT's DEQUANTIZE of float16 weights): their outputs become constant tensors held here,
  // so that the kernels after them see constant weights (XNNPACK packs them).
  std::vector<char> folded_;
  // FuseOutputFunctions: per operator, the tensor it writes instead of its output 0 (the fused
  // operator's output), or -1; and the operators fused away.
  std::vector<int32_t> output_of_;
  std::vector<char> fused_away_;
  std::vector<std::unique_ptr<uint8_t, void (*)(void*)>> folded_buffers_;
  size_t arena_bytes_ = 0;
  size_t unplanned_bytes_ = 0;
  struct ThreadpoolDeleter { void operator()(pthreadpool_t p) const; };
  std::unique_ptr<pthreadpool, ThreadpoolDeleter> threadpool_;
  // Creates threadpool_ while the kernels pack their weights (see Create); declared after
  // threadpool_ so that it is joined before the pool is destroyed.
  std::jthread pool_maker_;
  // Runs every operator's tasks during Invoke, XNNPACK's too (work_pool.h: no waiting for a
  // worker that has not woken; runtime/pthreadpool_bridge.cc). Null with 1 thread, when
  // LABELITE_WORK_POOL=0 (for comparisons) or when no thread could be started.
  std::unique_ptr<WorkPool> work_pool_;
  // Which operators run on the caller's thread alone. A small operator (a 6x6 feature map, a
  // pool, a copy) costs more to hand to a second thread than it saves, and its output then sits
  // in the other core's cache. So the first kCalibrationInvokes invokes with a WorkPool time
  // every operator: invoke 0 warms up, then odd invokes run it in parallel and even ones alone;
  // an operator runs alone when its best serial time beats its best parallel time by 5%.
  // Samples taken while the pool is in a contention window (work_pool.h) are dropped, and the
  // timing is repeated every kInvokesBetweenChoices invokes (10 of them, without the warm-up:
  // best of 5 each way; with best of 3 a burst of noise on the host's other vCPU kept
  // MobileNet v2's 14x14x576 depthwise layer, 1.7x faster on 2 threads, on one thread).
  static constexpr int kCalibrationInvokes = 11;
  static constexpr int kInvokesBetweenChoices = 1000;
  int invokes_since_choice_ = 0;
  void DecideSerialOperators();
  int calibration_step_ = 0;
  std::vector<double> parallel_best_ns_, serial_best_ns_;
  std::vector<char> run_serial_;
  bool profiling_ = false;
  std::vector<OpProfile> profile_;
};

}  // namespace labelite

#endif  // LABELITE_RUNTIME_INTERPRETER_H_
