// `labelite bench`: the JSON report's keys and their consistency on a real model, both kernel
// paths, the profile table, and errors. (Speed itself is measured by bench/, not asserted.)
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "kernels/fast/isa.h"
#include "testing/cli_runner.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::RunLabelite;
using testing::ShellQuote;

nlohmann::json BenchJson(const std::string& model, const std::string& kernels) {
  const auto r = RunLabelite("bench " + ShellQuote(testing::ModelPath(model)) +
                             " --runs 3 --warmup 1 --threads 1 --json --kernels " + kernels);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
}

TEST(BenchCli, JsonReportIsConsistent) {
  for (const char* kernels : {"fast", "reference"}) {
    const auto j = BenchJson("mobilenet_v1_0.25_128_quant.tflite", kernels);
    ASSERT_TRUE(j.is_object()) << kernels;
    EXPECT_EQ(j["kernels"], kernels);
    EXPECT_EQ(j["threads"], 1);
    EXPECT_EQ(j["runs"], 3);
    const auto& l = j["latency_ms"];
    EXPECT_GT(l["min"].get<double>(), 0.0);
    EXPECT_LE(l["min"].get<double>(), l["median"].get<double>());
    EXPECT_LE(l["median"].get<double>(), l["p90"].get<double>());
    EXPECT_LE(l["p99"].get<double>(), l["max"].get<double>());
    // One thread: the process's CPU time per timed invoke, at most its wall time (+ clock ticks).
    const double cpu = j["cpu_ms_per_invoke"];
    EXPECT_GT(cpu, 0.0);
    EXPECT_LE(cpu, 1.05 * l["max"].get<double>() + 0.02);
    // MobileNet v1 0.25 at 128x128: conv + depthwise + FC multiply-accumulates from the
    // published architecture (14 MMAC at 128 px, about 14.0e6).
    EXPECT_NEAR(j["macs"].get<double>(), 14.0e6, 0.5e6);
    EXPECT_GT(j["arena_bytes"].get<int64_t>(), 0);
    const int64_t peak = j["peak_rss_bytes"], base = j["baseline_rss_bytes"],
                  model = j["model_rss_bytes"];
    EXPECT_GT(base, 0);
    EXPECT_EQ(model, peak - base);
    EXPECT_GT(model, 0);
  }
}

TEST(BenchCli, ProfileNamesEveryOpTypeAndPath) {
  const auto r = RunLabelite("bench " +
                             ShellQuote(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite")) +
                             " --runs 2 --threads 1 --profile");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"per op type", "per operator", "CONV_2D", "DEPTHWISE_CONV_2D",
                        "AVERAGE_POOL_2D", "SOFTMAX", "GMAC/s", "peak RSS"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
}

TEST(BenchCli, MissingModelIsAOneLineError) {
  const auto r = RunLabelite("bench /nonexistent/model.tflite --runs 1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/model.tflite"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

// --isa lowers the level the JSON reports (never above what the CPU has); xnnpack runs no own
// kernel, so the profile shows none of theirs; unknown names are a one-line usage error.
TEST(BenchCli, IsaLevelIsAppliedAndReported) {
  const std::string model = ShellQuote(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite"));
  const auto detected = RunLabelite("bench " + model + " --runs 1 --threads 1 --json");
  ASSERT_EQ(detected.exit_code, 0) << detected.err;
  const auto dj = nlohmann::json::parse(detected.out, nullptr, false);
  ASSERT_TRUE(dj.is_object());
  EXPECT_EQ(dj["isa"], dj["isa_detected"]);
  const auto x = RunLabelite("bench " + model + " --runs 1 --threads 1 --json --isa xnnpack");
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(nlohmann::json::parse(x.out, nullptr, false)["isa"], "xnnpack");
  EXPECT_EQ(nlohmann::json::parse(x.out, nullptr, false)["isa_label"], "xnnpack");
  // At --isa avx2 the label names AVX-VNNI exactly when the CPU has it (the AVX2 kernels use it).
  const auto a = RunLabelite("bench " + model + " --runs 1 --threads 1 --json --isa avx2");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto aj = nlohmann::json::parse(a.out, nullptr, false);
  if (aj["isa"] == "avx2") {
    EXPECT_EQ(aj["isa_label"], xnn::HasAvxVnni() ? "avx2+avxvnni" : "avx2");
  }
  const auto r = RunLabelite("bench " + model + " --runs 1 --threads 1 --json --isa reference");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rj = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(rj["isa"], "reference");
  EXPECT_EQ(rj["kernels"], "reference");
  const auto p = RunLabelite("bench " + model + " --runs 1 --threads 1 --profile --isa xnnpack");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  for (const char* own : {"vnni", "avx512", "avx2"})
    EXPECT_EQ(p.out.find(std::string("  ") + own), std::string::npos) << own << "\n" << p.out;
  const auto bad = RunLabelite("bench " + model + " --runs 1 --isa avx9");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unknown --isa \"avx9\""), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find('\n'), bad.err.size() - 1) << bad.err;
}

}  // namespace
}  // namespace labelite
