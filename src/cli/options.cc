#include "cli/options.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace labelite::cli {

namespace {

Status UsageError(std::string m) { return Status(StatusCode::kInvalidArgument, std::move(m), ErrorOrigin::kUsage); }

// "M" or "M,M,M" as finite floats.
Result<std::vector<float>> ParseFloatList(const std::string& s, const char* flag) {
  std::vector<float> v;
  if (s.empty()) return v;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    char* end = nullptr;
    const float f = std::strtof(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !std::isfinite(f))
      return UsageError(std::string(flag) + ": not a number: '" + item + "'");
    v.push_back(f);
    start = comma + 1;
  }
  return v;
}

}  // namespace

Status PreprocessFlags::ApplyTo(ClassifierOptions& o) const {
  auto m = ParseFloatList(mean, "--mean");
  if (!m.ok()) return m.status();
  auto s = ParseFloatList(std, "--std");
  if (!s.ok()) return s.status();
  if (m->empty() != s->empty()) return UsageError("--mean and --std go together");
  for (float v : *s)
    if (!(v > 0.0f)) return UsageError("--std: values must be > 0");
  o.mean = std::move(*m);
  o.std = std::move(*s);
  o.resize = resize == "crop" ? ResizeMode::kCrop : resize == "pad" ? ResizeMode::kPad : ResizeMode::kStretch;
  return Status::Ok();
}

}  // namespace labelite::cli
