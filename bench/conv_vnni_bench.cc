// labelite's own quantized convolutions (MakeFastConv: the 1x1 and KxK VNNI GEMMs) against
// XNNPACK 2022's convolution operator, on every CONV_2D shape of MobileNet v2 1.0 224, for
// per-channel int8 (qc8, the tf2 ptq model) and uint8 (qu8, the TF1 quant model), 1 and 2
// threads. Reports GMAC/s ("MAC/s" counter) per layer and for all 36 convolutions in a row.
//
//   build/release/bench/conv_vnni_bench --benchmark_filter='model' --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// Timings on a shared machine are noisy: compare ours/xnnpack pairs, which run back to back,
// and read the median and min aggregates.
#include <benchmark/benchmark.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/fast_conv.h"
#include "kernels/xnnpack/quantized_conv_op.h"

namespace labelite::xnn {
namespace {

enum class Impl { kOurs, kXnnpack };
enum class Type { kQC8, kQU8 };

struct Layer {
  const char* name;
  size_t in_hw, cin, cout;
  uint32_t kernel, stride;
  int count;  // how many times MobileNet v2 has this shape
};

// MobileNet v2 1.0 224: the first 3x3 stride-2 conv (TF SAME: pad bottom/right 1), then the
// 35 pointwise convs (expansions, projections, the last 320->1280 and the 1x1 logits conv).
constexpr Layer kLayers[] = {
    {"conv0_3x3s2_224x3x32", 224, 3, 32, 3, 2, 1},  {"pw_112_32x16", 112, 32, 16, 1, 1, 1},
    {"pw_112_16x96", 112, 16, 96, 1, 1, 1},         {"pw_56_96x24", 56, 96, 24, 1, 1, 1},
    {"pw_56_24x144", 56, 24, 144, 1, 1, 2},         {"pw_56_144x24", 56, 144, 24, 1, 1, 1},
    {"pw_28_144x32", 28, 144, 32, 1, 1, 1},         {"pw_28_32x192", 28, 32, 192, 1, 1, 3},
    {"pw_28_192x32", 28, 192, 32, 1, 1, 2},         {"pw_14_192x64", 14, 192, 64, 1, 1, 1},
    {"pw_14_64x384", 14, 64, 384, 1, 1, 4},         {"pw_14_384x64", 14, 384, 64, 1, 1, 3},
    {"pw_14_384x96", 14, 384, 96, 1, 1, 1},         {"pw_14_96x576", 14, 96, 576, 1, 1, 3},
    {"pw_14_576x96", 14, 576, 96, 1, 1, 2},         {"pw_7_576x160", 7, 576, 160, 1, 1, 1},
    {"pw_7_160x960", 7, 160, 960, 1, 1, 3},         {"pw_7_960x160", 7, 960, 160, 1, 1, 2},
    {"pw_7_960x320", 7, 960, 320, 1, 1, 1},         {"pw_7_320x1280", 7, 320, 1280, 1, 1, 1},
    {"logits_1_1280x1001", 1, 1280, 1001, 1, 1, 1},
};

struct OpDeleter {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};
struct PoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};

// TF SAME padding: ceil(in / stride) outputs.
size_t OutSize(size_t in, uint32_t s) { return (in + s - 1) / s; }

// One layer ready to run either way: random weights, inputs and realistic quantization.
class Conv {
 public:
  Conv(const Layer& l, Type type, Impl impl) {
    std::mt19937 rng(static_cast<uint32_t>(l.cin * 131 + l.cout));
    s_.in_h = s_.in_w = l.in_hw;
    s_.cin = l.cin;
    s_.out_h = s_.out_w = OutSize(l.in_hw, l.stride);
    s_.cout = l.cout;
    s_.kernel_h = s_.kernel_w = l.kernel;
    s_.stride_h = s_.stride_w = l.stride;
    // TF SAME padding: the total padding goes mostly after.
    const size_t need = (s_.out_h - 1) * l.stride + l.kernel;
    const uint32_t pad = need > l.in_hw ? static_cast<uint32_t>(need - l.in_hw) : 0;
    s_.pad_top = s_.pad_left = pad / 2;
    s_.pad_bottom = s_.pad_right = pad - pad / 2;
    ConvQuant& q = s_.quant;
    q.is_signed = type == Type::kQC8;
    q.input_zero_point = q.is_signed ? -3 : 128;
    q.kernel_zero_point = q.is_signed ? 0 : 120;
    q.output_zero_point = q.is_signed ? -128 : 0;
    q.output_min = q.is_signed ? -128 : 0;
    q.output_max = q.is_signed ? 127 : 255;
    q.input_scale = 0.02f;
    q.output_scale = 0.1f;
    const size_t k = size_t{l.kernel} * l.kernel * l.cin;
    for (size_t i = 0; i < (q.is_signed ? l.cout : 1); ++i)
      q.kernel_scales.push_back(0.5f / std::sqrt(float(k)) * (0.5f + float(rng() % 100) / 100));
    weights_.resize(l.cout * k);
    for (auto& w : weights_) w = static_cast<uint8_t>(rng());
    bias_.resize(l.cout);
    for (auto& b : bias_) b = static_cast<int32_t>(rng() % 2001) - 1000;
    s_.weights = weights_.data();
    s_.bias = bias_.data();
    input_.resize(l.in_hw * l.in_hw * l.cin);
    for (auto& a : input_) a = static_cast<uint8_t>(rng());
    output_.resize(s_.out_h * s_.out_w * l.cout);
    // As the runtime does: XNNPACK runs what no FastConv handles.
    if (impl == Impl::kOurs) fast_ = MakeFastConv(s_);
    if (fast_ == nullptr) CreateXnnpack();
  }
  bool fast() const { return fast_ != nullptr; }
  double macs() const {
    return double(s_.out_h * s_.out_w) * s_.cout * s_.cin * s_.kernel_h * s_.kernel_w;
  }
  void Run(pthreadpool_t pool) {
    if (fast_ != nullptr) {
      fast_->Run(input_.data(), output_.data(), 1, pool);
      return;
    }
    if (pool != pool_) Setup(pool);
    xnn_run_operator(op_.get(), pool);
  }

 private:
  QuantConvType XnnType() const {
    return s_.quant.is_signed ? QuantConvType::kQC8 : QuantConvType::kQU8;
  }
  void CreateXnnpack() {
    xnn_operator_t op = nullptr;
    CreateQuantizedConv(s_, XnnType(), &op);
    op_.reset(op);
    Setup(nullptr);
  }
  void Setup(pthreadpool_t pool) {
    pool_ = pool;
    SetupQuantizedConv(op_.get(), XnnType(), 1, s_.in_h, s_.in_w, input_.data(), output_.data(),
                       pool);
  }

  FastConvSpec s_;
  std::vector<uint8_t> weights_, input_, output_;
  std::vector<int32_t> bias_;
  std::unique_ptr<FastConv> fast_;
  std::unique_ptr<xnn_operator, OpDeleter> op_;
  pthreadpool_t pool_ = nullptr;
};

std::unique_ptr<pthreadpool, PoolDeleter> MakePool(int threads) {
  return std::unique_ptr<pthreadpool, PoolDeleter>(
      threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr);
}

void SetRate(benchmark::State& state, double macs) {
  state.counters["MAC/s"] = benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Layer(benchmark::State& state, const Layer& l, Type type, Impl impl) {
  Conv conv(l, type, impl);
  if (impl == Impl::kOurs && !conv.fast()) {
    state.SkipWithError("no kernel for this shape");
    return;
  }
  auto pool = MakePool(static_cast<int>(state.range(0)));
  for (auto _ : state) conv.Run(pool.get());
  SetRate(state, conv.macs());
}

// All 36 CONV_2D of the model, each as many times as the model has it.
void BM_Model(benchmark::State& state, Type type, Impl impl) {
  std::vector<std::unique_ptr<Conv>> convs;
  double macs = 0;
  for (const Layer& l : kLayers)
    for (int i = 0; i < l.count; ++i) {
      convs.push_back(std::make_unique<Conv>(l, type, impl));
      macs += convs.back()->macs();
    }
  auto pool = MakePool(static_cast<int>(state.range(0)));
  for (auto _ : state)
    for (auto& c : convs) c->Run(pool.get());
  SetRate(state, macs);
}

double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

void Register() {
  const std::pair<Type, const char*> types[] = {{Type::kQC8, "qc8"}, {Type::kQU8, "qu8"}};
  const std::pair<Impl, const char*> impls[] = {{Impl::kOurs, "ours"}, {Impl::kXnnpack, "xnnpack"}};
  for (const auto& [type, tname] : types) {
    for (const auto& [impl, iname] : impls)
      benchmark::RegisterBenchmark((std::string("model/") + tname + "/" + iname).c_str(), BM_Model,
                                   type, impl)
          ->Arg(1)
          ->Arg(2)
          ->ArgName("threads")
          ->UseRealTime()
          ->ComputeStatistics("min", Min);
    for (const Layer& l : kLayers)
      for (const auto& [impl, iname] : impls)
        benchmark::RegisterBenchmark((std::string(l.name) + "/" + tname + "/" + iname).c_str(),
                                     BM_Layer, l, type, impl)
            ->Arg(1)
            ->Arg(2)
            ->ArgName("threads")
            ->UseRealTime()
            ->ComputeStatistics("min", Min);
  }
}

}  // namespace
}  // namespace labelite::xnn

int main(int argc, char** argv) {
  if (xnn_initialize(nullptr) != xnn_status_success) {
    std::fprintf(stderr, "xnn_initialize failed\n");
    return 1;
  }
  labelite::xnn::Register();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
