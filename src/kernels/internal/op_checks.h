// Validation helpers shared by the reference kernels' Prepare functions. Every failure is a
// Status naming the op (via KernelContext::Error) and the offending values, e.g.
//   "CONV_2D (operator 3): filter must be float32, got uint8".
#ifndef LABELITE_KERNELS_INTERNAL_OP_CHECKS_H_
#define LABELITE_KERNELS_INTERNAL_OP_CHECKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "labelite/status.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

namespace labelite::internal {

// "[1, 8, 8, 3]".
std::string ShapeString(const std::vector<int32_t>& dims);

// Checks that inputs [0, required) are present, that at most `max_inputs` inputs are given and
// that there are exactly `outputs` outputs.
Status CheckArity(const KernelContext& ctx, int required, int max_inputs, int outputs);

// "<what> must be <type>, got <actual>".
Status CheckType(const KernelContext& ctx, const Tensor& t, const char* what, DataType type);

// "<what> must have rank <rank>, got [..]".
Status CheckRank(const KernelContext& ctx, const Tensor& t, const char* what, int rank);

// A quantized (uint8/int8) tensor must carry a positive scale.
Status CheckQuantized(const KernelContext& ctx, const Tensor& t, const char* what);
// The Unsupported status "fused activation <n> <why>" (why: "is not supported", "has no XNNPACK
// form", ...).
Status UnsupportedActivation(const KernelContext& ctx, Activation activation,
                             const char* why = "is not supported");

// CheckQuantized on a binary op's "input 1", "input 2" and "output".
Status CheckQuantizedBinary(const KernelContext& ctx);

// `axis` made non-negative (negative values count from the end) for a tensor of `rank`
// dimensions; an error when it is outside [-rank, rank).
Status NormalizeAxis(const KernelContext& ctx, int64_t axis, int rank, int* out);

// Sets the output's dims after checking that its element count fits in int32 (TFLite's limit).
Status SetOutputDims(const KernelContext& ctx, Tensor& output, std::vector<int32_t> dims);

// The per-channel scales of a weight tensor: its `quant` scales when present, else the
// per-tensor scale (one entry).
std::vector<float> WeightScales(const Tensor& t);
// True when the tensor's zero points (per-tensor and per-channel) are all zero.
bool AllZeroPointsZero(const Tensor& t);

}  // namespace labelite::internal

#endif  // LABELITE_KERNELS_INTERNAL_OP_CHECKS_H_
