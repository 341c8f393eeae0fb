#include "cli/output_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace labelite::cli {

namespace fs = std::filesystem;

std::string LabelSourceFile(const std::string& source) {
  if (source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0) return "";
  if (source.rfind("sqlite:", 0) == 0) {
    std::string path = source.substr(7);
    if (const size_t q = path.find('?'); q != std::string::npos) path.resize(q);
    return path;
  }
  return source;
}

namespace {

std::string Resolved(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? path : p.string();
}

}  // namespace

Status CheckOutputPath(const std::string& output, const std::vector<ReadFile>& reads,
                       std::string_view output_role) {
  if (output.empty() || output == "-") return Status::Ok();
  struct stat out_st {};
  const bool out_exists = ::stat(output.c_str(), &out_st) == 0;
  const std::string out_resolved = Resolved(output);
  for (const ReadFile& r : reads) {
    if (r.path.empty() || r.path == "-") continue;
    bool same = Resolved(r.path) == out_resolved;
    struct stat in_st {};
    if (!same && out_exists && ::stat(r.path.c_str(), &in_st) == 0)
      same = in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino;
    if (same) {
      return Status(StatusCode::kInvalidArgument,
                    "refusing to write " + std::string(output_role) + " to " + output + ": it is " + r.role +
                        " (" + r.path + "); name another file",
                    ErrorOrigin::kUsage);
    }
  }
  if (out_exists && S_ISDIR(out_st.st_mode))
    return Status(StatusCode::kInvalidArgument,
                  "refusing to write " + std::string(output_role) + " to " + output + ": it is a directory",
                  ErrorOrigin::kUsage);
  return Status::Ok();
}

std::string PartialPath(const std::string& path) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string name = ".";
  name += target.filename().string();
  name += ".labelite-partial";
  return (dir / name).string();
}

Status ReplaceFile(const std::string& path, std::string_view bytes) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string name = ".";
  name += target.filename().string();
  name += ".XXXXXX";
  std::string tmp = (dir / name).string();
  const int fd = mkstemp(tmp.data());
  auto fail = [&](const std::string& why) {
    return Status(StatusCode::kIoError, path + ": cannot write: " + why, ErrorOrigin::kUsage);
  };
  if (fd < 0) return fail(std::string("cannot create a file in ") + dir.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  bool ok = done == bytes.size() && ::fchmod(fd, 0644) == 0 && ::fsync(fd) == 0;
  const int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(ok ? errno : saved);
    std::remove(tmp.c_str());
    return fail(why);
  }
  return Status::Ok();
}

}  // namespace labelite::cli
