// One Prepare per op (kernels/common/): the reference path and the fast path (XNNPACK) accept
// the same ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D and FULLY_CONNECTED models and refuse bad ones with the
// same error. Each case builds a one-operator .tflite with ModelBuilder and creates an
// Interpreter on KernelPath::kReference and on KernelPath::kFast:
//   - bad models (wrong arity, mismatched types, missing quantization, shapes that do not
//     broadcast, windows that do not fit, ...): both fail with the same code and message, and
//     the message names the problem the case was built with;
//   - models that XNNPACK cannot run (5-D broadcasting, scale ratios outside its range, a 1x1
//     window, requantizing quantized max pooling): the fast path falls back to the reference
//     kernel instead of refusing the model, and both paths give the same output bytes;
//   - valid models: the fast path really runs them (not the fallback), within 1 unit.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/isa.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "testing/model_builder.h"

namespace labelite {

#define DECLARE_KERNELS(stem)                       \
  std::unique_ptr<Kernel> CreateReference##stem(); \
  std::unique_ptr<Kernel> CreateXnnpack##stem();
DECLARE_KERNELS(Add)
DECLARE_KERNELS(Sub)
DECLARE_KERNELS(Mul)
DECLARE_KERNELS(AveragePool2D)
DECLARE_KERNELS(MaxPool2D)
DECLARE_KERNELS(FullyConnected)
#undef DECLARE_KERNELS

namespace {

using testing::ModelBuilder;
using testing::Quant;

struct Op {
  const char* name;
  int32_t code;
  KernelFactory reference, fast;
};
const Op kBinaryOps[] = {{"ADD", 0, &CreateReferenceAdd, &CreateXnnpackAdd},
                         {"SUB", 41, &CreateReferenceSub, &CreateXnnpackSub},
                         {"MUL", 18, &CreateReferenceMul, &CreateXnnpackMul}};
const Op kPoolOps[] = {
    {"AVERAGE_POOL_2D", 1, &CreateReferenceAveragePool2D, &CreateXnnpackAveragePool2D},
    {"MAX_POOL_2D", 17, &CreateReferenceMaxPool2D, &CreateXnnpackMaxPool2D}};

const Op kFullyConnected = {"FULLY_CONNECTED", 9, &CreateReferenceFullyConnected,
                            &CreateXnnpackFullyConnected};

struct TensorSpec {
  DataType type;
  std::vector<int32_t> shape;
  QuantizationParams quant = {};
};
const QuantizationParams kU8 = Quant(0.05f, 128);
const QuantizationParams kI8 = Quant(0.05f, -3);

// A model of one operator whose inputs are all graph inputs.
std::vector<uint8_t> OneOp(int32_t code, const std::vector<TensorSpec>& inputs,
                           const std::vector<TensorSpec>& outputs, const OpOptions& o = {}) {
  ModelBuilder b;
  std::vector<int32_t> in, out;
  for (const TensorSpec& t : inputs)
    in.push_back(b.AddTensor(t.type, t.shape, "in" + std::to_string(in.size()), t.quant));
  for (const TensorSpec& t : outputs)
    out.push_back(b.AddTensor(t.type, t.shape, "out" + std::to_string(out.size()), t.quant));
  b.AddOperator(code, in, out, o);
  b.SetInputs(in);
  b.SetOutputs(out);
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
  EXPECT_NE(reference.status().message().find(expected), std::string::npos)
      << reference.status().message();
  EXPECT_NE(reference.status().message().find(std::string(op.name) + " (operator 0): "),
            std::string::npos)
      << reference.status().message();
}

// Both paths accept `bytes`; the fast path falls back to `want_path` (the reference kernel, or
// another exact kernel), and both give the same output bytes for one pseudo-random input.
void ExpectFallback(const Op& op, const std::vector<uint8_t>& bytes, const std::string& what,
                    const char* want_path = "reference") {
  SCOPED_TRACE(std::string(op.name) + ": " + what);
  std::unique_ptr<Interpreter> interps[2];
  const KernelPath paths[2] = {KernelPath::kReference, KernelPath::kFast};
  for (int p = 0; p < 2; ++p) {
    auto it = Create(op, bytes, paths[p]);
    ASSERT_TRUE(it.ok()) << it.status().message();
    interps[p] = std::move(*it);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> real(-3.0f, 3.0f);
    for (int i = 0; i < interps[p]->num_inputs(); ++i) {
      Tensor* t = interps[p]->input(i);
      for (int64_t k = 0; k < t->NumElements(); ++k) {
        if (t->type == DataType::kFloat32) t->data_as<float>()[k] = real(rng);
        else t->data[k] = static_cast<uint8_t>(byte(rng));
      }
    }
    ASSERT_TRUE(interps[p]->Invoke().ok());
  }
  EXPECT_STREQ(interps[1]->KernelPathOf(0), want_path);
  const Tensor& a = *interps[0]->output(0);
  const Tensor& b = *interps[1]->output(0);
  ASSERT_EQ(a.dims, b.dims);
  ASSERT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(std::memcmp(a.data, b.data, a.bytes), 0);
}

// The parity above is not bought by falling back: valid models run on XNNPACK (uint8 average
// pooling on labelite's own fast kernel) with outputs within 1 unit (float: 1e-5) of the
// reference.
void ExpectFastRuns(const Op& op, const std::vector<uint8_t>& bytes, const std::string& what) {
  SCOPED_TRACE(std::string(op.name) + ": " + what);
  std::unique_ptr<Interpreter> interps[2];
  const KernelPath paths[2] = {KernelPath::kReference, KernelPath::kFast};
  for (int p = 0; p < 2; ++p) {
    auto it = Create(op, bytes, paths[p]);
    ASSERT_TRUE(it.ok()) << it.status().message();
    interps[p] = std::move(*it);
    for (int i = 0; i < interps[p]->num_inputs(); ++i) {
      Tensor* t = interps[p]->input(i);
      for (int64_t k = 0; k < t->NumElements(); ++k) {
        if (t->type == DataType::kFloat32)
          t->data_as<float>()[k] = 0.37f * static_cast<float>((k * 7 + i) % 11) - 2.0f;
        else
          t->data[k] = static_cast<uint8_t>((k * 37 + i * 11) % 256);
      }
    }
    ASSERT_TRUE(interps[p]->Invoke().ok());
  }
  EXPECT_STRNE(interps[1]->KernelPathOf(0), "reference");
  const Tensor& a = *interps[0]->output(0);
  const Tensor& b = *interps[1]->output(0);
  ASSERT_EQ(a.dims, b.dims);
  for (int64_t k = 0; k < a.NumElements(); ++k) {
    if (a.type == DataType::kFloat32) {
      ASSERT_NEAR(a.data_as<float>()[k], b.data_as<float>()[k], 1e-5) << k;
    } else {
      ASSERT_NEAR(a.data[k], b.data[k], 1) << k;
    }
  }
}

TEST(PrepareParity, ValidModelsRunOnTheFastPath) {
  OpOptions relu;
  relu.activation = Activation::kRelu;
  for (const Op& op : kBinaryOps) {
    const TensorSpec f{DataType::kFloat32, {2, 3, 4}};
    ExpectFastRuns(op, OneOp(op.code, {f, {DataType::kFloat32, {3, 1}}}, {f}, relu), "float32");
    const TensorSpec u8{DataType::kUInt8, {2, 3, 4}, Quant(0.05f, 128)};
    ExpectFastRuns(op, OneOp(op.code, {u8, u8}, {{DataType::kUInt8, {2, 3, 4}, Quant(0.1f, 120)}}),
                   "uint8");
  }
  OpOptions o;
  o.filter_h = o.filter_w = 3;
  o.stride_h = o.stride_w = 2;
  o.activation = Activation::kRelu6;
  for (const Op& op : kPoolOps) {
    ExpectFastRuns(op, OneOp(op.code, {{DataType::kFloat32, {1, 7, 6, 4}}},
                             {{DataType::kFloat32, {1, 4, 3, 4}}}, o),
                   "float32");
    ExpectFastRuns(op, OneOp(op.code, {{DataType::kUInt8, {1, 7, 6, 4}, Quant(0.05f, 128)}},
                             {{DataType::kUInt8, {1, 4, 3, 4}, Quant(0.05f, 128)}}, o),
                   "uint8");
  }
}

TEST(PrepareParity, BinaryOpsRefuseBadModelsAlike) {
  const TensorSpec f{DataType::kFloat32, {1, 2, 3}};
  const TensorSpec u8{DataType::kUInt8, {1, 2, 3}, kU8};
  const TensorSpec i8{DataType::kInt8, {1, 2, 3}, kI8};
  OpOptions tanh;
  tanh.activation = Activation::kTanh;
  for (const Op& op : kBinaryOps) {
    const int32_t c = op.code;
    ExpectSameError(op, OneOp(c, {f, f, f}, {f}), "expects 2 inputs, got 3", "three inputs");
    ExpectSameError(op, OneOp(c, {f}, {f}), "expects 2 inputs, got 1", "one input");
    ExpectSameError(op, OneOp(c, {f, f}, {f, f}), "expects 1 output(s), got 2", "two outputs");
    ExpectSameError(op, OneOp(c, {f, u8}, {f}), "input 2 must be float32, got uint8",
                    "mismatched input types");
    ExpectSameError(op, OneOp(c, {u8, u8}, {i8}), "output must be uint8, got int8",
                    "output type differs");
    ExpectSameError(op, OneOp(c, {u8, {DataType::kUInt8, {1, 2, 3}}}, {u8}),
                    "input 2 (uint8) has no valid quantization scale", "input 2 not quantized");
    ExpectSameError(op, OneOp(c, {i8, i8}, {{DataType::kInt8, {1, 2, 3}}}),
                    "output (int8) has no valid quantization scale", "output not quantized");
    ExpectSameError(op, OneOp(c, {f, {DataType::kFloat32, {1, 4, 3}}}, {f}),
                    "shapes [1, 2, 3] and [1, 4, 3] cannot be broadcast", "shapes");
    ExpectSameError(op, OneOp(c, {{DataType::kInt32, {4}}, {DataType::kInt32, {4}}},
                              {{DataType::kInt32, {4}}}),
                    "input type int32 is not supported", "int32");
    ExpectSameError(op, OneOp(c, {f, f}, {f}, tanh), "fused activation 4 is not supported",
                    "float TANH activation");
    ExpectSameError(op, OneOp(c, {u8, u8}, {u8}, tanh), "fused activation 4 is not supported",
                    "uint8 TANH activation");
  }
}

TEST(PrepareParity, BinaryOpsFallBackWhereXnnpackCannot) {
  OpOptions relu6;
  relu6.activation = Activation::kRelu6;
  for (const Op& op : kBinaryOps) {
    // XNNPACK's binary operators broadcast at most 4 dims: a general 5-D broadcast falls back
    // to the reference kernel; a per-channel one runs on labelite's float rows
    // (fast/binary_f32.h) from AVX2 up.
    const TensorSpec f5{DataType::kFloat32, {2, 1, 2, 3, 4}};
    ExpectFallback(op, OneOp(op.code, {f5, {DataType::kFloat32, {4}}}, {f5}, relu6),
                   "5-D per-channel broadcast",
                   xnn::ActiveIsa() >= xnn::IsaLevel::kAvx2 ? "fast" : "reference");
    ExpectFallback(op,
                   OneOp(op.code, {{DataType::kFloat32, {2, 1, 1, 3, 4}},
                                   {DataType::kFloat32, {2, 1, 1, 4}}},
                         {{DataType::kFloat32, {2, 2, 1, 3, 4}}}, relu6),
                   "5-D broadcast");
    // Input/output scale ratio 2^10, outside XNNPACK's [2^-10, 2^8) (MUL: [2^-16, 2^8)): the
    // own exact kernel (fast/quantized_arith.h).
    const TensorSpec in{DataType::kUInt8, {1, 3, 5}, Quant(1.0f, 120)};
    const TensorSpec out{DataType::kUInt8, {1, 3, 5}, Quant(1.0f / 1024, 7)};
    ExpectFallback(op, OneOp(op.code, {in, in}, {out}), "scale ratio", "fast");
  }
}

TEST(PrepareParity, PoolsRefuseBadModelsAlike) {
  const TensorSpec f{DataType::kFloat32, {1, 3, 3, 2}};
  const TensorSpec u8{DataType::kUInt8, {1, 3, 3, 2}, kU8};
  const TensorSpec fout{DataType::kFloat32, {1, 2, 2, 2}};
  OpOptions o;
  o.filter_h = o.filter_w = 2;
  o.padding = Padding::kSame;
  for (const Op& op : kPoolOps) {
    const int32_t c = op.code;
    ExpectSameError(op, OneOp(c, {f, f}, {fout}, o), "expects 1 inputs, got 2", "two inputs");
    ExpectSameError(op, OneOp(c, {f}, {fout, fout}, o), "expects 1 output(s), got 2",
                    "two outputs");
    ExpectSameError(op, OneOp(c, {{DataType::kFloat32, {3, 3, 2}}}, {fout}, o),
                    "input must have rank 4, got [3, 3, 2]", "rank-3 input");
    ExpectSameError(op, OneOp(c, {f}, {{DataType::kUInt8, {1, 2, 2, 2}, kU8}}, o),
                    "output must be float32, got uint8", "output type differs");
    ExpectSameError(op, OneOp(c, {u8}, {{DataType::kUInt8, {1, 2, 2, 2}}}, o),
                    "output (uint8) has no valid quantization scale", "output not quantized");
    ExpectSameError(op, OneOp(c, {{DataType::kInt32, {1, 3, 3, 2}}},
                              {{DataType::kInt32, {1, 2, 2, 2}}}, o),
                    "input type int32 is not supported", "int32");
    OpOptions tanh = o;
    tanh.activation = Activation::kTanh;
    ExpectSameError(op, OneOp(c, {f}, {fout}, tanh), "fused activation 4 is not supported",
                    "TANH activation");
    OpOptions too_big = o;  // a 5x4 window over an unpadded 3x3 input
    too_big.padding = Padding::kValid;
    too_big.filter_h = 5;
    too_big.filter_w = 4;
    ExpectSameError(op, OneOp(c, {f}, {fout}, too_big), "a 5x4 window does not fit the 3x3 input",
                    "window larger than the padded input");
    OpOptions zero_stride = o;
    zero_stride.stride_w = 0;
    ExpectSameError(op, OneOp(c, {f}, {fout}, zero_stride),
                    "filter 2x2 and strides 1x0 must be positive", "zero stride");
    OpOptions zero_filter = o;
    zero_filter.filter_h = 0;
    ExpectSameError(op, OneOp(c, {f}, {fout}, zero_filter),
                    "filter 0x2 and strides 1x1 must be positive", "zero filter");
  }
}

TEST(PrepareParity, PoolsFallBackWhereXnnpackCannot) {
  OpOptions one;  // XNNPACK refuses a 1x1 window (float AVERAGE_POOL_2D's own 1x1 copy takes
  one.filter_h = one.filter_w = 1;  // it instead: tests/kernels/fast_ops_test.cc)
  one.stride_h = one.stride_w = 2;
  one.activation = Activation::kRelu;
  const Op& max_pool = kPoolOps[1];
  ExpectFallback(max_pool, OneOp(max_pool.code, {{DataType::kFloat32, {2, 5, 4, 3}}},
                                 {{DataType::kFloat32, {2, 3, 2, 3}}}, one),
                 "1x1 window");
  // XNNPACK's quantized max pooling cannot requantize (output scale != input scale).
  OpOptions o;
  o.filter_h = o.filter_w = 3;
  o.stride_h = o.stride_w = 2;
  o.activation = Activation::kRelu6;
  for (DataType t : {DataType::kUInt8, DataType::kInt8}) {
    const int32_t zp = t == DataType::kUInt8 ? 128 : 0;
    ExpectFallback(kPoolOps[1],
                   OneOp(17, {{t, {1, 7, 6, 4}, Quant(0.05f, zp)}},
                         {{t, {1, 4, 3, 4}, Quant(0.1f, zp)}}, o),
                   "requantizing " + std::string(DataTypeName(t)));
  }
}

}  // namespace
}  // namespace labelite

namespace labelite {
namespace {

// A FULLY_CONNECTED whose filter (and bias, unless bias is null) are constants with
// deterministic values, so that the fast path can pack them.
struct FcSpec {
  TensorSpec input, filter;
  std::optional<TensorSpec> bias;
  TensorSpec output;
};
std::vector<uint8_t> FcModel(const FcSpec& s, const OpOptions& o = {}) {
  ModelBuilder b;
  const int in = b.AddTensor(s.input.type, s.input.shape, "in", s.input.quant);
  int64_t n = 1;
  for (int32_t d : s.filter.shape) n *= d;
  const bool wide = s.filter.type == DataType::kFloat32 || s.filter.type == DataType::kInt32;
  std::vector<uint8_t> bytes(static_cast<size_t>(n) * (wide ? 4 : 1));
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>((i * 53 + 7) % 251);
  if (s.filter.type == DataType::kFloat32) {
    for (size_t i = 0; i < bytes.size() / 4; ++i) {
      const float v = 0.01f * static_cast<float>(static_cast<int>(i % 37) - 18);
      std::memcpy(&bytes[4 * i], &v, 4);
    }
  }
  if (s.filter.type == DataType::kInt8)  // symmetric int8 weights: no -128
    for (auto& v : bytes) v = v == 0x80 ? 0x81 : v;
  const int w = b.AddConstTensorBytes(s.filter.type, s.filter.shape, bytes, s.filter.quant);
  int bias = -1;
  if (s.bias) {
    int64_t count = 1;
    for (int32_t d : s.bias->shape) count *= d;
    if (s.bias->type == DataType::kFloat32) {
      bias = b.AddConstTensor<float>(s.bias->type, s.bias->shape,
                                     std::vector<float>(static_cast<size_t>(count), 0.25f),
                                     s.bias->quant);
    } else {
      std::vector<int32_t> v(static_cast<size_t>(count));
      for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>(i * 97 % 601) - 300;
      bias = b.AddConstTensor<int32_t>(s.bias->type, s.bias->shape, v, s.bias->quant);
    }
  }
  const int out = b.AddTensor(s.output.type, s.output.shape, "out", s.output.quant);
  b.AddOperator(kFullyConnected.code, {in, w, bias}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

const TensorSpec kFcIn{DataType::kFloat32, {2, 6}};
const TensorSpec kFcW{DataType::kFloat32, {3, 6}};
const TensorSpec kFcB{DataType::kFloat32, {3}};
const TensorSpec kFcOut{DataType::kFloat32, {2, 3}};
const TensorSpec kFcInU8{DataType::kUInt8, {2, 6}, Quant(0.05f, 128)};
const TensorSpec kFcWU8{DataType::kUInt8, {3, 6}, Quant(0.02f, 120)};
const TensorSpec kFcBU8{DataType::kInt32, {3}, Quant(0.05f * 0.02f, 0)};
const TensorSpec kFcOutU8{DataType::kUInt8, {2, 3}, Quant(0.1f, 100)};

TEST(PrepareParity, FullyConnectedRunsOnTheFastPath) {
  const Op& op = kFullyConnected;
  OpOptions relu;
  relu.activation = Activation::kRelu;
  ExpectFastRuns(op, FcModel({kFcIn, kFcW, kFcB, kFcOut}, relu), "float32");
  ExpectFastRuns(op, FcModel({kFcInU8, kFcWU8, kFcBU8, kFcOutU8}, relu), "uint8 per-tensor");
  // int8, per-channel weights, a 3-D input kept as [1, 5, units] (ViT's token layers): on
  // labelite's own GEMMs from AVX2 up; below (arm64, LABELITE_ISA=xnnpack) XNNPACK has no
  // per-channel fully connected operator and the reference runs it.
  OpOptions keep;
  keep.keep_num_dims = true;
  keep.activation = Activation::kRelu6;
  const std::vector<float> scales = {0.01f, 0.02f, 0.015f, 0.03f};
  std::vector<float> bias_scales;
  for (float s : scales) bias_scales.push_back(0.05f * s);
  const std::vector<uint8_t> per_channel =
      FcModel({{DataType::kInt8, {1, 5, 8}, Quant(0.05f, -3)},
               {DataType::kInt8, {4, 8}, testing::PerChannelQuant(scales, 0)},
               TensorSpec{DataType::kInt32, {4}, testing::PerChannelQuant(bias_scales, 0)},
               {DataType::kInt8, {1, 5, 4}, Quant(0.02f, 5)}},
              keep);
  if (xnn::ActiveIsa() >= xnn::IsaLevel::kAvx2)
    ExpectFastRuns(op, per_channel, "int8 per-channel, keep_num_dims");
  else
    ExpectFallback(op, per_channel, "int8 per-channel, keep_num_dims, no own GEMM");
  ExpectFastRuns(op,
                 FcModel({{DataType::kInt8, {3, 2, 8}, Quant(0.05f, 10)},
                          {DataType::kInt8, {4, 8}, Quant(0.01f, 0)}, std::nullopt,
                          {DataType::kInt8, {6, 4}, Quant(0.02f, -20)}}),
                 "int8 per-tensor, 3-D input flattened, no bias");
}

TEST(PrepareParity, FullyConnectedRefusesBadModelsAlike) {
  const Op& op = kFullyConnected;
  auto same = [&](const FcSpec& s, const std::string& expected, const std::string& what,
                  const OpOptions& o = {}) { ExpectSameError(op, FcModel(s, o), expected, what); };
  ExpectSameError(op, OneOp(op.code, {kFcIn}, {kFcOut}), "expects 2 to 3 inputs, got 1",
                  "one input");
  same({kFcIn, {DataType::kFloat32, {3, 2, 3}}, kFcB, kFcOut},
       "filter must have rank 2, got [3, 2, 3]", "3-D filter");
  same({{DataType::kFloat32, {2, 5}}, {DataType::kFloat32, {3, 4}}, kFcB, kFcOut},
       "input [2, 5] cannot be read as rows of 4 (the filter's depth)", "depth mismatch");
  OpOptions keep;
  keep.keep_num_dims = true;
  same({kFcIn, {DataType::kFloat32, {3, 3}}, kFcB, {DataType::kFloat32, {2, 3}}},
       "keep_num_dims needs the input's last dimension (6) to equal the filter's depth (3)",
       "keep_num_dims with another depth", keep);
  OpOptions shuffled;
  shuffled.weights_format = 1;
  same({kFcInU8, kFcWU8, kFcBU8, kFcOutU8}, "shuffled weights format 1 is not supported",
       "shuffled weights", shuffled);
  same({kFcIn, kFcW, TensorSpec{DataType::kFloat32, {2}}, kFcOut}, "bias has 2 elements [2], expected 3",
       "float bias of the wrong size");
  same({kFcInU8, kFcWU8, kFcBU8, {DataType::kInt8, {2, 3}, Quant(0.1f, 0)}},
       "output must be uint8, got int8", "output type differs");
  same({kFcInU8, kFcWU8, kFcBU8, {DataType::kUInt8, {2, 3}}},
       "output (uint8) has no valid quantization scale", "output not quantized");
  same({kFcInU8, kFcWU8, TensorSpec{DataType::kInt32, {3}, Quant(0.5f, 0)}, kFcOutU8},
       "is not input scale * filter scale", "bias scale");
  same({kFcInU8, kFcWU8, TensorSpec{DataType::kFloat32, {3}}, kFcOutU8},
       "bias must be int32, got float32", "float bias of a quantized op");
  const TensorSpec i8{DataType::kInt8, {2, 6}, Quant(0.05f, 0)};
  const TensorSpec i8_out{DataType::kInt8, {2, 3}, Quant(0.1f, 0)};
  // (The model reader already refuses per-channel scales that do not match their axis.)
  same({{DataType::kInt8, {2, 3}, Quant(0.05f, 0)},
        {DataType::kInt8, {3, 3}, testing::PerChannelQuant({0.1f, 0.2f, 0.3f}, 1)},
        std::nullopt, i8_out},
       "filter is quantized along axis 1, expected axis 0", "per-channel axis");
  same({i8, {DataType::kInt8, {3, 6}, Quant(0.1f, 3)}, std::nullopt, i8_out},
       "int8 filter has a nonzero zero point", "int8 weights with a zero point");
  same({kFcInU8, {DataType::kUInt8, {3, 6}, testing::PerChannelQuant({0.1f, 0.2f, 0.3f}, 0)},
        std::nullopt, kFcOutU8},
       "per-channel quantized filters must be int8, got uint8", "uint8 per-channel weights");
  OpOptions tanh;
  tanh.activation = Activation::kTanh;
  same({kFcIn, kFcW, kFcB, kFcOut}, "fused activation 4 is not supported", "float TANH", tanh);
  same({kFcInU8, kFcWU8, kFcBU8, kFcOutU8}, "fused activation 4 is not supported", "uint8 TANH",
       tanh);
  same({{DataType::kInt32, {2, 6}}, {DataType::kInt32, {3, 6}}, std::nullopt,
        {DataType::kInt32, {2, 3}}},
       "input type int32 is not supported", "int32");
}

TEST(PrepareParity, FullyConnectedFallsBackWhereTheFastPathCannot) {
  const Op& op = kFullyConnected;
  // Weights computed at run time (a graph input) cannot be packed at Prepare.
  ExpectFallback(op, OneOp(op.code, {kFcInU8, kFcWU8}, {kFcOutU8}), "uint8, weights as input");
  ExpectFallback(op, OneOp(op.code, {kFcIn, kFcW}, {kFcOut}), "float32, weights as input");
  // float32 activations with int8 weights: the dynamic-range (hybrid) arithmetic.
  ExpectFallback(op,
                 FcModel({kFcIn, {DataType::kInt8, {3, 6}, Quant(0.02f, 0)}, kFcB, kFcOut}),
                 "hybrid");
}

}  // namespace
}  // namespace labelite
