// labelite's depthwise convolution (MakeFastConv: DwConvAvx512, or DwConvAvx2 with
// LABELITE_ISA=avx2) against XNNPACK 2022's depthwise operator on
// every DEPTHWISE_CONV_2D shape of MobileNet v2 1.0 224 (3x3, TF SAME padding), for per-channel
// int8 (qc8, the tf2 ptq model) and uint8 (qu8, the TF1 quant model), 1 and 2 threads. Reports
// GMAC/s ("MAC/s" counter) per layer and for all 17 depthwise convolutions in a row ("model").
//
//   build/release/bench/dwconv_bench --benchmark_repetitions=9
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//
// Timings on a shared machine are noisy: random interleaving spreads the repetitions of ours
// and XNNPACK's over the same period; read the median and min aggregates.
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
  size_t in_hw, channels;
  uint32_t stride;
  int count;  // how many times MobileNet v2 has this shape
};

constexpr Layer kLayers[] = {
    {"dw_112x32_s1", 112, 32, 1, 1},  {"dw_112x96_s2", 112, 96, 2, 1},
    {"dw_56x144_s1", 56, 144, 1, 1},  {"dw_56x144_s2", 56, 144, 2, 1},
    {"dw_28x192_s1", 28, 192, 1, 2},  {"dw_28x192_s2", 28, 192, 2, 1},
    {"dw_14x384_s1", 14, 384, 1, 4},  {"dw_14x576_s1", 14, 576, 1, 2},
    {"dw_14x576_s2", 14, 576, 2, 1},  {"dw_7x960_s1", 7, 960, 1, 3},
};

struct OpDeleter {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};
struct PoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};

// One layer ready to run either way, with weights shaped like a trained model's: centered on
// the zero point with rare outliers (uint8 weights - kzp then mostly fit int8, as in the TF1
// quant model, where 0-6 of a layer's weight vectors need an extra one).
class DwConv {
 public:
  DwConv(const Layer& l, Type type, Impl impl) {
    std::mt19937 rng(static_cast<uint32_t>(l.channels * 131 + l.stride));
    s_.depthwise = true;
    s_.in_h = s_.in_w = l.in_hw;
    s_.cin = s_.cout = l.channels;
    s_.out_h = s_.out_w = (l.in_hw + l.stride - 1) / l.stride;
    s_.kernel_h = s_.kernel_w = 3;
    s_.stride_h = s_.stride_w = l.stride;
    const size_t need = (s_.out_h - 1) * l.stride + 3;  // TF SAME: the extra padding after
    const uint32_t pad = need > l.in_hw ? static_cast<uint32_t>(need - l.in_hw) : 0;
    s_.pad_top = s_.pad_left = pad / 2;
    s_.pad_bottom = s_.pad_right = pad - pad / 2;
    ConvQuant& q = s_.quant;
    q.is_signed = type == Type::kQC8;
    q.input_zero_point = q.is_signed ? -128 : 0;  // after RELU6
    q.kernel_zero_point = q.is_signed ? 0 : 131;
    q.output_zero_point = q.is_signed ? -128 : 0;
    q.output_min = q.is_signed ? -128 : 0;
    q.output_max = q.is_signed ? 127 : 255;
    q.input_scale = 0.0235f;
    q.output_scale = 0.0235f;
    for (size_t i = 0; i < (q.is_signed ? l.channels : 1); ++i)
      q.kernel_scales.push_back(0.02f * (0.5f + float(rng() % 100) / 100));
    std::normal_distribution<float> normal(0.0f, 30.0f);
    weights_.resize(9 * l.channels);
    for (auto& w : weights_) {
      const int v = static_cast<int>(std::lround(normal(rng)));
      w = static_cast<uint8_t>(q.is_signed ? std::clamp(v, -127, 127)
                                           : std::clamp(v + q.kernel_zero_point, 0, 255));
    }
    bias_.resize(l.channels);
    for (auto& b : bias_) b = static_cast<int32_t>(rng() % 2001) - 1000;
    s_.weights = weights_.data();
    s_.bias = bias_.data();
    input_.resize(l.in_hw * l.in_hw * l.channels);
    for (auto& a : input_) a = static_cast<uint8_t>(rng());
    output_.resize(s_.out_h * s_.out_w * l.channels);
    if (impl == Impl::kOurs)
      fast_ = MakeFastConv(s_);
    else
      CreateXnnpack();
  }
  bool ready() const { return fast_ != nullptr || op_ != nullptr; }
  double macs() const { return double(s_.out_h * s_.out_w) * s_.cout * 9; }
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
    if (op_ != nullptr) Setup(nullptr);
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
  state.counters["MAC/s"] =
      benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Layer(benchmark::State& state, const Layer& l, Type type, Impl impl) {
  DwConv conv(l, type, impl);
  if (!conv.ready()) {
    state.SkipWithError("no kernel for this shape");
    return;
  }
  auto pool = MakePool(static_cast<int>(state.range(0)));
  for (auto _ : state) conv.Run(pool.get());
  SetRate(state, conv.macs());
}

// All 17 depthwise convolutions of the model, each as many times as the model has it.
void BM_Model(benchmark::State& state, Type type, Impl impl) {
  std::vector<std::unique_ptr<DwConv>> convs;
  double macs = 0;
  for (const Layer& l : kLayers)
    for (int i = 0; i < l.count; ++i) {
      convs.push_back(std::make_unique<DwConv>(l, type, impl));
      if (!convs.back()->ready()) {
        state.SkipWithError("no kernel for a shape");
        return;
      }
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
  const std::pair<Impl, const char*> impls[] = {{Impl::kOurs, "ours"},
                                                {Impl::kXnnpack, "xnnpack"}};
  for (const auto& [type, tname] : types) {
    for (const auto& [impl, iname] : impls)
      benchmark::RegisterBenchmark((std::string("model/") + tname + "/" + iname).c_str(),
                                   BM_Model, type, impl)
          ->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->ComputeStatistics("min", Min);
    for (const Layer& l : kLayers)
      for (const auto& [impl, iname] : impls)
        benchmark::RegisterBenchmark(
            (std::string(l.name) + "/" + tname + "/" + iname).c_str(), BM_Layer, l, type, impl)
            ->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->ComputeStatistics("min", Min);
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
