#include "runtime/interpreter.h"
#include "base/quote.h"

#include <pthreadpool.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>

#include "runtime/arena_planner.h"

namespace labelite {

namespace {

constexpr int32_t kBuiltinCustom = 32;
constexpr int32_t kBuiltinConv2D = 3;
constexpr int32_t kBuiltinDepthwiseConv2D = 4;
constexpr int32_t kBuiltinFullyConnected = 9;
// No activation tensor may exceed this (a classifier's largest is a few MB).
constexpr uint64_t kMaxTensorBytes = uint64_t{1} << 32;

void FreeArena(void* p) { std::free(p); }

std::string OpLabel(const OperatorSpec& op, int index) {
  return op.name + " (operator " + std::to_string(index) + ")";
}

// Stands in for an operator that was computed once while preparing (constant folding).
class FoldedKernel final : public Kernel {
 public:
  Status Prepare(KernelContext&) override { return Status::Ok(); }
  Status Eval(KernelContext&) override { return Status::Ok(); }
  const char* path() const override { return "folded"; }
};

// Stands in for an operator whose outputs no kernel reads (Kernel::reads_input).
class SkippedKernel final : public Kernel {
 public:
  Status Prepare(KernelContext&) override { return Status::Ok(); }
  Status Eval(KernelContext&) override { return Status::Ok(); }
  const char* path() const override { return "skipped (unread)"; }
};

// Stands in for an operator whose function the operator writing its input applies
// (FuseOutputFunctions); keeps its kernel, which owns that function's parameters.
class FusedKernel final : public Kernel {
 public:
  explicit FusedKernel(std::unique_ptr<Kernel> fused) : fused_(std::move(fused)) {}
  Status Prepare(KernelContext&) override { return Status::Ok(); }
  Status Eval(KernelContext&) override { return Status::Ok(); }
  const char* path() const override { return "fused (into the operator before)"; }

 private:
  std::unique_ptr<Kernel> fused_;
};

}  // namespace

void Interpreter::ThreadpoolDeleter::operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }

Interpreter::~Interpreter() {
  // Kernels may hold XNNPACK operators that reference the arena: release them first.
  kernels_.clear();
}

Result<std::unique_ptr<Interpreter>> Interpreter::Create(std::shared_ptr<const Model> model,
                                                         const OpResolver& resolver,
                                                         const InterpreterOptions& options) {
  if (!model) return InvalidArgument("Interpreter::Create: no model");
  std::unique_ptr<Interpreter> interp(new Interpreter());
  interp->model_ = std::move(model);
  interp->options_ = options;
  if (options.num_threads < 1) return InvalidArgument("number of threads must be at least 1");
  if (options.num_threads > 1) {
    // pthreadpool_create returns only once every worker thread runs; on a virtual machine
    // whose other vCPUs are idle that takes 4-8 ms, as long as packing the weights of a
    // MobileNet. So the pool starts on a helper thread while the kernels prepare, and
    // AwaitThreadpool joins it before the first kernel needs it (Bind).
    Interpreter* p = interp.get();
    const auto threads = static_cast<size_t>(options.num_threads);
    auto make_pool = [p, threads] {
      pthreadpool_t pool = pthreadpool_create(threads);
      // A new worker spins for ~15 ms waiting for work, and the scheduler may put it on the
      // CPU of the thread that packs weights. One round of empty tasks with YIELD_WORKERS
      // sends it to sleep at once instead.
      if (pool != nullptr) {
        pthreadpool_parallelize_1d(pool, [](void*, size_t) {}, nullptr, threads,
                                   PTHREADPOOL_FLAG_YIELD_WORKERS);
      }
      p->threadpool_.reset(pool);
    };
    try {
      interp->pool_maker_ = std::jthread(make_pool);
    } catch (const std::system_error&) {  // no thread to spare: create it here
      make_pool();
    }
    const char* work_pool = std::getenv("LABELITE_WORK_POOL");
    if (work_pool == nullptr || std::string_view(work_pool) != "0") {
      try {
        interp->work_pool_ = std::make_unique<WorkPool>(threads);
      } catch (const std::system_error&) {  // pthreadpool runs the own kernels' tasks too
      }
    }
  }

  const SubgraphSpec& g = interp->model_->main_subgraph();
  interp->tensors_.resize(g.tensors.size());
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const TensorSpec& spec = g.tensors[i];
    Tensor& t = interp->tensors_[i];
    t.name = spec.name;
    t.type = spec.type;
    t.dims = spec.shape;
    t.is_constant = spec.is_constant();
    if (t.is_constant) {
      t.data = const_cast<uint8_t*>(spec.data.data());  // read-only by contract
      t.bytes = spec.data.size();
    }
    if (!spec.quantization.empty()) {
      t.quant = &spec.quantization;
      t.scale = spec.quantization.scale[0];
      t.zero_point = static_cast<int32_t>(spec.quantization.zero_point.empty()
                                              ? 0 : spec.quantization.zero_point[0]);
    }
  }
  interp->folded_.assign(g.operators.size(), 0);
  Status s = interp->Resolve(resolver);
  if (!s.ok()) return s.WithPrefix(interp->model_->path());
  s = interp->PrepareAll();
  if (!s.ok()) return s.WithPrefix(interp->model_->path());
  interp->run_serial_.assign(interp->kernels_.size(), 0);
  // LABELITE_THREAD_CHOICE=0: every operator in parallel, no timing (for comparisons).
  const char* choice = std::getenv("LABELITE_THREAD_CHOICE");
  if (choice != nullptr && std::string_view(choice) == "0") interp->calibration_step_ = kCalibrationInvokes;
  return interp;
}

// Finds a kernel for every operator; reports all unsupported ones at once. Also checks that
// every tensor an operator reads is produced before it (no cycles, no dangling references).
Status Interpreter::Resolve(const OpResolver& resolver) {
  const SubgraphSpec& g = model_->main_subgraph();
  std::string unsupported;
  int unsupported_count = 0;
  registrations_.assign(g.operators.size(), nullptr);
  for (size_t i = 0; i < g.operators.size(); ++i) {
    const OperatorSpec& op = g.operators[i];
    const KernelRegistration* reg =
        op.builtin_code == kBuiltinCustom ? nullptr : resolver.Find(op.builtin_code);
    if (!reg) {
      if (unsupported_count++ > 0) unsupported += ", ";
      unsupported += (op.builtin_code == kBuiltinCustom ? "custom op " + QuoteForMessage(op.custom_code)
                                                        : op.name) +
                     " (operator " + std::to_string(i) + ")";
    }
    registrations_[i] = reg;
  }
  if (unsupported_count > 0) {
    return Unsupported("unsupported operator" + std::string(unsupported_count > 1 ? "s" : "") +
                       ": " + unsupported);
  }

  // Data-flow check: operators run in file order, so a tensor must be written before it is read.
  std::vector<char> available(g.tensors.size(), 0);
  for (size_t t = 0; t < g.tensors.size(); ++t)
    available[t] = g.tensors[t].is_constant() || g.tensors[t].is_variable;
  for (int32_t t : g.inputs) available[static_cast<size_t>(t)] = 1;
  std::vector<char> written(g.tensors.size(), 0);
  for (size_t i = 0; i < g.operators.size(); ++i) {
    const OperatorSpec& op = g.operators[i];
    for (int32_t t : op.inputs) {
      if (t >= 0 && !available[static_cast<size_t>(t)]) {
        return InvalidModel(OpLabel(op, static_cast<int>(i)) + " reads tensor " +
                            std::to_string(t) + " (" + QuoteForMessage(g.tensors[static_cast<size_t>(t)].name) + ") before any operator writes it (cyclic or dangling reference)");
      }
    }
    // Every operator labelite runs writes at least one tensor; kernels read output(0) freely.
    if (op.outputs.empty()) return InvalidModel(OpLabel(op, static_cast<int>(i)) + " has no outputs");
    for (int32_t t : op.outputs) {
      if (t < 0) return InvalidModel(OpLabel(op, static_cast<int>(i)) + " has an absent output");
      const TensorSpec& spec = g.tensors[static_cast<size_t>(t)];
      if (spec.is_constant() || written[static_cast<size_t>(t)] ||
          std::find(g.inputs.begin(), g.inputs.end(), t) != g.inputs.end()) {
        return InvalidModel(OpLabel(op, static_cast<int>(i)) + " writes tensor " +
                            std::to_string(t) + " (" + QuoteForMessage(spec.name) + "), which is constant, a graph input or written twice");
      }
      written[static_cast<size_t>(t)] = 1;
      available[static_cast<size_t>(t)] = 1;
    }
  }
  for (int32_t t : g.outputs) {
    if (!available[static_cast<size_t>(t)])
      return InvalidModel("graph output tensor " + std::to_string(t) + " is never written");
  }
  return Status::Ok();
}

Status Interpreter::PrepareAll() {
  const SubgraphSpec& g = model_->main_subgraph();
  kernels_.clear();
  kernels_.resize(g.operators.size());
  contexts_.assign(g.operators.size(), KernelContext{});
  // Activation tensors lose their data pointers until the arena is planned again.
  for (Tensor& t : tensors_) {
    if (t.is_constant) continue;
    t.data = nullptr;
    t.bytes = static_cast<size_t>(t.NumElements()) * DataTypeSize(t.type);  // model-validated
  }

  // writer[t]: the operator that writes tensor t (the data-flow check: at most one, before
  // every reader), for KernelContext::producers.
  std::vector<int> writer(tensors_.size(), -1);
  size_t constant_bytes = 0;
  for (const Tensor& t : tensors_)
    if (t.is_constant) constant_bytes += t.bytes;
  for (size_t i = 0; i < g.operators.size(); ++i)
    for (int32_t t : g.operators[i].outputs) writer[static_cast<size_t>(t)] = static_cast<int>(i);

  for (size_t i = 0; i < g.operators.size(); ++i) {
    const OperatorSpec& op = g.operators[i];
    KernelContext& ctx = contexts_[i];
    ctx.op = &op;
    ctx.op_index = static_cast<int>(i);
    ctx.constant_bytes = constant_bytes;
    ctx.threadpool = nullptr;  // set by AwaitThreadpool, before Bind
    for (int32_t t : op.inputs) ctx.inputs.push_back(t >= 0 ? &tensors_[static_cast<size_t>(t)] : nullptr);
    for (int32_t t : op.outputs) ctx.outputs.push_back(&tensors_[static_cast<size_t>(t)]);
    for (int32_t t : op.inputs) {
      const int w = t >= 0 ? writer[static_cast<size_t>(t)] : -1;
      ctx.producers.push_back(w >= 0 && static_cast<size_t>(w) < i ? &contexts_[static_cast<size_t>(w)] : nullptr);
    }
    for (int32_t t : op.intermediates) {
      const bool valid = t >= 0 && static_cast<size_t>(t) < tensors_.size();
      ctx.intermediates.push_back(valid ? &tensors_[static_cast<size_t>(t)] : nullptr);
    }

    const KernelRegistration* reg = registrations_[i];
    if (folded_[i]) {  // computed by an earlier PrepareAll; its outputs stay constant
      kernels_[i] = std::make_unique<FoldedKernel>();
      continue;
    }
    const bool fold = AllInputsConstant(ctx);
    Status s;
    if (!fold && options_.kernels == KernelPath::kFast && reg->xnnpack) {
      kernels_[i] = reg->xnnpack();
      s = kernels_[i]->Prepare(ctx);
      if (s.code() == StatusCode::kUnsupported) kernels_[i].reset();  // fall back below
      else if (!s.ok()) return s;
    }
    if (!kernels_[i]) {
      kernels_[i] = reg->reference();
      LABELITE_RETURN_IF_ERROR(kernels_[i]->Prepare(ctx));
    }
    if (kernels_[i]->packed_constant_inputs()) {
      for (const Tensor* in : ctx.inputs)
        if (in != nullptr && in->is_constant) model_->ReleasePages(in->data, in->bytes);
    }
    for (Tensor* out : ctx.outputs) {
      uint64_t n = 1;
      for (int32_t d : out->dims) {
        if (d < 0) return InvalidModel(OpLabel(op, static_cast<int>(i)) + ": negative output dimension");
        n *= static_cast<uint64_t>(d);
        if (n > kMaxTensorBytes) break;
      }
      const uint64_t bytes = n * DataTypeSize(out->type);
      if (n > kMaxTensorBytes || bytes > kMaxTensorBytes) {
        return InvalidModel(OpLabel(op, static_cast<int>(i)) + ": output tensor " +
                            QuoteForMessage(out->name) + " would be larger than 4 GiB");
      }
      out->bytes = static_cast<size_t>(bytes);
    }
    if (fold) LABELITE_RETURN_IF_ERROR(FoldOperator(i));
  }
  SkipUnreadOperators();
  FuseOutputFunctions();
  LABELITE_RETURN_IF_ERROR(PlanMemory());
  LABELITE_RETURN_IF_ERROR(AwaitThreadpool());
  return BindAll();
}

// True for an operator with inputs that are all constant (weights, not variables or graph
// inputs) and whose outputs are not graph outputs: it computes the same values on every Invoke.
bool Interpreter::AllInputsConstant(const KernelContext& ctx) const {
  const SubgraphSpec& g = model_->main_subgraph();
  if (ctx.inputs.empty()) return false;
  for (const Tensor* in : ctx.inputs)
    if (in == nullptr || !in->is_constant || in->data == nullptr) return false;
  for (int32_t t : ctx.op->outputs)
    if (std::find(g.outputs.begin(), g.outputs.end(), t) != g.outputs.end()) return false;
  return true;
}

// Runs the prepared reference kernel of operator `i` once into buffers of its own, marks its
// outputs constant and replaces the kernel by a FoldedKernel.
Status Interpreter::FoldOperator(size_t i) {
  KernelContext& ctx = contexts_[i];
  for (Tensor* out : ctx.outputs) {
    void* mem = std::aligned_alloc(64, std::max<size_t>((out->bytes + 63) / 64 * 64, 64));
    if (!mem) return ResourceExhausted("cannot allocate a folded constant of " + std::to_string(out->bytes) + " bytes");
    folded_buffers_.emplace_back(static_cast<uint8_t*>(mem), &FreeArena);
    out->data = static_cast<uint8_t*>(mem);
  }
  LABELITE_RETURN_IF_ERROR(kernels_[i]->Bind(ctx));
  LABELITE_RETURN_IF_ERROR(kernels_[i]->Eval(ctx));
  for (Tensor* out : ctx.outputs) out->is_constant = true;
  folded_[i] = 1;
  kernels_[i] = std::make_unique<FoldedKernel>();
  return Status::Ok();
}

// Replaces by a SkippedKernel every operator whose outputs nobody needs: no output is a graph
// output, and every operator reading one is skipped too or its kernel does not read it
// (Kernel::reads_input). Operators run in data-flow order, so one backward pass settles every
// reader before its writer. Operators touching variable tensors (state) always run, and
// nothing is skipped when the caller wants to read every intermediate tensor.
void Interpreter::SkipUnreadOperators() {
  if (options_.preserve_intermediates) return;
  const SubgraphSpec& g = model_->main_subgraph();
  std::vector<char> needed(tensors_.size(), 0);
  for (int32_t t : g.outputs) needed[static_cast<size_t>(t)] = 1;
  for (size_t i = g.operators.size(); i-- > 0;) {
    const OperatorSpec& op = g.operators[i];
    bool run = folded_[i] != 0;  // folded: its constants stay (the kernel is a no-op anyway)
    for (int32_t t : op.outputs)
      run = run || needed[static_cast<size_t>(t)] || g.tensors[static_cast<size_t>(t)].is_variable;
    for (int32_t t : op.inputs)
      run = run || (t >= 0 && g.tensors[static_cast<size_t>(t)].is_variable);
    if (!run) {
      kernels_[i] = std::make_unique<SkippedKernel>();
      continue;
    }
    for (size_t k = 0; k < op.inputs.size(); ++k) {
      const int32_t t = op.inputs[k];
      if (t >= 0 && kernels_[i]->reads_input(static_cast<int>(k))) needed[static_cast<size_t>(t)] = 1;
    }
    for (int32_t t : kernels_[i]->extra_inputs()) needed[static_cast<size_t>(t)] = 1;
  }
}

// An operator whose kernel is an element-wise float32 function of one input
// (Kernel::OutputFunction: HARD_SWISH, the swish MUL(x, LOGISTIC(x))), when only it reads that
// input (not a graph output), runs inside the operator that writes the input: that kernel
// applies the function to each block as it writes it (Kernel::FuseOutputFunction: labelite's
// own float convolutions), straight into the function's output tensor, and the operator
// becomes a FusedKernel. Same operations on the same values, so the same bits; what goes is a
// pass over the tensor and, on 2 threads, reading a tensor that the other core wrote
// (MobileNet v3 large: 21 HARD_SWISH passes, 20 us of an invoke on 1 thread, 57 on 2).
void Interpreter::FuseOutputFunctions() {
  const SubgraphSpec& g = model_->main_subgraph();
  output_of_.assign(g.operators.size(), -1);
  fused_away_.assign(g.operators.size(), 0);
  if (options_.preserve_intermediates || options_.kernels != KernelPath::kFast) return;
  auto idle = [&](size_t i) {
    return dynamic_cast<SkippedKernel*>(kernels_[i].get()) != nullptr ||
           dynamic_cast<FoldedKernel*>(kernels_[i].get()) != nullptr;
  };
  std::vector<int> readers(tensors_.size(), 0), writer(tensors_.size(), -1);
  for (size_t i = 0; i < g.operators.size(); ++i) {
    for (int32_t t : g.operators[i].outputs) writer[static_cast<size_t>(t)] = static_cast<int>(i);
    if (idle(i)) continue;
    const std::vector<int32_t>& in = g.operators[i].inputs;
    for (size_t k = 0; k < in.size(); ++k)
      if (in[k] >= 0 && kernels_[i]->reads_input(static_cast<int>(k))) ++readers[static_cast<size_t>(in[k])];
    for (int32_t t : kernels_[i]->extra_inputs()) ++readers[static_cast<size_t>(t)];
  }
  for (int32_t t : g.outputs) ++readers[static_cast<size_t>(t)];
  for (size_t i = 0; i < g.operators.size(); ++i) {
    const OperatorSpec& op = g.operators[i];
    if (idle(i) || op.outputs.size() != 1) continue;
    const FloatOutputFunction f = kernels_[i]->OutputFunction();
    if (!f || f.input < 0 || static_cast<size_t>(f.input) >= op.inputs.size() ||
        op.inputs[static_cast<size_t>(f.input)] < 0)
      continue;
    const auto t = static_cast<size_t>(op.inputs[static_cast<size_t>(f.input)]);
    const int p = writer[t];
    if (p < 0 || readers[t] != 1 || g.tensors[t].is_variable || tensors_[t].is_constant ||
        tensors_[t].type != DataType::kFloat32 || output_of_[static_cast<size_t>(p)] >= 0 ||
        idle(static_cast<size_t>(p)))
      continue;
    const auto pp = static_cast<size_t>(p);
    Tensor* out = contexts_[i].outputs[0];
    if (g.operators[pp].outputs.size() != 1 || out->type != DataType::kFloat32 ||
        out->dims != tensors_[t].dims || !kernels_[pp]->FuseOutputFunction(f))
      continue;
    contexts_[pp].outputs[0] = out;
    output_of_[pp] = op.outputs[0];
    fused_away_[i] = 1;
    kernels_[i] = std::make_unique<FusedKernel>(std::move(kernels_[i]));
  }
}

Status Interpreter::AwaitThreadpool() {
  if (pool_maker_.joinable()) pool_maker_.join();
  if (options_.num_threads > 1 && !threadpool_) return Internal("cannot create a thread pool");
  for (KernelContext& ctx : contexts_) ctx.threadpool = threadpool_.get();
  return Status::Ok();
}

// Places every non-constant tensor in one arena by lifetime (see arena_planner.h). Variable
// tensors live for the whole graph, so they get slots that never share.
Status Interpreter::PlanMemory() {
  const SubgraphSpec& g = model_->main_subgraph();
  const int num_ops = static_cast<int>(g.operators.size());
  std::vector<ArenaRequest> requests;
  std::vector<size_t> tensor_of_request;
  std::vector<int> first(tensors_.size(), std::numeric_limits<int>::max());
  std::vector<int> last(tensors_.size(), -2);
  for (int32_t t : g.inputs) first[static_cast<size_t>(t)] = -1;
  for (int i = 0; i < num_ops; ++i) {
    const auto u = static_cast<size_t>(i);
    if (fused_away_[u]) continue;  // fused: its input's writer writes its output
    auto written = [&](int32_t t) {
      first[static_cast<size_t>(t)] = std::min(first[static_cast<size_t>(t)], i);
    };
    if (output_of_[u] >= 0) written(output_of_[u]);
    else for (int32_t t : g.operators[u].outputs) written(t);
    for (int32_t t : g.operators[u].inputs)
      if (t >= 0) last[static_cast<size_t>(t)] = std::max(last[static_cast<size_t>(t)], i);
    for (int32_t t : kernels_[static_cast<size_t>(i)]->extra_inputs())
      last[static_cast<size_t>(t)] = std::max(last[static_cast<size_t>(t)], i);
  }
  for (int32_t t : g.outputs) last[static_cast<size_t>(t)] = num_ops;
  // Graph inputs stay intact through Invoke (as in TFLite), so a caller can invoke again or
  // read them back: they live to the end.
  for (int32_t t : g.inputs) last[static_cast<size_t>(t)] = num_ops;

  unplanned_bytes_ = 0;
  for (size_t t = 0; t < tensors_.size(); ++t) {
    Tensor& tensor = tensors_[t];
    if (tensor.is_constant) continue;
    const bool variable = g.tensors[t].is_variable;
    if (!variable && first[t] == std::numeric_limits<int>::max()) continue;  // unused
    if (variable) {
      // Variable tensors keep their own shape and live across invokes.
      tensor.bytes = static_cast<size_t>(tensor.NumElements()) * DataTypeSize(tensor.type);
      requests.push_back({tensor.bytes, -1, num_ops + 1});
    } else if (options_.preserve_intermediates) {
      requests.push_back({tensor.bytes, -1, num_ops + 1});
    } else {
      requests.push_back({tensor.bytes, first[t], std::max(last[t], first[t])});
    }
    tensor_of_request.push_back(t);
    unplanned_bytes_ += tensor.bytes;
  }
  const ArenaPlan plan = PlanArena(requests, 64);
  arena_bytes_ = plan.arena_bytes;
  void* mem = std::aligned_alloc(64, std::max<size_t>(arena_bytes_, 64));
  if (!mem) return ResourceExhausted("cannot allocate an arena of " + std::to_string(arena_bytes_) + " bytes");
  std::memset(mem, 0, std::max<size_t>(arena_bytes_, 64));
  arena_ = std::unique_ptr<uint8_t, void (*)(void*)>(static_cast<uint8_t*>(mem), &FreeArena);
  for (size_t r = 0; r < requests.size(); ++r)
    tensors_[tensor_of_request[r]].data = arena_.get() + plan.offsets[r];
  return Status::Ok();
}

Status Interpreter::BindAll() {
  for (size_t i = 0; i < kernels_.size(); ++i)
    LABELITE_RETURN_IF_ERROR(kernels_[i]->Bind(contexts_[i]));
  return Status::Ok();
}

Status Interpreter::Invoke() {
  const WorkPoolScope scope(threadpool_.get(), work_pool_.get());
  const bool calibrating = work_pool_ != nullptr && calibration_step_ < kCalibrationInvokes;
  if (!profiling_ && !calibrating) {
    // Time the operators again now and then: a choice made while the host was noisy must not
    // stay for the interpreter's life.
    if (work_pool_ != nullptr && ++invokes_since_choice_ >= kInvokesBetweenChoices) {
      calibration_step_ = 1;
      parallel_best_ns_.clear();
    }
    Status s = Status::Ok();
    for (size_t i = 0; i < kernels_.size() && s.ok(); ++i) {
      if (work_pool_ != nullptr) work_pool_->set_serial(run_serial_[i] != 0);
      s = kernels_[i]->Eval(contexts_[i]);
    }
    if (work_pool_ != nullptr) work_pool_->set_serial(false);
    return s;
  }
  if (profiling_ && profile_.size() != kernels_.size()) {
    profile_.assign(kernels_.size(), OpProfile{});
    const SubgraphSpec& g = model_->main_subgraph();
    for (size_t i = 0; i < kernels_.size(); ++i) {
      profile_[i].op_index = static_cast<int>(i);
      profile_[i].op_name = g.operators[i].name;
      profile_[i].path = kernels_[i]->path();
    }
  }
  if (calibrating && parallel_best_ns_.size() != kernels_.size()) {
    parallel_best_ns_.assign(kernels_.size(), std::numeric_limits<double>::infinity());
    serial_best_ns_.assign(kernels_.size(), std::numeric_limits<double>::infinity());
  }
  const int step = calibrating ? calibration_step_ : -1;
  const bool serial_step = step >= 1 && step % 2 == 0;
  using Clock = std::chrono::steady_clock;
  Status s = Status::Ok();
  for (size_t i = 0; i < kernels_.size() && s.ok(); ++i) {
    if (work_pool_ != nullptr) work_pool_->set_serial(calibrating ? serial_step : run_serial_[i] != 0);
    const bool contended_before = calibrating && work_pool_->solo();
    const auto start = Clock::now();
    s = kernels_[i]->Eval(contexts_[i]);
    const auto elapsed = Clock::now() - start;
    if (profiling_) profile_[i].total_ms += std::chrono::duration<double, std::milli>(elapsed).count();
    if (step >= 1 && !contended_before && !work_pool_->solo()) {
      double& best = serial_step ? serial_best_ns_[i] : parallel_best_ns_[i];
      best = std::min(best, std::chrono::duration<double, std::nano>(elapsed).count());
    }
  }
  if (work_pool_ != nullptr) work_pool_->set_serial(false);
  if (calibrating && s.ok() && ++calibration_step_ == kCalibrationInvokes) DecideSerialOperators();
  return s;
}

void Interpreter::DecideSerialOperators() {
  for (size_t i = 0; i < kernels_.size(); ++i)
    run_serial_[i] = 1.05 * serial_best_ns_[i] < parallel_best_ns_[i] ? 1 : 0;
  invokes_since_choice_ = 0;
}

int Interpreter::num_inputs() const { return static_cast<int>(model_->main_subgraph().inputs.size()); }
int Interpreter::num_outputs() const { return static_cast<int>(model_->main_subgraph().outputs.size()); }

Tensor* Interpreter::input(int i) {
  const auto& in = model_->main_subgraph().inputs;
  if (i < 0 || i >= static_cast<int>(in.size())) return nullptr;
  return &tensors_[static_cast<size_t>(in[static_cast<size_t>(i)])];
}

const Tensor* Interpreter::output(int i) const {
  const auto& out = model_->main_subgraph().outputs;
  if (i < 0 || i >= static_cast<int>(out.size())) return nullptr;
  return &tensors_[static_cast<size_t>(out[static_cast<size_t>(i)])];
}

int Interpreter::FindInput(const std::string& name) const {
  const auto& in = model_->main_subgraph().inputs;
  for (size_t i = 0; i < in.size(); ++i)
    if (tensors_[static_cast<size_t>(in[i])].name == name) return static_cast<int>(i);
  return -1;
}

int Interpreter::FindOutput(const std::string& name) const {
  const auto& out = model_->main_subgraph().outputs;
  for (size_t i = 0; i < out.size(); ++i)
    if (tensors_[static_cast<size_t>(out[i])].name == name) return static_cast<int>(i);
  return -1;
}

Status Interpreter::ResizeInputBatch(int batch) {
  if (batch < 1) return InvalidArgument("batch size must be at least 1");
  const SubgraphSpec& g = model_->main_subgraph();
  for (int32_t t : g.inputs) {
    Tensor& tensor = tensors_[static_cast<size_t>(t)];
    if (tensor.dims.empty()) return InvalidArgument("input " + QuoteForMessage(std::string(tensor.name)) + " has no batch dimension");
    tensor.dims[0] = batch;
    tensor.bytes = static_cast<size_t>(tensor.NumElements()) * DataTypeSize(tensor.type);
  }
  // Kernels are rebuilt so that none keeps state planned for the old shapes.
  calibration_step_ = 0;  // new shapes: time the operators again
  parallel_best_ns_.clear();
  Status s = PrepareAll();
  profile_.clear();
  if (!s.ok()) {
    return InvalidArgument("this model's graph does not allow a batch of " + std::to_string(batch) +
                           ": " + s.message());
  }
  return Status::Ok();
}

int64_t Interpreter::TotalMacs() const {
  const SubgraphSpec& g = model_->main_subgraph();
  int64_t total = 0;
  for (const OperatorSpec& op : g.operators) {
    if (op.inputs.size() < 2 || op.outputs.empty() || op.inputs[1] < 0) continue;
    const Tensor& filter = tensors_[static_cast<size_t>(op.inputs[1])];
    const Tensor& out = tensors_[static_cast<size_t>(op.outputs[0])];
    if (filter.dims.empty()) continue;
    const int64_t filter_elems = filter.NumElements();
    switch (op.builtin_code) {
      case kBuiltinConv2D:  // per output element: kh * kw * cin = filter elements / cout
      case kBuiltinFullyConnected:  // per output element: filter elements / units
        total += out.NumElements() * (filter_elems / std::max(filter.dims[0], 1));
        break;
      case kBuiltinDepthwiseConv2D:  // filter [1, kh, kw, cout]: kh * kw per output element
        total += out.NumElements() * (filter_elems / std::max(filter.dims.back(), 1));
        break;
      default:
        break;
    }
  }
  return total;
}

const char* Interpreter::KernelPathOf(int op_index) const {
  if (op_index < 0 || op_index >= static_cast<int>(kernels_.size())) return "";
  return kernels_[static_cast<size_t>(op_index)]->path();
}

}  // namespace labelite
