// The shared label files (counts checked with `wc -l`), and every format written from them by
// the test and read back to the same names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "labelite/labels.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using ::labelite::testing::LabelPath;
using ::testing::Contains;
using ::testing::HasSubstr;

LabelMap Load(const std::string& name) {
  Result<LabelMap> r = LoadLabels(LabelPath(name));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : LabelMap{};
}

std::vector<std::string> Names(const LabelMap& m) {
  std::vector<std::string> v;
  for (const Label& l : m.entries) v.push_back(l.name);
  return v;
}

TEST(RealLabelFiles, CoralImagenetLabels) {
  LabelMap m = Load("imagenet_labels.txt");  // 1001 lines, "background" first
  EXPECT_EQ(m.format, "text");
  EXPECT_EQ(m.source, LabelPath("imagenet_labels.txt"));
  ASSERT_EQ(m.size(), 1001);
  ASSERT_EQ(m.entries.size(), 1001u);
  EXPECT_EQ(m.entries[0].name, "background");
  EXPECT_EQ(m.entries[1].name, "tench, Tinca tinca");
  EXPECT_EQ(m.entries[1000].name, "toilet tissue, toilet paper, bathroom tissue");
  EXPECT_TRUE(m.blank_lines.empty());
  // Lines 136 and 519 both read "crane" (the bird and the machine).
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_EQ(m.warnings[0], "duplicate label names: 'crane' at indices 135 and 518");
}

TEST(RealLabelFiles, TfliteSupportMobilenetLabels) {
  LabelMap m = Load("mobilenet_labels_1001.txt");
  EXPECT_EQ(m.format, "text");
  ASSERT_EQ(m.size(), 1001);
  EXPECT_EQ(m.entries[0].name, "background");
  EXPECT_EQ(m.entries[1].name, "tench");
  EXPECT_EQ(m.entries[1000].name, "toilet tissue");
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_EQ(m.warnings[0],
            "duplicate label names: 'crane' at indices 135 and 518; 'maillot' at indices 639 and 640");
}

TEST(RealLabelFiles, InatBirdLabelsEndWithBackground) {
  LabelMap m = Load("inat_bird_labels.txt");  // 965 lines
  EXPECT_EQ(m.format, "text");
  ASSERT_EQ(m.size(), 965);
  EXPECT_EQ(m.entries[0].name, "Haemorhous cassinii (Cassin's Finch)");
  EXPECT_EQ(m.entries[963].name, "Ardenna gravis (Great Shearwater)");
  EXPECT_EQ(m.entries[964].name, "background");
  EXPECT_TRUE(m.warnings.empty());
}

TEST(RealLabelFiles, CocoAndPets) {
  LabelMap coco = Load("coco_labels.txt");  // 90 lines, "n/a" for unused COCO ids
  ASSERT_EQ(coco.size(), 90);
  EXPECT_EQ(coco.entries[0].name, "person");
  EXPECT_EQ(coco.entries[89].name, "toothbrush");
  EXPECT_EQ(coco.entries[11].name, "n/a");
  ASSERT_EQ(coco.warnings.size(), 1u);
  EXPECT_THAT(coco.warnings[0], HasSubstr("'n/a' at indices 11, 25, 28, 29, 44, 65, 67, 68, 70 and 82"));
  LabelMap pets = Load("pet_labels.txt");  // 37 lines
  ASSERT_EQ(pets.size(), 37);
  EXPECT_EQ(pets.entries[0].name, "Abyssinian");
  EXPECT_EQ(pets.entries[36].name, "yorkshire_terrier");
}

// --- the same labels written in every format by the test, read back --------------------------

std::string Wnid(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "n%08d", 1000000 + i);
  return buf;
}

std::string CsvQuote(const std::string& s) {
  std::string q = "\"";
  for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

struct Written {
  std::string format;
  std::string text;
};

std::vector<Written> WriteAllFormats(const std::vector<std::string>& names) {
  nlohmann::json list = names, object = nlohmann::json::object(), keras = nlohmann::json::object();
  nlohmann::json with_labels = {{"labels", names}};
  std::string csv = "id,name\n", tsv = "index\tlabel\n", indexed, synset;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string k = std::to_string(i);
    object[k] = names[i];
    keras[k] = {Wnid(static_cast<int>(i)), names[i]};
    csv += k + "," + CsvQuote(names[i]) + "\n";
    tsv += k + "\t" + names[i] + "\n";
    indexed += k + "  " + names[i] + "\n";  // Coral style
    synset += Wnid(static_cast<int>(i)) + " " + names[i] + "\n";
  }
  return {{"json-list", list.dump()},          {"json-object", object.dump(2)},
          {"keras-class-index", keras.dump()}, {"json-labels", with_labels.dump()},
          {"csv", csv},                        {"tsv", tsv},
          {"indexed-text", indexed},           {"synset", synset}};
}

class RealFileFormats : public ::testing::TestWithParam<std::string> {};

TEST_P(RealFileFormats, EveryFormatIsSniffedAndReadBackToTheSameNames) {
  LabelMap original = Load(GetParam());
  std::vector<std::string> names = Names(original);
  ASSERT_FALSE(names.empty());
  for (const Written& w : WriteAllFormats(names)) {
    SCOPED_TRACE(w.format);
    Result<LabelMap> r = ParseLabels(w.text, "converted." + w.format);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->format, w.format);
    EXPECT_EQ(Names(*r), names);
    EXPECT_EQ(r->size(), original.size());
    if (w.format == "keras-class-index" || w.format == "synset") {
      EXPECT_EQ(r->entries[1].class_id, Wnid(1));
    }
  }
}

TEST_P(RealFileFormats, ConvertLabelsRoundTrips) {
  LabelMap original = Load(GetParam());
  for (const std::string& to : LabelConvertTargets()) {
    SCOPED_TRACE(to);
    Result<std::string> text = ConvertLabels(original, to);
    ASSERT_TRUE(text.ok()) << text.status().message();
    Result<LabelMap> back = ParseLabels(*text, "converted");
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(Names(*back), Names(original));
    EXPECT_EQ(back->warnings, original.warnings);
  }
  Result<std::string> txt = ConvertLabels(original, "txt");
  ASSERT_TRUE(txt.ok());
  EXPECT_EQ(*txt, ::labelite::testing::ReadFileText(LabelPath(GetParam())));
}

INSTANTIATE_TEST_SUITE_P(SharedTestdata, RealFileFormats,
                         ::testing::Values("imagenet_labels.txt", "mobilenet_labels_1001.txt",
                                           "inat_bird_labels.txt", "coco_labels.txt",
                                           "pet_labels.txt"),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.find('.'));
                           for (char& c : n) c = (c == '_') ? 'X' : c;
                           return n;
                         });

TEST(ConvertLabels, KeepsDisplayNamesClassIdsAndSparseIndices) {
  Result<LabelMap> synset = ParseLabels(
      "n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n", "synsets.txt");
  ASSERT_TRUE(synset.ok());
  for (std::string_view to : {"json", "csv", "tsv"}) {
    SCOPED_TRACE(to);
    Result<std::string> text = ConvertLabels(*synset, to);
    ASSERT_TRUE(text.ok());
    Result<LabelMap> back = ParseLabels(*text, "x");
    ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << *text;
    ASSERT_EQ(back->entries.size(), 2u);
    EXPECT_EQ(back->entries[1].name, "goldfish, Carassius auratus");
    EXPECT_EQ(back->entries[1].display_name, "goldfish");
    EXPECT_EQ(back->entries[1].class_id, "n01443537");
  }
  Result<LabelMap> sparse = ParseLabels("0 zero\n5 five, \"quoted\"\n", "sparse.txt", "indexed-text");
  ASSERT_TRUE(sparse.ok());
  Result<std::string> txt = ConvertLabels(*sparse, "txt");
  EXPECT_FALSE(txt.ok());
  EXPECT_THAT(txt.status().message(), HasSubstr("gaps"));
  for (std::string_view to : {"indexed", "json", "csv", "tsv"}) {
    SCOPED_TRACE(to);
    Result<std::string> text = ConvertLabels(*sparse, to);
    ASSERT_TRUE(text.ok());
    Result<LabelMap> back = ParseLabels(*text, "x");
    ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << *text;
    ASSERT_EQ(back->entries.size(), 2u);
    EXPECT_EQ(back->entries[1].index, 5);
    EXPECT_EQ(back->entries[1].name, "five, \"quoted\"");
  }
  EXPECT_EQ(*ConvertLabels(*sparse, "json"), "{\n \"0\": \"zero\",\n \"5\": \"five, \\\"quoted\\\"\"\n}\n");
  EXPECT_EQ(*ConvertLabels(*sparse, "csv"), "index,label\n0,zero\n5,\"five, \"\"quoted\"\"\"\n");
  EXPECT_EQ(ConvertLabels(*sparse, "xml").status().code(), StatusCode::kInvalidArgument);
}

TEST(ConvertLabels, LineBreaksNeedJsonOrCsv) {
  Result<LabelMap> m = ParseLabels(R"(["two\nlines", "x"])", "x.json");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(ConvertLabels(*m, "txt").ok());
  EXPECT_FALSE(ConvertLabels(*m, "indexed").ok());
  Result<std::string> csv = ConvertLabels(*m, "csv");
  ASSERT_TRUE(csv.ok());
  Result<LabelMap> back = ParseLabels(*csv, "x.csv");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->entries[0].name, "two\nlines");
}

}  // namespace
}  // namespace labelite
