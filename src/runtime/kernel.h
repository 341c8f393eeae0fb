// Kernel: the interface every op implementation (reference or XNNPACK) provides.
//
// Lifecycle, per operator of the graph, driven by the Interpreter:
//   1. Prepare(ctx): validate input types/shapes/quantization, set every output's `dims`
//      (shape propagation; the output's type comes from the model and must be checked), and
//      precompute (quantized multipliers, packed weights, XNNPACK operator creation).
//      Everything that can fail fails here with a message naming the op, e.g.
//      ctx.Error("filter has 3 input channels, input has 4").
//      Output data pointers are NOT valid yet.
//   2. Bind(ctx): called once after memory planning, when every tensor's `data` is final
//      (XNNPACK setup goes here). Called again after a resize.
//   3. Eval(ctx): compute. Allocates nothing; checks invariants only with debug asserts.
// An XNNPACK kernel whose Prepare returns StatusCode::kUnsupported is replaced by the
// reference kernel for that operator (the fallback), without an error.
#ifndef LABELITE_RUNTIME_KERNEL_H_
#define LABELITE_RUNTIME_KERNEL_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "labelite/status.h"
#include "model/model.h"
#include "runtime/tensor.h"

struct pthreadpool;
typedef struct pthreadpool* pthreadpool_t;

namespace labelite {

// An element-wise float32 function that an operator's kernel runs as its whole Eval, out =
// f(input), offered so that the kernel writing that input applies it in place as it writes
// (Kernel::OutputFunction, Kernel::FuseOutputFunction, Interpreter::FuseOutputFunctions):
// run(params, data, n) sets data[i] = f(data[i]) for i < n, with denormals flushed by the
// caller as XNNPACK runs its operators.
struct FloatOutputFunction {
  void (*run)(const void* params, float* data, size_t n) = nullptr;
  const void* params = nullptr;  // the offering kernel's; valid while that kernel lives
  const char* name = "";         // for paths: "hard-swish", "swish"
  int input = 0;                 // the offering operator's input that f reads
  explicit operator bool() const { return run != nullptr; }
  // In place on `rows` rows of `cols` floats, `stride` floats apart.
  void ApplyToBlock(float* c, size_t rows, size_t cols, size_t stride) const {
    if (rows == 0 || cols == 0) return;
    if (cols == stride) return run(params, c, rows * cols);
    for (size_t r = 0; r < rows; ++r, c += stride) run(params, c, cols);
  }
};

struct KernelContext {
  const OperatorSpec* op = nullptr;
  int op_index = 0;
  std::vector<Tensor*> inputs;   // nullptr where an optional input is absent (-1)
  std::vector<Tensor*> outputs;
  // The operator's intermediate tensors (quantization parameters only, e.g. an integer LSTM's
  // gate scales); nullptr where absent.
  std::vector<Tensor*> intermediates;
  // For each input, the context of the operator that writes it (an earlier operator of the
  // graph: its op spec, i.e. builtin_code and options, and its input/output Tensor pointers);
  // nullptr for constants, graph inputs and absent inputs. Lets a kernel's Prepare recognize a
  // pattern such as MUL(x, LOGISTIC(x)). Read it only in Prepare: the producer may have been
  // folded into a constant, and its kernel (not reachable here) may still change.
  std::vector<const KernelContext*> producers;
  // Bytes of all the graph's constant tensors (its weights): whether a layer's weights can stay
  // in the CPU's caches from one invoke to the next.
  size_t constant_bytes = 0;
  // nullptr: run on the caller's thread. Set from Bind on: Prepare must not use it (the pool
  // may still be starting while the kernels prepare).
  pthreadpool_t threadpool = nullptr;

  const OpOptions& options() const { return op->options; }
  Tensor* input(int i) const {
    return i < static_cast<int>(inputs.size()) ? inputs[static_cast<size_t>(i)] : nullptr;
  }
  Tensor* output(int i) const { return outputs[static_cast<size_t>(i)]; }
  const KernelContext* producer(int i) const {
    return i >= 0 && i < static_cast<int>(producers.size()) ? producers[static_cast<size_t>(i)]
                                                            : nullptr;
  }
  // An InvalidModel status "<OP_NAME> (operator <index>): <message>".
  Status Error(const std::string& message) const;
  // An Unsupported status with the same prefix.
  Status UnsupportedError(const std::string& message) const;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Prepare(KernelContext& ctx) = 0;
  virtual Status Bind(KernelContext& /*ctx*/) { return Status::Ok(); }
  virtual Status Eval(KernelContext& ctx) = 0;
  // "reference" or "xnnpack" (shown by bench --profile).
  virtual const char* path() const { return "reference"; }
  // True when the last successful Prepare copied every constant input (weights, bias) into
  // the kernel's own packed storage, so Eval never reads them: the interpreter then lets the
  // model file's pages of those tensors leave resident memory (Model::ReleasePages).
  virtual bool packed_constant_inputs() const { return false; }
  // False when the last successful Prepare found that Eval never reads input `i` (a fused
  // pattern computes it from another input, e.g. MUL(x, LOGISTIC(x)) as a table over x): the
  // interpreter then skips the operator that writes it when nothing else reads its outputs.
  virtual bool reads_input(int /*i*/) const { return true; }
  // Tensors (indices into the subgraph) Eval reads besides its inputs, as found by the last
  // successful Prepare: a fused producer's input (a CONV_2D reading the input of the PAD in
  // front of it). The interpreter keeps them alive until this operator has run, and runs
  // their writers.
  virtual std::vector<int32_t> extra_inputs() const { return {}; }
  // When the last successful Prepare made Eval nothing but out = f(input f.input), element-wise
  // on float32 tensors of one shape: f, for the kernel writing that input to apply instead
  // (HARD_SWISH, the swish MUL(x, LOGISTIC(x))); else an empty one.
  virtual FloatOutputFunction OutputFunction() const { return {}; }
  // Makes Eval apply f to output 0 in place as it writes it, and returns whether it will. The
  // interpreter asks after Prepare, before Bind, when only f's operator reads that output; on
  // true it points output 0 at that operator's output and does not run it.
  virtual bool FuseOutputFunction(const FloatOutputFunction& /*f*/) { return false; }
};

using KernelFactory = std::unique_ptr<Kernel> (*)();

}  // namespace labelite

#endif  // LABELITE_RUNTIME_KERNEL_H_
