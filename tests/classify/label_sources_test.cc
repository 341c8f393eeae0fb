// The same classification printed through every label source names the same class: the
// Coral ImageNet labels as plain text, index-prefixed text, JSON list/object/Keras index, CSV,
// a 1000-line file without "background" (aligned by offset 1), SQLite and HTTP.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "labelite/classifier.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

std::vector<std::string> CoralLabels() {
  std::istringstream in(testing::ReadFileText(testing::LabelPath("imagenet_labels.txt")));
  std::vector<std::string> v;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    v.push_back(line);
  }
  while (!v.empty() && v.back().empty()) v.pop_back();
  return v;
}

std::string Write(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string CsvQuote(const std::string& s) {
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Top-1 (index, label) of cat.bmp on the quantized MobileNet v2 with the given label source.
std::pair<int, std::string> Top1(const std::string& labels) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  o.labels = labels;
  auto c = Classifier::Create(o);
  EXPECT_TRUE(c.ok()) << labels << ": " << c.status().message();
  if (!c.ok()) return {-1, ""};
  auto r = (*c)->ClassifyFile(testing::ImagePath("cat.bmp"));
  EXPECT_TRUE(r.ok());
  return {(*r)[0].index, (*r)[0].label};
}

TEST(LabelSources, EverySourceNamesTheSameClass) {
  const std::vector<std::string> labels = CoralLabels();
  ASSERT_EQ(labels.size(), 1001u);
  ASSERT_EQ(labels[0], "background");
  const std::string dir = testing::MakeTempDir("labelite-sources");

  std::string indexed, csv = "id,name\n", without_background;
  nlohmann::json list = labels, object = nlohmann::json::object(), keras = nlohmann::json::object();
  for (size_t i = 0; i < labels.size(); ++i) {
    indexed += std::to_string(i) + ": " + labels[i] + "\n";
    csv += std::to_string(i) + "," + CsvQuote(labels[i]) + "\n";
    object[std::to_string(i)] = labels[i];
    keras[std::to_string(i)] = {"id" + std::to_string(i), labels[i]};
    if (i > 0) without_background += labels[i] + "\n";
  }
  std::vector<std::string> sources = {
      testing::LabelPath("imagenet_labels.txt"),
      Write(dir, "indexed.txt", indexed),
      Write(dir, "list.json", list.dump()),
      Write(dir, "object.json", object.dump()),
      Write(dir, "keras.json", keras.dump()),
      Write(dir, "labels.csv", csv),
      Write(dir, "1000.txt", without_background),
  };

  // SQLite, rows inserted in reverse order.
  const std::string db_path = dir + "/labels.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE classes (idx INTEGER, name TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO classes VALUES (?, ?)", -1, &insert, nullptr), SQLITE_OK);
  for (size_t i = labels.size(); i-- > 0;) {
    sqlite3_bind_int(insert, 1, static_cast<int>(i));
    sqlite3_bind_text(insert, 2, labels[i].c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  sqlite3_close(db);
  sources.push_back("sqlite:" + db_path + "?table=classes&index=idx&label=name");

  // HTTP on loopback, serving the Keras form.
  httplib::Server server;
  const std::string body = keras.dump();
  server.Get("/labels.json", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread thread([&] { server.listen_after_bind(); });
  sources.push_back("http://127.0.0.1:" + std::to_string(port) + "/labels.json");

  const auto embedded = Top1("");
  EXPECT_EQ(embedded.second, "Egyptian cat");
  for (const std::string& source : sources) {
    const auto top1 = Top1(source);
    EXPECT_EQ(top1.first, embedded.first) << source;
    EXPECT_EQ(top1.second, embedded.second) << source;
  }
  server.stop();
  thread.join();
}

TEST(LabelSources, MismatchedLabelsAreRefusedNotMisprinted) {
  // The iNaturalist bird labels (965) on a 1001-class ImageNet model.
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  o.labels = testing::LabelPath("inat_bird_labels.txt");
  auto c = Classifier::Create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidLabels);
  EXPECT_NE(c.status().message().find("965"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("1001"), std::string::npos) << c.status().message();
  o.allow_label_mismatch = true;
  auto lenient = Classifier::Create(o);
  ASSERT_TRUE(lenient.ok()) << lenient.status().message();
}

}  // namespace
}  // namespace labelite
