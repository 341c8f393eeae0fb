// `labelite bench MODEL [--threads N] [--runs N] [--warmup N] [--kernels reference|fast]
// [--isa avx512|avx2|xnnpack|reference] [--json] [--profile]`: times model load, prepare
// (Interpreter::Create), the first invoke and `runs` timed invokes after `warmup` untimed ones,
// on the pattern37 input (byte i = (i*37+11) mod 256; int8: minus 128; float32: /255).
// --isa lowers the ISA level of labelite's own kernels (kernels/fast/isa.h) for this run;
// `reference` also selects the reference kernels. The JSON reports the level used.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/options.h"
#include "kernels/fast/isa.h"
#include "kernels/registry.h"
#include "runtime/interpreter.h"

namespace labelite::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchOptions {
  std::string model;
  int runs = 50;
  int warmup = 5;
  bool json = false;
  bool profile = false;
  std::string isa;  // empty: what the CPU has, lowered by LABELITE_ISA
  RuntimeFlags runtime;
};

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void FillPattern37(Tensor* t) {
  const size_t n = static_cast<size_t>(t->NumElements());
  for (size_t i = 0; i < n; ++i) {
    const auto b = static_cast<uint8_t>((i * 37 + 11) % 256);
    switch (t->type) {
      case DataType::kFloat32: t->data_as<float>()[i] = b / 255.0f; break;
      case DataType::kUInt8: t->data_as<uint8_t>()[i] = b; break;
      case DataType::kInt8: t->data_as<int8_t>()[i] = static_cast<int8_t>(b - 128); break;
      default: break;  // other input types stay zero
    }
  }
}

// A "VmHWM:"/"VmRSS:" line of /proc/self/status in bytes, or -1.
int64_t ProcStatusBytes(const char* key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(std::strlen(key))) * 1024;
  return -1;
}

// Peak resident set size (VmHWM), or ru_maxrss when /proc is unavailable.
int64_t PeakRssBytes() {
  if (int64_t hwm = ProcStatusBytes("VmHWM:"); hwm >= 0) return hwm;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

void PrintProfile(const Interpreter& it, int invokes) {
  const auto& prof = it.profile();
  double total = 0;
  for (const OpProfile& p : prof) total += p.total_ms;
  struct Row { double ms = 0; int count = 0; std::string paths; };
  std::map<std::string, Row> by_type;
  for (const OpProfile& p : prof) {
    Row& r = by_type[p.op_name];
    r.ms += p.total_ms;
    ++r.count;
    if (r.paths.find(p.path) == std::string::npos) r.paths += (r.paths.empty() ? "" : ",") + std::string(p.path);
  }
  std::vector<std::pair<std::string, Row>> rows(by_type.begin(), by_type.end());
  std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.second.ms > b.second.ms; });
  std::printf("\nper op type (ms per invoke):\n%-26s %6s %10s %7s  %s\n", "op", "count", "ms", "share", "path");
  for (const auto& [name, r] : rows)
    std::printf("%-26s %6d %10.4f %6.1f%%  %s\n", name.c_str(), r.count, r.ms / invokes,
                100.0 * r.ms / total, r.paths.c_str());
  std::printf("\nper operator (ms per invoke):\n%5s %-26s %10s %7s  %s\n", "#", "op", "ms", "share", "path");
  for (const OpProfile& p : prof)
    std::printf("%5d %-26s %10.4f %6.1f%%  %s\n", p.op_index, p.op_name.c_str(),
                p.total_ms / invokes, 100.0 * p.total_ms / total, p.path);
}

// The ISA level the run uses: --isa applied (reference also selects the reference kernels).
// False, with a one-line error, for an unknown name.
bool ApplyIsa(BenchOptions& o) {
  if (o.isa.empty()) return true;
  const std::optional<xnn::IsaLevel> level = xnn::ParseIsaLevel(o.isa);
  if (!level) {
    std::fprintf(stderr,
                 "labelite bench: unknown --isa %s (expected avx512, avx2, xnnpack or "
                 "reference)\n",
                 nlohmann::json(o.isa)
                     .dump(-1, ' ', true, nlohmann::json::error_handler_t::replace)
                     .c_str());
    return false;
  }
  xnn::SetIsaLimit(*level);
  if (*level == xnn::IsaLevel::kReference) o.runtime.kernels = KernelPath::kReference;
  return true;
}

int RunBench(BenchOptions o) {
  if (!ApplyIsa(o)) return kExitUsage;
  const xnn::IsaLevel level = std::max(xnn::ActiveIsa(), xnn::IsaLevel::kXnnpack);
  const bool reference = o.runtime.kernels == KernelPath::kReference;
  const char* isa = reference ? "reference" : xnn::IsaLevelName(level);
  // The level with the feature bits its kernels use (avx2+avxvnni), for tables.
  const char* isa_label = reference ? "reference" : xnn::IsaLevelLabel(level);
  // The process before the model: binary, libraries, CLI; what the model costs is on top.
  const int64_t baseline_rss = std::max<int64_t>(0, ProcStatusBytes("VmRSS:"));
  auto start = Clock::now();
  auto model = Model::FromFile(o.model);
  if (!model.ok()) return ReportModelFileError(model.status());
  const double load_ms = MsSince(start);
  start = Clock::now();
  auto interp = Interpreter::Create(*model, BuiltinOpResolver(), o.runtime.ToInterpreterOptions());
  if (!interp.ok()) return ReportError(interp.status(), ErrorOrigin::kModel);
  const double prepare_ms = MsSince(start);
  Interpreter& it = **interp;
  for (int i = 0; i < it.num_inputs(); ++i) FillPattern37(it.input(i));
  start = Clock::now();
  if (Status s = it.Invoke(); !s.ok()) return ReportError(s, ErrorOrigin::kModel);
  const double first_ms = MsSince(start);
  for (int i = 0; i < o.warmup; ++i)
    if (Status s = it.Invoke(); !s.ok()) return ReportError(s, ErrorOrigin::kModel);
  std::vector<double> times;
  const std::clock_t cpu_start = std::clock();  // process CPU time: every thread's
  for (int i = 0; i < o.runs; ++i) {
    start = Clock::now();
    if (Status s = it.Invoke(); !s.ok()) return ReportError(s, ErrorOrigin::kModel);
    times.push_back(MsSince(start));
  }
  // Less disturbed than wall time by other processes on a shared machine (1 thread: the work
  // itself; more: also what waiting workers spin).
  const double cpu_ms = 1e3 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC / o.runs;
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  const double mean = std::accumulate(times.begin(), times.end(), 0.0) / times.size();
  const double median = Percentile(sorted, 0.5);
  const double gmacs = static_cast<double>(it.TotalMacs()) / (median * 1e6);
  const char* kernels = o.runtime.kernels == KernelPath::kFast ? "fast" : "reference";
  const int64_t peak_rss = PeakRssBytes();
  const int64_t model_rss = std::max<int64_t>(0, peak_rss - baseline_rss);
  if (o.json) {
    nlohmann::json j = {
        {"model", o.model}, {"load_ms", load_ms}, {"prepare_ms", prepare_ms},
        {"first_ms", first_ms},
        {"latency_ms", {{"min", sorted.front()}, {"median", median}, {"mean", mean},
                        {"p90", Percentile(sorted, 0.9)}, {"p99", Percentile(sorted, 0.99)},
                        {"max", sorted.back()}}},
        {"throughput_per_s", 1000.0 / mean}, {"cpu_ms_per_invoke", cpu_ms},
        {"gmacs", gmacs}, {"macs", it.TotalMacs()},
        {"arena_bytes", it.arena_bytes()}, {"peak_rss_bytes", peak_rss},
        {"baseline_rss_bytes", baseline_rss}, {"model_rss_bytes", model_rss},
        {"threads", o.runtime.threads}, {"kernels", kernels}, {"isa", isa},
        {"isa_label", isa_label},
        {"isa_detected", xnn::IsaLevelName(xnn::DetectedIsa())}, {"runs", o.runs}};
    std::printf("%s\n", j.dump(1).c_str());
  } else {
    std::printf("model        %s\nkernels      %s, %d thread(s), ISA level %s\n", o.model.c_str(),
                kernels, o.runtime.threads, isa_label);
    std::printf("load         %.3f ms\nprepare      %.3f ms\nfirst invoke %.3f ms\n", load_ms,
                prepare_ms, first_ms);
    std::printf("latency (%d runs) min %.3f  median %.3f  mean %.3f  p90 %.3f  p99 %.3f  max %.3f ms\n",
                o.runs, sorted.front(), median, mean, Percentile(sorted, 0.9),
                Percentile(sorted, 0.99), sorted.back());
    std::printf("throughput   %.1f inferences/s\n", 1000.0 / mean);
    std::printf("cpu time     %.3f ms per invoke (process, all threads)\n", cpu_ms);
    std::printf("compute      %.1f MMAC, %.1f GMAC/s effective\n", it.TotalMacs() / 1e6, gmacs);
    std::printf("arena        %zu bytes\n", it.arena_bytes());
    std::printf("peak RSS     %lld bytes (%lld before loading the model, %lld for the model)\n",
                static_cast<long long>(peak_rss), static_cast<long long>(baseline_rss),
                static_cast<long long>(model_rss));
  }
  if (o.profile) {
    it.EnableProfiling(true);
    for (int i = 0; i < o.runs; ++i)
      if (Status s = it.Invoke(); !s.ok()) return ReportError(s, ErrorOrigin::kModel);
    PrintProfile(it, o.runs);
  }
  return kExitOk;
}

}  // namespace

void AddBenchCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Time a model: load, prepare, latency, throughput");
  cmd->add_option("model", opts->model, "The .tflite model")->required();
  cmd->add_option("--runs", opts->runs, "Timed invokes")->check(CLI::Range(1, 1000000))->capture_default_str();
  cmd->add_option("--warmup", opts->warmup, "Untimed invokes before the timed ones")
      ->check(CLI::Range(0, 1000000))->capture_default_str();
  cmd->add_flag("--json", opts->json, "Print one JSON object");
  cmd->add_flag("--profile", opts->profile, "Print per-op-type and per-operator times");
  cmd->add_option("--isa", opts->isa,
                  "Highest ISA level of labelite's own kernels: avx512, avx2, xnnpack or reference "
                  "(default: what the CPU has, lowered by LABELITE_ISA)");
  opts->runtime.AddTo(cmd);
  cmd->callback([opts, exit_code] { *exit_code = RunBench(*opts); });
}

}  // namespace labelite::cli
