#include "model/op_options.h"

#include <string>

namespace labelite {

namespace {

using Op = tflite::BuiltinOperator;

Status SetActivation(tflite::ActivationFunctionType a, OpOptions* out) {
  int v = static_cast<int>(a);
  if (v < 0 || v > static_cast<int>(Activation::kSignBit))
    return InvalidModel("unknown fused activation " + std::to_string(v));
  out->activation = static_cast<Activation>(v);
  return Status::Ok();
}

Status SetPadding(tflite::Padding p, OpOptions* out) {
  int v = static_cast<int>(p);
  if (v != 0 && v != 1) return InvalidModel("unknown padding " + std::to_string(v));
  out->padding = static_cast<Padding>(v);
  return Status::Ok();
}

template <typename T>
std::vector<int32_t> ToVector(const flatbuffers::Vector<T>* v) {
  return v ? std::vector<int32_t>(v->begin(), v->end()) : std::vector<int32_t>{};
}

Status ConvertConvLike(const tflite::Operator& op, int32_t code, OpOptions* o) {
  switch (static_cast<Op>(code)) {
    case Op::CONV_2D:
      if (auto* t = op.builtin_options_as_Conv2DOptions()) {
        LABELITE_RETURN_IF_ERROR(SetPadding(t->padding(), o));
        o->stride_w = t->stride_w();
        o->stride_h = t->stride_h();
        o->dilation_w = t->dilation_w_factor();
        o->dilation_h = t->dilation_h_factor();
        return SetActivation(t->fused_activation_function(), o);
      }
      return Status::Ok();
    case Op::DEPTHWISE_CONV_2D:
      if (auto* t = op.builtin_options_as_DepthwiseConv2DOptions()) {
        LABELITE_RETURN_IF_ERROR(SetPadding(t->padding(), o));
        o->stride_w = t->stride_w();
        o->stride_h = t->stride_h();
        o->depth_multiplier = t->depth_multiplier();
        o->dilation_w = t->dilation_w_factor();
        o->dilation_h = t->dilation_h_factor();
        return SetActivation(t->fused_activation_function(), o);
      }
      return Status::Ok();
    case Op::AVERAGE_POOL_2D:
    case Op::MAX_POOL_2D:
      if (auto* t = op.builtin_options_as_Pool2DOptions()) {
        LABELITE_RETURN_IF_ERROR(SetPadding(t->padding(), o));
        o->stride_w = t->stride_w();
        o->stride_h = t->stride_h();
        o->filter_w = t->filter_width();
        o->filter_h = t->filter_height();
        return SetActivation(t->fused_activation_function(), o);
      }
      return Status::Ok();
    case Op::FULLY_CONNECTED:
      if (auto* t = op.builtin_options_as_FullyConnectedOptions()) {
        o->weights_format = static_cast<int8_t>(t->weights_format());
        o->keep_num_dims = t->keep_num_dims();
        o->asymmetric_quantize_inputs = t->asymmetric_quantize_inputs();
        return SetActivation(t->fused_activation_function(), o);
      }
      return Status::Ok();
    case Op::UNIDIRECTIONAL_SEQUENCE_LSTM:
      if (auto* t = op.builtin_options_as_UnidirectionalSequenceLSTMOptions()) {
        o->cell_clip = t->cell_clip();
        o->proj_clip = t->proj_clip();
        o->time_major = t->time_major();
        o->asymmetric_quantize_inputs = t->asymmetric_quantize_inputs();
        return SetActivation(t->fused_activation_function(), o);
      }
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

Status ConvertElementwise(const tflite::Operator& op, int32_t code, OpOptions* o) {
  switch (static_cast<Op>(code)) {
    case Op::ADD:
      if (auto* t = op.builtin_options_as_AddOptions()) {
        o->pot_scale_int16 = t->pot_scale_int16();
        return SetActivation(t->fused_activation_function(), o);
      }
      return Status::Ok();
    case Op::SUB:
      if (auto* t = op.builtin_options_as_SubOptions()) {
        o->pot_scale_int16 = t->pot_scale_int16();
        return SetActivation(t->fused_activation_function(), o);
      }
      return Status::Ok();
    case Op::MUL:
      if (auto* t = op.builtin_options_as_MulOptions())
        return SetActivation(t->fused_activation_function(), o);
      return Status::Ok();
    case Op::CONCATENATION:
      if (auto* t = op.builtin_options_as_ConcatenationOptions()) {
        o->axis = t->axis();
        return SetActivation(t->fused_activation_function(), o);
      }
      return Status::Ok();
    case Op::SOFTMAX:
      if (auto* t = op.builtin_options_as_SoftmaxOptions()) o->beta = t->beta();
      return Status::Ok();
    case Op::LEAKY_RELU:
      if (auto* t = op.builtin_options_as_LeakyReluOptions()) o->alpha = t->alpha();
      return Status::Ok();
    case Op::DIV:
      if (auto* t = op.builtin_options_as_DivOptions())
        return SetActivation(t->fused_activation_function(), o);
      return Status::Ok();
    case Op::BATCH_MATMUL:
      if (auto* t = op.builtin_options_as_BatchMatMulOptions()) {
        o->adj_x = t->adj_x();
        o->adj_y = t->adj_y();
        o->asymmetric_quantize_inputs = t->asymmetric_quantize_inputs();
      }
      return Status::Ok();
    case Op::GELU:
      if (auto* t = op.builtin_options_as_GeluOptions()) o->approximate = t->approximate();
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

Status SetOutputType(tflite::TensorType type, OpOptions* o) {
  const int v = static_cast<int>(type);
  if (v != static_cast<int>(DataType::kInt32) && v != static_cast<int>(DataType::kInt64))
    return InvalidModel("index output type " + std::to_string(v) + " is not int32 or int64");
  o->output_type = static_cast<DataType>(v);
  return Status::Ok();
}

// Ops that move or index data without arithmetic.
Status ConvertDataMovement(const tflite::Operator& op, int32_t code, OpOptions* o) {
  switch (static_cast<Op>(code)) {
    case Op::GATHER:
      if (auto* t = op.builtin_options_as_GatherOptions()) {
        o->axis = t->axis();
        o->batch_dims = t->batch_dims();
      }
      return Status::Ok();
    case Op::SPLIT:
      if (auto* t = op.builtin_options_as_SplitOptions()) o->num_splits = t->num_splits();
      return Status::Ok();
    case Op::SPLIT_V:
      if (auto* t = op.builtin_options_as_SplitVOptions()) o->num_splits = t->num_splits();
      return Status::Ok();
    case Op::SPACE_TO_DEPTH:
      if (auto* t = op.builtin_options_as_SpaceToDepthOptions()) o->block_size = t->block_size();
      return Status::Ok();
    case Op::DEPTH_TO_SPACE:
      if (auto* t = op.builtin_options_as_DepthToSpaceOptions()) o->block_size = t->block_size();
      return Status::Ok();
    case Op::PACK:
      if (auto* t = op.builtin_options_as_PackOptions()) {
        o->values_count = t->values_count();
        o->axis = t->axis();
      }
      return Status::Ok();
    case Op::UNPACK:
      if (auto* t = op.builtin_options_as_UnpackOptions()) {
        o->num = t->num();
        o->axis = t->axis();
      }
      return Status::Ok();
    case Op::ARG_MAX:
      if (auto* t = op.builtin_options_as_ArgMaxOptions()) return SetOutputType(t->output_type(), o);
      return Status::Ok();
    case Op::ARG_MIN:
      if (auto* t = op.builtin_options_as_ArgMinOptions()) return SetOutputType(t->output_type(), o);
      return Status::Ok();
    case Op::SHAPE:
      if (auto* t = op.builtin_options_as_ShapeOptions()) return SetOutputType(t->out_type(), o);
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

Status ConvertShapeOps(const tflite::Operator& op, int32_t code, OpOptions* o) {
  switch (static_cast<Op>(code)) {
    case Op::RESHAPE:
      if (auto* t = op.builtin_options_as_ReshapeOptions()) {
        o->has_new_shape = t->new_shape() != nullptr;
        o->new_shape = ToVector(t->new_shape());
      }
      return Status::Ok();
    case Op::SQUEEZE:
      if (auto* t = op.builtin_options_as_SqueezeOptions()) o->squeeze_dims = ToVector(t->squeeze_dims());
      return Status::Ok();
    case Op::MEAN:
    case Op::SUM:
    case Op::REDUCE_MAX:
    case Op::REDUCE_MIN:
    case Op::REDUCE_PROD:
      if (auto* t = op.builtin_options_as_ReducerOptions()) o->keep_dims = t->keep_dims();
      return Status::Ok();
    case Op::STRIDED_SLICE:
      if (auto* t = op.builtin_options_as_StridedSliceOptions()) {
        o->begin_mask = t->begin_mask();
        o->end_mask = t->end_mask();
        o->ellipsis_mask = t->ellipsis_mask();
        o->new_axis_mask = t->new_axis_mask();
        o->shrink_axis_mask = t->shrink_axis_mask();
        o->offset = t->offset();
      }
      return Status::Ok();
    case Op::RESIZE_BILINEAR:
      if (auto* t = op.builtin_options_as_ResizeBilinearOptions()) {
        o->align_corners = t->align_corners();
        o->half_pixel_centers = t->half_pixel_centers();
      }
      return Status::Ok();
    case Op::RESIZE_NEAREST_NEIGHBOR:
      if (auto* t = op.builtin_options_as_ResizeNearestNeighborOptions()) {
        o->align_corners = t->align_corners();
        o->half_pixel_centers = t->half_pixel_centers();
      }
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

}  // namespace

Status ConvertBuiltinOptions(const tflite::Operator& op, int32_t code, OpOptions* out) {
  *out = OpOptions();
  LABELITE_RETURN_IF_ERROR(ConvertConvLike(op, code, out));
  LABELITE_RETURN_IF_ERROR(ConvertElementwise(op, code, out));
  LABELITE_RETURN_IF_ERROR(ConvertDataMovement(op, code, out));
  return ConvertShapeOps(op, code, out);
}

}  // namespace labelite
