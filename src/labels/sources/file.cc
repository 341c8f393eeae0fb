// LoadLabels: dispatches on the source's form; files are read here with a size limit.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "labels/label_map.h"

namespace labelite {

namespace labels_internal {

Result<LabelMap> LoadFileLabels(const std::string& path, const LabelSourceOptions& options) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return NotFound(path + ": no such label file");
  if (std::filesystem::is_directory(status)) return InvalidArgument(path + ": is a directory");
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return IoError(path + ": cannot open: " + std::strerror(errno));
  uint64_t limit = std::min<uint64_t>(options.max_bytes, kMaxLabelBytes);
  std::string bytes;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    if (bytes.size() + n > limit) {
      return ResourceExhausted(path + ": label file is larger than the limit of " +
                               std::to_string(limit) + " bytes");
    }
    bytes.append(buf, n);
  }
  if (std::ferror(f.get())) return IoError(path + ": read error");
  return ParseLabels(std::string_view(bytes), path, options.format);
}

}  // namespace labels_internal

namespace {

Result<LabelMap> LoadAnyLabels(const std::string& source, const LabelSourceOptions& options) {
  using namespace labels_internal;
  if (source.empty()) return InvalidArgument("empty label source");
  if (source.rfind("sqlite:", 0) == 0) return LoadSqliteLabels(source, options);
  if (source.rfind("http://", 0) == 0) return LoadHttpLabels(source, options);
  if (source.rfind("https://", 0) == 0) {
    return Unsupported(source + ": only http:// label URLs are supported; "
                                "use http:// on a trusted network or download the file");
  }
  return LoadFileLabels(source, options);
}

}  // namespace

Result<LabelMap> LoadLabels(const std::string& source, const LabelSourceOptions& options) {
  Result<LabelMap> r = LoadAnyLabels(source, options);
  if (!r.ok()) return r.status().WithOrigin(ErrorOrigin::kLabels);
  return r;
}

}  // namespace labelite
