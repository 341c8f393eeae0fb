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

#include <memory>
#include <string>
#include <vector>

#include "labelite/status.h"
#include "model/model.h"
#include "runtime/tensor.h"

struct pthreadpool;
typedef struct pthreadpool* pthreadpool_t;

namespace labelite {

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
  // Makes Eval apply HARD_SWISH (XNNPACK's float32 arithmetic) to output 0 as it writes it,
  // and returns whether it will. The interpreter asks after Prepare, before Bind, when only a
  // HARD_SWISH reads that output; on true it points output 0 at the HARD_SWISH's output and
  // runs no HARD_SWISH pass (Interpreter::FuseHardSwish).
  virtual bool FuseHardSwish() { return false; }
};

using KernelFactory = std::unique_ptr<Kernel> (*)();

}  // namespace labelite

#endif  // LABELITE_RUNTIME_KERNEL_H_
