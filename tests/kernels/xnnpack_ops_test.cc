// XNNPACK kernels against the reference kernels (the oracle) on single-op models.
// Each case builds a one-operator .tflite with ModelBuilder, runs it on both paths with the
// same pseudo-random input, checks that the fast path really ran on XNNPACK, and compares:
//   - float32: within 1e-5 relative to the output's magnitude;
//   - quantized conv/FC/add/mul/mean: within 1 unit, because XNNPACK requantizes in fp32
//     (round to nearest even) where TFLite's builtin kernels use fixed-point multipliers;
//   - max pooling, clamps: exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <set>

#include "runtime/interpreter.h"
#include "testing/model_builder.h"

namespace labelite {

#define DECLARE_KERNELS(stem)                       \
  std::unique_ptr<Kernel> CreateReference##stem(); \
  std::unique_ptr<Kernel> CreateXnnpack##stem();
DECLARE_KERNELS(Conv2D)
DECLARE_KERNELS(DepthwiseConv2D)
DECLARE_KERNELS(FullyConnected)
DECLARE_KERNELS(Add)
DECLARE_KERNELS(Mul)
DECLARE_KERNELS(Softmax)
DECLARE_KERNELS(MaxPool2D)
DECLARE_KERNELS(AveragePool2D)
DECLARE_KERNELS(Mean)
DECLARE_KERNELS(HardSwish)
DECLARE_KERNELS(Relu6)
DECLARE_KERNELS(Pad)
#undef DECLARE_KERNELS

namespace {

using testing::ModelBuilder;
using testing::PerChannelQuant;
using testing::Quant;

constexpr int32_t kAdd = 0, kAveragePool = 1, kConv = 3, kDepthwise = 4, kFullyConnected = 9,
                  kMaxPool = 17, kMul = 18, kRelu6 = 21, kSoftmax = 25, kPad = 34, kMean = 40,
                  kHardSwish = 117;

double ValueAt(const Tensor& t, size_t i) {
  switch (t.type) {
    case DataType::kFloat32: return t.data_as<float>()[i];
    case DataType::kUInt8: return t.data_as<uint8_t>()[i];
    case DataType::kInt8: return t.data_as<int8_t>()[i];
    default: return NAN;
  }
}

void FillRandom(Tensor* t, std::mt19937* rng) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> real(-2.0f, 2.0f);
  for (int64_t i = 0; i < t->NumElements(); ++i) {
    if (t->type == DataType::kFloat32) t->data_as<float>()[i] = real(*rng);
    else t->data[i] = static_cast<uint8_t>(byte(*rng));
  }
}

template <typename T>
std::vector<T> RandomValues(size_t n, int lo, int hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}
std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Runs `model` on both paths; returns the largest output difference (in output units).
double FastVsReference(const std::vector<uint8_t>& model_bytes, int32_t code,
                       KernelFactory reference, KernelFactory fast, int fast_threads = 1) {
  auto model = Model::FromBytes(model_bytes, "single-op");
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return INFINITY;
  ListOpResolver resolver({{code, "OP", reference, fast}});
  std::unique_ptr<Interpreter> interps[2];
  for (int p = 0; p < 2; ++p) {
    auto it = Interpreter::Create(*model, resolver,
                                  {p == 0 ? KernelPath::kFast : KernelPath::kReference,
                                   p == 0 ? fast_threads : 1});
    EXPECT_TRUE(it.ok()) << it.status().message();
    if (!it.ok()) return INFINITY;
    interps[p] = std::move(*it);
    std::mt19937 rng(1234);
    for (int i = 0; i < interps[p]->num_inputs(); ++i) FillRandom(interps[p]->input(i), &rng);
    EXPECT_TRUE(interps[p]->Invoke().ok());
  }
  // The fast path ran it: XNNPACK or one of labelite's own kernels (fast_conv.h), not the
  // reference fallback.
  EXPECT_STRNE(interps[0]->KernelPathOf(0), "reference");
  const Tensor& a = *interps[0]->output(0);
  const Tensor& b = *interps[1]->output(0);
  EXPECT_EQ(a.dims, b.dims);
  double diff = 0, magnitude = 1e-30;
  for (int64_t i = 0; i < b.NumElements(); ++i) {
    diff = std::max(diff, std::fabs(ValueAt(a, i) - ValueAt(b, i)));
    magnitude = std::max(magnitude, std::fabs(ValueAt(b, i)));
  }
  return a.type == DataType::kFloat32 ? diff / std::max(1.0, magnitude) : diff;
}

// A convolution (or depthwise convolution with multiplier `mult`) of a [1,h,w,cin] input.
std::vector<uint8_t> ConvModel(DataType type, bool depthwise, int h, int w, int cin, int cout,
                               int k, int stride, Padding padding, Activation act,
                               bool per_channel) {
  ModelBuilder b;
  const bool q = type != DataType::kFloat32;
  const int zp = type == DataType::kUInt8 ? 128 : 0;
  const int in = b.AddTensor(type, {1, h, w, cin}, "in", q ? Quant(0.05f, zp + 3) : QuantizationParams{});
  const std::vector<int32_t> fshape = depthwise ? std::vector<int32_t>{1, k, k, cout}
                                                : std::vector<int32_t>{cout, k, k, cin};
  const size_t fn = static_cast<size_t>(k * k * cout * (depthwise ? 1 : cin));
  int filter, bias;
  if (!q) {
    filter = b.AddConstTensor<float>(type, fshape, RandomFloats(fn, 1));
    bias = b.AddConstTensor<float>(DataType::kFloat32, {cout}, RandomFloats(cout, 2));
  } else {
    std::vector<float> scales(static_cast<size_t>(cout));
    for (int c = 0; c < cout; ++c) scales[c] = 0.01f + 0.002f * c;
    QuantizationParams fq = per_channel ? PerChannelQuant(scales, depthwise ? 3 : 0)
                                        : Quant(0.02f, type == DataType::kUInt8 ? 120 : 0);
    filter = type == DataType::kUInt8
                 ? b.AddConstTensor<uint8_t>(type, fshape, RandomValues<uint8_t>(fn, 0, 255, 1), fq)
                 : b.AddConstTensor<int8_t>(type, fshape, RandomValues<int8_t>(fn, -127, 127, 1), fq);
    bias = b.AddConstTensor<int32_t>(DataType::kInt32, {cout},
                                     RandomValues<int32_t>(cout, -500, 500, 2), Quant(0.001f, 0));
  }
  const int out = b.AddTensor(type, {1, 1, 1, cout}, "out", q ? Quant(0.3f, zp - 5) : QuantizationParams{});
  OpOptions o;
  o.stride_h = o.stride_w = stride;
  o.padding = padding;
  o.activation = act;
  o.depth_multiplier = depthwise ? cout / cin : 1;
  b.AddOperator(depthwise ? kDepthwise : kConv, {in, filter, bias}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

TEST(XnnpackOps, Conv2DFloat) {
  for (int stride : {1, 2})
    for (Padding p : {Padding::kSame, Padding::kValid})
      EXPECT_LE(FastVsReference(ConvModel(DataType::kFloat32, false, 13, 11, 3, 17, 3, stride, p,
                                          Activation::kRelu6, false),
                                kConv, &CreateReferenceConv2D, &CreateXnnpackConv2D),
                1e-5);
}

TEST(XnnpackOps, Conv2DQuantized) {
  for (DataType t : {DataType::kUInt8, DataType::kInt8})
    for (bool pc : {false, true}) {
      if (t == DataType::kUInt8 && pc) continue;
      for (Activation a : {Activation::kNone, Activation::kRelu6})
        EXPECT_LE(FastVsReference(ConvModel(t, false, 9, 10, 8, 19, 3, 2, Padding::kSame, a, pc),
                                  kConv, &CreateReferenceConv2D, &CreateXnnpackConv2D),
                  1.0)
            << DataTypeName(t) << " per-channel " << pc;
    }
}

TEST(XnnpackOps, DepthwiseConv2D) {
  for (DataType t : {DataType::kFloat32, DataType::kUInt8, DataType::kInt8})
    for (int mult : {1, 2})
      for (int stride : {1, 2}) {
        const bool pc = t == DataType::kInt8;
        const double d = FastVsReference(
            ConvModel(t, true, 12, 9, 7, 7 * mult, 3, stride, Padding::kSame, Activation::kRelu6, pc),
            kDepthwise, &CreateReferenceDepthwiseConv2D, &CreateXnnpackDepthwiseConv2D);
        EXPECT_LE(d, t == DataType::kFloat32 ? 1e-5 : 1.0) << DataTypeName(t) << " x" << mult;
      }
}

std::vector<uint8_t> FullyConnectedModel(DataType type, int batch, int k, int n) {
  ModelBuilder b;
  const bool q = type != DataType::kFloat32;
  const int zp = type == DataType::kUInt8 ? 128 : 0;
  const int in = b.AddTensor(type, {batch, k}, "in", q ? Quant(0.05f, zp + 1) : QuantizationParams{});
  int w, bias;
  if (!q) {
    w = b.AddConstTensor<float>(type, {n, k}, RandomFloats(static_cast<size_t>(n * k), 3));
    bias = b.AddConstTensor<float>(type, {n}, RandomFloats(n, 4));
  } else {
    w = type == DataType::kUInt8
            ? b.AddConstTensor<uint8_t>(type, {n, k}, RandomValues<uint8_t>(n * k, 0, 255, 3), Quant(0.01f, 127))
            : b.AddConstTensor<int8_t>(type, {n, k}, RandomValues<int8_t>(n * k, -127, 127, 3), Quant(0.01f, 0));
    bias = b.AddConstTensor<int32_t>(DataType::kInt32, {n}, RandomValues<int32_t>(n, -300, 300, 4), Quant(0.0005f, 0));
  }
  const int out = b.AddTensor(type, {batch, n}, "out", q ? Quant(0.2f, zp) : QuantizationParams{});
  b.AddOperator(kFullyConnected, {in, w, bias}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

TEST(XnnpackOps, FullyConnected) {
  for (DataType t : {DataType::kFloat32, DataType::kUInt8, DataType::kInt8})
    EXPECT_LE(FastVsReference(FullyConnectedModel(t, 3, 37, 21), kFullyConnected,
                              &CreateReferenceFullyConnected, &CreateXnnpackFullyConnected),
              t == DataType::kFloat32 ? 1e-5 : 1.0)
        << DataTypeName(t);
}

// A two-input elementwise op; the second input is broadcast over H and W.
std::vector<uint8_t> BinaryModel(int32_t code, DataType type) {
  ModelBuilder b;
  const bool q = type != DataType::kFloat32;
  const int zp = type == DataType::kUInt8 ? 128 : 0;
  const int a = b.AddTensor(type, {1, 5, 6, 7}, "a", q ? Quant(0.04f, zp + 2) : QuantizationParams{});
  const int c = b.AddTensor(type, {1, 1, 1, 7}, "b", q ? Quant(0.03f, zp - 4) : QuantizationParams{});
  const int out = b.AddTensor(type, {1, 5, 6, 7}, "out", q ? Quant(0.08f, zp + 1) : QuantizationParams{});
  OpOptions o;
  o.activation = Activation::kRelu;
  b.AddOperator(code, {a, c}, {out}, o);
  b.SetInputs({a, c});
  b.SetOutputs({out});
  return b.Build();
}

TEST(XnnpackOps, AddAndMul) {
  for (DataType t : {DataType::kFloat32, DataType::kUInt8, DataType::kInt8}) {
    const double tol = t == DataType::kFloat32 ? 1e-5 : 1.0;
    EXPECT_LE(FastVsReference(BinaryModel(kAdd, t), kAdd, &CreateReferenceAdd, &CreateXnnpackAdd), tol)
        << DataTypeName(t);
    EXPECT_LE(FastVsReference(BinaryModel(kMul, t), kMul, &CreateReferenceMul, &CreateXnnpackMul), tol)
        << DataTypeName(t);
  }
}

// Same-shape ADD and MUL big enough for BinaryKernel's chunks (XNNPACK runs a same-shape
// operation as one task; the kernel splits it into per-chunk operators run by the pool): with
// 2 and 3 threads every invoke gives the bytes of the 1-thread run, which makes one call. The
// length is no multiple of the chunks' 64-element alignment, and the chunks' edges fall inside
// rows. (Float same-shape ADD and MUL take labelite's own rows first; uint8/int8 reach XNNPACK.)
std::vector<uint8_t> SameShapeModel(int32_t code, DataType type, int h, int w, int c) {
  ModelBuilder b;
  const int zp = type == DataType::kUInt8 ? 128 : 0;
  const int a = b.AddTensor(type, {1, h, w, c}, "a", Quant(0.04f, zp + 2));
  const int d = b.AddTensor(type, {1, h, w, c}, "b", Quant(0.03f, zp - 4));
  const int out = b.AddTensor(type, {1, h, w, c}, "out", Quant(0.06f, zp + 1));
  OpOptions o;
  o.activation = Activation::kRelu6;
  b.AddOperator(code, {a, d}, {out}, o);
  b.SetInputs({a, d});
  b.SetOutputs({out});
  return b.Build();
}

TEST(XnnpackOps, SameShapeBinaryInChunksMatchesOneCall) {
  for (int32_t code : {kAdd, kMul})
    for (DataType t : {DataType::kUInt8, DataType::kInt8}) {
      SCOPED_TRACE(::testing::Message() << (code == kAdd ? "ADD " : "MUL ") << DataTypeName(t));
      auto model = Model::FromBytes(SameShapeModel(code, t, 37, 41, 13), "same-shape");
      ASSERT_TRUE(model.ok()) << model.status().message();
      ListOpResolver resolver({{code, "OP", code == kAdd ? &CreateReferenceAdd : &CreateReferenceMul,
                                code == kAdd ? &CreateXnnpackAdd : &CreateXnnpackMul}});
      std::vector<std::vector<uint8_t>> want;  // per invoke, 1 thread
      for (int threads : {1, 2, 3}) {
        auto it = Interpreter::Create(*model, resolver, {KernelPath::kFast, threads});
        ASSERT_TRUE(it.ok()) << it.status().message();
        Interpreter& interp = **it;
        ASSERT_STREQ(interp.KernelPathOf(0), "xnnpack");
        for (int invoke = 0; invoke < 4; ++invoke) {
          std::mt19937 rng(77 + invoke);
          for (int i = 0; i < 2; ++i) FillRandom(interp.input(i), &rng);
          ASSERT_TRUE(interp.Invoke().ok());
          const Tensor& out = *interp.output(0);
          std::vector<uint8_t> bytes(out.data, out.data + out.bytes);
          if (threads == 1) {
            want.push_back(bytes);
            continue;
          }
          ASSERT_EQ(bytes.size(), want[invoke].size());
          size_t mismatches = 0;
          for (size_t i = 0; i < bytes.size(); ++i) mismatches += bytes[i] != want[invoke][i];
          EXPECT_EQ(mismatches, 0u) << "threads " << threads << ", invoke " << invoke;
        }
      }
      // Not a constant: the inputs reach the output.
      std::set<uint8_t> distinct(want[0].begin(), want[0].end());
      EXPECT_GT(distinct.size(), 20u);
    }
}

// A single-input op of the same shape and quantization in and out (unless `out_quant`).
std::vector<uint8_t> UnaryModel(int32_t code, DataType type, std::vector<int32_t> in_shape,
                                std::vector<int32_t> out_shape, const OpOptions& o = {},
                                int axes_tensor_values = 0) {
  ModelBuilder b;
  const bool q = type != DataType::kFloat32;
  const QuantizationParams qp = q ? Quant(0.05f, type == DataType::kUInt8 ? 130 : 2) : QuantizationParams{};
  const int in = b.AddTensor(type, in_shape, "in", qp);
  const int out = b.AddTensor(type, out_shape, "out", q ? Quant(code == kMean ? 0.02f : 0.05f, type == DataType::kUInt8 ? 130 : 2) : QuantizationParams{});
  std::vector<int32_t> inputs = {in};
  if (axes_tensor_values) inputs.push_back(b.AddConstTensor<int32_t>(DataType::kInt32, {2}, {1, 2}));
  b.AddOperator(code, inputs, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

TEST(XnnpackOps, PoolingMeanAndActivations) {
  OpOptions pool;
  pool.filter_h = pool.filter_w = 3;
  pool.stride_h = pool.stride_w = 2;
  pool.padding = Padding::kSame;
  for (DataType t : {DataType::kFloat32, DataType::kUInt8, DataType::kInt8})
    EXPECT_EQ(FastVsReference(UnaryModel(kMaxPool, t, {1, 11, 10, 5}, {1, 6, 5, 5}, pool),
                              kMaxPool, &CreateReferenceMaxPool2D, &CreateXnnpackMaxPool2D),
              0.0)
        << DataTypeName(t);
  EXPECT_LE(FastVsReference(UnaryModel(kAveragePool, DataType::kFloat32, {1, 11, 10, 5}, {1, 6, 5, 5}, pool),
                            kAveragePool, &CreateReferenceAveragePool2D, &CreateXnnpackAveragePool2D),
            1e-5);
  // Quantized average pooling: labelite's own loop (XNNPACK rounds differently), exactly
  // TFLite's builtin arithmetic: a padded window, a global 7x7 pool over more channels than one
  // chunk of the loop, and both with a thread pool.
  OpOptions global;
  global.filter_h = global.filter_w = 7;
  global.stride_h = global.stride_w = 1;
  global.padding = Padding::kValid;
  for (int threads : {1, 3})
    for (DataType t : {DataType::kUInt8, DataType::kInt8}) {
      EXPECT_EQ(FastVsReference(UnaryModel(kAveragePool, t, {2, 11, 10, 5}, {2, 6, 5, 5}, pool),
                                kAveragePool, &CreateReferenceAveragePool2D,
                                &CreateXnnpackAveragePool2D, threads),
                0.0)
          << DataTypeName(t) << ", threads " << threads;
      EXPECT_EQ(FastVsReference(UnaryModel(kAveragePool, t, {1, 7, 7, 1100}, {1, 1, 1, 1100}, global),
                                kAveragePool, &CreateReferenceAveragePool2D,
                                &CreateXnnpackAveragePool2D, threads),
                0.0)
          << DataTypeName(t) << ", threads " << threads;
    }
  OpOptions keep;
  keep.keep_dims = true;
  for (DataType t : {DataType::kFloat32, DataType::kUInt8, DataType::kInt8})
    EXPECT_LE(FastVsReference(UnaryModel(kMean, t, {1, 7, 7, 13}, {1, 1, 1, 13}, keep, 1), kMean,
                              &CreateReferenceMean, &CreateXnnpackMean),
              t == DataType::kFloat32 ? 1e-5 : 1.0)
        << DataTypeName(t);
  EXPECT_LE(FastVsReference(UnaryModel(kSoftmax, DataType::kFloat32, {2, 1001}, {2, 1001}),
                            kSoftmax, &CreateReferenceSoftmax, &CreateXnnpackSoftmax),
            1e-5);
  EXPECT_LE(FastVsReference(UnaryModel(kHardSwish, DataType::kFloat32, {1, 4, 4, 9}, {1, 4, 4, 9}),
                            kHardSwish, &CreateReferenceHardSwish, &CreateXnnpackHardSwish),
            1e-5);
  for (DataType t : {DataType::kFloat32, DataType::kUInt8, DataType::kInt8})
    EXPECT_EQ(FastVsReference(UnaryModel(kRelu6, t, {1, 4, 4, 9}, {1, 4, 4, 9}), kRelu6,
                              &CreateReferenceRelu6, &CreateXnnpackRelu6),
              0.0)
        << DataTypeName(t);
}

}  // namespace
}  // namespace labelite
