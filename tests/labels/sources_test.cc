// LoadLabels sources: files, SQLite tables (read-only, validated names) and HTTP (loopback
// servers started here; timeouts, size limits, status codes).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "labelite/labels.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using ::labelite::testing::LabelPath;
using ::labelite::testing::MakeTempDir;
using ::labelite::testing::ReadFileText;
using ::testing::HasSubstr;

std::vector<std::string> Names(const LabelMap& m) {
  std::vector<std::string> v;
  for (const Label& l : m.entries) v.push_back(l.name);
  return v;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// --- files ---------------------------------------------------------------------------------
TEST(FileSource, MissingDirectoryAndLimits) {
  Result<LabelMap> missing = LoadLabels("/nonexistent/labels.txt");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "/nonexistent/labels.txt: no such label file");
  std::string dir = MakeTempDir("labels-file");
  EXPECT_EQ(LoadLabels(dir).status().code(), StatusCode::kInvalidArgument);
  LabelSourceOptions small;
  small.max_bytes = 1000;
  Result<LabelMap> big = LoadLabels(LabelPath("imagenet_labels.txt"), small);
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(big.status().message(), HasSubstr("larger than the limit of 1000 bytes"));
  EXPECT_EQ(LoadLabels("").status().code(), StatusCode::kInvalidArgument);
}

TEST(FileSource, FormatOptionAndErrorsNameTheFile) {
  std::string dir = MakeTempDir("labels-file");
  WriteFile(dir + "/l.txt", "0 cat\n1 dog\n");
  LabelSourceOptions as_text;
  as_text.format = "text";
  Result<LabelMap> m = LoadLabels(dir + "/l.txt", as_text);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->entries[0].name, "0 cat");
  WriteFile(dir + "/bad.txt", "cat\ndog\n\xC3\x28\n");
  EXPECT_EQ(LoadLabels(dir + "/bad.txt").status().message(),
            dir + "/bad.txt:3: invalid UTF-8 (or a NUL byte); is this a label file?");
  WriteFile(dir + "/crlf.txt", "\xEF\xBB\xBF" "background\r\ncat\r\n");
  Result<LabelMap> crlf = LoadLabels(dir + "/crlf.txt");
  ASSERT_TRUE(crlf.ok());
  EXPECT_EQ(Names(*crlf), (std::vector<std::string>{"background", "cat"}));
  EXPECT_EQ(LoadLabels("https://127.0.0.1/labels.txt").status().code(), StatusCode::kUnsupported);
}

// --- SQLite --------------------------------------------------------------------------------
class SqliteSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = MakeTempDir("labels-sqlite") + "/labels.db";
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    Exec("CREATE TABLE labels (id INTEGER, name TEXT, display TEXT)");
    Exec("CREATE TABLE \"we\"\"ird\" (k INTEGER, v TEXT)");
    Exec("INSERT INTO \"we\"\"ird\" VALUES (1, 'one'), (0, 'zero')");
    Exec("CREATE TABLE words (w TEXT)");
    Exec("INSERT INTO words VALUES ('b'), ('a')");
    Exec("CREATE TABLE bad (id TEXT, name TEXT)");
    Exec("INSERT INTO bad VALUES ('x', 'cat')");
    // A view over an endless recursive query: ordered by id it never yields a row.
    Exec("CREATE VIEW endless AS WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c) "
         "SELECT x AS id, 'label ' || x AS name FROM c");
    // The real ImageNet labels, inserted in reverse to check ORDER BY the index column.
    std::string text = ReadFileText(LabelPath("imagenet_labels.txt"));
    std::vector<std::string> lines;
    for (size_t pos = 0; pos < text.size();) {
      size_t end = text.find('\n', pos);
      lines.push_back(text.substr(pos, end - pos));
      pos = end + 1;
    }
    ASSERT_EQ(lines.size(), 1001u);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, "INSERT INTO labels VALUES (?1, ?2, ?3)", -1, &stmt, nullptr),
              SQLITE_OK);
    Exec("BEGIN");
    for (int i = 1000; i >= 0; --i) {
      sqlite3_bind_int(stmt, 1, i);
      sqlite3_bind_text(stmt, 2, lines[i].c_str(), -1, SQLITE_TRANSIENT);
      std::string display = lines[i].substr(0, lines[i].find(','));
      sqlite3_bind_text(stmt, 3, display.c_str(), -1, SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(stmt), SQLITE_DONE);
      sqlite3_reset(stmt);
    }
    Exec("COMMIT");
    sqlite3_finalize(stmt);
  }
  void TearDown() override { sqlite3_close(db_); }
  void Exec(const char* sql) { ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql; }
  int CountRows(const char* table) {
    std::string sql = std::string("SELECT COUNT(*) FROM ") + table;
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    int n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    return n;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

TEST_F(SqliteSourceTest, ReadsTheImagenetTable) {
  Result<LabelMap> m = LoadLabels("sqlite:" + path_ + "?table=labels&index=id&label=name&display=display");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->format, "sqlite");
  ASSERT_EQ(m->size(), 1001);
  EXPECT_EQ(m->entries[0].name, "background");
  EXPECT_EQ(m->entries[1].name, "tench, Tinca tinca");
  EXPECT_EQ(m->entries[1].display_name, "tench");
  EXPECT_EQ(m->entries[1000].name, "toilet tissue, toilet paper, bathroom tissue");
  Result<LabelMap> file = LoadLabels(LabelPath("imagenet_labels.txt"));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(Names(*m), Names(*file));
  EXPECT_EQ(m->warnings, file->warnings);
}

TEST_F(SqliteSourceTest, QuotedNamesAndRowOrder) {
  Result<LabelMap> weird = LoadLabels("sqlite:" + path_ + "?table=we%22ird&index=K&label=v");
  ASSERT_TRUE(weird.ok()) << weird.status().message();
  EXPECT_EQ(Names(*weird), (std::vector<std::string>{"zero", "one"}));
  Result<LabelMap> words = LoadLabels("sqlite:" + path_ + "?table=words&label=w");
  ASSERT_TRUE(words.ok()) << words.status().message();
  EXPECT_EQ(Names(*words), (std::vector<std::string>{"b", "a"}));  // rowid order
}

TEST_F(SqliteSourceTest, MissingTableColumnAndFile) {
  Result<LabelMap> t = LoadLabels("sqlite:" + path_ + "?table=nope&label=name");
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(t.status().message(), HasSubstr(": no table 'nope' (tables: bad, endless, labels, we\"ird, words)"));
  Result<LabelMap> c = LoadLabels("sqlite:" + path_ + "?table=labels&label=title");
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(c.status().message(), HasSubstr("table 'labels' has no column 'title' (columns: id, name, display)"));
  EXPECT_EQ(LoadLabels("sqlite:/nonexistent.db?table=labels&label=name").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(LoadLabels("sqlite:" + path_ + "?table=labels").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_THAT(LoadLabels("sqlite:" + path_ + "?table=labels&label=name&where=1").status().message(),
              HasSubstr("unknown parameter 'where'"));
  Result<LabelMap> bad = LoadLabels("sqlite:" + path_ + "?table=bad&index=id&label=name");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidLabels);
  EXPECT_THAT(bad.status().message(), HasSubstr("row 1: 'id' is not an integer"));
}

TEST_F(SqliteSourceTest, HostileNamesAreNotSql) {
  Result<LabelMap> r =
      LoadLabels("sqlite:" + path_ + "?table=labels%22;DROP TABLE labels;--&label=name");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  Result<LabelMap> c = LoadLabels("sqlite:" + path_ + "?table=labels&label=name%22 FROM words;--");
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CountRows("labels"), 1001);
}

TEST_F(SqliteSourceTest, AnEndlessViewTimesOut) {
  LabelSourceOptions quick;
  quick.timeout_ms = 300;
  const auto start = std::chrono::steady_clock::now();
  Result<LabelMap> r = LoadLabels("sqlite:" + path_ + "?table=endless&index=id&label=name", quick);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidLabels);
  EXPECT_EQ(r.status().origin(), ErrorOrigin::kLabels);
  EXPECT_THAT(r.status().message(), HasSubstr("?table=endless&index=id&label=name: timed out after 300 ms"));
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000));
}

TEST_F(SqliteSourceTest, RowLimit) {
  LabelSourceOptions few;
  few.max_rows = 1000;
  Result<LabelMap> endless = LoadLabels("sqlite:" + path_ + "?table=endless&label=name", few);
  ASSERT_FALSE(endless.ok());
  EXPECT_EQ(endless.status().code(), StatusCode::kInvalidLabels);
  EXPECT_EQ(endless.status().origin(), ErrorOrigin::kLabels);
  EXPECT_THAT(endless.status().message(), HasSubstr(": table 'endless' has more than 1000 rows"));
  // The 1001-row ImageNet table is over the limit too, and fits a limit of 1001.
  EXPECT_THAT(LoadLabels("sqlite:" + path_ + "?table=labels&index=id&label=name", few).status().message(),
              HasSubstr("has more than 1000 rows"));
  few.max_rows = 1001;
  EXPECT_TRUE(LoadLabels("sqlite:" + path_ + "?table=labels&index=id&label=name", few).ok());
}

TEST_F(SqliteSourceTest, NulBytesInTheUriAreRefusedAndShown) {
  // A %00 would cut the path or a name where SQLite and the file system read C strings.
  Result<LabelMap> p = LoadLabels("sqlite:" + path_ + "%00.txt?table=labels&label=name");
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("database path '" + path_ + "\\x00.txt' contains a NUL byte"));
  Result<LabelMap> t = LoadLabels("sqlite:" + path_ + "?table=labels%00%ff&label=name");
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("table 'labels\\x00\\xff' contains a NUL byte"));
  Result<LabelMap> missing = LoadLabels("sqlite:/nonexistent%ff.db?table=labels&label=name");
  EXPECT_THAT(missing.status().message(), HasSubstr("no such database file '/nonexistent\\xff.db'"));
}

TEST_F(SqliteSourceTest, NotADatabase) {
  std::string text_file = MakeTempDir("labels-sqlite") + "/labels.txt";
  WriteFile(text_file, "cat\ndog\n");
  Result<LabelMap> r = LoadLabels("sqlite:" + text_file + "?table=labels&label=name");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("not a database"));
}

// --- HTTP ----------------------------------------------------------------------------------
class HttpSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    imagenet_ = ReadFileText(LabelPath("imagenet_labels.txt"));
    server_.Get("/imagenet.txt", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(imagenet_, "text/plain");
    });
    server_.Get("/labels.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]})",
                      "application/json");
    });
    server_.Get("/error", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("boom", "text/plain");
    });
    server_.Get("/endless", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
        std::string chunk(4096, 'a');
        chunk.back() = '\n';
        return sink.write(chunk.data(), chunk.size());
      });
    });
    server_.Get("/trickle", [](const httplib::Request&, httplib::Response& res) {
      // One short line every 100 ms, for ever: each read is quick, the whole request endless.
      res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return sink.write("cat\n", 4);
      });
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("cat\n", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(server_.is_running());
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::string imagenet_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(HttpSourceTest, TextAndJson) {
  Result<LabelMap> m = LoadLabels(Url("/imagenet.txt"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->format, "text");
  EXPECT_EQ(m->source, Url("/imagenet.txt"));
  ASSERT_EQ(m->size(), 1001);
  EXPECT_EQ(m->entries[1].name, "tench, Tinca tinca");
  Result<LabelMap> j = LoadLabels(Url("/labels.json"));
  ASSERT_TRUE(j.ok()) << j.status().message();
  EXPECT_EQ(j->format, "keras-class-index");
  EXPECT_EQ(j->entries[1].name, "goldfish");
  EXPECT_EQ(j->entries[1].class_id, "n01443537");
}

TEST_F(HttpSourceTest, ServerErrorNamesTheStatus) {
  Result<LabelMap> r = LoadLabels(Url("/error"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), Url("/error") + ": HTTP 500 (expected 200)");
  Result<LabelMap> missing = LoadLabels(Url("/missing"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("HTTP 404"));
}

TEST_F(HttpSourceTest, BodiesOverTheLimitStopEarly) {
  LabelSourceOptions small;
  small.max_bytes = 1000;
  Result<LabelMap> sized = LoadLabels(Url("/imagenet.txt"), small);  // Content-Length known
  EXPECT_EQ(sized.status().code(), StatusCode::kResourceExhausted);
  // An endless chunked body: the content receiver stops it.
  small.max_bytes = 100000;
  Result<LabelMap> endless = LoadLabels(Url("/endless"), small);
  EXPECT_EQ(endless.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(endless.status().message(), HasSubstr("larger than the limit of 100000 bytes"));
}

TEST_F(HttpSourceTest, ReadTimeout) {
  LabelSourceOptions quick;
  quick.http_timeout_ms = 200;
  auto start = std::chrono::steady_clock::now();
  Result<LabelMap> r = LoadLabels(Url("/slow"), quick);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_THAT(r.status().message(), HasSubstr("cannot fetch labels"));
  EXPECT_THAT(r.status().message(), HasSubstr("timed out after 200 ms"));
  EXPECT_EQ(r.status().origin(), ErrorOrigin::kLabels);
  EXPECT_LT(elapsed, std::chrono::milliseconds(1400));
}

TEST_F(HttpSourceTest, TheWholeRequestHasADeadline) {
  LabelSourceOptions quick;
  quick.http_timeout_ms = 1000;
  quick.timeout_ms = 600;
  const auto start = std::chrono::steady_clock::now();
  Result<LabelMap> r = LoadLabels(Url("/trickle"), quick);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidLabels);
  EXPECT_EQ(r.status().origin(), ErrorOrigin::kLabels);
  EXPECT_EQ(r.status().message(), Url("/trickle") + ": timed out after 600 ms fetching labels");
  EXPECT_GE(elapsed, std::chrono::milliseconds(600));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
  // A quick answer is not affected by the watchdog.
  Result<LabelMap> ok = LoadLabels(Url("/imagenet.txt"), quick);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->size(), 1001);
}

TEST(HttpSource, UnreachableAndBadUrls) {
  // A port that was just served and closed: nobody listens there any more.
  httplib::Server probe;
  int port = probe.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread t([&] { probe.listen_after_bind(); });
  for (int i = 0; i < 200 && !probe.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  probe.stop();
  t.join();
  LabelSourceOptions quick;
  quick.http_timeout_ms = 500;
  Result<LabelMap> r = LoadLabels("http://127.0.0.1:" + std::to_string(port) + "/l.txt", quick);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_THAT(r.status().message(), HasSubstr("cannot fetch labels: connection refused"));
  EXPECT_EQ(r.status().origin(), ErrorOrigin::kLabels);
  EXPECT_EQ(LoadLabels("http://127.0.0.1:99999/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadLabels("http:///x").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace labelite
