#include "kernels/fast/self_gated_mul.h"

#include <cassert>
#include <memory>
#include <string>
#include <vector>

#include "kernels/common/add_sub_mul.h"
#include "kernels/fast/byte_table.h"
#include "kernels/xnnpack/xnn_common.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackLogistic();

namespace xnn {
namespace {

constexpr int32_t kLogistic = 14;  // TFLite BuiltinOperator

bool Is8Bit(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

// `t` as a private rank-1 tensor of 256 bytes at `data` (type and quantization kept).
Tensor Bytes256(const Tensor& t, uint8_t* data) {
  Tensor r = t;
  r.dims = {256};
  r.bytes = 256;
  r.is_constant = false;
  r.data = data;
  return r;
}

// Runs a fresh kernel from `factory` (Prepare, Bind, Eval; no thread pool) on a private
// context of `op` over 256-element tensors.
Status RunPrivate(KernelFactory factory, const OperatorSpec* op, int op_index,
                  std::vector<Tensor*> inputs, Tensor* output) {
  KernelContext scratch;
  scratch.op = op;
  scratch.op_index = op_index;
  scratch.inputs = std::move(inputs);
  scratch.outputs = {output};
  std::unique_ptr<Kernel> kernel = factory();
  LABELITE_RETURN_IF_ERROR(kernel->Prepare(scratch));
  if (output->NumElements() != 256)
    return Internal("self-gated MUL table: a kernel gave " + std::to_string(output->NumElements()) +
                    " outputs for 256 inputs");
  LABELITE_RETURN_IF_ERROR(kernel->Bind(scratch));
  return kernel->Eval(scratch);
}

}  // namespace

int SelfGateInput(const KernelContext& ctx) {
  if (ctx.inputs.size() != 2) return -1;
  for (int g = 0; g < 2; ++g) {
    const KernelContext* p = ctx.producer(g);
    if (p == nullptr || p->op == nullptr || p->op->builtin_code != kLogistic) continue;
    if (p->inputs.size() != 1 || p->outputs.size() != 1) continue;
    if (p->inputs[0] == ctx.input(1 - g) && p->outputs[0] == ctx.input(g)) return g;
  }
  return -1;
}

Status SelfGatedMulKernel::Prepare(KernelContext& ctx) {
  if (ctx.inputs.size() != 2 || ctx.outputs.size() != 1 || !ctx.input(0) || !ctx.input(1))
    return ctx.UnsupportedError("not a two-input MUL");
  const int g = SelfGateInput(ctx);
  if (g < 0) return ctx.UnsupportedError("no input is LOGISTIC of the other");
  x_ = 1 - g;
  const KernelContext* gate = ctx.producer(g);
  const Tensor& a = *ctx.input(0);
  const Tensor& b = *ctx.input(1);
  const Tensor& out = *ctx.output(0);
  if (!Is8Bit(a.type) || b.type != a.type || out.type != a.type)
    return ctx.UnsupportedError("the table needs one 8-bit type");
  if (a.dims != b.dims) return ctx.UnsupportedError("the table needs inputs of one shape");
  if (!IsPerTensorQuantized(a) || !IsPerTensorQuantized(b) || !IsPerTensorQuantized(out))
    return ctx.UnsupportedError("the table needs per-tensor quantization");
  common::ArithParams p;
  LABELITE_RETURN_IF_ERROR(common::PrepareArith(ctx, common::ArithOp::kMul, &p));
  if (out.dims != a.dims) return ctx.UnsupportedError("the output's shape is not the inputs'");
  return BuildTable(ctx, *gate, x_);
}

Status SelfGatedMulKernel::BuildTable(const KernelContext& ctx, const KernelContext& gate, int x) {
  std::array<uint8_t, 256> x_bytes{}, g_bytes{}, out_bytes{};
  for (size_t i = 0; i < x_bytes.size(); ++i) x_bytes[i] = static_cast<uint8_t>(i);
  // Step 3: g(x) as the graph's LOGISTIC computes it on the fast path.
  Tensor gate_in = Bytes256(*gate.inputs[0], x_bytes.data());
  Tensor gate_out = Bytes256(*gate.outputs[0], g_bytes.data());
  LABELITE_RETURN_IF_ERROR(
      RunPrivate(&CreateXnnpackLogistic, gate.op, gate.op_index, {&gate_in}, &gate_out));
  // Step 4: the MUL over the pairs (x, g(x)), inputs in the operator's order.
  Tensor mul_x = Bytes256(*ctx.input(x), x_bytes.data());
  Tensor mul_g = Bytes256(*ctx.input(1 - x), g_bytes.data());
  Tensor mul_out = Bytes256(*ctx.output(0), out_bytes.data());
  std::vector<Tensor*> inputs = x == 0 ? std::vector<Tensor*>{&mul_x, &mul_g}
                                       : std::vector<Tensor*>{&mul_g, &mul_x};
  LABELITE_RETURN_IF_ERROR(RunPrivate(mul_, ctx.op, ctx.op_index, std::move(inputs), &mul_out));
  table_ = out_bytes;
  return Status::Ok();
}

Status SelfGatedMulKernel::Eval(KernelContext& ctx) {
  assert(ctx.output(0)->NumElements() == ctx.input(x_)->NumElements());
  ApplyByteTable(table_, ctx.input(x_)->data, ctx.output(0)->data,
                 static_cast<size_t>(ctx.input(x_)->NumElements()), ctx.threadpool);
  return Status::Ok();
}

}  // namespace xnn
}  // namespace labelite
