// UNIDIRECTIONAL_SEQUENCE_LSTM, reference implementation of LiteRT's fully integer "8x8_16"
// LSTM (lstm.cc PopulateQuantizedLstmParams8x8_16, lstm_eval.cc EvalInteger8x8_16): int8 input,
// weights and output state, int32 gate biases, int16 cell state with a power-of-two scale.
// Supported: with or without CIFG; no peephole, projection or layer normalization (refused).
//
// Per batch and time step (n_batch = 1 per step, as LiteRT runs batch-major input):
//   1. Each gate g in {input, forget, cell, output}, in int16 Q3.12:
//        g = sat16(MBQM(W_x,g . x + b'_x,g) + MBQM(W_h,g . h + b'_h,g)), where b' folds the
//        input / output-state zero points into the bias (LiteRT's effective biases) and MBQM is
//        the double-rounding MultiplyByQuantizedMultiplier with scale w_scale * in_scale / 2^-12;
//      then sigmoid (input, forget, output) or tanh (cell): gemmlowp's int16 fixed point
//      (lstm_fixedpoint.h), as LiteRT's tensor_utils::ApplySigmoid / ApplyTanh.
//   2. c = sat16(c * f >> 15 (rounded) + i * g >> (30 + cell_log2_scale) (rounded)), clipped to
//      the quantized cell_clip.
//   3. h = sat8(MBQM(o * tanh(c), 2^-30 / hidden_scale) + hidden_zero_point); h is the step's
//      output and the next step's output state.
// The state tensors are reset (to real 0) at the start of every Invoke: each call sees the sequence alone,
// as the Keras layer does (and as LiteRT's first invoke does).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"
#include "kernels/reference/lstm_fixedpoint.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

enum LstmInput : int {
  kInput = 0,
  kInputToInput = 1, kInputToForget = 2, kInputToCell = 3, kInputToOutput = 4,
  kRecurrentToInput = 5, kRecurrentToForget = 6, kRecurrentToCell = 7, kRecurrentToOutput = 8,
  kCellToInput = 9, kCellToForget = 10, kCellToOutput = 11,
  kInputGateBias = 12, kForgetGateBias = 13, kCellGateBias = 14, kOutputGateBias = 15,
  kProjectionWeights = 16, kProjectionBias = 17,
  kOutputState = 18, kCellState = 19,
  kInputLayerNorm = 20, kForgetLayerNorm = 21, kCellLayerNorm = 22, kOutputLayerNorm = 23,
};

// One gate's two matrix products: input and output state, each requantized on its own.
struct GateParams {
  const int8_t* input_weights = nullptr;      // [n_cell, n_input]
  const int8_t* recurrent_weights = nullptr;  // [n_cell, n_output]
  std::vector<int32_t> input_bias, recurrent_bias;  // effective biases, [n_cell]
  int32_t input_m = 0, recurrent_m = 0;
  int input_shift = 0, recurrent_shift = 0;
};

class UnidirectionalSequenceLstmKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override;
  Status Eval(KernelContext& ctx) override;

 private:
  Status PrepareGate(const KernelContext& ctx, int input_weights, int recurrent_weights, int bias,
                     GateParams* gate) const;
  void ComputeGate(const GateParams& g, const int8_t* x, const int8_t* h, bool sigmoid,
                   int16_t* out) const;

  int32_t batches_ = 0, time_ = 0, n_input_ = 0, n_cell_ = 0, n_output_ = 0;
  bool time_major_ = false, cifg_ = false;
  float input_scale_ = 0.0f, state_scale_ = 0.0f;
  int32_t input_zp_ = 0, state_zp_ = 0;
  int cell_log2_ = 0;
  int16_t cell_clip_ = 0;
  int32_t hidden_m_ = 0, hidden_zp_ = 0;
  int hidden_shift_ = 0;
  GateParams input_gate_, forget_gate_, cell_gate_, output_gate_;
  std::vector<int16_t> gi_, gf_, gc_, go_;  // scratch, [n_cell]
};

// log2 of a power of two (LiteRT's CheckedLog2: within 1e-3 of an integer).
bool CheckedLog2(float x, int* result) {
  const float l = std::log(x) * (1.0f / std::log(2.0f));
  const float r = std::round(l);
  *result = static_cast<int>(r);
  return std::abs(l - r) < 1e-3f;
}

Status UnidirectionalSequenceLstmKernel::PrepareGate(const KernelContext& ctx, int iw, int rw,
                                                     int bias, GateParams* g) const {
  const Tensor* wi = ctx.input(iw);
  const Tensor* wr = ctx.input(rw);
  const Tensor* b = ctx.input(bias);
  if (!wi || !wr || !b) return ctx.Error("missing weights or bias of a gate");
  if (wi->type != DataType::kInt8 || wr->type != DataType::kInt8 || b->type != DataType::kInt32)
    return ctx.UnsupportedError("integer LSTM needs int8 weights and int32 biases");
  if (!wi->is_constant || !wr->is_constant || !b->is_constant)
    return ctx.UnsupportedError("LSTM weights and biases must be constant");
  if (wi->dims != std::vector<int32_t>{n_cell_, n_input_} ||
      wr->dims != std::vector<int32_t>{n_cell_, n_output_} || b->NumElements() != n_cell_) {
    return ctx.Error("gate weights " + internal::ShapeString(wi->dims) + " / " +
                     internal::ShapeString(wr->dims) + " do not fit " + std::to_string(n_input_) +
                     " inputs and " + std::to_string(n_cell_) + " cells");
  }
  if (!(wi->scale > 0.0f) || !(wr->scale > 0.0f) || (wi->quant && wi->quant->per_channel()) ||
      (wr->quant && wr->quant->per_channel()))
    return ctx.UnsupportedError("LSTM weights need one positive scale per tensor");
  g->input_weights = wi->data_as<int8_t>();
  g->recurrent_weights = wr->data_as<int8_t>();
  // LiteRT's PrecomputeZeroPointTimesWeightWithBias: bias + (-zero_point) * row sum.
  g->input_bias.assign(static_cast<size_t>(n_cell_), 0);
  g->recurrent_bias.assign(static_cast<size_t>(n_cell_), 0);
  for (int32_t c = 0; c < n_cell_; ++c) {
    int32_t si = 0, sr = 0;
    for (int32_t k = 0; k < n_input_; ++k) si = quant::WrappingAdd(si, g->input_weights[c * n_input_ + k]);
    for (int32_t k = 0; k < n_output_; ++k) sr = quant::WrappingAdd(sr, g->recurrent_weights[c * n_output_ + k]);
    // (int64 products of int32 sums and zero points in [-128, 127], wrapped to int32 as LiteRT's.)
    g->input_bias[static_cast<size_t>(c)] = quant::WrappingAdd(
        b->data_as<int32_t>()[c], static_cast<int32_t>(-int64_t{input_zp_} * si));
    g->recurrent_bias[static_cast<size_t>(c)] = static_cast<int32_t>(-int64_t{state_zp_} * sr);
  }
  // Without layer normalization every gate is Q3.12 (scale 2^-12), computed in float.
  const float gate_scale = static_cast<float>(std::pow(2.0, -12));
  quant::QuantizeMultiplier(wi->scale * input_scale_ / gate_scale, &g->input_m, &g->input_shift);
  quant::QuantizeMultiplier(wr->scale * state_scale_ / gate_scale, &g->recurrent_m,
                            &g->recurrent_shift);
  return Status::Ok();
}

Status UnidirectionalSequenceLstmKernel::Prepare(KernelContext& ctx) {
  if (ctx.inputs.size() != 24 || ctx.outputs.size() != 1)
    return ctx.Error("expects 24 inputs and 1 output, got " + std::to_string(ctx.inputs.size()) +
                     " and " + std::to_string(ctx.outputs.size()));
  const Tensor* input = ctx.input(kInput);
  const Tensor* state = ctx.input(kOutputState);
  const Tensor* cell = ctx.input(kCellState);
  Tensor& output = *ctx.output(0);
  if (!input || !state || !cell || !ctx.input(kInputToForget))
    return ctx.Error("input, weights or state tensors are missing");
  if (input->type != DataType::kInt8)
    return ctx.UnsupportedError("only the integer (int8 input, int16 cell) LSTM is supported, "
                                "input is " + std::string(DataTypeName(input->type)));
  for (int i : {kCellToInput, kCellToForget, kCellToOutput, kProjectionWeights, kProjectionBias,
                kInputLayerNorm, kForgetLayerNorm, kCellLayerNorm, kOutputLayerNorm}) {
    if (ctx.input(i) != nullptr)
      return ctx.UnsupportedError("peephole, projection and layer-norm LSTMs are not supported");
  }
  if (input->rank() != 3) return ctx.Error("input must have rank 3, got " + internal::ShapeString(input->dims));
  const OpOptions& o = ctx.options();
  if (o.activation != Activation::kTanh)
    return ctx.UnsupportedError("the integer LSTM needs a tanh activation");
  time_major_ = o.time_major;
  time_ = input->dim(time_major_ ? 0 : 1);
  batches_ = input->dim(time_major_ ? 1 : 0);
  n_input_ = input->dim(2);
  n_cell_ = ctx.input(kInputToForget)->dim(0);
  n_output_ = ctx.input(kRecurrentToForget) ? ctx.input(kRecurrentToForget)->dim(1) : 0;
  if (n_output_ != n_cell_) return ctx.Error("without projection the output size must equal the cell count");
  if (state->type != DataType::kInt8 || cell->type != DataType::kInt16 ||
      output.type != DataType::kInt8)
    return ctx.Error("integer LSTM needs an int8 output state and output and an int16 cell state");
  if (state->NumElements() != int64_t{batches_} * n_output_ ||
      cell->NumElements() != int64_t{batches_} * n_cell_)
    return ctx.Error("state tensors do not hold " + std::to_string(batches_) + " batches");
  if (!(input->scale > 0.0f) || !(state->scale > 0.0f) || !(cell->scale > 0.0f))
    return ctx.Error("input and state tensors need quantization scales");
  // LiteRT's integer tanh takes 0..6 integer bits (15 + log2 of the cell scale).
  if (!CheckedLog2(cell->scale, &cell_log2_) || cell_log2_ > -9 || cell_log2_ < -15)
    return ctx.Error("cell state scale " + std::to_string(cell->scale) +
                     " is not a power of two from 2^-15 to 2^-9");
  input_scale_ = input->scale;
  input_zp_ = input->zero_point;
  state_scale_ = state->scale;
  state_zp_ = state->zero_point;
  const float clip = o.cell_clip > 0.0f ? o.cell_clip / cell->scale : 0.0f;
  cell_clip_ = static_cast<int16_t>(std::min(std::max(clip, -32768.0f), 32767.0f));

  cifg_ = ctx.input(kInputToInput) == nullptr;
  if (!cifg_)
    LABELITE_RETURN_IF_ERROR(PrepareGate(ctx, kInputToInput, kRecurrentToInput, kInputGateBias, &input_gate_));
  LABELITE_RETURN_IF_ERROR(PrepareGate(ctx, kInputToForget, kRecurrentToForget, kForgetGateBias, &forget_gate_));
  LABELITE_RETURN_IF_ERROR(PrepareGate(ctx, kInputToCell, kRecurrentToCell, kCellGateBias, &cell_gate_));
  LABELITE_RETURN_IF_ERROR(PrepareGate(ctx, kInputToOutput, kRecurrentToOutput, kOutputGateBias, &output_gate_));

  // The hidden state's scale and zero point come from intermediate 4.
  const Tensor* hidden = ctx.intermediates.size() == 5 ? ctx.intermediates[4] : nullptr;
  if (hidden == nullptr || !(hidden->scale > 0.0f))
    return ctx.Error("integer LSTM needs 5 intermediates, the last with the hidden scale");
  hidden_zp_ = hidden->zero_point;
  const double hidden_scale = std::pow(2.0, -15) / hidden->scale * std::pow(2.0, -15);
  quant::QuantizeMultiplier(hidden_scale, &hidden_m_, &hidden_shift_);

  gi_.assign(static_cast<size_t>(n_cell_), 0);
  gf_ = gc_ = go_ = gi_;
  std::vector<int32_t> out_dims = input->dims;
  out_dims[2] = n_output_;
  return internal::SetOutputDims(ctx, output, std::move(out_dims));
}

void UnidirectionalSequenceLstmKernel::ComputeGate(const GateParams& g, const int8_t* x,
                                                   const int8_t* h, bool sigmoid,
                                                   int16_t* out) const {
  for (int32_t c = 0; c < n_cell_; ++c) {
    int32_t acc = g.input_bias[static_cast<size_t>(c)];
    for (int32_t k = 0; k < n_input_; ++k)
      acc = quant::WrappingAdd(acc, x[k] * g.input_weights[c * n_input_ + k]);
    int32_t v = quant::MultiplyByQuantizedMultiplier(acc, g.input_m, g.input_shift);
    v = std::clamp(v, -32768, 32767);
    acc = g.recurrent_bias[static_cast<size_t>(c)];
    for (int32_t k = 0; k < n_output_; ++k)
      acc = quant::WrappingAdd(acc, h[k] * g.recurrent_weights[c * n_output_ + k]);
    v += quant::MultiplyByQuantizedMultiplier(acc, g.recurrent_m, g.recurrent_shift);
    out[c] = static_cast<int16_t>(std::clamp(v, -32768, 32767));
  }
  for (int32_t c = 0; c < n_cell_; ++c) out[c] = sigmoid ? fx16::Logistic(out[c]) : fx16::Tanh(out[c]);
}

Status UnidirectionalSequenceLstmKernel::Eval(KernelContext& ctx) {
  const int8_t* input = ctx.input(kInput)->data_as<int8_t>();
  int8_t* state = ctx.input(kOutputState)->data_as<int8_t>();
  int16_t* cell = ctx.input(kCellState)->data_as<int16_t>();
  int8_t* output = ctx.output(0)->data_as<int8_t>();
  // The state starts at real 0 (LiteRT's ResetVariableTensor: int8 tensors are filled with
  // their zero point, others with 0 bytes) on every Invoke (see the file comment).
  std::memset(state, static_cast<int8_t>(state_zp_),
              static_cast<size_t>(batches_) * static_cast<size_t>(n_output_));
  std::memset(cell, 0, static_cast<size_t>(batches_) * static_cast<size_t>(n_cell_) * 2);
  for (int32_t b = 0; b < batches_; ++b) {
    int8_t* h = state + b * n_output_;
    int16_t* c = cell + b * n_cell_;
    for (int32_t t = 0; t < time_; ++t) {
      const int64_t step = time_major_ ? int64_t{t} * batches_ + b : int64_t{b} * time_ + t;
      const int8_t* x = input + step * n_input_;
      ComputeGate(forget_gate_, x, h, /*sigmoid=*/true, gf_.data());
      ComputeGate(cell_gate_, x, h, /*sigmoid=*/false, gc_.data());
      if (!cifg_) ComputeGate(input_gate_, x, h, /*sigmoid=*/true, gi_.data());
      ComputeGate(output_gate_, x, h, /*sigmoid=*/true, go_.data());
      for (int32_t k = 0; k < n_cell_; ++k) {
        const int32_t forget = quant::RoundingDivideByPOT(int32_t{gf_[k]} * c[k], 15);
        const int16_t in_gate = cifg_ ? static_cast<int16_t>(32767 - gf_[k]) : gi_[k];
        const int32_t update =
            quant::RoundingDivideByPOT(int32_t{in_gate} * gc_[k], 30 + cell_log2_);
        int32_t v = std::clamp(int32_t{static_cast<int16_t>(forget)} +
                                   static_cast<int16_t>(update), -32768, 32767);
        if (cell_clip_ > 0) v = std::clamp<int32_t>(v, -cell_clip_, cell_clip_);
        c[k] = static_cast<int16_t>(v);
      }
      // tanh(c): the cell state has 15 + cell_log2 integer bits (LiteRT's ApplyTanh).
      for (int32_t k = 0; k < n_cell_; ++k) gc_[k] = fx16::Tanh(c[k], 15 + cell_log2_);
      for (int32_t k = 0; k < n_cell_; ++k) {
        int32_t v = quant::MultiplyByQuantizedMultiplier(int32_t{go_[k]} * gc_[k], hidden_m_,
                                                         hidden_shift_);
        v += hidden_zp_;
        h[k] = static_cast<int8_t>(std::clamp(v, -128, 127));
      }
      std::memcpy(output + step * n_output_, h, static_cast<size_t>(n_output_));
    }
  }
  return Status::Ok();
}

}  // namespace

std::unique_ptr<Kernel> CreateReferenceUnidirectionalSequenceLstm() {
  return std::make_unique<UnidirectionalSequenceLstmKernel>();
}

}  // namespace labelite
