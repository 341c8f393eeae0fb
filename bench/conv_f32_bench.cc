// labelite's float32 CONV_2D GEMM (MakeFastConv: F32Gemm, kernels/x86/avx2/gemm_f32.h) against
// XNNPACK 2022's f32 convolution operator, on MobileNet v2's CONV_2D shapes and a few 3x3
// layers of ResNet/DenseNet, 1 thread. Reports GMAC/s ("MAC/s") per layer and for MobileNet v2's
// 36 convolutions in a row; cold/*: the layers of 7x7 pixels or fewer with their weights cold
// (copies with 64 MB of weights in all, run in turn), as weights are inside a whole model.
// LABELITE_ISA=avx2 measures the AVX2 kernel on an AVX-512 CPU (under
// bench/cpuid_mask XNNPACK then also runs its AVX2 kernels).
//
//   build/release/bench/conv_f32_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// Timings on a shared machine are noisy: compare ours/xnnpack pairs and the min aggregates.
#include <benchmark/benchmark.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/fast_conv.h"

namespace labelite::xnn {
namespace {

enum class Impl { kOurs, kXnnpack };

struct Layer {
  const char* name;
  size_t in_hw, cin, cout;
  uint32_t kernel, stride;
  int count;  // how many times MobileNet v2 has this shape (0: not in MobileNet v2)
};

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
    {"pw_3_1152x320", 3, 1152, 320, 1, 1, 0},      {"pw_3_1152x192", 3, 1152, 192, 1, 1, 0},
    {"3x3_56_64x64", 56, 64, 64, 3, 1, 0},          {"3x3_28_128x128", 28, 128, 128, 3, 1, 0},
    {"3x3s2_28_128x256", 28, 128, 256, 3, 2, 0},    {"3x3_14_128x32", 14, 128, 32, 3, 1, 0},
    {"pw_14_1024x128", 14, 1024, 128, 1, 1, 0},
    // EfficientNet-B0's late layers at the zoo's 96x96 input (3x3 and 6x6 pixels) and its head.
    {"pw_3_1152x320", 3, 1152, 320, 1, 1, 0},       {"pw_3_320x1280", 3, 320, 1280, 1, 1, 0},
    {"pw_3_1152x192", 3, 1152, 192, 1, 1, 0},       {"pw_3_192x1152", 3, 192, 1152, 1, 1, 0},
    {"pw_6_672x112", 6, 672, 112, 1, 1, 0},         {"pw_6_112x672", 6, 112, 672, 1, 1, 0},
    {"pw_1_48x1152", 1, 48, 1152, 1, 1, 0},         {"logits_1_1280x1000", 1, 1280, 1000, 1, 1, 0},
};

struct OpDeleter {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};

// One layer ready to run either way (TF SAME padding, relu6, random values).
class Conv {
 public:
  Conv(const Layer& l, Impl impl) {
    std::mt19937 rng(static_cast<uint32_t>(l.cin * 131 + l.cout));
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    s_.in_h = s_.in_w = l.in_hw;
    s_.cin = l.cin;
    s_.out_h = s_.out_w = (l.in_hw + l.stride - 1) / l.stride;
    s_.cout = l.cout;
    s_.kernel_h = s_.kernel_w = l.kernel;
    s_.stride_h = s_.stride_w = l.stride;
    const size_t need = (s_.out_h - 1) * l.stride + l.kernel;
    const uint32_t pad = need > l.in_hw ? static_cast<uint32_t>(need - l.in_hw) : 0;
    s_.pad_top = s_.pad_left = pad / 2;
    s_.pad_bottom = s_.pad_right = pad - pad / 2;
    s_.output_min = 0.0f, s_.output_max = 6.0f;
    weights_.resize(l.cout * l.kernel * l.kernel * l.cin);
    bias_.resize(l.cout);
    input_.resize(l.in_hw * l.in_hw * l.cin);
    for (auto* v : {&weights_, &bias_, &input_})
      for (float& x : *v) x = dist(rng);
    output_.resize(s_.out_h * s_.out_w * l.cout);
    s_.weights = weights_.data();
    s_.bias = bias_.data();
    if (impl == Impl::kOurs) {
      fast_ = MakeFastConv(s_);
      return;
    }
    xnn_operator_t op = nullptr;
    xnn_create_convolution2d_nhwc_f32(s_.pad_top, s_.pad_right, s_.pad_bottom, s_.pad_left,
                                      l.kernel, l.kernel, l.stride, l.stride, 1, 1, 1, l.cin,
                                      l.cout, l.cin, l.cout, s_.weights, s_.bias, 0.0f, 6.0f, 0,
                                      &op);
    op_.reset(op);
    xnn_setup_convolution2d_nhwc_f32(op, 1, l.in_hw, l.in_hw, input_.data(), output_.data(),
                                     nullptr);
  }
  bool ready() const { return fast_ != nullptr || op_ != nullptr; }
  double macs() const {
    return double(s_.out_h * s_.out_w) * s_.cout * s_.cin * s_.kernel_h * s_.kernel_w;
  }
  void Run() {
    if (fast_ != nullptr) return fast_->Run(input_.data(), output_.data(), 1, nullptr);
    xnn_run_operator(op_.get(), nullptr);
  }

 private:
  FastConvF32Spec s_;
  std::vector<float> weights_, bias_, input_, output_;
  std::unique_ptr<FastConv> fast_;
  std::unique_ptr<xnn_operator, OpDeleter> op_;
};

void SetRate(benchmark::State& state, double macs) {
  state.counters["MAC/s"] = benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Layer(benchmark::State& state, const Layer& l, Impl impl) {
  Conv conv(l, impl);
  if (!conv.ready()) return state.SkipWithError("no kernel for this shape");
  for (auto _ : state) conv.Run();
  SetRate(state, conv.macs());
}

// Cold weights, as inside a whole model: copies of the layer with 64 MB of weights in all, run
// in turn, so each run reads its weights from memory (or what of L3 a shared host leaves).
void BM_Cold(benchmark::State& state, const Layer& l, Impl impl) {
  const size_t bytes = l.cout * l.kernel * l.kernel * l.cin * sizeof(float);
  const size_t copies = std::clamp<size_t>((size_t{64} << 20) / bytes, 2, 256);
  std::vector<std::unique_ptr<Conv>> convs;
  for (size_t i = 0; i < copies; ++i) {
    convs.push_back(std::make_unique<Conv>(l, impl));
    if (!convs.back()->ready()) return state.SkipWithError("no kernel for this shape");
  }
  size_t next = 0;
  for (auto _ : state) {
    convs[next]->Run();
    next = next + 1 == copies ? 0 : next + 1;
  }
  SetRate(state, convs[0]->macs());
}

void BM_Model(benchmark::State& state, Impl impl) {
  std::vector<std::unique_ptr<Conv>> convs;
  double macs = 0;
  for (const Layer& l : kLayers)
    for (int i = 0; i < l.count; ++i) {
      convs.push_back(std::make_unique<Conv>(l, impl));
      if (!convs.back()->ready()) convs.pop_back();
      else macs += convs.back()->macs();
    }
  for (auto _ : state)
    for (auto& c : convs) c->Run();
  SetRate(state, macs);
}

double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

void Register() {
  const std::pair<Impl, const char*> impls[] = {{Impl::kOurs, "ours"}, {Impl::kXnnpack, "xnnpack"}};
  for (const auto& [impl, iname] : impls)
    benchmark::RegisterBenchmark((std::string("mobilenet_v2/") + iname).c_str(), BM_Model, impl)
        ->ComputeStatistics("min", Min);
  for (const Layer& l : kLayers)
    for (const auto& [impl, iname] : impls)
      benchmark::RegisterBenchmark((std::string(l.name) + "/" + iname).c_str(), BM_Layer, l, impl)
          ->ComputeStatistics("min", Min);
  for (const Layer& l : kLayers)
    if (l.in_hw <= 7)
      for (const auto& [impl, iname] : impls)
        benchmark::RegisterBenchmark((std::string("cold/") + l.name + "/" + iname).c_str(),
                                     BM_Cold, l, impl)
            ->ComputeStatistics("min", Min);
}

}  // namespace
}  // namespace labelite::xnn

int main(int argc, char** argv) {
  if (xnn_initialize(nullptr) != xnn_status_success) return 1;
  labelite::xnn::Register();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
