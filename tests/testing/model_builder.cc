// ModelBuilder: writes .tflite files with the flatbuffers object API of our schema subset.
// Options are written exactly as src/model/op_options.cc reads them back.
#include "testing/model_builder.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "schema/tflite_schema_generated.h"

namespace labelite::testing {

namespace {

tflite::ActivationFunctionType Act(Activation a) {
  return static_cast<tflite::ActivationFunctionType>(a);
}
tflite::Padding Pad(Padding p) { return static_cast<tflite::Padding>(p); }

// Fills `u` with the BuiltinOptions table TFLite writes for `code` (nothing for ops without one).
void SetBuiltinOptions(int32_t code, const OpOptions& o, tflite::BuiltinOptionsUnion* u) {
  using Op = tflite::BuiltinOperator;
  switch (static_cast<Op>(code)) {
    case Op::ADD: {
      tflite::AddOptionsT t;
      t.fused_activation_function = Act(o.activation);
      t.pot_scale_int16 = o.pot_scale_int16;
      u->Set(std::move(t));
      break;
    }
    case Op::SUB: {
      tflite::SubOptionsT t;
      t.fused_activation_function = Act(o.activation);
      t.pot_scale_int16 = o.pot_scale_int16;
      u->Set(std::move(t));
      break;
    }
    case Op::MUL: {
      tflite::MulOptionsT t;
      t.fused_activation_function = Act(o.activation);
      u->Set(std::move(t));
      break;
    }
    case Op::AVERAGE_POOL_2D:
    case Op::MAX_POOL_2D: {
      tflite::Pool2DOptionsT t;
      t.padding = Pad(o.padding);
      t.stride_w = o.stride_w;
      t.stride_h = o.stride_h;
      t.filter_width = o.filter_w;
      t.filter_height = o.filter_h;
      t.fused_activation_function = Act(o.activation);
      u->Set(std::move(t));
      break;
    }
    case Op::CONCATENATION: {
      tflite::ConcatenationOptionsT t;
      t.axis = o.axis;
      t.fused_activation_function = Act(o.activation);
      u->Set(std::move(t));
      break;
    }
    case Op::CONV_2D: {
      tflite::Conv2DOptionsT t;
      t.padding = Pad(o.padding);
      t.stride_w = o.stride_w;
      t.stride_h = o.stride_h;
      t.dilation_w_factor = o.dilation_w;
      t.dilation_h_factor = o.dilation_h;
      t.fused_activation_function = Act(o.activation);
      u->Set(std::move(t));
      break;
    }
    case Op::DEPTHWISE_CONV_2D: {
      tflite::DepthwiseConv2DOptionsT t;
      t.padding = Pad(o.padding);
      t.stride_w = o.stride_w;
      t.stride_h = o.stride_h;
      t.depth_multiplier = o.depth_multiplier;
      t.dilation_w_factor = o.dilation_w;
      t.dilation_h_factor = o.dilation_h;
      t.fused_activation_function = Act(o.activation);
      u->Set(std::move(t));
      break;
    }
    case Op::FULLY_CONNECTED: {
      tflite::FullyConnectedOptionsT t;
      t.fused_activation_function = Act(o.activation);
      t.weights_format = static_cast<tflite::FullyConnectedOptionsWeightsFormat>(o.weights_format);
      t.keep_num_dims = o.keep_num_dims;
      t.asymmetric_quantize_inputs = o.asymmetric_quantize_inputs;
      u->Set(std::move(t));
      break;
    }
    case Op::SOFTMAX: {
      tflite::SoftmaxOptionsT t;
      t.beta = o.beta;
      u->Set(std::move(t));
      break;
    }
    case Op::RESHAPE: {
      if (!o.has_new_shape) break;
      tflite::ReshapeOptionsT t;
      t.new_shape = o.new_shape;
      u->Set(std::move(t));
      break;
    }
    case Op::RESIZE_BILINEAR: {
      tflite::ResizeBilinearOptionsT t;
      t.align_corners = o.align_corners;
      t.half_pixel_centers = o.half_pixel_centers;
      u->Set(std::move(t));
      break;
    }
    case Op::RESIZE_NEAREST_NEIGHBOR: {
      tflite::ResizeNearestNeighborOptionsT t;
      t.align_corners = o.align_corners;
      t.half_pixel_centers = o.half_pixel_centers;
      u->Set(std::move(t));
      break;
    }
    case Op::MEAN: {
      tflite::ReducerOptionsT t;
      t.keep_dims = o.keep_dims;
      u->Set(std::move(t));
      break;
    }
    case Op::SQUEEZE: {
      tflite::SqueezeOptionsT t;
      t.squeeze_dims = o.squeeze_dims;
      u->Set(std::move(t));
      break;
    }
    case Op::STRIDED_SLICE: {
      tflite::StridedSliceOptionsT t;
      t.begin_mask = o.begin_mask;
      t.end_mask = o.end_mask;
      t.ellipsis_mask = o.ellipsis_mask;
      t.new_axis_mask = o.new_axis_mask;
      t.shrink_axis_mask = o.shrink_axis_mask;
      t.offset = o.offset;
      u->Set(std::move(t));
      break;
    }
    case Op::LEAKY_RELU: {
      tflite::LeakyReluOptionsT t;
      t.alpha = o.alpha;
      u->Set(std::move(t));
      break;
    }
    case Op::UNIDIRECTIONAL_SEQUENCE_LSTM: {
      tflite::UnidirectionalSequenceLSTMOptionsT t;
      t.fused_activation_function = Act(o.activation);
      t.cell_clip = o.cell_clip;
      t.proj_clip = o.proj_clip;
      t.time_major = o.time_major;
      t.asymmetric_quantize_inputs = o.asymmetric_quantize_inputs;
      u->Set(std::move(t));
      break;
    }
    case Op::DIV: {
      tflite::DivOptionsT t;
      t.fused_activation_function = Act(o.activation);
      u->Set(std::move(t));
      break;
    }
    case Op::BATCH_MATMUL: {
      tflite::BatchMatMulOptionsT t;
      t.adj_x = o.adj_x;
      t.adj_y = o.adj_y;
      t.asymmetric_quantize_inputs = o.asymmetric_quantize_inputs;
      u->Set(std::move(t));
      break;
    }
    case Op::GELU: {
      tflite::GeluOptionsT t;
      t.approximate = o.approximate;
      u->Set(std::move(t));
      break;
    }
    case Op::SUM:
    case Op::REDUCE_MAX:
    case Op::REDUCE_MIN:
    case Op::REDUCE_PROD: {
      tflite::ReducerOptionsT t;
      t.keep_dims = o.keep_dims;
      u->Set(std::move(t));
      break;
    }
    case Op::GATHER: {
      tflite::GatherOptionsT t;
      t.axis = o.axis;
      t.batch_dims = o.batch_dims;
      u->Set(std::move(t));
      break;
    }
    case Op::SPLIT: {
      tflite::SplitOptionsT t;
      t.num_splits = o.num_splits;
      u->Set(std::move(t));
      break;
    }
    case Op::SPLIT_V: {
      tflite::SplitVOptionsT t;
      t.num_splits = o.num_splits;
      u->Set(std::move(t));
      break;
    }
    case Op::SPACE_TO_DEPTH: {
      tflite::SpaceToDepthOptionsT t;
      t.block_size = o.block_size;
      u->Set(std::move(t));
      break;
    }
    case Op::DEPTH_TO_SPACE: {
      tflite::DepthToSpaceOptionsT t;
      t.block_size = o.block_size;
      u->Set(std::move(t));
      break;
    }
    case Op::PACK: {
      tflite::PackOptionsT t;
      t.values_count = o.values_count;
      t.axis = o.axis;
      u->Set(std::move(t));
      break;
    }
    case Op::UNPACK: {
      tflite::UnpackOptionsT t;
      t.num = o.num;
      t.axis = o.axis;
      u->Set(std::move(t));
      break;
    }
    case Op::ARG_MAX: {
      tflite::ArgMaxOptionsT t;
      t.output_type = static_cast<tflite::TensorType>(o.output_type);
      u->Set(std::move(t));
      break;
    }
    case Op::ARG_MIN: {
      tflite::ArgMinOptionsT t;
      t.output_type = static_cast<tflite::TensorType>(o.output_type);
      u->Set(std::move(t));
      break;
    }
    case Op::SHAPE: {
      tflite::ShapeOptionsT t;
      t.out_type = static_cast<tflite::TensorType>(o.output_type);
      u->Set(std::move(t));
      break;
    }
    case Op::PAD: u->Set(tflite::PadOptionsT()); break;
    case Op::PADV2: u->Set(tflite::PadV2OptionsT()); break;
    case Op::TRANSPOSE: u->Set(tflite::TransposeOptionsT()); break;
    case Op::DEQUANTIZE: u->Set(tflite::DequantizeOptionsT()); break;
    case Op::QUANTIZE: u->Set(tflite::QuantizeOptionsT()); break;
    case Op::MAXIMUM:
    case Op::MINIMUM: u->Set(tflite::MaximumMinimumOptionsT()); break;
    case Op::HARD_SWISH: u->Set(tflite::HardSwishOptionsT()); break;
    default: break;  // LOGISTIC, RELU*, TANH, PRELU, CUSTOM, ...: no builtin options
  }
}

}  // namespace

int ModelBuilder::AddTensor(DataType type, std::vector<int32_t> shape, std::string name,
                            QuantizationParams quant) {
  tensors_.push_back(Tensor{type, std::move(shape), std::move(name), std::move(quant), 0});
  return static_cast<int>(tensors_.size()) - 1;
}

int ModelBuilder::AddConstTensorBytes(DataType type, std::vector<int32_t> shape,
                                      std::vector<uint8_t> bytes, QuantizationParams quant,
                                      std::string name) {
  buffers_.push_back(std::move(bytes));
  int index = AddTensor(type, std::move(shape), std::move(name), std::move(quant));
  tensors_[index].buffer = static_cast<int32_t>(buffers_.size()) - 1;
  return index;
}

void ModelBuilder::AddOperator(int32_t builtin_code, std::vector<int32_t> inputs,
                               std::vector<int32_t> outputs, const OpOptions& options,
                               int32_t version, std::string custom_code) {
  ops_.push_back(Op{builtin_code, std::move(inputs), std::move(outputs), options, version,
                    std::move(custom_code)});
}

void ModelBuilder::SetInputs(std::vector<int32_t> inputs) { inputs_ = std::move(inputs); }
void ModelBuilder::SetOutputs(std::vector<int32_t> outputs) { outputs_ = std::move(outputs); }
void ModelBuilder::SetMetadataBuffer(std::vector<uint8_t> metadata) {
  metadata_ = std::move(metadata);
}

std::vector<uint8_t> ModelBuilder::Build() const {
  tflite::ModelT model;
  model.version = 3;
  model.description = "labelite ModelBuilder";
  for (const auto& bytes : buffers_) {
    auto b = std::make_unique<tflite::BufferT>();
    b->data = bytes;
    model.buffers.push_back(std::move(b));
  }

  auto graph = std::make_unique<tflite::SubGraphT>();
  graph->name = "main";
  for (const Tensor& t : tensors_) {
    auto out = std::make_unique<tflite::TensorT>();
    out->shape = t.shape;
    out->type = static_cast<tflite::TensorType>(t.type);
    out->buffer = static_cast<uint32_t>(t.buffer);
    out->name = t.name;
    if (!t.quant.empty()) {
      out->quantization = std::make_unique<tflite::QuantizationParametersT>();
      out->quantization->scale = t.quant.scale;
      out->quantization->zero_point = t.quant.zero_point;
      out->quantization->quantized_dimension = t.quant.quantized_dimension;
    }
    graph->tensors.push_back(std::move(out));
  }

  // One OperatorCode per distinct (code, version, custom name), in first-use order.
  for (const Op& op : ops_) {
    size_t index = 0;
    for (; index < model.operator_codes.size(); ++index) {
      const auto& c = *model.operator_codes[index];
      if (static_cast<int32_t>(c.builtin_code) == op.code && c.version == op.version &&
          c.custom_code == op.custom_code)
        break;
    }
    if (index == model.operator_codes.size()) {
      auto c = std::make_unique<tflite::OperatorCodeT>();
      c->builtin_code = static_cast<tflite::BuiltinOperator>(op.code);
      // As TFLite writes it: old readers see PLACEHOLDER_FOR_GREATER_OP_CODES for new ops.
      c->deprecated_builtin_code = static_cast<int8_t>(std::min<int32_t>(op.code, 127));
      c->version = op.version;
      c->custom_code = op.custom_code;
      model.operator_codes.push_back(std::move(c));
    }
    auto o = std::make_unique<tflite::OperatorT>();
    o->opcode_index = static_cast<uint32_t>(index);
    o->inputs = op.inputs;
    o->outputs = op.outputs;
    SetBuiltinOptions(op.code, op.options, &o->builtin_options);
    graph->operators.push_back(std::move(o));
  }
  graph->inputs = inputs_;
  graph->outputs = outputs_;
  model.subgraphs.push_back(std::move(graph));

  if (!metadata_.empty()) {
    auto b = std::make_unique<tflite::BufferT>();
    b->data = metadata_;
    model.buffers.push_back(std::move(b));
    auto m = std::make_unique<tflite::MetadataT>();
    m->name = "TFLITE_METADATA";
    m->buffer = static_cast<uint32_t>(model.buffers.size()) - 1;
    model.metadata.push_back(std::move(m));
  }

  flatbuffers::FlatBufferBuilder fbb;
  tflite::FinishModelBuffer(fbb, tflite::Model::Pack(fbb, &model));
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

}  // namespace labelite::testing
