// The interpreter on small generated graphs and on the shared models: op resolution, data-flow
// checks, shape errors, memory planning, batch resizing, and both kernel paths.
#include "runtime/interpreter.h"

#include <gtest/gtest.h>

#include <pthreadpool.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kernels/registry.h"
#include "schema/tflite_schema_generated.h"
#include "testing/model_builder.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::ModelBuilder;
using testing::Quant;

constexpr int32_t kAdd = 0, kConv2D = 3, kRelu = 19, kReshape = 22, kSoftmax = 25, kCustom = 32,
                  kLstm = 44, kLshProjection = 15;  // LSH_PROJECTION: not an op labelite runs

std::shared_ptr<const Model> Load(const ModelBuilder& b) {
  auto m = Model::FromBytes(b.Build(), "test.tflite");
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? *m : nullptr;
}

TEST(Interpreter, RunsAChainAndPlansMemoryBelowTheSumOfTensors) {
  // in -> RELU -> t1 -> RELU -> t2 -> RELU -> t3 -> SOFTMAX -> out
  ModelBuilder b;
  int prev = b.AddTensor(DataType::kFloat32, {1, 64}, "in");
  const int in = prev;
  for (const char* name : {"t0", "t1", "t2"}) {  // ("t" + to_string: GCC 12's false -Wrestrict)
    int t = b.AddTensor(DataType::kFloat32, {1, 64}, name);
    b.AddOperator(kRelu, {prev}, {t});
    prev = t;
  }
  int out = b.AddTensor(DataType::kFloat32, {1, 64}, "out");
  b.AddOperator(kSoftmax, {prev}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  for (KernelPath path : {KernelPath::kReference, KernelPath::kFast}) {
    auto interp = Interpreter::Create(Load(b), BuiltinOpResolver(), {path, 1});
    ASSERT_TRUE(interp.ok()) << interp.status().message();
    Interpreter& it = **interp;
    float* x = it.input(0)->data_as<float>();
    for (int i = 0; i < 64; ++i) x[i] = static_cast<float>(i - 32) / 8.0f;
    ASSERT_TRUE(it.Invoke().ok());
    // softmax(relu(x)): independent computation.
    double denom = 0;
    for (int i = 0; i < 64; ++i) denom += std::exp(std::max(0.0, (i - 32) / 8.0));
    const float* y = it.output(0)->data_as<float>();
    for (int i = 0; i < 64; ++i)
      EXPECT_NEAR(y[i], std::exp(std::max(0.0, (i - 32) / 8.0)) / denom, 1e-6) << i;
    EXPECT_EQ(it.FindInput("in"), 0);
    EXPECT_EQ(it.FindOutput("out"), 0);
    EXPECT_EQ(it.FindOutput("nope"), -1);
    // Five 256-byte tensors; the input lives throughout, and at most two others at once.
    EXPECT_EQ(it.unplanned_bytes(), 5u * 256u);
    EXPECT_EQ(it.arena_bytes(), 3u * 256u);
  }
}

TEST(Interpreter, ReportsEveryUnsupportedOpAtOnceByName) {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 4}, "in");
  int t1 = b.AddTensor(DataType::kFloat32, {1, 4}, "t1");
  int t2 = b.AddTensor(DataType::kFloat32, {1, 4}, "t2");
  int out = b.AddTensor(DataType::kFloat32, {1, 4}, "out");
  b.AddOperator(kLshProjection, {in}, {t1});
  b.AddOperator(kRelu, {t1}, {t2});
  b.AddOperator(kCustom, {t2}, {out}, {}, 1, "MyFancyOp");
  b.SetInputs({in});
  b.SetOutputs({out});
  auto interp = Interpreter::Create(Load(b), BuiltinOpResolver(), {});
  ASSERT_FALSE(interp.ok());
  EXPECT_EQ(interp.status().code(), StatusCode::kUnsupported);
  const std::string& m = interp.status().message();
  EXPECT_NE(m.find("LSH_PROJECTION (operator 0)"), std::string::npos) << m;
  EXPECT_NE(m.find("MyFancyOp"), std::string::npos) << m;
  EXPECT_NE(m.find("operator 2"), std::string::npos) << m;
  EXPECT_EQ(m.find("RELU"), std::string::npos) << m;
}

TEST(Interpreter, SharedModelsWithUnsupportedOpsAreRefusedByName) {
  auto custom = Model::FromFile(testing::ModelPath("model_invoking_error.tflite"));
  ASSERT_TRUE(custom.ok());
  auto a = Interpreter::Create(*custom, BuiltinOpResolver(), {});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("fake-op-double"), std::string::npos) << a.status().message();
  (void)kLstm;
}

// The LSTM keeps its state in variable tensors; each Invoke starts the sequence from a zero
// state (as LiteRT's first invoke and the Keras layer do), so repeated and interleaved invokes
// give each input's own answer.
TEST(Interpreter, LstmStateRestartsOnEveryInvoke) {
  auto lstm = Model::FromFile(testing::ModelPath("keras_lstm_mnist_ptq.tflite"));
  ASSERT_TRUE(lstm.ok());
  auto made = Interpreter::Create(*lstm, BuiltinOpResolver(), {});
  ASSERT_TRUE(made.ok()) << made.status().message();
  Interpreter& interp = **made;
  Tensor* in = interp.input(0);
  auto run = [&](uint8_t fill) {
    for (size_t i = 0; i < in->bytes; ++i) in->data[i] = static_cast<uint8_t>(fill + 7 * i);
    EXPECT_TRUE(interp.Invoke().ok());
    const Tensor* out = interp.output(0);
    return std::vector<uint8_t>(out->data, out->data + out->bytes);
  };
  const std::vector<uint8_t> a = run(3), b = run(100), a2 = run(3);
  EXPECT_EQ(a, a2);
  EXPECT_NE(a, b);
}

// Found by fuzz/model_fuzz: a cell state scale of 2^-54 made the integer LSTM shift by a
// negative amount (undefined behaviour). LiteRT's integer tanh takes 0..6 integer bits, so the
// cell scale must be a power of two from 2^-15 to 2^-9; anything else is refused at Create.
TEST(Interpreter, LstmRefusesACellStateScaleOutsideLiteRtsRange) {
  const std::vector<uint8_t> bytes = testing::ReadFileBytes(testing::ModelPath("keras_lstm_mnist_ptq.tflite"));
  ASSERT_FALSE(bytes.empty());
  for (float scale : {0x1p-54f, 0x1p-16f, 0x1p-8f}) {
    std::unique_ptr<tflite::ModelT> m = tflite::UnPackModel(bytes.data());
    int rescaled = 0;
    for (auto& sg : m->subgraphs)
      for (auto& t : sg->tensors)
        if (t->is_variable && t->type == tflite::TensorType::INT16 && t->quantization &&
            t->quantization->scale.size() == 1) {
          t->quantization->scale[0] = scale;
          ++rescaled;
        }
    ASSERT_EQ(rescaled, 1);
    flatbuffers::FlatBufferBuilder fbb;
    tflite::FinishModelBuffer(fbb, tflite::Model::Pack(fbb, m.get()));
    auto model = Model::FromBytes(std::span<const uint8_t>(fbb.GetBufferPointer(), fbb.GetSize()),
                                  "lstm.tflite");
    ASSERT_TRUE(model.ok()) << model.status().message();
    for (KernelPath path : {KernelPath::kReference, KernelPath::kFast}) {
      auto interp = Interpreter::Create(*model, BuiltinOpResolver(), {path, 1});
      ASSERT_FALSE(interp.ok()) << "cell scale " << scale;
      EXPECT_NE(interp.status().message().find("from 2^-15 to 2^-9"), std::string::npos)
          << interp.status().message();
    }
  }
}

// Found by fuzz/model_fuzz: an ADD with no output tensors reached the kernel's Prepare, which
// read output(0) past the end of the list.
TEST(Interpreter, RefusesAnOperatorWithoutOutputs) {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 4}, "in");
  int out = b.AddTensor(DataType::kFloat32, {1, 4}, "out");
  b.AddOperator(kAdd, {in, in}, {});
  b.AddOperator(kRelu, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto interp = Interpreter::Create(Load(b), BuiltinOpResolver(), {});
  ASSERT_FALSE(interp.ok());
  EXPECT_EQ(interp.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(interp.status().message().find("has no outputs"), std::string::npos)
      << interp.status().message();
}

TEST(Interpreter, RefusesTensorsReadBeforeTheyAreWritten) {
  // Operator 0 reads t2, which only operator 1 writes: a cycle/dangling reference.
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 4}, "in");
  int t1 = b.AddTensor(DataType::kFloat32, {1, 4}, "t1");
  int t2 = b.AddTensor(DataType::kFloat32, {1, 4}, "t2");
  b.AddOperator(kAdd, {in, t2}, {t1});
  b.AddOperator(kRelu, {t1}, {t2});
  b.SetInputs({in});
  b.SetOutputs({t2});
  auto interp = Interpreter::Create(Load(b), BuiltinOpResolver(), {});
  ASSERT_FALSE(interp.ok());
  EXPECT_EQ(interp.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(interp.status().message().find("before any operator writes it"), std::string::npos)
      << interp.status().message();
}

TEST(Interpreter, RefusesATensorWrittenTwiceOrAConstantOutput) {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 4}, "in");
  int t1 = b.AddTensor(DataType::kFloat32, {1, 4}, "t1");
  b.AddOperator(kRelu, {in}, {t1});
  b.AddOperator(kRelu, {in}, {t1});
  b.SetInputs({in});
  b.SetOutputs({t1});
  auto interp = Interpreter::Create(Load(b), BuiltinOpResolver(), {});
  ASSERT_FALSE(interp.ok());
  EXPECT_NE(interp.status().message().find("written twice"), std::string::npos);
}

TEST(Interpreter, ShapesThatDoNotFitTheirOpsFailAtLoad) {
  // ADD of [1,4] and [1,5]: not broadcastable.
  ModelBuilder b;
  int x = b.AddTensor(DataType::kFloat32, {1, 4}, "x");
  int y = b.AddTensor(DataType::kFloat32, {1, 5}, "y");
  int out = b.AddTensor(DataType::kFloat32, {1, 5}, "out");
  b.AddOperator(kAdd, {x, y}, {out});
  b.SetInputs({x, y});
  b.SetOutputs({out});
  for (KernelPath path : {KernelPath::kReference, KernelPath::kFast}) {
    auto interp = Interpreter::Create(Load(b), BuiltinOpResolver(), {path, 1});
    ASSERT_FALSE(interp.ok());
    EXPECT_EQ(interp.status().code(), StatusCode::kInvalidModel);
    EXPECT_NE(interp.status().message().find("ADD (operator 0)"), std::string::npos)
        << interp.status().message();
  }
}

TEST(Interpreter, ConvWithMismatchedChannelsFailsAtLoad) {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 8, 8, 4}, "in");
  int w = b.AddConstTensor<float>(DataType::kFloat32, {2, 3, 3, 3}, std::vector<float>(54, 0.5f));
  int bias = b.AddConstTensor<float>(DataType::kFloat32, {2}, {0.f, 0.f});
  int out = b.AddTensor(DataType::kFloat32, {1, 8, 8, 2}, "out");
  b.AddOperator(kConv2D, {in, w, bias}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  for (KernelPath path : {KernelPath::kReference, KernelPath::kFast}) {
    auto interp = Interpreter::Create(Load(b), BuiltinOpResolver(), {path, 1});
    ASSERT_FALSE(interp.ok());
    EXPECT_NE(interp.status().message().find("CONV_2D (operator 0)"), std::string::npos)
        << interp.status().message();
  }
}

TEST(Interpreter, AbsurdIntermediateSizeIsRefusedWithoutAllocating) {
  // A RESHAPE whose new shape claims 2^40 elements: refused at load, nothing allocated.
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 4}, "in");
  int out = b.AddTensor(DataType::kFloat32, {1, 4}, "out");
  OpOptions o;
  o.has_new_shape = true;
  o.new_shape = {1 << 20, 1 << 20};
  b.AddOperator(kReshape, {in}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  auto interp = Interpreter::Create(Load(b), BuiltinOpResolver(), {});
  ASSERT_FALSE(interp.ok());
  EXPECT_EQ(interp.status().code(), StatusCode::kInvalidModel);
}

// With 2 threads the first invokes time every operator in parallel and alone, then each runs
// the faster way (Interpreter::kCalibrationInvokes): the outputs must not depend on it, on any
// invoke, for quantized and float models.
TEST(Interpreter, ThreadChoicePerOperatorNeverChangesOutputs) {
  for (const char* name : {"mobilenet_v1_0.25_128_quant.tflite", "mobilenet_v1_0.25_224_1_default_1.tflite"}) {
    auto model = Model::FromFile(testing::ModelPath(name));
    ASSERT_TRUE(model.ok()) << name;
    auto one = Interpreter::Create(*model, BuiltinOpResolver(), {KernelPath::kFast, 1});
    auto two = Interpreter::Create(*model, BuiltinOpResolver(), {KernelPath::kFast, 2});
    ASSERT_TRUE(one.ok() && two.ok()) << name;
    for (int invoke = 0; invoke < 12; ++invoke) {
      for (Interpreter* it : {one->get(), two->get()}) {
        Tensor* in = it->input(0);
        for (size_t i = 0; i < in->bytes; ++i) in->data[i] = static_cast<uint8_t>((i * 37 + 11 * invoke) % 251);
        if (in->type == DataType::kFloat32)
          for (size_t i = 0; i < in->bytes / 4; ++i) reinterpret_cast<float*>(in->data)[i] = static_cast<float>((i * 37 + invoke) % 255) / 255.0f;
        ASSERT_TRUE(it->Invoke().ok());
      }
      const Tensor* a = (*one)->output(0);
      const Tensor* b = (*two)->output(0);
      ASSERT_EQ(a->bytes, b->bytes);
      EXPECT_EQ(0, std::memcmp(a->data, b->data, a->bytes)) << name << ", invoke " << invoke;
    }
  }
}

TEST(Interpreter, BatchResizeRunsNImagesInOneInvoke) {
  // conv 3x3 (uint8) -> softmax over channels, no reshape: the graph allows any batch.
  ModelBuilder b;
  int in = b.AddTensor(DataType::kUInt8, {1, 6, 6, 3}, "in", Quant(0.02f, 128));
  std::vector<uint8_t> w(4 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>((i * 53 + 7) % 256);
  int wt = b.AddConstTensor<uint8_t>(DataType::kUInt8, {4, 3, 3, 3}, w, Quant(0.01f, 120));
  int bias = b.AddConstTensor<int32_t>(DataType::kInt32, {4}, {100, -50, 0, 7}, Quant(0.0002f, 0));
  int conv = b.AddTensor(DataType::kUInt8, {1, 6, 6, 4}, "conv", Quant(0.05f, 100));
  b.AddOperator(kConv2D, {in, wt, bias}, {conv});
  int out = b.AddTensor(DataType::kUInt8, {1, 6, 6, 4}, "out", Quant(1.0f / 256, 0));
  b.AddOperator(kSoftmax, {conv}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto model = Load(b);
  for (KernelPath path : {KernelPath::kReference, KernelPath::kFast}) {
    auto single = Interpreter::Create(model, BuiltinOpResolver(), {path, 1});
    auto batch = Interpreter::Create(model, BuiltinOpResolver(), {path, 1});
    ASSERT_TRUE(single.ok() && batch.ok());
    ASSERT_TRUE((*batch)->ResizeInputBatch(3).ok());
    Tensor* input = (*batch)->input(0);
    ASSERT_EQ(input->dims[0], 3);
    const size_t one = (*single)->input(0)->bytes;
    ASSERT_EQ(input->bytes, 3 * one);
    for (size_t i = 0; i < input->bytes; ++i) input->data[i] = static_cast<uint8_t>((i * 37 + 11) % 256);
    ASSERT_TRUE((*batch)->Invoke().ok());
    // The input survives Invoke (it is read back below).
    for (size_t i = 0; i < input->bytes; ++i) ASSERT_EQ(input->data[i], static_cast<uint8_t>((i * 37 + 11) % 256));
    const Tensor* output = (*batch)->output(0);
    ASSERT_EQ(output->dims[0], 3);
    const size_t per = output->bytes / 3;
    for (size_t k = 0; k < 3; ++k) {
      std::memcpy((*single)->input(0)->data, input->data + k * one, one);
      ASSERT_TRUE((*single)->Invoke().ok());
      EXPECT_EQ(0, std::memcmp((*single)->output(0)->data, output->data + k * per, per)) << "image " << k;
    }
  }
}

TEST(Interpreter, BatchResizeIsRefusedClearlyWhenAReshapeFixesTheBatch) {
  // MobileNet v1 ends in RESHAPE to [1, 1001]: three images cannot pass through it.
  auto model = Model::FromFile(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite"));
  ASSERT_TRUE(model.ok());
  auto interp = Interpreter::Create(*model, BuiltinOpResolver(), {KernelPath::kReference, 1});
  ASSERT_TRUE(interp.ok());
  Status s = (*interp)->ResizeInputBatch(3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("batch of 3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("RESHAPE"), std::string::npos) << s.message();
}

TEST(Interpreter, ManyInterpretersShareOneModel) {
  auto model = Model::FromFile(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite"));
  ASSERT_TRUE(model.ok());
  auto a = Interpreter::Create(*model, BuiltinOpResolver(), {KernelPath::kFast, 1});
  auto b = Interpreter::Create(*model, BuiltinOpResolver(), {KernelPath::kFast, 2});
  ASSERT_TRUE(a.ok() && b.ok());
  for (auto* it : {a->get(), b->get()}) {
    Tensor* in = it->input(0);
    for (size_t i = 0; i < in->bytes; ++i) in->data[i] = static_cast<uint8_t>((i * 37 + 11) % 256);
    ASSERT_TRUE(it->Invoke().ok());
  }
  EXPECT_EQ(0, std::memcmp((*a)->output(0)->data, (*b)->output(0)->data, (*a)->output(0)->bytes));
  EXPECT_GT((*a)->TotalMacs(), 10'000'000);
  EXPECT_LT((*a)->arena_bytes(), (*a)->unplanned_bytes() / 2);
}

// The thread pool starts while the kernels prepare: Prepare sees no pool, Bind and Eval see the
// same pool for every operator (none with one thread), and the pool really runs tasks on as
// many threads as asked.
struct PoolProbe {
  static inline std::vector<pthreadpool_t> prepare, bind, eval;
  static inline size_t threads_seen = 0;
};

class PoolProbeKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    PoolProbe::prepare.push_back(ctx.threadpool);
    ctx.output(0)->dims = ctx.input(0)->dims;
    return Status::Ok();
  }
  Status Bind(KernelContext& ctx) override {
    PoolProbe::bind.push_back(ctx.threadpool);
    return Status::Ok();
  }
  Status Eval(KernelContext& ctx) override {
    PoolProbe::eval.push_back(ctx.threadpool);
    PoolProbe::threads_seen =
        ctx.threadpool != nullptr ? pthreadpool_get_threads_count(ctx.threadpool) : 1;
    std::memcpy(ctx.output(0)->data, ctx.input(0)->data, ctx.input(0)->bytes);
    return Status::Ok();
  }
};

std::unique_ptr<Kernel> MakePoolProbe() { return std::make_unique<PoolProbeKernel>(); }

TEST(Interpreter, ThreadPoolReachesKernelsFromBindOn) {
  ModelBuilder b;
  const int in = b.AddTensor(DataType::kFloat32, {1, 8}, "in");
  const int mid = b.AddTensor(DataType::kFloat32, {1, 8}, "mid");
  const int out = b.AddTensor(DataType::kFloat32, {1, 8}, "out");
  b.AddOperator(kRelu, {in}, {mid});
  b.AddOperator(kRelu, {mid}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  ListOpResolver resolver({{kRelu, "PROBE", &MakePoolProbe, &MakePoolProbe}});
  for (int threads : {1, 3}) {
    SCOPED_TRACE(::testing::Message() << "threads " << threads);
    PoolProbe::prepare.clear(), PoolProbe::bind.clear(), PoolProbe::eval.clear();
    auto interp = Interpreter::Create(Load(b), resolver, {KernelPath::kFast, threads});
    ASSERT_TRUE(interp.ok()) << interp.status().message();
    ASSERT_TRUE((*interp)->Invoke().ok());
    EXPECT_EQ(PoolProbe::prepare, (std::vector<pthreadpool_t>{nullptr, nullptr}));
    ASSERT_EQ(PoolProbe::bind.size(), 2u);
    EXPECT_EQ(PoolProbe::bind[0], PoolProbe::bind[1]);
    EXPECT_EQ(PoolProbe::eval, PoolProbe::bind);
    EXPECT_EQ(PoolProbe::bind[0] == nullptr, threads == 1);
    EXPECT_EQ(PoolProbe::threads_seen, static_cast<size_t>(threads));
    // Resizing prepares again: the pool stays and reaches the kernels again.
    ASSERT_TRUE((*interp)->ResizeInputBatch(2).ok());
    EXPECT_EQ(PoolProbe::bind.back(), PoolProbe::bind[0]);
  }
}

// ADD's stand-in for the skipping test: out = first input; never reads the second
// (Kernel::reads_input), as a fused consumer such as the swish table does.
class FirstInputKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    ctx.output(0)->dims = ctx.input(0)->dims;
    return Status::Ok();
  }
  Status Eval(KernelContext& ctx) override {
    std::memcpy(ctx.output(0)->data, ctx.input(0)->data, ctx.output(0)->bytes);
    return Status::Ok();
  }
  const char* path() const override { return "first input"; }
  bool reads_input(int i) const override { return i == 0; }
};
std::unique_ptr<Kernel> CreateFirstInput() { return std::make_unique<FirstInputKernel>(); }

// x -> RELU -> r; ADD(x, r) -> out whose kernel never reads r; x -> RELU -> dead (unread).
// Both RELUs are skipped, unless intermediates are preserved or r is a graph output.
TEST(Interpreter, SkipsOperatorsWhoseOutputsNoKernelReads) {
  for (int variant = 0; variant < 3; ++variant) {
    const bool preserve = variant == 1, r_is_output = variant == 2;
    SCOPED_TRACE("variant " + std::to_string(variant));
    ModelBuilder b;
    const int x = b.AddTensor(DataType::kFloat32, {1, 4}, "x");
    const int r = b.AddTensor(DataType::kFloat32, {1, 4}, "r");
    const int dead = b.AddTensor(DataType::kFloat32, {1, 4}, "dead");
    const int out = b.AddTensor(DataType::kFloat32, {1, 4}, "out");
    b.AddOperator(kRelu, {x}, {r}, OpOptions{});
    b.AddOperator(kRelu, {x}, {dead}, OpOptions{});
    b.AddOperator(kAdd, {x, r}, {out}, OpOptions{});
    b.SetInputs({x});
    b.SetOutputs(r_is_output ? std::vector<int32_t>{out, r} : std::vector<int32_t>{out});
    const KernelRegistration* relu = BuiltinOpResolver().Find(kRelu);
    ASSERT_NE(relu, nullptr);
    ListOpResolver resolver({*relu, {kAdd, "ADD", &CreateFirstInput, &CreateFirstInput}});
    InterpreterOptions options;
    options.kernels = KernelPath::kReference;
    options.preserve_intermediates = preserve;
    auto it = Interpreter::Create(Load(b), resolver, options);
    ASSERT_TRUE(it.ok()) << it.status().message();
    const float in[4] = {-1.5f, 2.0f, -0.25f, 3.0f};
    std::memcpy((*it)->input(0)->data, in, sizeof(in));
    ASSERT_TRUE((*it)->Invoke().ok());
    EXPECT_EQ(0, std::memcmp((*it)->output(0)->data, in, sizeof(in)));
    const std::string skipped = "skipped (unread)";
    EXPECT_EQ((*it)->KernelPathOf(0) == skipped, !preserve && !r_is_output);
    EXPECT_EQ((*it)->KernelPathOf(1) == skipped, !preserve);
    EXPECT_EQ(std::string((*it)->KernelPathOf(2)), "first input");
    if (r_is_output) {
      const float want[4] = {0.0f, 2.0f, 0.0f, 3.0f};
      EXPECT_EQ(0, std::memcmp((*it)->output(1)->data, want, sizeof(want)));
    }
  }
}


// x -> RELU -> r -> PAD -> p -> CONV_2D (3x3 VALID) -> out, with z = ADD(x, x) written between
// PAD and CONV_2D: the fast CONV_2D folds the PAD into its padding and reads r (extra_inputs),
// so the PAD is skipped and r must outlive z's writing. Same bits as CONV_2D SAME on r, in
// float32 and in uint8 (where PAD pads with the zero point).
TEST(Interpreter, FoldsAPadIntoTheConvolutionAfterIt) {
  constexpr int32_t kPadOp = 34;
  for (const DataType type : {DataType::kFloat32, DataType::kUInt8}) {
    const bool is_float = type == DataType::kFloat32;
    SCOPED_TRACE(is_float ? "float32" : "uint8");
    const QuantizationParams q = is_float ? QuantizationParams{} : Quant(0.05f, 120);
    const QuantizationParams wq = is_float ? QuantizationParams{} : Quant(0.01f, 128);
    const QuantizationParams bq = is_float ? QuantizationParams{} : Quant(0.0005f, 0);
    const int cin = 16, cout = 24;
    std::vector<float> wf(cout * 9 * cin), bf(cout);
    std::vector<uint8_t> wu(wf.size());
    std::vector<int32_t> bu(cout);
    for (size_t i = 0; i < wf.size(); ++i) {
      wf[i] = static_cast<float>(static_cast<int>(i * 37 % 41) - 20) / 16.0f;
      wu[i] = static_cast<uint8_t>(i * 37 % 251);
    }
    for (int i = 0; i < cout; ++i) bf[i] = 0.25f * i - 3.0f, bu[i] = 40 * i - 400;
    auto build = [&](bool with_pad) {
      ModelBuilder b;
      const int x = b.AddTensor(type, {1, 9, 10, cin}, "x", q);
      const int r = b.AddTensor(type, {1, 9, 10, cin}, "r", q);
      const int z = b.AddTensor(type, {1, 9, 10, cin}, "z", q);
      const int w = is_float ? b.AddConstTensor<float>(type, {cout, 3, 3, cin}, wf)
                             : b.AddConstTensor<uint8_t>(type, {cout, 3, 3, cin}, wu, wq);
      const int bias = is_float ? b.AddConstTensor<float>(type, {cout}, bf)
                                : b.AddConstTensor<int32_t>(DataType::kInt32, {cout}, bu, bq);
      const int out = b.AddTensor(type, {1, 9, 10, cout}, "out", is_float ? q : Quant(0.2f, 100));
      b.AddOperator(kRelu, {x}, {r});
      OpOptions conv;
      conv.padding = Padding::kSame;
      int conv_in = r;
      if (with_pad) {
        const int amounts = b.AddConstTensor<int32_t>(DataType::kInt32, {4, 2},
                                                      {0, 0, 1, 1, 1, 1, 0, 0});
        conv_in = b.AddTensor(type, {1, 11, 12, cin}, "p", q);
        b.AddOperator(kPadOp, {r, amounts}, {conv_in});
        conv.padding = Padding::kValid;
      }
      b.AddOperator(kAdd, {x, x}, {z});
      b.AddOperator(kConv2D, {conv_in, w, bias}, {out}, conv);
      b.SetInputs({x});
      b.SetOutputs({out, z});
      return b;
    };
    std::vector<uint8_t> want, got;
    for (const bool with_pad : {false, true}) {
      InterpreterOptions options;
      options.kernels = KernelPath::kFast;
      auto it = Interpreter::Create(Load(build(with_pad)), BuiltinOpResolver(), options);
      ASSERT_TRUE(it.ok()) << it.status().message();
      Tensor* in = (*it)->input(0);
      for (size_t i = 0; i < in->bytes; ++i) {
        const uint8_t byte = static_cast<uint8_t>((i * 37 + 11) % 256);
        if (is_float) {
          in->data_as<float>()[i / 4] = static_cast<float>(byte) / 64.0f - 2.0f;
          i += 3;
        } else {
          in->data[i] = byte;
        }
      }
      ASSERT_TRUE((*it)->Invoke().ok());
      const Tensor* out = (*it)->output(0);
      (with_pad ? got : want).assign(out->data, out->data + out->bytes);
      if (with_pad) {
        EXPECT_STREQ((*it)->KernelPathOf(1), "skipped (unread)");
        EXPECT_STRNE((*it)->KernelPathOf(3), "reference");
      }
    }
    EXPECT_EQ(got, want);
  }
}

}  // namespace
}  // namespace labelite
