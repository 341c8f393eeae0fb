// The fast paths of RELU/RELU6/RELU_N1_TO_1 (requantizing uint8/int8), GELU, SQUARED_DIFFERENCE,
// TRANSPOSE, STRIDED_SLICE, float BATCH_MATMUL, quantized trailing MEAN and the
// quantized AVERAGE_POOL_2D's division by a reciprocal against the reference kernels (the oracle),
// on single-op models with the shapes and quantizations of the zoo models that run them
// (NASNet's int8 RELUs and slices, ViT's attention transposes, matmuls and layer-norm means,
// ConvNeXt's GELUs and layer norms), at every ISA level the CPU has (xnn::SetIsaLimit).
//   - Quantized outputs and data movement must be byte-identical.
//   - Float SQUARED_DIFFERENCE and BATCH_MATMUL must also be bit-identical (the same float
//     operations in the same order, no FMA contraction).
//   - Float GELU uses its own erfc / exp (gelu_f32.h): it must stay within 1e-6 * max(1, |x|)
//     of the reference's std::erfc / std::tanh. The stated model-level bound is 1e-4 of the
//     output range (LiteRT's own builtin-versus-XNNPACK difference); this is 100x tighter.
// Each case also checks that the fast path really ran (the kernel's path name).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/isa.h"
#include "runtime/interpreter.h"
#include "testing/interpreter_inputs.h"
#include "testing/model_builder.h"

namespace labelite {

#define DECLARE_KERNELS(stem)                       \
  std::unique_ptr<Kernel> CreateReference##stem(); \
  std::unique_ptr<Kernel> CreateXnnpack##stem();
DECLARE_KERNELS(Relu)
DECLARE_KERNELS(Relu6)
DECLARE_KERNELS(ReluN1To1)
DECLARE_KERNELS(Gelu)
DECLARE_KERNELS(SquaredDifference)
DECLARE_KERNELS(Transpose)
DECLARE_KERNELS(StridedSlice)
DECLARE_KERNELS(BatchMatMul)
DECLARE_KERNELS(Mean)
DECLARE_KERNELS(AveragePool2D)
DECLARE_KERNELS(Softmax)
#undef DECLARE_KERNELS

namespace {

using testing::ModelBuilder;
using testing::Quant;
using xnn::IsaLevel;

struct Op {
  int32_t code;
  const char* name;
  KernelFactory reference, fast;
};
const Op kRelu{19, "RELU", &CreateReferenceRelu, &CreateXnnpackRelu};
const Op kRelu6{21, "RELU6", &CreateReferenceRelu6, &CreateXnnpackRelu6};
const Op kReluN1To1{20, "RELU_N1_TO_1", &CreateReferenceReluN1To1, &CreateXnnpackReluN1To1};
const Op kGelu{150, "GELU", &CreateReferenceGelu, &CreateXnnpackGelu};
const Op kSquaredDifference{99, "SQUARED_DIFFERENCE", &CreateReferenceSquaredDifference,
                            &CreateXnnpackSquaredDifference};
const Op kTranspose{39, "TRANSPOSE", &CreateReferenceTranspose, &CreateXnnpackTranspose};
const Op kStridedSlice{45, "STRIDED_SLICE", &CreateReferenceStridedSlice,
                       &CreateXnnpackStridedSlice};
const Op kBatchMatMul{126, "BATCH_MATMUL", &CreateReferenceBatchMatMul, &CreateXnnpackBatchMatMul};
const Op kMean{40, "MEAN", &CreateReferenceMean, &CreateXnnpackMean};
const Op kAveragePool{1, "AVERAGE_POOL_2D", &CreateReferenceAveragePool2D,
                      &CreateXnnpackAveragePool2D};
const Op kSoftmax{25, "SOFTMAX", &CreateReferenceSoftmax, &CreateXnnpackSoftmax};

struct Run {
  std::vector<uint8_t> bytes;
  std::vector<int32_t> dims;
  std::string path;
};

Run RunModel(const std::vector<uint8_t>& model_bytes, const Op& op, KernelPath path,
             const std::vector<std::vector<uint8_t>>& inputs) {
  Run r;
  auto model = Model::FromBytes(model_bytes, "single-op");
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return r;
  ListOpResolver resolver({{op.code, op.name, op.reference, op.fast}});
  auto it = Interpreter::Create(*model, resolver, {path, 1});
  EXPECT_TRUE(it.ok()) << it.status().message();
  if (!it.ok()) return r;
  if (!testing::CopyInputs(**it, inputs)) return r;
  const Status s = (*it)->Invoke();
  EXPECT_TRUE(s.ok()) << s.message();
  const Tensor& out = *(*it)->output(0);
  if (out.bytes > 0) r.bytes.assign(out.data, out.data + out.bytes);
  r.dims = out.dims;
  r.path = (*it)->KernelPathOf(0);
  return r;
}

// Random input bytes for a tensor of `n` elements of `type`; floats in [-range, range] with a
// few special values (0, +-tiny, +-large) at the start.
std::vector<uint8_t> RandomBytes(DataType type, int64_t n, float range, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes(static_cast<size_t>(n) * DataTypeSize(type));
  if (type == DataType::kFloat32) {
    std::uniform_real_distribution<float> real(-range, range);
    const float special[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 30.0f, -30.0f, 1e4f, -1e4f, 3.0f, -3.0f};
    for (int64_t i = 0; i < n; ++i) {
      const float v = i < 10 ? special[i] : real(rng);
      std::memcpy(bytes.data() + i * 4, &v, 4);
    }
  } else {
    std::uniform_int_distribution<int> byte(0, 255);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(byte(rng));
  }
  return bytes;
}

// Runs the model on the reference and on the fast path at every ISA level. Returns the
// reference output and checks: the fast path named `want_path` ran, the dims agree, and the
// bytes are equal (float_tolerance < 0) or each float within float_tolerance * max(1, |ref|).
void ExpectFastMatches(const std::vector<uint8_t>& model, const Op& op,
                       const std::vector<std::vector<uint8_t>>& inputs, const char* want_path,
                       float float_tolerance = -1.0f) {
  testing::IsaLevelGuard guard;
  const Run ref = RunModel(model, op, KernelPath::kReference, inputs);
  ASSERT_EQ(ref.path, "reference");
  for (IsaLevel level : testing::SupportedIsaLevels()) {
    SCOPED_TRACE(std::string(op.name) + " at ISA level " + xnn::IsaLevelName(level));
    xnn::SetIsaLimit(level);
    const Run fast = RunModel(model, op, KernelPath::kFast, inputs);
    EXPECT_EQ(fast.path, want_path);
    EXPECT_EQ(fast.dims, ref.dims);
    ASSERT_EQ(fast.bytes.size(), ref.bytes.size());
    if (float_tolerance < 0) {
      size_t mismatches = 0;
      for (size_t i = 0; i < ref.bytes.size(); ++i)
        if (fast.bytes[i] != ref.bytes[i] && ++mismatches <= 5)
          ADD_FAILURE() << "byte " << i << ": fast " << int{fast.bytes[i]} << ", reference "
                        << int{ref.bytes[i]};
      EXPECT_EQ(mismatches, 0u);
      continue;
    }
    const size_t n = ref.bytes.size() / 4;
    std::vector<float> a(n), b(n), x(n);
    std::memcpy(a.data(), fast.bytes.data(), n * 4);
    std::memcpy(b.data(), ref.bytes.data(), n * 4);
    std::memcpy(x.data(), inputs[0].data(), n * 4);
    float worst = 0.0f;
    for (size_t i = 0; i < n; ++i) {
      const float err = std::fabs(a[i] - b[i]) / std::max(1.0f, std::fabs(x[i]));
      worst = std::max(worst, err);
      if (!(err <= float_tolerance)) {
        ADD_FAILURE() << "element " << i << " x=" << x[i] << ": fast " << a[i] << ", reference "
                      << b[i];
        break;
      }
    }
    char worst_text[32];
    std::snprintf(worst_text, sizeof worst_text, "%.3g", static_cast<double>(worst));
    ::testing::Test::RecordProperty(std::string("worst_relative_error_") + xnn::IsaLevelName(level),
                                    worst_text);
  }
}

QuantizationParams QuantOrNone(DataType type, float scale, int zp) {
  return type == DataType::kFloat32 || type == DataType::kInt32 ? QuantizationParams{}
                                                                 : Quant(scale, zp);
}

// ---- RELU family ----------------------------------------------------------------------------

std::vector<uint8_t> UnaryModel(const Op& op, DataType type, std::vector<int32_t> shape,
                                float in_scale, int in_zp, float out_scale, int out_zp,
                                const OpOptions& options = {}) {
  ModelBuilder b;
  const int in = b.AddTensor(type, shape, "in", QuantOrNone(type, in_scale, in_zp));
  const int out = b.AddTensor(type, shape, "out", QuantOrNone(type, out_scale, out_zp));
  b.AddOperator(op.code, {in}, {out}, options);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

std::vector<uint8_t> AllBytes(int64_t n) {
  std::vector<uint8_t> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>(i);
  return v;
}

TEST(FastOps, RequantizingReluIsTheReferenceTable) {
  for (const Op* op : {&kRelu, &kRelu6, &kReluN1To1}) {
    // NASNet's int8 RELU (operator 3): input (0.0473, 11), output (0.0215, -128).
    ExpectFastMatches(UnaryModel(*op, DataType::kInt8, {1, 31, 31, 11}, 0.04725358f, 11,
                                 0.02146234f, -128),
                      *op, {RandomBytes(DataType::kInt8, 31 * 31 * 11, 0, 1)}, "fast (table)");
    // Every byte, uint8 and int8, a few quantizations.
    for (DataType t : {DataType::kUInt8, DataType::kInt8}) {
      const int shift = t == DataType::kInt8 ? -128 : 0;
      ExpectFastMatches(UnaryModel(*op, t, {1, 256}, 0.1f, 100 + shift, 0.02f, 10 + shift), *op,
                        {AllBytes(256)}, "fast (table)");
      ExpectFastMatches(UnaryModel(*op, t, {2, 128}, 0.01f, 255 + shift, 0.3f, 0 + shift), *op,
                        {AllBytes(256)}, "fast (table)");
    }
  }
}

TEST(FastOps, ReluWithSharedQuantizationStaysOnTheXnnpackClamp) {
  ExpectFastMatches(UnaryModel(kRelu, DataType::kInt8, {1, 256}, 0.05f, -3, 0.05f, -3), kRelu,
                    {AllBytes(256)}, "xnnpack");
  ExpectFastMatches(UnaryModel(kRelu6, DataType::kFloat32, {1, 100}, 0, 0, 0, 0), kRelu6,
                    {RandomBytes(DataType::kFloat32, 100, 10.0f, 2)}, "xnnpack");
}

// ---- GELU -----------------------------------------------------------------------------------

TEST(FastOps, GeluFloatWithinOneMillionthOfTheReference) {
  OpOptions exact, approximate;
  approximate.approximate = true;
  // ViT's [1,17,192] and ConvNeXt's [1,4,4,512]; inputs in [-8, 8] and beyond.
  for (const OpOptions& o : {exact, approximate}) {
    for (std::vector<int32_t> shape : std::vector<std::vector<int32_t>>{{1, 17, 192}, {1, 4, 4, 512}}) {
      int64_t n = 1;
      for (int32_t d : shape) n *= d;
      for (float range : {8.0f, 40.0f}) {
        ExpectFastMatches(UnaryModel(kGelu, DataType::kFloat32, shape, 0, 0, 0, 0, o), kGelu,
                          {RandomBytes(DataType::kFloat32, n, range, 3)}, "fast", 1e-6f);
      }
    }
  }
}

// XNNPACK's exact GELU (f32 vgelu rational_12_10_div), one element at a time with fused
// multiply-adds: what LiteRT's XNNPACK delegate computes.
float XnnpackGelu(float x) {
  const float kMaxAbs = 5.1638283730e+00f;
  float v = kMaxAbs < x ? kMaxAbs : x;
  v = -kMaxAbs > v ? -kMaxAbs : v;
  const float v2 = v * v;
  float p = std::fma(v2, 4.5835321316e-08f, 1.2609783880e-05f);
  for (float c : {3.2973114867e-04f, 9.3065137044e-03f, 6.6972173750e-02f, 7.9788452387e-01f})
    p = std::fma(v2, p, c);
  p = v * p;
  float q = std::fma(v2, 1.1988805682e-06f, 7.2267655923e-05f);
  for (float c : {1.8622842617e-03f, 2.8431978077e-02f, 2.5060352683e-01f, 1.0f}) q = std::fma(v2, q, c);
  return (x * 0.5f) * (p / q + 1.0f);
}

TEST(FastOps, GeluExactIsXnnpackRationalFromAvx2) {
  testing::IsaLevelGuard guard;
  const int64_t n = 4 * 1003;  // a tail after the vector blocks
  const std::vector<uint8_t> in = RandomBytes(DataType::kFloat32, n, 7.0f, 23);
  std::vector<float> x(static_cast<size_t>(n));
  std::memcpy(x.data(), in.data(), in.size());
  x[20] = std::numeric_limits<float>::infinity();
  x[21] = -std::numeric_limits<float>::infinity();
  x[22] = 5.2f, x[23] = -5.2f, x[24] = 1e-20f;
  std::vector<uint8_t> bytes(in.size());
  std::memcpy(bytes.data(), x.data(), bytes.size());
  std::vector<float> want(x.size());
  for (size_t i = 0; i < x.size(); ++i) want[i] = XnnpackGelu(x[i]);
  const std::vector<uint8_t> model = UnaryModel(kGelu, DataType::kFloat32, {4, 1003, 1}, 0, 0, 0, 0);
  for (IsaLevel level : testing::SupportedIsaLevels()) {
    if (level < IsaLevel::kAvx2) continue;  // the portable loops: GeluFloatWithinOneMillionth...
    SCOPED_TRACE(xnn::IsaLevelName(level));
    xnn::SetIsaLimit(level);
    const auto fast = RunModel(model, kGelu, KernelPath::kFast, {bytes});
    ASSERT_EQ(fast.bytes.size(), bytes.size());
    std::vector<float> got(x.size());
    std::memcpy(got.data(), fast.bytes.data(), fast.bytes.size());
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); ++i)
      if (std::memcmp(&got[i], &want[i], 4) != 0 && ++bad <= 3)
        ADD_FAILURE() << "x " << x[i] << ": " << got[i] << ", XNNPACK " << want[i];
    EXPECT_EQ(bad, 0u);
  }
}

TEST(FastOps, GeluQuantizedIsThePreparedTable) {
  for (bool approx : {false, true}) {
    OpOptions o;
    o.approximate = approx;
    ExpectFastMatches(UnaryModel(kGelu, DataType::kInt8, {1, 256}, 0.05f, 3, 0.03f, -100, o),
                      kGelu, {AllBytes(256)}, "fast (table)");
    ExpectFastMatches(UnaryModel(kGelu, DataType::kUInt8, {1, 17, 192}, 0.04f, 120, 0.02f, 20, o),
                      kGelu, {RandomBytes(DataType::kUInt8, 17 * 192, 0, 4)}, "fast (table)");
  }
}

// ---- SQUARED_DIFFERENCE ---------------------------------------------------------------------

std::vector<uint8_t> BinaryModel(const Op& op, DataType type, std::vector<int32_t> a_shape,
                                 std::vector<int32_t> b_shape, std::vector<int32_t> out_shape,
                                 const OpOptions& options = {}) {
  ModelBuilder b;
  const int a = b.AddTensor(type, a_shape, "a", QuantOrNone(type, 0.031f, 7));
  const int c = b.AddTensor(type, b_shape, "b", QuantOrNone(type, 0.017f, -20));
  const int out = b.AddTensor(type, out_shape, "out", QuantOrNone(type, 0.0042f, -128));
  b.AddOperator(op.code, {a, c}, {out}, options);
  b.SetInputs({a, c});
  b.SetOutputs({out});
  return b.Build();
}

int64_t Count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

TEST(FastOps, SquaredDifferenceIsBitIdentical) {
  struct Shapes {
    std::vector<int32_t> a, b, out;
  };
  const Shapes cases[] = {
      {{1, 17, 96}, {1, 17, 1}, {1, 17, 96}},              // ViT layer norm
      {{1, 16, 16, 32}, {1, 16, 16, 1}, {1, 16, 16, 32}},  // ConvNeXt layer norm
      {{3, 33}, {3, 33}, {3, 33}},                         // same shapes
      {{1, 1, 5}, {2, 3, 5}, {2, 3, 5}},                   // first input broadcast
      {{2, 3, 1, 5}, {1, 3, 4, 1}, {2, 3, 4, 5}},          // both broadcast, last dim too
      {{1, 256}, {1, 1}, {1, 256}},
      {{1, 17, 1}, {1, 17, 96}, {1, 17, 96}},              // first input broadcast (swapped)
      {{3, 1}, {3, 37}, {3, 37}},                          // 16-element steps and a tail
      {{2, 50}, {2, 50}, {2, 50}},
  };
  for (DataType t : {DataType::kFloat32, DataType::kInt8, DataType::kInt32}) {
    for (const Shapes& s : cases) {
      SCOPED_TRACE(std::string(DataTypeName(t)));
      ExpectFastMatches(BinaryModel(kSquaredDifference, t, s.a, s.b, s.out), kSquaredDifference,
                        {RandomBytes(t, Count(s.a), 5.0f, 5), RandomBytes(t, Count(s.b), 5.0f, 6)},
                        "fast");
    }
  }
}

// ---- TRANSPOSE ------------------------------------------------------------------------------

std::vector<uint8_t> TransposeModel(DataType type, std::vector<int32_t> shape,
                                    std::vector<int32_t> perm) {
  std::vector<int32_t> out_shape;
  for (int32_t p : perm) out_shape.push_back(shape[static_cast<size_t>(p)]);
  ModelBuilder b;
  const int in = b.AddTensor(type, shape, "in", QuantOrNone(type, 0.1f, 3));
  const int p = b.AddConstTensor<int32_t>(DataType::kInt32, {static_cast<int32_t>(perm.size())}, perm);
  const int out = b.AddTensor(type, out_shape, "out", QuantOrNone(type, 0.1f, 3));
  b.AddOperator(kTranspose.code, {in, p}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

TEST(FastOps, TransposeIsBitIdentical) {
  struct Case {
    std::vector<int32_t> shape, perm;
  };
  const Case cases[] = {
      {{1, 17, 3, 32}, {0, 2, 1, 3}},  // ViT: heads out (inner runs of 32)
      {{1, 17, 3, 32}, {0, 2, 3, 1}},  // ViT: keys transposed (strided rows)
      {{1, 3, 17, 32}, {0, 2, 1, 3}},  // ViT: heads back
      {{7, 9}, {1, 0}},
      {{2, 3, 4, 5, 6}, {4, 2, 0, 3, 1}},
      {{2, 1, 3, 1, 4, 5}, {5, 3, 1, 0, 4, 2}},
      {{4, 1, 6}, {1, 0, 2}},          // only size-1 moves: one memcpy
      {{3, 0, 2}, {2, 1, 0}},          // empty
  };
  for (DataType t : {DataType::kFloat32, DataType::kInt8, DataType::kUInt8, DataType::kInt64}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(DataTypeName(t)));
      ExpectFastMatches(TransposeModel(t, c.shape, c.perm), kTranspose,
                        {RandomBytes(t, Count(c.shape), 100.0f, 7)}, "fast");
    }
  }
}

// ---- STRIDED_SLICE --------------------------------------------------------------------------

struct SliceSpec {
  std::vector<int32_t> shape, begin, end, strides, out_shape;
  OpOptions options;
};

std::vector<uint8_t> SliceModel(DataType type, const SliceSpec& s) {
  ModelBuilder b;
  const int32_t n = static_cast<int32_t>(s.begin.size());
  const int in = b.AddTensor(type, s.shape, "in", QuantOrNone(type, 0.02f, -128));
  const int begin = b.AddConstTensor<int32_t>(DataType::kInt32, {n}, s.begin);
  const int end = b.AddConstTensor<int32_t>(DataType::kInt32, {n}, s.end);
  const int strides = b.AddConstTensor<int32_t>(DataType::kInt32, {n}, s.strides);
  const int out = b.AddTensor(type, s.out_shape, "out", QuantOrNone(type, 0.02f, -128));
  b.AddOperator(kStridedSlice.code, {in, begin, end, strides}, {out}, s.options);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

TEST(FastOps, StridedSliceIsBitIdentical) {
  OpOptions shrink1;  // ViT's class token: x[:, 0, :]
  shrink1.shrink_axis_mask = 2;
  OpOptions masks;
  masks.begin_mask = 1;
  masks.end_mask = 4;
  OpOptions ellipsis;
  ellipsis.ellipsis_mask = 1;
  const SliceSpec cases[] = {
      // NASNet: drop the first row and column of a padded map.
      {{1, 17, 17, 44}, {0, 1, 1, 0}, {1, 17, 17, 44}, {1, 1, 1, 1}, {1, 16, 16, 44}, {}},
      {{1, 32, 32, 32}, {0, 1, 1, 0}, {1, 32, 32, 32}, {1, 1, 1, 1}, {1, 31, 31, 32}, {}},
      {{1, 17, 96}, {0, 0, 0}, {1, 1, 96}, {1, 1, 1}, {1, 96}, shrink1},
      {{6, 7, 8}, {5, 0, 7}, {0, 7, 0}, {-2, 3, -3}, {3, 3, 3}, {}},       // negative strides
      {{6, 7, 8}, {3, 2, 1}, {5, 6, 6}, {1, 2, 1}, {5, 2, 7}, masks},      // begin/end masks
      {{4, 5, 6}, {1}, {3}, {1}, {4, 5, 6}, ellipsis},                     // ellipsis only
      {{4, 5, 6}, {2, 1, 0}, {2, 4, 6}, {1, 1, 1}, {0, 3, 6}, {}},         // empty
  };
  for (DataType t : {DataType::kFloat32, DataType::kInt8, DataType::kInt32}) {
    for (const SliceSpec& s : cases) {
      SCOPED_TRACE(std::string(DataTypeName(t)));
      ExpectFastMatches(SliceModel(t, s), kStridedSlice, {RandomBytes(t, Count(s.shape), 9.0f, 8)},
                        "fast");
    }
  }
}

// ---- BATCH_MATMUL (float32) -----------------------------------------------------------------

TEST(FastOps, BatchMatMulFloatIsBitIdentical) {
  struct Case {
    std::vector<int32_t> lhs, rhs, out;
    bool adj_x, adj_y;
  };
  const Case cases[] = {
      {{1, 3, 17, 32}, {1, 3, 32, 17}, {1, 3, 17, 17}, false, false},  // ViT: q k^T
      {{1, 3, 17, 17}, {1, 3, 17, 32}, {1, 3, 17, 32}, false, false},  // ViT: attention v
      {{1, 3, 17, 32}, {1, 3, 17, 32}, {1, 3, 17, 17}, false, true},   // adj_y: packed rhs
      {{2, 1, 5, 7}, {3, 7, 9}, {2, 3, 5, 9}, false, false},           // broadcast batches
      {{4, 6, 5}, {4, 6, 33}, {4, 5, 33}, true, false},                // adj_x
      {{2, 7, 4}, {2, 9, 7}, {2, 4, 9}, true, true},
      {{13, 11}, {11, 24}, {13, 24}, false, false},  // AVX2: 6-row blocks, 16 + 8 columns
      {{6, 5}, {5, 13}, {6, 13}, false, false},      // AVX2: 8 + a masked 5
  };
  for (const Case& c : cases) {
    OpOptions o;
    o.adj_x = c.adj_x;
    o.adj_y = c.adj_y;
    ModelBuilder b;
    const int l = b.AddTensor(DataType::kFloat32, c.lhs, "lhs");
    const int r = b.AddTensor(DataType::kFloat32, c.rhs, "rhs");
    const int out = b.AddTensor(DataType::kFloat32, c.out, "out");
    b.AddOperator(kBatchMatMul.code, {l, r}, {out}, o);
    b.SetInputs({l, r});
    b.SetOutputs({out});
    ExpectFastMatches(b.Build(), kBatchMatMul,
                      {RandomBytes(DataType::kFloat32, Count(c.lhs), 3.0f, 9),
                       RandomBytes(DataType::kFloat32, Count(c.rhs), 3.0f, 10)},
                      "fast");
  }
}

// ---- MEAN (quantized, trailing dimensions) --------------------------------------------------

std::vector<uint8_t> MeanModel(DataType type, std::vector<int32_t> shape, std::vector<int32_t> axes,
                               bool keep_dims, float out_scale, int out_zp) {
  std::vector<int32_t> out_shape;
  for (size_t d = 0; d < shape.size(); ++d) {
    const bool reduced = std::count_if(axes.begin(), axes.end(), [&](int32_t a) {
      return (a < 0 ? a + static_cast<int32_t>(shape.size()) : a) == static_cast<int32_t>(d);
    }) > 0;
    if (!reduced) out_shape.push_back(shape[d]);
    else if (keep_dims) out_shape.push_back(1);
  }
  OpOptions o;
  o.keep_dims = keep_dims;
  ModelBuilder b;
  const int in = b.AddTensor(type, shape, "in", QuantOrNone(type, 0.05f, type == DataType::kInt8 ? -3 : 125));
  const int ax = b.AddConstTensor<int32_t>(DataType::kInt32, {static_cast<int32_t>(axes.size())}, axes);
  const int out = b.AddTensor(type, out_shape, "out", QuantOrNone(type, out_scale, out_zp));
  b.AddOperator(kMean.code, {in, ax}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

TEST(FastOps, QuantizedTrailingMeanIsBitIdentical) {
  for (DataType t : {DataType::kInt8, DataType::kUInt8}) {
    SCOPED_TRACE(std::string(DataTypeName(t)));
    const int zp = t == DataType::kInt8 ? 5 : 133;
    // ViT's layer norm: [1,17,96] over the last axis, kept.
    ExpectFastMatches(MeanModel(t, {1, 17, 96}, {-1}, true, 0.05f, zp), kMean,
                      {RandomBytes(t, 17 * 96, 0, 11)}, "fast");
    ExpectFastMatches(MeanModel(t, {2, 3, 4, 5}, {3, 2}, false, 0.01f, zp), kMean,
                      {RandomBytes(t, 120, 0, 12)}, "fast");
    ExpectFastMatches(MeanModel(t, {1, 7, 1, 33}, {3, 2}, true, 0.2f, zp), kMean,
                      {RandomBytes(t, 7 * 33, 0, 13)}, "fast");
    // Not trailing: the reference kernel runs.
    ExpectFastMatches(MeanModel(t, {2, 3, 4}, {1}, false, 0.05f, zp), kMean,
                      {RandomBytes(t, 24, 0, 14)}, "reference");
  }
  // A float spatial mean over a single channel is a contiguous sum, as XNNPACK's mean_nd sees it
  // (another order of additions than the reference: the +-1e4 of RandomBytes cancel there).
  ExpectFastMatches(MeanModel(DataType::kFloat32, {1, 5, 5, 1}, {1, 2}, true, 0, 0), kMean,
                    {RandomBytes(DataType::kFloat32, 25, 3.0f, 15)}, "fast", 1e-3f);
}

// Float means over a block of rows of several channels compute what LiteRT's XNNPACK delegate
// computes (XNNPACK's mean_nd): each channel summed row after row from 0 in float32, times the
// float 1.0f / rows; at every ISA level, whatever the thread count.
TEST(FastOps, FloatRowMeanIsXnnpackArithmetic) {
  struct MeanCase {
    std::vector<int32_t> shape, axes;
    bool keep_dims;
    int64_t outer, rows, inner;
  };
  const MeanCase cases[] = {
      {{1, 12, 12, 72}, {1, 2}, true, 1, 144, 72},    // MobileNet v3's squeeze-excite
      {{1, 3, 3, 720}, {2, 1}, true, 1, 9, 720},
      {{2, 7, 7, 33}, {1, 2}, false, 2, 49, 33},      // batch 2, no kept dims
      {{1, 1, 6, 5, 17}, {2, 3}, true, 1, 30, 17},    // a size-1 dimension before
      {{3, 4, 5}, {1}, false, 3, 4, 5},               // one middle axis
  };
  testing::IsaLevelGuard guard;
  for (const MeanCase& c : cases) {
    const int64_t n = c.outer * c.rows * c.inner;
    SCOPED_TRACE(std::to_string(n) + " elements, " + std::to_string(c.rows) + " rows");
    const std::vector<uint8_t> in = RandomBytes(DataType::kFloat32, n, 300.0f, 16);
    std::vector<float> x(static_cast<size_t>(n));
    std::memcpy(x.data(), in.data(), in.size());
    std::vector<float> want(static_cast<size_t>(c.outer * c.inner), 0.0f);
    const float scale = 1.0f / static_cast<float>(c.rows);
    for (int64_t o = 0; o < c.outer; ++o)
      for (int64_t i = 0; i < c.inner; ++i) {
        float sum = 0.0f;
        for (int64_t r = 0; r < c.rows; ++r) sum += x[static_cast<size_t>((o * c.rows + r) * c.inner + i)];
        want[static_cast<size_t>(o * c.inner + i)] = sum * scale;
      }
    const std::vector<uint8_t> model = MeanModel(DataType::kFloat32, c.shape, c.axes, c.keep_dims, 0, 0);
    for (IsaLevel level : testing::SupportedIsaLevels()) {
      SCOPED_TRACE(xnn::IsaLevelName(level));
      xnn::SetIsaLimit(level);
      const auto fast = RunModel(model, kMean, KernelPath::kFast, {in});
      EXPECT_EQ(fast.path, "fast");
      ASSERT_EQ(fast.bytes.size(), want.size() * 4);
      std::vector<float> got(want.size());
      std::memcpy(got.data(), fast.bytes.data(), fast.bytes.size());
      EXPECT_EQ(got, want);
    }
    // The reference kernel (TFLite's builtin: a division by the count) is within float rounding.
    const auto ref = RunModel(model, kMean, KernelPath::kReference, {in});
    ASSERT_EQ(ref.bytes.size(), want.size() * 4);
    std::vector<float> r(want.size());
    std::memcpy(r.data(), ref.bytes.data(), ref.bytes.size());
    for (size_t i = 0; i < r.size(); ++i) EXPECT_NEAR(r[i], want[i], 1e-4f * (1.0f + std::fabs(want[i])));
  }
  // Split reduced dimensions: not XNNPACK's mean_nd; the reference kernel runs.
  ExpectFastMatches(MeanModel(DataType::kFloat32, {2, 3, 4}, {0, 2}, false, 0, 0), kMean,
                    {RandomBytes(DataType::kFloat32, 24, 3.0f, 17)}, "reference");
}

// XNNPACK's f32 rsum order (the mean over trailing dimensions): 16 lanes, blocks of 32 into two
// accumulators, their sum, blocks of 16, the tail; lanes added 8 + 8, 4 + 4, [0]+[2], [1]+[3].
float XnnpackRowSum(const float* x, size_t n) {
  std::vector<float> a0(16, 0.0f), a1(16, 0.0f);
  size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (size_t l = 0; l < 16; ++l) a0[l] += x[i + l], a1[l] += x[i + 16 + l];
  for (size_t l = 0; l < 16; ++l) a0[l] += a1[l];
  for (; i < n; i += 16)
    for (size_t l = 0; l < 16 && i + l < n; ++l) a0[l] += x[i + l];
  for (size_t l = 0; l < 8; ++l) a0[l] += a0[l + 8];
  for (size_t l = 0; l < 4; ++l) a0[l] += a0[l + 4];
  return (a0[0] + a0[2]) + (a0[1] + a0[3]);
}

TEST(FastOps, FloatTrailingMeanIsXnnpackArithmetic) {
  testing::IsaLevelGuard guard;
  // ViT's and ConvNeXt's layer norms, and lengths around the 16/32 blocks.
  for (int32_t n : {96, 32, 64, 2, 7, 16, 17, 33, 50}) {
    SCOPED_TRACE("rows of " + std::to_string(n));
    const int32_t rows = 17;
    const std::vector<uint8_t> in = RandomBytes(DataType::kFloat32, rows * n, 5.0f, 19);
    std::vector<float> x(static_cast<size_t>(rows * n));
    std::memcpy(x.data(), in.data(), in.size());
    std::vector<float> want(rows);
    for (int32_t r = 0; r < rows; ++r)
      want[r] = XnnpackRowSum(x.data() + r * n, static_cast<size_t>(n)) * (1.0f / static_cast<float>(n));
    const std::vector<uint8_t> model = MeanModel(DataType::kFloat32, {1, rows, n}, {-1}, true, 0, 0);
    for (IsaLevel level : testing::SupportedIsaLevels()) {
      SCOPED_TRACE(xnn::IsaLevelName(level));
      xnn::SetIsaLimit(level);
      const auto fast = RunModel(model, kMean, KernelPath::kFast, {in});
      EXPECT_EQ(fast.path, "fast");
      ASSERT_EQ(fast.bytes.size(), want.size() * 4);
      std::vector<float> got(want.size());
      std::memcpy(got.data(), fast.bytes.data(), fast.bytes.size());
      EXPECT_EQ(got, want);
    }
  }
}

// ---- SOFTMAX (float) --------------------------------------------------------------------------

// XNNPACK's f32 softmax as LiteRT 2.x runs it, one scalar operation at a time: exp(x - max) by
// the rr2_p5 steps, the sum over `lanes`-wide vectors (blocks of 4 vectors into two
// accumulators, then single vectors, then the tail; the lanes added pairwise by halves), then
// times 1.0f / sum. For rows whose values stay clear of denormals (flushed by the kernel).
std::vector<float> XnnpackSoftmaxRow(const std::vector<float>& x, size_t lanes) {
  const size_t n = x.size();
  float max = x[0];
  for (float v : x) max = std::max(max, v);
  auto exp_minus_max = [&](float v) {
    const float d = v - max;
    float nn = std::fma(d, 0x1.715476p+0f, 0x1.8000FEp23f);
    uint32_t bits;
    std::memcpy(&bits, &nn, 4);
    bits <<= 23;
    float sc;
    std::memcpy(&sc, &bits, 4);
    nn -= 0x1.8000FEp23f;
    float t = std::fma(nn, -0x1.62E400p-1f, d);
    t = std::fma(nn, -0x1.7F7D1Cp-20f, t);
    float poly = std::fma(0x1.0F9F9Cp-7f, t, 0x1.573A1Ap-5f);
    poly = std::fma(poly, t, 0x1.555A80p-3f);
    poly = std::fma(poly, t, 0x1.FFFDC6p-2f);
    poly = std::fma(poly, t, 0x1.FFFFF6p-1f);
    t *= sc;
    const float e = std::fma(t, poly, sc);
    return d < -0x1.5D589Ep6f ? 0.0f : e;
  };
  std::vector<float> e(n), acc0(lanes, 0.0f), acc1(lanes, 0.0f);
  for (size_t i = 0; i < n; ++i) e[i] = exp_minus_max(x[i]);
  size_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes)
    for (size_t v = 0; v < 4; ++v)
      for (size_t l = 0; l < lanes; ++l) (v % 2 == 0 ? acc0 : acc1)[l] += e[i + v * lanes + l];
  for (size_t l = 0; l < lanes; ++l) acc0[l] += acc1[l];
  for (; i < n; i += lanes)
    for (size_t l = 0; l < lanes && i + l < n; ++l) acc0[l] += e[i + l];
  for (size_t half = lanes / 2; half >= 4; half /= 2)
    for (size_t l = 0; l < half; ++l) acc0[l] += acc0[l + half];
  const float sum = (acc0[0] + acc0[2]) + (acc0[1] + acc0[3]);
  const float scale = 1.0f / sum;
  for (float& v : e) v *= scale;
  return e;
}

TEST(FastOps, FloatSoftmaxIsLiteRtXnnpackArithmetic) {
  testing::IsaLevelGuard guard;
  std::mt19937 rng(21);
  for (int32_t n : {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 1001}) {
    SCOPED_TRACE("row of " + std::to_string(n));
    // Two rows: logits spread over 80 (no denormal exp), a few far below the max (exp 0).
    std::uniform_real_distribution<float> logit(-40.0f, 40.0f);
    std::vector<float> x(static_cast<size_t>(2 * n));
    for (size_t i = 0; i < x.size(); ++i) x[i] = i % 37 == 5 ? -300.0f : logit(rng);
    std::vector<uint8_t> in(x.size() * 4);
    std::memcpy(in.data(), x.data(), in.size());
    const std::vector<uint8_t> model =
        UnaryModel(kSoftmax, DataType::kFloat32, {2, n}, 0, 0, 0, 0);
    const auto ref = RunModel(model, kSoftmax, KernelPath::kReference, {in});
    ASSERT_EQ(ref.bytes.size(), in.size());
    std::vector<float> reference(x.size());
    std::memcpy(reference.data(), ref.bytes.data(), ref.bytes.size());
    for (IsaLevel level : testing::SupportedIsaLevels()) {
      SCOPED_TRACE(xnn::IsaLevelName(level));
      xnn::SetIsaLimit(level);
      const auto fast = RunModel(model, kSoftmax, KernelPath::kFast, {in});
      ASSERT_EQ(fast.bytes.size(), in.size());
      std::vector<float> got(x.size());
      std::memcpy(got.data(), fast.bytes.data(), fast.bytes.size());
      // Within float rounding of the reference kernel (TFLite's builtin arithmetic).
      for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], reference[i], 1e-6f) << i;
      if (level == IsaLevel::kXnnpack) {  // Debian's XNNPACK operator: another exp and order
        EXPECT_EQ(fast.path, "xnnpack");
        continue;
      }
      EXPECT_EQ(fast.path, "fast");
      const size_t lanes = level == IsaLevel::kAvx512 ? 16 : 8;
      for (size_t r = 0; r < 2; ++r) {
        const std::vector<float> row(x.begin() + r * n, x.begin() + (r + 1) * n);
        const std::vector<float> want = XnnpackSoftmaxRow(row, lanes);
        const std::vector<float> got_row(got.begin() + r * n, got.begin() + (r + 1) * n);
        EXPECT_EQ(got_row, want) << "row " << r;
      }
    }
  }
}

// ---- AVERAGE_POOL_2D (uint8/int8): sums in int16 or int32 lanes, the division by the tap count
// as a reciprocal multiply (kernels/fast/avg_pool_q8.h), at every ISA level ---

std::vector<uint8_t> AveragePoolModel(DataType type, std::vector<int32_t> shape, int32_t filter,
                                      int32_t stride, Padding padding,
                                      Activation activation = Activation::kNone) {
  OpOptions o;
  o.activation = activation;
  o.filter_h = o.filter_w = filter;
  o.stride_h = o.stride_w = stride;
  o.padding = padding;
  const int32_t out_h = padding == Padding::kSame ? (shape[1] + stride - 1) / stride
                                                  : (shape[1] - filter) / stride + 1;
  const int32_t out_w = padding == Padding::kSame ? (shape[2] + stride - 1) / stride
                                                  : (shape[2] - filter) / stride + 1;
  const int zp = type == DataType::kInt8 ? -4 : 124;
  ModelBuilder b;
  const int in = b.AddTensor(type, shape, "in", QuantOrNone(type, 0.06f, zp));
  const int out = b.AddTensor(type, {shape[0], out_h, out_w, shape[3]}, "out",
                              QuantOrNone(type, 0.06f, zp));
  b.AddOperator(kAveragePool.code, {in}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

TEST(FastOps, QuantizedAveragePoolIsBitIdentical) {
  for (DataType t : {DataType::kInt8, DataType::kUInt8}) {
    SCOPED_TRACE(std::string(DataTypeName(t)));
    // NASNet's 3x3 SAME pools (edge counts 4, 6, 9) and strided ones.
    ExpectFastMatches(AveragePoolModel(t, {1, 8, 8, 44}, 3, 1, Padding::kSame), kAveragePool,
                      {RandomBytes(t, 8 * 8 * 44, 0, 16)}, "fast");
    ExpectFastMatches(AveragePoolModel(t, {1, 31, 31, 32}, 3, 2, Padding::kSame), kAveragePool,
                      {RandomBytes(t, 31 * 31 * 32, 0, 17)}, "fast");
    // NASNet's strided 1x1 pools: one tap.
    ExpectFastMatches(AveragePoolModel(t, {1, 33, 33, 11}, 1, 2, Padding::kValid), kAveragePool,
                      {RandomBytes(t, 33 * 33 * 11, 0, 19)}, "fast");
    // Inception v3's 3x3 SAME pools over 768 channels (two chunks of the row), ReLU's clamp.
    ExpectFastMatches(
        AveragePoolModel(t, {1, 5, 5, 768}, 3, 1, Padding::kSame, Activation::kRelu),
        kAveragePool, {RandomBytes(t, 5 * 5 * 768, 0, 21)}, "fast");
    // Global pools: 7x7 (49 taps), 11x11 (121: the widest window summed in int16 lanes),
    // 13x13 (169: int32 lanes; extreme bytes would overflow int16), 63x63 (3969: the largest
    // reciprocal), 64x64 (4096: division).
    for (int32_t size : {7, 11, 13, 63, 64}) {
      const int64_t n = int64_t{size} * size * 3;
      for (uint8_t fill : {uint8_t{0x80}, uint8_t{0x7f}, uint8_t{0xff}, uint8_t{0}}) {
        ExpectFastMatches(AveragePoolModel(t, {1, size, size, 3}, size, 1, Padding::kValid),
                          kAveragePool, {std::vector<uint8_t>(static_cast<size_t>(n), fill)}, "fast");
      }
      ExpectFastMatches(AveragePoolModel(t, {1, size, size, 3}, size, 1, Padding::kValid),
                        kAveragePool, {RandomBytes(t, n, 0, 18)}, "fast");
    }
  }
}

// Float 1x1 windows (NASNet's strided 1x1 pools, which XNNPACK declines): a copy with the
// reference's arithmetic, -0 included (RandomBytes puts -0.0 at element 1). Bit-identical.
TEST(FastOps, FloatOneByOneAveragePoolIsBitIdentical) {
  for (Activation act : {Activation::kNone, Activation::kRelu6})
    for (Padding padding : {Padding::kValid, Padding::kSame})
      for (int32_t stride : {1, 2})
        ExpectFastMatches(
            AveragePoolModel(DataType::kFloat32, {2, 33, 32, 11}, 1, stride, padding, act),
            kAveragePool, {RandomBytes(DataType::kFloat32, 2 * 33 * 32 * 11, 9.0f, 20)}, "fast");
}

// Float windows of more than 9 taps compute what LiteRT's XNNPACK does (its avgpool "9p"
// kernels): taps column by column, zeros outside the image, passes of 9 summed in its tree and
// added from 0, times 1 / (in-bounds taps), clamped.
std::vector<float> XnnpackAveragePool(const std::vector<float>& x, int32_t h, int32_t w, int32_t c,
                                      int32_t filter, int32_t stride, int32_t pad, int32_t out_h,
                                      int32_t out_w, float lo, float hi) {
  std::vector<float> out;
  const std::vector<float> zero(static_cast<size_t>(c), 0.0f);
  for (int32_t oy = 0; oy < out_h; ++oy)
    for (int32_t ox = 0; ox < out_w; ++ox) {
      std::vector<const float*> taps;
      int32_t valid = 0;
      for (int32_t kx = 0; kx < filter; ++kx)
        for (int32_t ky = 0; ky < filter; ++ky) {
          const int32_t y = oy * stride - pad + ky, xx = ox * stride - pad + kx;
          const bool inside = y >= 0 && y < h && xx >= 0 && xx < w;
          valid += inside;
          taps.push_back(inside ? x.data() + (static_cast<size_t>(y) * w + xx) * c : zero.data());
        }
      while (taps.size() % 9 != 0) taps.push_back(zero.data());
      for (int32_t ch = 0; ch < c; ++ch) {
        float acc = 0.0f;
        for (size_t k = 0; k < taps.size(); k += 9) {
          auto t = [&](size_t j) { return taps[k + j][ch]; };
          const float s018 = (t(0) + t(1)) + t(8), s2345 = (t(2) + t(3)) + (t(4) + t(5));
          acc = acc + (s2345 + (s018 + (t(6) + t(7))));
        }
        out.push_back(std::min(std::max(acc * (1.0f / static_cast<float>(valid)), lo), hi));
      }
    }
  return out;
}

TEST(FastOps, FloatLargeAveragePoolIsLiteRtXnnpackArithmetic) {
  testing::IsaLevelGuard guard;
  struct PoolCase {
    int32_t h, w, c, filter, stride;
    Padding padding;
    Activation act;
  };
  const PoolCase cases[] = {
      {7, 7, 256, 7, 2, Padding::kValid, Activation::kNone},  // MobileNet v1 0.25's global pool
      {7, 7, 33, 7, 1, Padding::kValid, Activation::kRelu6},
      {6, 7, 19, 5, 1, Padding::kSame, Activation::kNone},     // windows crossing the border
      {9, 8, 5, 4, 2, Padding::kSame, Activation::kNone},
  };
  for (const PoolCase& pc : cases) {
    SCOPED_TRACE(std::to_string(pc.filter) + "x" + std::to_string(pc.filter) + " over " +
                 std::to_string(pc.h) + "x" + std::to_string(pc.w) + "x" + std::to_string(pc.c));
    const int32_t n = pc.h * pc.w * pc.c;
    const std::vector<uint8_t> in = RandomBytes(DataType::kFloat32, n, 9.0f, 24);
    std::vector<float> x(static_cast<size_t>(n));
    std::memcpy(x.data(), in.data(), in.size());
    const bool same = pc.padding == Padding::kSame;
    const int32_t out_h = same ? (pc.h + pc.stride - 1) / pc.stride : (pc.h - pc.filter) / pc.stride + 1;
    const int32_t out_w = same ? (pc.w + pc.stride - 1) / pc.stride : (pc.w - pc.filter) / pc.stride + 1;
    const int32_t pad = same ? std::max(0, ((out_h - 1) * pc.stride + pc.filter - pc.h) / 2) : 0;
    const int32_t pad_w = same ? std::max(0, ((out_w - 1) * pc.stride + pc.filter - pc.w) / 2) : 0;
    ASSERT_EQ(pad, pad_w);  // the cases keep both paddings equal
    const float hi = pc.act == Activation::kRelu6 ? 6.0f : std::numeric_limits<float>::infinity();
    const float lo = pc.act == Activation::kRelu6 ? 0.0f : -std::numeric_limits<float>::infinity();
    const std::vector<float> want =
        XnnpackAveragePool(x, pc.h, pc.w, pc.c, pc.filter, pc.stride, pad, out_h, out_w, lo, hi);
    const std::vector<uint8_t> model =
        AveragePoolModel(DataType::kFloat32, {1, pc.h, pc.w, pc.c}, pc.filter, pc.stride, pc.padding, pc.act);
    for (IsaLevel level : testing::SupportedIsaLevels()) {
      SCOPED_TRACE(xnn::IsaLevelName(level));
      xnn::SetIsaLimit(level);
      const auto fast = RunModel(model, kAveragePool, KernelPath::kFast, {in});
      EXPECT_EQ(fast.path, "fast");
      ASSERT_EQ(fast.bytes.size(), want.size() * 4);
      std::vector<float> got(want.size());
      std::memcpy(got.data(), fast.bytes.data(), fast.bytes.size());
      EXPECT_EQ(got, want);
    }
  }
}

}  // namespace
}  // namespace labelite
