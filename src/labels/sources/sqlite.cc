// Labels from a SQLite table: `sqlite:PATH?table=T&label=COL[&index=COL][&display=COL]`.
// Steps:
//   1. parse the URI (values may be %-encoded); table and label are required;
//   2. open PATH read-only (SQLITE_OPEN_READONLY, as a "file:...?mode=ro" URI);
//   3. check the table against sqlite_master (a bound parameter) and the columns against
//      PRAGMA table_info, then quote them as identifiers (no user text reaches SQL unquoted);
//   4. read the rows ordered by the index column (or rowid), with row and byte limits, under a
//      deadline: a progress handler interrupts any statement once options.timeout_ms has passed
//      (a view can be an endless recursive query that never yields a row).
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>

#include "labels/label_map.h"
#include "base/quote.h"

namespace labelite::labels_internal {

namespace {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct SqliteFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;
using SqliteStmt = std::unique_ptr<sqlite3_stmt, SqliteFinalizer>;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string FileUri(const std::string& path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 15];
    }
  }
  return uri + "?mode=ro";
}

std::string QuoteIdentifier(const std::string& name) {
  std::string q = "\"";
  for (char c : name) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

using Clock = std::chrono::steady_clock;

// Called by SQLite every kProgressSteps virtual-machine instructions; non-zero interrupts.
constexpr int kProgressSteps = 1000;
int PastDeadline(void* deadline) {
  return Clock::now() > *static_cast<const Clock::time_point*>(deadline) ? 1 : 0;
}

struct SqliteSource {
  std::string path;
  std::map<std::string, std::string> params;  // table, label, index, display
};

Result<SqliteSource> ParseSqliteUri(const std::string& uri) {
  std::string_view rest = std::string_view(uri).substr(7);  // after "sqlite:"
  size_t q = rest.find('?');
  SqliteSource src;
  src.path = PercentDecode(rest.substr(0, q));
  if (src.path.empty()) return InvalidArgument(uri + ": no database path");
  if (src.path.find('\0') != std::string::npos) {
    return InvalidArgument(uri + ": database path " + QuoteForMessage(src.path) +
                           " contains a NUL byte");
  }
  std::string_view query = q == std::string_view::npos ? "" : rest.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    std::string key(kv.substr(0, eq));
    if (key != "table" && key != "label" && key != "index" && key != "display") {
      return InvalidArgument(uri + ": unknown parameter " + QuoteForMessage(key) + " (expected table, label, index, display)");
    }
    src.params[key] = eq == std::string_view::npos ? "" : PercentDecode(kv.substr(eq + 1));
    // SQLite and the file system take C strings: a NUL would silently cut the name.
    if (src.params[key].find('\0') != std::string::npos) {
      return InvalidArgument(uri + ": " + key + " " + QuoteForMessage(src.params[key]) +
                             " contains a NUL byte");
    }
  }
  if (src.params["table"].empty() || src.params["label"].empty()) {
    return InvalidArgument(uri + ": expected sqlite:PATH?table=T&label=COL[&index=COL][&display=COL]");
  }
  return src;
}

Result<SqliteStmt> Prepare(sqlite3* db, const std::string& sql, const std::string& where) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return InvalidLabels(where + ": " + sqlite3_errmsg(db));
  }
  return SqliteStmt(stmt);
}

// Returns the table's kind ("table" or "view"), or an error listing the tables there are.
Result<std::string> FindTable(sqlite3* db, const std::string& table, const std::string& where) {
  LABELITE_ASSIGN_OR_RETURN(SqliteStmt stmt,
      Prepare(db, "SELECT type FROM sqlite_master WHERE type IN ('table','view') AND name = ?1",
              where));
  sqlite3_bind_text(stmt.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_ROW) return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0)));
  if (rc != SQLITE_DONE) return InvalidLabels(where + ": " + sqlite3_errmsg(db));
  LABELITE_ASSIGN_OR_RETURN(SqliteStmt list,
      Prepare(db, "SELECT name FROM sqlite_master WHERE type IN ('table','view') ORDER BY name "
                  "LIMIT 20", where));
  std::string names;
  while (sqlite3_step(list.get()) == SQLITE_ROW) {
    names += (names.empty() ? "" : ", ") +
             std::string(reinterpret_cast<const char*>(sqlite3_column_text(list.get(), 0)));
  }
  return NotFound(where + ": no table " + QuoteForMessage(table) + " (tables: " +
                  (names.empty() ? "none" : names) + ")");
}

// Maps each requested column to its stored spelling, failing on unknown columns.
Status ResolveColumns(sqlite3* db, const std::string& table, std::map<std::string, std::string>& cols,
                      const std::string& where) {
  LABELITE_ASSIGN_OR_RETURN(SqliteStmt stmt,
                            Prepare(db, "PRAGMA table_info(" + QuoteIdentifier(table) + ")", where));
  std::vector<std::string> have;
  while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
    const unsigned char* name = sqlite3_column_text(stmt.get(), 1);
    if (name) have.emplace_back(reinterpret_cast<const char*>(name));
  }
  for (auto& [role, col] : cols) {
    if (col.empty()) continue;
    bool found = false;
    for (const std::string& h : have) {
      if (EqualsIgnoreCase(h, col)) {
        col = h;
        found = true;
      }
    }
    if (!found) {
      std::string list;
      for (const std::string& h : have) list += (list.empty() ? "" : ", ") + h;
      return NotFound(where + ": table " + QuoteForMessage(table) + " has no column " + QuoteForMessage(col) + " (columns: " +
                      list + ")");
    }
  }
  return Status::Ok();
}

std::string ColumnText(sqlite3_stmt* stmt, int i) {
  const unsigned char* t = sqlite3_column_text(stmt, i);
  return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(stmt, i)) : "";
}

}  // namespace

Result<LabelMap> LoadSqliteLabels(const std::string& uri, const LabelSourceOptions& options) {
  LABELITE_ASSIGN_OR_RETURN(SqliteSource src, ParseSqliteUri(uri));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(src.path, ec)) {
    return NotFound(uri + ": no such database file " + QuoteForMessage(src.path));
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(FileUri(src.path).c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                           nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    return IoError(uri + ": cannot open: " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  const int timeout_ms = std::max(1, options.timeout_ms);
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  sqlite3_progress_handler(db.get(), kProgressSteps, &PastDeadline, &deadline);
  // Every statement below fails with SQLITE_INTERRUPT after the deadline: name the reason.
  const auto failed = [&](const Status& s) {
    if (sqlite3_errcode(db.get()) == SQLITE_INTERRUPT || Clock::now() > deadline) {
      return InvalidLabels(uri + ": timed out after " + std::to_string(timeout_ms) +
                           " ms reading the database").WithOrigin(ErrorOrigin::kLabels);
    }
    return s.WithOrigin(ErrorOrigin::kLabels);
  };
  const std::string table = src.params["table"];
  Result<std::string> kind = FindTable(db.get(), table, uri);
  if (!kind.ok()) return failed(kind.status());
  std::map<std::string, std::string> cols = {{"index", src.params["index"]},
                                             {"label", src.params["label"]},
                                             {"display", src.params["display"]}};
  if (Status s = ResolveColumns(db.get(), table, cols, uri); !s.ok()) return failed(s);

  const bool has_index = !cols["index"].empty(), has_display = !cols["display"].empty();
  std::string sql = "SELECT " + (has_index ? QuoteIdentifier(cols["index"]) : "NULL") + ", " +
                    QuoteIdentifier(cols["label"]) + ", " +
                    (has_display ? QuoteIdentifier(cols["display"]) : "NULL") + " FROM " +
                    QuoteIdentifier(table);
  if (has_index) sql += " ORDER BY " + QuoteIdentifier(cols["index"]);
  else if (*kind == "table") sql += " ORDER BY rowid";
  Result<SqliteStmt> prepared = Prepare(db.get(), sql, uri);
  if (!prepared.ok()) return failed(prepared.status());
  SqliteStmt stmt = std::move(prepared).value();

  const uint64_t limit = std::min<uint64_t>(options.max_bytes, kMaxLabelBytes);
  const int max_rows = std::clamp(options.max_rows, 0, kMaxLabels);
  uint64_t bytes = 0;
  LabelMapBuilder builder(uri);
  int row = 0;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    if (row == max_rows) {
      return InvalidLabels(uri + ": table " + QuoteForMessage(table) + " has more than " +
                           std::to_string(max_rows) + " rows").WithOrigin(ErrorOrigin::kLabels);
    }
    ++row;
    int64_t index = row - 1;
    if (has_index) {
      int type = sqlite3_column_type(stmt.get(), 0);
      std::optional<int64_t> parsed;
      if (type == SQLITE_INTEGER) parsed = sqlite3_column_int64(stmt.get(), 0);
      else if (type == SQLITE_TEXT) parsed = ParseIndex(ColumnText(stmt.get(), 0));
      if (!parsed) {
        return LabelError(uri, 0, "row " + std::to_string(row) + ": " + QuoteForMessage(cols["index"]) +
                                      " is not an integer");
      }
      index = *parsed;
    }
    std::string name = ColumnText(stmt.get(), 1);
    std::string display = has_display ? ColumnText(stmt.get(), 2) : "";
    bytes += name.size() + display.size() + 8;
    if (bytes > limit) {
      return ResourceExhausted(uri + ": labels are larger than the limit of " +
                               std::to_string(limit) + " bytes");
    }
    if (!IsValidUtf8(name) || !IsValidUtf8(display)) {
      return LabelError(uri, 0, "row " + std::to_string(row) + ": invalid UTF-8");
    }
    LABELITE_RETURN_IF_ERROR(builder.Add(index, std::move(name), row, std::move(display)));
  }
  if (rc != SQLITE_DONE) return failed(InvalidLabels(uri + ": " + sqlite3_errmsg(db.get())));
  LabelMap map = builder.Finish();
  if (map.entries.empty()) return LabelError(uri, 0, "table " + QuoteForMessage(table) + " has no rows");
  map.format = "sqlite";
  return map;
}

}  // namespace labelite::labels_internal
