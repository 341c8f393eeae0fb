#include "kernels/fast/table_unary.h"

#include <algorithm>
#include <cassert>
#include <string>
#include <vector>

#include "kernels/fast/byte_table.h"
#include "kernels/xnnpack/xnn_common.h"

namespace labelite::xnn {
namespace {

bool Is8Bit(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

}  // namespace

Status TableUnaryKernel::Prepare(KernelContext& ctx) {
  float_kernel_.reset();
  const Tensor* in = ctx.input(0);
  if (in == nullptr || ctx.outputs.size() != 1) return ctx.Error("needs one input and one output");
  if (!Is8Bit(in->type)) {
    if (float_factory_ == nullptr)
      return ctx.UnsupportedError("no fast kernel for " + std::string(DataTypeName(in->type)));
    float_kernel_ = float_factory_();
    return float_kernel_->Prepare(ctx);
  }
  const Tensor& out = *ctx.output(0);
  if (out.type != in->type) return ctx.UnsupportedError("input and output types differ");
  if (!IsPerTensorQuantized(*in) || !IsPerTensorQuantized(out))
    return ctx.UnsupportedError("the table needs per-tensor quantization");
  // Validation and output dims exactly as the reference kernel does them.
  LABELITE_RETURN_IF_ERROR(reference_()->Prepare(ctx));
  return BuildTable(ctx);
}

// Runs a fresh reference kernel on the 256 byte values (steps 2-3 of the header).
Status TableUnaryKernel::BuildTable(const KernelContext& ctx) {
  std::array<uint8_t, 256> in_bytes{}, out_bytes{};
  for (size_t i = 0; i < in_bytes.size(); ++i) in_bytes[i] = static_cast<uint8_t>(i);
  std::vector<int32_t> dims(static_cast<size_t>(std::max(1, ctx.input(0)->rank())), 1);
  dims.back() = 256;
  Tensor in = *ctx.input(0);
  Tensor out = *ctx.output(0);
  for (Tensor* t : {&in, &out}) {
    t->dims = dims;
    t->bytes = 256;
    t->is_constant = false;
  }
  in.data = in_bytes.data();
  out.data = out_bytes.data();
  KernelContext scratch;
  scratch.op = ctx.op;
  scratch.op_index = ctx.op_index;
  scratch.inputs = {&in};
  scratch.outputs = {&out};
  std::unique_ptr<Kernel> reference = reference_();
  LABELITE_RETURN_IF_ERROR(reference->Prepare(scratch));
  if (out.NumElements() != 256)
    return Internal("byte table: the reference kernel gave " + std::to_string(out.NumElements()) +
                    " outputs for 256 inputs");
  LABELITE_RETURN_IF_ERROR(reference->Bind(scratch));
  LABELITE_RETURN_IF_ERROR(reference->Eval(scratch));
  table_ = out_bytes;
  return Status::Ok();
}

Status TableUnaryKernel::Bind(KernelContext& ctx) {
  return float_kernel_ ? float_kernel_->Bind(ctx) : Status::Ok();
}

Status TableUnaryKernel::Eval(KernelContext& ctx) {
  if (float_kernel_) return float_kernel_->Eval(ctx);
  // Bit patterns: int8 as uint8.
  assert(ctx.output(0)->NumElements() == ctx.input(0)->NumElements());
  ApplyByteTable(table_, ctx.input(0)->data, ctx.output(0)->data,
                 static_cast<size_t>(ctx.input(0)->NumElements()), ctx.threadpool);
  return Status::Ok();
}

const char* TableUnaryKernel::path() const {
  return float_kernel_ ? float_kernel_->path() : "fast (table)";
}

}  // namespace labelite::xnn
