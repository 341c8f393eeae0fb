// One Prepare per op (kernels/common/conv.h): the reference path and the fast path (XNNPACK and
// labelite's own kernels behind it) accept the same CONV_2D and DEPTHWISE_CONV_2D models and
// refuse bad ones with the same error. Each case builds a one-operator .tflite (constant filter
// and bias) with ModelBuilder and creates an Interpreter on KernelPath::kReference and on
// KernelPath::kFast:
//   - bad models (bias of the wrong length, filter channels that do not match, zero strides,
//     per-channel scale counts, ...): both fail with the same code and message, which names the
//     problem the case was built with;
//   - valid models, dilated ones included (which labelite's own depthwise kernels leave to
//     XNNPACK): the fast path really runs them (not the fallback) within 1 unit (float: 1e-4)
//     of the reference;
//   - hybrid models (float32 input, int8 weights) fall back to the reference kernel: both paths
//     give the same bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "testing/model_builder.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceConv2D();
std::unique_ptr<Kernel> CreateXnnpackConv2D();
std::unique_ptr<Kernel> CreateReferenceDepthwiseConv2D();
std::unique_ptr<Kernel> CreateXnnpackDepthwiseConv2D();

namespace {

using testing::ModelBuilder;
using testing::PerChannelQuant;
using testing::Quant;

struct Op {
  const char* name;
  int32_t code;
  KernelFactory reference, fast;
};
const Op kConv{"CONV_2D", 3, &CreateReferenceConv2D, &CreateXnnpackConv2D};
const Op kDepthwise{"DEPTHWISE_CONV_2D", 4, &CreateReferenceDepthwiseConv2D,
                    &CreateXnnpackDepthwiseConv2D};

struct TensorSpec {
  DataType type;
  std::vector<int32_t> shape;
  QuantizationParams quant = {};
};

// Deterministic constant data for a tensor of `type` with `n` elements.
std::vector<uint8_t> ConstBytes(DataType type, int64_t n) {
  std::vector<uint8_t> bytes(static_cast<size_t>(n) * DataTypeSize(type));
  for (int64_t i = 0; i < n; ++i) {
    if (type == DataType::kFloat32) {
      const float v = 0.05f * static_cast<float>((i * 7) % 13) - 0.3f;
      std::memcpy(bytes.data() + i * 4, &v, 4);
    } else if (type == DataType::kInt32) {
      const int32_t v = static_cast<int32_t>((i * 37) % 200) - 100;
      std::memcpy(bytes.data() + i * 4, &v, 4);
    } else {
      bytes[static_cast<size_t>(i)] = static_cast<uint8_t>((i * 29 + 3) % 251);
    }
  }
  return bytes;
}

int64_t Elements(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

// A model of one convolution: graph input `in`, constant filter and optional bias.
std::vector<uint8_t> ConvModel(const Op& op, const TensorSpec& in, const TensorSpec& filter,
                               const std::optional<TensorSpec>& bias, const TensorSpec& out,
                               const OpOptions& o = {}) {
  ModelBuilder b;
  const int i = b.AddTensor(in.type, in.shape, "in", in.quant);
  const int f = b.AddConstTensorBytes(filter.type, filter.shape,
                                      ConstBytes(filter.type, Elements(filter.shape)),
                                      filter.quant, "filter");
  std::vector<int32_t> inputs = {i, f};
  if (bias) {
    inputs.push_back(b.AddConstTensorBytes(bias->type, bias->shape,
                                           ConstBytes(bias->type, Elements(bias->shape)),
                                           bias->quant, "bias"));
  }
  const int y = b.AddTensor(out.type, out.shape, "out", out.quant);
  b.AddOperator(op.code, inputs, {y}, o);
  b.SetInputs({i});
  b.SetOutputs({y});
  return b.Build();
}

Result<std::unique_ptr<Interpreter>> Create(const Op& op, const std::vector<uint8_t>& bytes,
                                            KernelPath path) {
  auto model = Model::FromBytes(bytes, "single-op");
  EXPECT_TRUE(model.ok()) << model.status().message();  // the reader accepts every case
  if (!model.ok()) return model.status();
  ListOpResolver resolver({{op.code, op.name, op.reference, op.fast}});
  return Interpreter::Create(*model, resolver, {path, 1});
}

// Both paths refuse `bytes` with one error, which contains `expected`.
void ExpectSameError(const Op& op, const std::vector<uint8_t>& bytes, const std::string& expected,
                     const std::string& what) {
  SCOPED_TRACE(std::string(op.name) + ": " + what);
  auto reference = Create(op, bytes, KernelPath::kReference);
  auto fast = Create(op, bytes, KernelPath::kFast);
  ASSERT_FALSE(reference.ok()) << "the reference path accepted the model";
  ASSERT_FALSE(fast.ok()) << "the fast path accepted the model";
  EXPECT_EQ(fast.status().code(), reference.status().code());
  EXPECT_EQ(fast.status().message(), reference.status().message());
  EXPECT_NE(reference.status().message().find(std::string(op.name) + " (operator 0): " +
                                              expected),
            std::string::npos)
      << reference.status().message();
}

// Runs `bytes` on both paths with one deterministic input; the fast path runs its own kernel
// (`fast_runs`: outputs within 1 unit, float 1e-4) or falls back to the reference one (the
// same bytes).
void ExpectParity(const Op& op, const std::vector<uint8_t>& bytes, bool fast_runs,
                  const std::string& what) {
  SCOPED_TRACE(std::string(op.name) + ": " + what);
  std::unique_ptr<Interpreter> interps[2];
  const KernelPath paths[2] = {KernelPath::kReference, KernelPath::kFast};
  for (int p = 0; p < 2; ++p) {
    auto it = Create(op, bytes, paths[p]);
    ASSERT_TRUE(it.ok()) << it.status().message();
    interps[p] = std::move(*it);
    Tensor* t = interps[p]->input(0);
    for (int64_t k = 0; k < t->NumElements(); ++k) {
      if (t->type == DataType::kFloat32)
        t->data_as<float>()[k] = 0.37f * static_cast<float>((k * 7) % 11) - 2.0f;
      else
        t->data[k] = static_cast<uint8_t>((k * 37 + 11) % 256);
    }
    ASSERT_TRUE(interps[p]->Invoke().ok());
  }
  if (fast_runs) {
    EXPECT_STRNE(interps[1]->KernelPathOf(0), "reference");
  } else {
    EXPECT_STREQ(interps[1]->KernelPathOf(0), "reference");
  }
  const Tensor& a = *interps[0]->output(0);
  const Tensor& b = *interps[1]->output(0);
  ASSERT_EQ(a.dims, b.dims);
  ASSERT_GT(a.NumElements(), 0);
  if (!fast_runs) {  // the same kernel: the same bytes
    ASSERT_EQ(a.bytes, b.bytes);
    EXPECT_EQ(std::memcmp(a.data, b.data, a.bytes), 0);
    return;
  }
  for (int64_t k = 0; k < a.NumElements(); ++k) {
    if (a.type == DataType::kFloat32) {
      ASSERT_NEAR(a.data_as<float>()[k], b.data_as<float>()[k], 1e-4) << k;
    } else if (a.type == DataType::kInt8) {
      ASSERT_NEAR(a.data_as<int8_t>()[k], b.data_as<int8_t>()[k], 1) << k;
    } else {
      ASSERT_NEAR(a.data[k], b.data[k], 1) << k;
    }
  }
}

const QuantizationParams kU8In = Quant(0.05f, 128);
const QuantizationParams kU8Out = Quant(0.2f, 120);
const QuantizationParams kI8In = Quant(0.05f, -3);
const QuantizationParams kI8Out = Quant(0.2f, 5);

TEST(PrepareParity, ConvValidModelsRunOnTheFastPath) {
  const TensorSpec f_in{DataType::kFloat32, {1, 9, 8, 4}};
  OpOptions o;
  o.stride_h = o.stride_w = 2;
  o.activation = Activation::kRelu6;
  const TensorSpec f_out{DataType::kFloat32, {1, 5, 4, 6}};
  ExpectParity(kConv, ConvModel(kConv, f_in, {DataType::kFloat32, {6, 3, 3, 4}},
                                TensorSpec{DataType::kFloat32, {6}}, f_out, o),
               true, "float32");
  const TensorSpec u8_in{DataType::kUInt8, {1, 9, 8, 4}, kU8In};
  ExpectParity(kConv, ConvModel(kConv, u8_in, {DataType::kUInt8, {6, 3, 3, 4}, Quant(0.01f, 130)},
                                TensorSpec{DataType::kInt32, {6}, Quant(0.0005f, 0)},
                                {DataType::kUInt8, {1, 5, 4, 6}, kU8Out}, o),
               true, "uint8");
  const TensorSpec i8_in{DataType::kInt8, {1, 9, 8, 4}, kI8In};
  const QuantizationParams channels =
      PerChannelQuant({0.01f, 0.02f, 0.015f, 0.03f, 0.005f, 0.01f}, 0);
  ExpectParity(kConv, ConvModel(kConv, i8_in, {DataType::kInt8, {6, 3, 3, 4}, channels},
                                TensorSpec{DataType::kInt32, {6}},
                                {DataType::kInt8, {1, 5, 4, 6}, kI8Out}, o),
               true, "int8 per-channel");
  // Dilation 2: the 3x3 window spans 5x5.
  OpOptions dilated;
  dilated.padding = Padding::kValid;
  dilated.dilation_h = dilated.dilation_w = 2;
  ExpectParity(kConv, ConvModel(kConv, i8_in, {DataType::kInt8, {6, 3, 3, 4}, channels},
                                std::nullopt, {DataType::kInt8, {1, 5, 4, 6}, kI8Out}, dilated),
               true, "int8 dilated");
}

TEST(PrepareParity, DepthwiseValidModelsRunOnTheFastPath) {
  OpOptions o;
  o.activation = Activation::kRelu;
  const TensorSpec f_in{DataType::kFloat32, {1, 7, 6, 8}};
  ExpectParity(kDepthwise, ConvModel(kDepthwise, f_in, {DataType::kFloat32, {1, 3, 3, 8}},
                                     TensorSpec{DataType::kFloat32, {8}},
                                     {DataType::kFloat32, {1, 7, 6, 8}}, o),
               true, "float32");
  const TensorSpec u8_in{DataType::kUInt8, {1, 7, 6, 8}, kU8In};
  ExpectParity(kDepthwise,
               ConvModel(kDepthwise, u8_in, {DataType::kUInt8, {1, 3, 3, 8}, Quant(0.01f, 120)},
                         TensorSpec{DataType::kInt32, {8}, Quant(0.0005f, 0)},
                         {DataType::kUInt8, {1, 7, 6, 8}, kU8Out}, o),
               true, "uint8");
  std::vector<float> scales;
  for (int c = 0; c < 16; ++c) scales.push_back(0.005f * static_cast<float>(c % 5 + 1));
  OpOptions m2 = o;  // depth multiplier 2, stride 2
  m2.depth_multiplier = 2;
  m2.stride_h = m2.stride_w = 2;
  const TensorSpec i8_in{DataType::kInt8, {2, 7, 6, 8}, kI8In};
  ExpectParity(kDepthwise,
               ConvModel(kDepthwise, i8_in, {DataType::kInt8, {1, 3, 3, 16},
                                             PerChannelQuant(scales, 3)},
                         TensorSpec{DataType::kInt32, {16}},
                         {DataType::kInt8, {2, 4, 3, 16}, kI8Out}, m2),
               true, "int8 per-channel, multiplier 2");
  // Dilation 2: labelite's own depthwise kernels decline it, XNNPACK runs it.
  OpOptions dilated = o;
  dilated.dilation_h = dilated.dilation_w = 2;
  const TensorSpec i8_one{DataType::kInt8, {1, 7, 6, 8}, kI8In};
  ExpectParity(kDepthwise,
               ConvModel(kDepthwise, i8_one, {DataType::kInt8, {1, 3, 3, 8},
                                              PerChannelQuant({0.01f, 0.02f, 0.01f, 0.03f,
                                                               0.01f, 0.02f, 0.01f, 0.005f}, 3)},
                         TensorSpec{DataType::kInt32, {8}},
                         {DataType::kInt8, {1, 7, 6, 8}, kI8Out}, dilated),
               true, "int8 dilated");
  ExpectParity(kDepthwise, ConvModel(kDepthwise, f_in, {DataType::kFloat32, {1, 3, 3, 8}},
                                     std::nullopt, {DataType::kFloat32, {1, 7, 6, 8}}, dilated),
               true, "float32 dilated");
}

TEST(PrepareParity, HybridConvolutionsFallBackToTheReference) {
  const TensorSpec f_in{DataType::kFloat32, {1, 6, 6, 4}};
  std::vector<float> scales = {0.01f, 0.02f, 0.03f, 0.04f};
  ExpectParity(kConv, ConvModel(kConv, f_in, {DataType::kInt8, {4, 3, 3, 4},
                                              PerChannelQuant(scales, 0)},
                                TensorSpec{DataType::kFloat32, {4}},
                                {DataType::kFloat32, {1, 6, 6, 4}}),
               false, "conv");
  ExpectParity(kDepthwise, ConvModel(kDepthwise, f_in, {DataType::kInt8, {1, 3, 3, 4},
                                                        PerChannelQuant(scales, 3)},
                                     TensorSpec{DataType::kFloat32, {4}},
                                     {DataType::kFloat32, {1, 6, 6, 4}}),
               false, "depthwise");
}

TEST(PrepareParity, ConvolutionsRefuseBadModelsAlike) {
  const TensorSpec f_in{DataType::kFloat32, {1, 5, 5, 4}};
  const TensorSpec f_filter{DataType::kFloat32, {6, 3, 3, 4}};
  const TensorSpec f_out{DataType::kFloat32, {1, 5, 5, 6}};
  const TensorSpec f_bias{DataType::kFloat32, {6}};
  ExpectSameError(kConv, ConvModel(kConv, f_in, f_filter, TensorSpec{DataType::kFloat32, {5}},
                                   f_out),
                  "bias has 5 elements [5], expected 6", "bias of the wrong length");
  ExpectSameError(kConv, ConvModel(kConv, f_in, {DataType::kFloat32, {6, 3, 3, 3}}, f_bias,
                                   f_out),
                  "filter has 3 input channels, input has 4", "filter channels mismatch");
  ExpectSameError(kConv, ConvModel(kConv, f_in, {DataType::kFloat32, {6, 3, 3, 2}}, f_bias,
                                   f_out),
                  "grouped convolution (filter has 2 input channels, input has 4) is not "
                  "supported",
                  "grouped convolution");
  ExpectSameError(kConv, ConvModel(kConv, {DataType::kFloat32, {5, 5, 4}}, f_filter, f_bias,
                                   f_out),
                  "input must have rank 4, got [5, 5, 4]", "rank-3 input");
  OpOptions zero_stride;
  zero_stride.stride_w = 0;
  ExpectSameError(kConv, ConvModel(kConv, f_in, f_filter, f_bias, f_out, zero_stride),
                  "strides (1, 0) and dilations (1, 1) must be positive", "zero stride");
  OpOptions zero_dilation;
  zero_dilation.dilation_h = 0;
  ExpectSameError(kDepthwise,
                  ConvModel(kDepthwise, f_in, {DataType::kFloat32, {1, 3, 3, 4}},
                            TensorSpec{DataType::kFloat32, {4}},
                            {DataType::kFloat32, {1, 5, 5, 4}}, zero_dilation),
                  "strides (1, 1) and dilations (0, 1) must be positive", "zero dilation");
  OpOptions valid;
  valid.padding = Padding::kValid;
  valid.dilation_h = valid.dilation_w = 3;  // a 7x7 span over a 5x5 input
  ExpectSameError(kConv, ConvModel(kConv, f_in, f_filter, f_bias, f_out, valid),
                  "a 3x3 filter does not fit the 5x5 input", "dilated window too large");
  OpOptions tanh;
  tanh.activation = Activation::kTanh;
  ExpectSameError(kConv, ConvModel(kConv, f_in, f_filter, f_bias, f_out, tanh),
                  "fused activation 4 is not supported", "TANH activation");
  ExpectSameError(kConv, ConvModel(kConv, f_in, f_filter, f_bias,
                                   {DataType::kUInt8, {1, 5, 5, 6}, kU8Out}),
                  "output must be float32, got uint8", "output type differs");

  // Quantized.
  const TensorSpec u8_in{DataType::kUInt8, {1, 5, 5, 4}, kU8In};
  const TensorSpec u8_out{DataType::kUInt8, {1, 5, 5, 6}, kU8Out};
  const TensorSpec u8_filter{DataType::kUInt8, {6, 3, 3, 4}, Quant(0.01f, 130)};
  ExpectSameError(kConv, ConvModel(kConv, u8_in, u8_filter,
                                   TensorSpec{DataType::kInt32, {6}, Quant(0.001f, 0)}, u8_out),
                  "bias scale 0.001000 is not input scale * filter scale (0.000500)",
                  "uint8 bias scale");
  ExpectSameError(kConv, ConvModel(kConv, u8_in, u8_filter,
                                   TensorSpec{DataType::kInt32, {7}, Quant(0.0005f, 0)}, u8_out),
                  "bias has 7 elements [7], expected 6", "uint8 bias of the wrong length");
  ExpectSameError(kConv, ConvModel(kConv, u8_in, u8_filter, std::nullopt,
                                   {DataType::kUInt8, {1, 5, 5, 6}}),
                  "output (uint8) has no valid quantization scale", "output not quantized");
  const TensorSpec i8_in{DataType::kInt8, {1, 5, 5, 4}, kI8In};
  const TensorSpec i8_out{DataType::kInt8, {1, 5, 5, 6}, kI8Out};
  // 4 scales along the filter's input channels (axis 3), not its 6 output channels.
  ExpectSameError(kConv, ConvModel(kConv, i8_in, {DataType::kInt8, {6, 3, 3, 4},
                                                  PerChannelQuant({0.1f, 0.2f, 0.1f, 0.2f}, 3)},
                                   std::nullopt, i8_out),
                  "filter has 4 per-channel scales, expected 6", "per-channel scale count");
  ExpectSameError(kConv, ConvModel(kConv, i8_in, {DataType::kInt8, {6, 3, 3, 4},
                                                  Quant(0.01f, 3)},
                                   std::nullopt, i8_out),
                  "int8 filter has a nonzero zero point", "int8 filter zero point");
  ExpectSameError(kConv, ConvModel(kConv, i8_in, {DataType::kUInt8, {6, 3, 3, 4},
                                                  Quant(0.01f, 3)},
                                   std::nullopt, i8_out),
                  "filter must be int8, got uint8", "filter type");

  // Depthwise shapes.
  const TensorSpec dw_out{DataType::kFloat32, {1, 5, 5, 8}};
  ExpectSameError(kDepthwise, ConvModel(kDepthwise, f_in, {DataType::kFloat32, {2, 3, 3, 8}},
                                        std::nullopt, dw_out),
                  "filter must have shape [1, H, W, C], got [2, 3, 3, 8]", "filter shape");
  ExpectSameError(kDepthwise, ConvModel(kDepthwise, f_in, {DataType::kFloat32, {1, 3, 3, 6}},
                                        std::nullopt, dw_out),
                  "filter has 6 channels, not a multiple of the input's 4", "filter channels");
  OpOptions m3;
  m3.depth_multiplier = 3;
  ExpectSameError(kDepthwise, ConvModel(kDepthwise, f_in, {DataType::kFloat32, {1, 3, 3, 8}},
                                        std::nullopt, dw_out, m3),
                  "depth_multiplier is 3 but the filter has 8 channels for 4 input channels",
                  "depth multiplier");
  ExpectSameError(kDepthwise, ConvModel(kDepthwise, f_in, {DataType::kFloat32, {1, 3, 3, 8}},
                                        TensorSpec{DataType::kFloat32, {4}}, dw_out,
                                        [] { OpOptions o; o.depth_multiplier = 2; return o; }()),
                  "bias has 4 elements [4], expected 8", "depthwise bias length");
  const TensorSpec i8_dw_out{DataType::kInt8, {1, 5, 5, 4}, kI8Out};
  // Per-channel scales along axis 0 of a [1, 3, 3, 4] filter would be a single scale: use 3
  // scales along the kernel's height instead.
  ExpectSameError(kDepthwise, ConvModel(kDepthwise, i8_in, {DataType::kInt8, {1, 3, 3, 4},
                                                            PerChannelQuant({0.1f, 0.2f, 0.3f},
                                                                            1)},
                                        std::nullopt, i8_dw_out),
                  "filter has 3 per-channel scales, expected 4", "depthwise scale count");
  // Hybrid depthwise weights need one scale per output channel.
  ExpectSameError(kDepthwise, ConvModel(kDepthwise, f_in, {DataType::kInt8, {1, 3, 3, 4},
                                                           Quant(0.01f, 0)},
                                        std::nullopt, {DataType::kFloat32, {1, 5, 5, 4}}),
                  "hybrid int8 weights need per-channel scales (got 1 for 4 channels)",
                  "hybrid per-tensor depthwise");
}

}  // namespace
}  // namespace labelite
