// The one Prepare of labelite's data-movement ops: CONCATENATION, GATHER, SLICE, SPLIT, SPLIT_V, PACK, UNPACK,
// SPACE_TO_DEPTH, DEPTH_TO_SPACE, EXPAND_DIMS, BROADCAST_TO, TILE, CAST, ARG_MAX, ARG_MIN,
// SHAPE. Each validates its inputs (types, constant shape/axis tensors, ranges), sets every
// output's dims and reduces the op to the few sizes its kernel loops over. Like TFLite, these
// ops copy quantized values unchanged (no requantization).
#ifndef LABELITE_KERNELS_COMMON_DATA_MOVEMENT_H_
#define LABELITE_KERNELS_COMMON_DATA_MOVEMENT_H_

#include <cstdint>
#include <vector>

#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

// The values of a constant int32 or int64 tensor (an error naming `what` otherwise).
Status ReadConstInts(const KernelContext& ctx, const Tensor* t, const char* what,
                     std::vector<int64_t>* values);

// A tensor seen as [outer, axis, inner] around one axis (sizes in elements).
struct AxisView {
  int64_t outer = 1, axis = 1, inner = 1;
  size_t element_size = 0;
};

struct GatherParams {
  int64_t batch = 1, outer = 1, coords = 1, axis_size = 1, inner_bytes = 0;
  bool int64_indices = false;
};
Status PrepareGather(KernelContext& ctx, GatherParams* p);

// SLICE, TILE, BROADCAST_TO: output[idx] = input[source(idx)], walked one innermost row at a
// time. `in_dims`/`out_dims` padded to the same rank.
struct IndexMapParams {
  std::vector<int64_t> in_dims, out_dims, begin;  // begin: SLICE's start per dimension
  size_t element_size = 0;
};
Status PrepareSlice(KernelContext& ctx, IndexMapParams* p);
Status PrepareTile(KernelContext& ctx, IndexMapParams* p);
Status PrepareBroadcastTo(KernelContext& ctx, IndexMapParams* p);

// SPLIT, SPLIT_V, UNPACK (one input, outputs along an axis) and PACK (inputs stacked along a
// new axis): `sizes` are the extents of each part along the axis.
struct SplitParams {
  AxisView view;             // of the whole (the split input, or PACK's output)
  std::vector<int64_t> sizes;
};
Status PrepareSplit(KernelContext& ctx, SplitParams* p);
Status PrepareSplitV(KernelContext& ctx, SplitParams* p);
Status PrepareUnpack(KernelContext& ctx, SplitParams* p);
Status PreparePack(KernelContext& ctx, SplitParams* p);

struct SpaceDepthParams {
  int32_t batch = 0, in_h = 0, in_w = 0, in_c = 0, block = 1;
  size_t element_size = 0;
};
Status PrepareSpaceToDepth(KernelContext& ctx, SpaceDepthParams* p);
Status PrepareDepthToSpace(KernelContext& ctx, SpaceDepthParams* p);

Status PrepareExpandDims(KernelContext& ctx);  // output dims; the bytes are copied as they are
Status PrepareCast(KernelContext& ctx);        // numeric and bool types
Status PrepareShape(KernelContext& ctx);       // int32 or int64 output

struct ArgParams {
  AxisView view;
  DataType out_type = DataType::kInt64;
};
Status PrepareArgMinMax(KernelContext& ctx, ArgParams* p);

// CONCATENATION along `axis` (negative counts from the end): the output is `outer` rows, each
// the inputs' rows of t.dim(axis) * inner_bytes bytes one after another. A uint8/int8 input
// whose scale or zero point differs from the output's is marked for requantization (TFLite's
// ConcatenationWithScaling; TFLite itself refuses such int8 inputs, labelite accepts them).
struct ConcatParams {
  int axis = 0;
  int64_t outer = 1, inner_bytes = 1;
  std::vector<bool> requantize;  // per input
};
Status PrepareConcatenation(KernelContext& ctx, ConcatParams* p);

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_DATA_MOVEMENT_H_
