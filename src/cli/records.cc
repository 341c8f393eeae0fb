#include "cli/records.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "cli/output_files.h"

namespace labelite::cli {

namespace {

std::string FormatScore(float s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(s));
  return buf;
}

nlohmann::json ResultJson(const BatchResult& o, const std::string& model) {
  nlohmann::json results = nlohmann::json::array();
  for (const Classification& c : o.classes) {
    nlohmann::json r = {{"index", c.index}, {"label", c.label}, {"score", c.score}};
    if (!c.display_name.empty()) r["display_name"] = c.display_name;
    if (c.head != 0) r["head"] = c.head;
    results.push_back(std::move(r));
  }
  return {{"file", o.path}, {"model", model}, {"results", results},
          {"error", o.status.ok() ? nlohmann::json(nullptr) : nlohmann::json(o.status.message())}};
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// The fields of a CSV line written by CsvField.
std::vector<std::string> CsvFields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') fields.back() += c;
      else if (i + 1 < line.size() && line[i + 1] == '"') fields.back() += line[++i];
      else quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

Status Usage(std::string m, StatusCode code = StatusCode::kInvalidArgument) {
  return Status(code, std::move(m), ErrorOrigin::kUsage);
}

}  // namespace

std::string FormatResult(Format format, const BatchResult& o, const std::string& model, bool first) {
  std::string out;
  switch (format) {
    case Format::kJson:
      return std::string(first ? "\n  " : ",\n  ") + ResultJson(o, model).dump();
    case Format::kJsonl:
      return ResultJson(o, model).dump() + "\n";
    case Format::kCsv:
      // Every input gets at least one row, so --resume finds it: errors and empty results
      // leave rank..score empty.
      if (!o.status.ok() || o.classes.empty())
        return CsvField(o.path) + ",,,,," + CsvField(o.status.ok() ? "" : o.status.message()) + "\n";
      for (size_t r = 0; r < o.classes.size(); ++r) {
        const Classification& c = o.classes[r];
        out += CsvField(o.path) + "," + std::to_string(r + 1) + "," + std::to_string(c.index) + "," +
               CsvField(c.label) + "," + FormatScore(c.score) + ",\n";
      }
      return out;
    case Format::kTable:
      out = o.path + "\n";
      if (!o.status.ok()) return out + "  error: " + o.status.message() + "\n";
      if (o.classes.empty()) out += "  (no class above the threshold)\n";
      for (size_t r = 0; r < o.classes.size(); ++r) {
        const Classification& c = o.classes[r];
        std::string name = c.label;
        if (!c.display_name.empty() && c.display_name != c.label) name += " (" + c.display_name + ")";
        if (name.size() < 40) name.resize(40, ' ');
        out += "  " + std::to_string(r + 1) + ". " + name + " " + FormatScore(c.score) + "  [" +
               std::to_string(c.index) + "]" + (c.head ? " head " + std::to_string(c.head) : "") + "\n";
      }
      return out;
  }
  return out;
}

RecordSink::~RecordSink() {
  if (fd_ > STDERR_FILENO) close(fd_);
}

Status RecordSink::OpenFresh(const std::string& path) {
  partial_ = PartialPath(path);
  fd_ = open(partial_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return Usage(path + ": cannot write (" + partial_ + "): " + std::strerror(errno), StatusCode::kIoError);
  path_ = path;
  return Status::Ok();
}

Status RecordSink::OpenAppend(const std::string& path, const std::string& rename_to) {
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND, 0644);
  if (fd_ < 0) return Usage(path + ": cannot open for writing: " + std::strerror(errno), StatusCode::kIoError);
  path_ = rename_to.empty() ? path : rename_to;
  if (!rename_to.empty()) partial_ = path;
  return Status::Ok();
}

bool RecordSink::HasCsvHeader() const {
  struct stat st {};
  if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return false;
  // The fd may be write-only (stdout opened with >>): read through /proc.
  std::ifstream in("/proc/self/fd/" + std::to_string(fd_), std::ios::binary);
  std::string first;
  std::getline(in, first);
  return first + "\n" == kCsvHeader;
}

Status RecordSink::Write(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Usage((path_.empty() ? "standard output" : path_) + ": write failed: " + std::strerror(errno),
                   StatusCode::kIoError);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status RecordSink::Finish() {
  if (partial_.empty()) return Status::Ok();
  const bool synced = fsync(fd_) == 0;
  close(fd_);
  fd_ = -1;
  if (!synced || std::rename(partial_.c_str(), path_.c_str()) != 0)
    return Usage(path_ + ": cannot move the results into place (they are in " + partial_ + "): " +
                     std::strerror(errno),
                 StatusCode::kIoError);
  partial_.clear();
  return Status::Ok();
}

Result<DoneRecords> ReadDone(const std::string& path, Format format) {
  DoneRecords r;
  std::ifstream in(path, std::ios::binary);
  if (!in) return r;  // nothing yet
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  bool rewrite = false;
  if (!text.empty() && text.back() != '\n') {
    const size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
    std::fprintf(stderr, "labelite: %s: dropping an incomplete last record (%zu bytes)\n", path.c_str(),
                 text.size() - keep);
    text.resize(keep);
    rewrite = true;
  }
  std::istringstream lines(text);
  std::string line, kept;
  std::set<std::string> failed;
  for (int n = 1; std::getline(lines, line); ++n) {
    if (line.empty()) continue;
    std::string file;
    bool ok = true;
    if (format == Format::kCsv) {
      if (line + "\n" == kCsvHeader) {
        kept += line + "\n";
        continue;
      }
      const std::vector<std::string> fields = CsvFields(line);
      file = fields[0];
      ok = fields.size() < 6 || fields[5].empty();
    } else {
      auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object() || !j.contains("file") || !j["file"].is_string())
        return Usage(path + ":" + std::to_string(n) + ": not a labelite JSON line (wrong --format?)");
      file = j["file"].get<std::string>();
      ok = !j.contains("error") || j["error"].is_null();
    }
    if (ok) {
      r.done.insert(file);
      kept += line + "\n";
    } else {
      failed.insert(file);
      rewrite = true;
    }
  }
  for (const std::string& f : failed) r.retried += r.done.count(f) == 0;
  if (rewrite) LABELITE_RETURN_IF_ERROR(ReplaceFile(path, kept));
  return r;
}

}  // namespace labelite::cli
