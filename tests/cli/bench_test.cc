// `labelite bench`: the JSON report's keys and their consistency on a real model, both kernel
// paths, the profile table, and errors. (Speed itself is measured by bench/, not asserted.)
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace labelite
