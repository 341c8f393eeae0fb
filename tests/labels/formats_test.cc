// Every label format: parsing, sniffing and the error messages (with line numbers).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "labelite/labels.h"

namespace labelite {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Names(const LabelMap& m) {
  std::vector<std::string> v;
  for (const Label& l : m.entries) v.push_back(l.name);
  return v;
}
std::vector<int> Indices(const LabelMap& m) {
  std::vector<int> v;
  for (const Label& l : m.entries) v.push_back(l.index);
  return v;
}

LabelMap ParseOk(std::string_view text, std::string_view format = "") {
  Result<LabelMap> r = ParseLabels(text, "labels.txt", format);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : LabelMap{};
}

Status ParseError(std::string_view text, std::string_view format = "") {
  Result<LabelMap> r = ParseLabels(text, "labels.txt", format);
  EXPECT_FALSE(r.ok());
  return r.ok() ? Status::Ok() : r.status();
}

// --- plain text ---------------------------------------------------------------------------
TEST(TextFormat, OneLabelPerLine) {
  LabelMap m = ParseOk("background\ntench\ngoldfish\n");
  EXPECT_EQ(m.format, "text");
  EXPECT_EQ(m.source, "labels.txt");
  EXPECT_THAT(Names(m), ElementsAre("background", "tench", "goldfish"));
  EXPECT_THAT(Indices(m), ElementsAre(0, 1, 2));
  EXPECT_EQ(m.entries[2].line, 3);
  EXPECT_EQ(m.size(), 3);
  EXPECT_TRUE(m.warnings.empty());
  ASSERT_NE(m.Find(1), nullptr);
  EXPECT_EQ(m.Find(1)->name, "tench");
  EXPECT_EQ(m.Find(3), nullptr);
  EXPECT_EQ(m.Find(-1), nullptr);
}

TEST(TextFormat, BomCrlfAndTrailingWhitespace) {
  LabelMap m = ParseOk("\xEF\xBB\xBF" "cat \r\ndog\t\r\nbird\r\n");
  EXPECT_THAT(Names(m), ElementsAre("cat", "dog", "bird"));
}

TEST(TextFormat, NoFinalNewlineAndTrailingBlankLines) {
  EXPECT_THAT(Names(ParseOk("a\nb")), ElementsAre("a", "b"));
  LabelMap m = ParseOk("a\nb\n\n\n  \n");
  EXPECT_THAT(Names(m), ElementsAre("a", "b"));
  EXPECT_TRUE(m.blank_lines.empty());
  EXPECT_TRUE(m.warnings.empty());
}

TEST(TextFormat, InteriorBlankLinesAreRecordedNotCounted) {
  LabelMap m = ParseOk("a\n\nb\n\nc\n");
  EXPECT_THAT(Names(m), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Indices(m), ElementsAre(0, 1, 2));
  EXPECT_THAT(m.blank_lines, ElementsAre(2, 4));
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_THAT(m.warnings[0], HasSubstr("2 blank lines between labels (lines 2, 4)"));
}

TEST(TextFormat, LabelsStartingWithDigitsStayText) {
  LabelMap m = ParseOk("7-eleven\n3D printer\n1984\n");
  EXPECT_EQ(m.format, "text");
  EXPECT_THAT(Names(m), ElementsAre("7-eleven", "3D printer", "1984"));
  // Most lines look indexed, one does not: still text.
  EXPECT_EQ(ParseOk("1 cat\n2 dog\nfish\n").format, "text");
  // Every line is "<int> <text>" but the numbers are no class indices.
  LabelMap films = ParseOk("1984 film\n2001 space odyssey\n");
  EXPECT_EQ(films.format, "text");
  EXPECT_THAT(Names(films), ElementsAre("1984 film", "2001 space odyssey"));
}

TEST(TextFormat, InvalidUtf8NamesTheLine) {
  Status s = ParseError("cat\ndog\nca\xFF" "fe\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidLabels);
  EXPECT_THAT(s.message(), HasSubstr("labels.txt:3: invalid UTF-8"));
  // Overlong encoding of '/', a UTF-16 surrogate, and a NUL byte.
  EXPECT_THAT(ParseError("a\n\xC0\xAF\n").message(), HasSubstr("labels.txt:2:"));
  EXPECT_THAT(ParseError("\xED\xA0\x80\n").message(), HasSubstr("labels.txt:1:"));
  EXPECT_THAT(ParseError(std::string_view("a\nb\0c\n", 6)).message(), HasSubstr("labels.txt:2:"));
  // Valid multi-byte UTF-8 passes.
  EXPECT_THAT(Names(ParseOk("Müller\n日本\n🐦\n")), ElementsAre("Müller", "日本", "🐦"));
}

TEST(TextFormat, EmptyInputIsAnError) {
  EXPECT_THAT(ParseError("").message(), HasSubstr("labels.txt: no labels"));
  EXPECT_THAT(ParseError("\n\n \n").message(), HasSubstr("no labels"));
}

TEST(TextFormat, BytesOverload) {
  const std::string text = "x\ny\n";
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  Result<LabelMap> r = ParseLabels(bytes, "b.txt");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Names(*r), ElementsAre("x", "y"));
}

// --- index-prefixed text -------------------------------------------------------------------
TEST(IndexedTextFormat, CoralStyle) {
  LabelMap m = ParseOk("0  background\n1  tench, Tinca tinca\n2  goldfish\n");
  EXPECT_EQ(m.format, "indexed-text");
  EXPECT_THAT(Names(m), ElementsAre("background", "tench, Tinca tinca", "goldfish"));
}

TEST(IndexedTextFormat, Separators) {
  EXPECT_THAT(Names(ParseOk("0: cat\n1: dog\n")), ElementsAre("cat", "dog"));
  EXPECT_THAT(Names(ParseOk("0,cat\n1,dog\n")), ElementsAre("cat", "dog"));
  EXPECT_THAT(Names(ParseOk("0\tcat\n1\tdog\n")), ElementsAre("cat", "dog"));
  EXPECT_THAT(Names(ParseOk("0 : cat\n1 , dog\n", "indexed-text")), ElementsAre("cat", "dog"));
  EXPECT_EQ(ParseOk("0: cat\n1: dog\n").format, "indexed-text");
}

TEST(IndexedTextFormat, SparseAndOutOfOrder) {
  LabelMap m = ParseOk("3 three\n0 zero\n1 one\n");
  EXPECT_EQ(m.format, "indexed-text");
  EXPECT_THAT(Indices(m), ElementsAre(0, 1, 3));
  EXPECT_THAT(Names(m), ElementsAre("zero", "one", "three"));
  EXPECT_EQ(m.size(), 4);
  EXPECT_EQ(m.Find(2), nullptr);
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_EQ(m.warnings[0], "no label for index 2");
}

TEST(IndexedTextFormat, DuplicateIndexNamesBothLines) {
  Status s = ParseError("0 cat\n1 dog\n1 bird\n", "indexed-text");
  EXPECT_EQ(s.code(), StatusCode::kInvalidLabels);
  EXPECT_EQ(s.message(), "labels.txt:3: duplicate index 1 (also on line 2)");
}

TEST(IndexedTextFormat, DuplicateIndexIsSniffedAsIndexedAndNamesBothLines) {
  // Not blamed on the count as plain text would be: the duplicate is reported where it is.
  Status s = ParseError("0 cat\n1 dog\n2 fish\n1 bird\n");
  EXPECT_EQ(s.message(), "labels.txt:4: duplicate index 1 (also on line 2)");
  EXPECT_EQ(s.origin(), ErrorOrigin::kUnknown);  // LoadLabels tags it as a labels problem
}

TEST(IndexedTextFormat, AStrayLargeIndexIsStillIndexedAndAlignNamesItsLine) {
  std::string text;
  for (int i = 0; i < 19; ++i) text += std::to_string(i) + " class" + std::to_string(i) + "\n";
  text += "5000 stray\n";
  LabelMap m = ParseOk(text);
  EXPECT_EQ(m.format, "indexed-text");
  Result<AlignedLabels> a = AlignLabels(m, 20);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(), HasSubstr("index 5000 (line 20) beyond the model's last class 19"));
  EXPECT_EQ(a.status().origin(), ErrorOrigin::kLabels);
}

TEST(IndexedTextFormat, MalformedLineWhenForced) {
  Status s = ParseError("0 cat\nbird\n", "indexed-text");
  EXPECT_EQ(s.message(), "labels.txt:2: expected '<index> <label>'");
  EXPECT_THAT(ParseError("0 cat\n1000000 dog\n", "indexed-text").message(),
              HasSubstr("labels.txt:2: index 1000000 is out of range"));
}

// --- synset --------------------------------------------------------------------------------
TEST(SynsetFormat, LocSynsetMapping) {
  LabelMap m = ParseOk("n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n");
  EXPECT_EQ(m.format, "synset");
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].class_id, "n01440764");
  EXPECT_EQ(m.entries[0].name, "tench, Tinca tinca");
  EXPECT_EQ(m.entries[0].display_name, "tench");
  EXPECT_EQ(m.entries[1].display_name, "goldfish");
  EXPECT_EQ(m.entries[1].index, 1);
}

TEST(SynsetFormat, IdsOnly) {
  LabelMap m = ParseOk("n01440764\nn01443537\n");
  EXPECT_EQ(m.format, "synset");
  EXPECT_THAT(Names(m), ElementsAre("n01440764", "n01443537"));
  EXPECT_EQ(m.entries[0].class_id, "n01440764");
}

TEST(SynsetFormat, OneOtherLineMakesItText) {
  EXPECT_EQ(ParseOk("n01440764 tench\ngoldfish\n").format, "text");
  EXPECT_EQ(ParseError("n01440764 tench\ngoldfish\n", "synset").message(),
            "labels.txt:2: expected '<wnid> <names>' like 'n01440764 tench'");
}

// --- JSON ----------------------------------------------------------------------------------
TEST(JsonFormats, List) {
  LabelMap m = ParseOk("[\"background\", \"tench\"]");
  EXPECT_EQ(m.format, "json-list");
  EXPECT_THAT(Names(m), ElementsAre("background", "tench"));
}

TEST(JsonFormats, ListOfCocoCategories) {
  LabelMap m = ParseOk(R"([{"id": 1, "name": "person", "supercategory": "person"},
                           {"id": 3, "name": "car", "display_name": "Car"}])");
  EXPECT_EQ(m.format, "json-list");
  EXPECT_THAT(Indices(m), ElementsAre(1, 3));
  EXPECT_THAT(Names(m), ElementsAre("person", "car"));
  EXPECT_EQ(m.entries[1].display_name, "Car");
}

TEST(JsonFormats, ObjectIndexToLabel) {
  LabelMap m = ParseOk(R"({"1": "tench", "0": "background", "10": "x"})");
  EXPECT_EQ(m.format, "json-object");
  EXPECT_THAT(Indices(m), ElementsAre(0, 1, 10));
  EXPECT_THAT(Names(m), ElementsAre("background", "tench", "x"));
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_EQ(m.warnings[0], "no label for indices 2-9");
}

TEST(JsonFormats, ObjectLabelToIndex) {
  LabelMap m = ParseOk(R"({"dog": 1, "cat": 0})");
  EXPECT_EQ(m.format, "json-object");
  EXPECT_THAT(Names(m), ElementsAre("cat", "dog"));
}

TEST(JsonFormats, KerasClassIndex) {
  LabelMap m = ParseOk(R"({"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]})");
  EXPECT_EQ(m.format, "keras-class-index");
  EXPECT_THAT(Names(m), ElementsAre("tench", "goldfish"));
  EXPECT_EQ(m.entries[1].class_id, "n01443537");
}

TEST(JsonFormats, LabelsWithDisplayNames) {
  LabelMap m = ParseOk(R"({"labels": ["cat", "dog"], "display_names": ["Katze", "Hund"]})");
  EXPECT_EQ(m.format, "json-labels");
  EXPECT_THAT(Names(m), ElementsAre("cat", "dog"));
  EXPECT_EQ(m.entries[1].display_name, "Hund");
  EXPECT_THAT(ParseError(R"({"labels": ["cat", "dog"], "display_names": ["Katze"]})").message(),
              HasSubstr("\"display_names\" must be a list as long as \"labels\" (2)"));
}

TEST(JsonFormats, MalformedJsonNamesTheLine) {
  Status s = ParseError("[\n\"cat\",\n\"dog\"\n\"bird\"\n]");
  EXPECT_EQ(s.code(), StatusCode::kInvalidLabels);
  EXPECT_THAT(s.message(), HasSubstr("labels.txt:4: malformed JSON"));
  EXPECT_THAT(ParseError("{\"0\": \"cat\",\n}").message(), HasSubstr("labels.txt:2: malformed JSON"));
}

TEST(JsonFormats, WrongShapes) {
  EXPECT_EQ(ParseError("[\"cat\", 3]").message(),
            "labels.txt: element 1 is number, expected a string");
  EXPECT_THAT(ParseError(R"({"zero": "cat"})").message(), HasSubstr("key 'zero' is not a class index"));
  EXPECT_THAT(ParseError("\"cat\"", "json-list").message(), HasSubstr("expected a JSON list"));
}

TEST(JsonFormats, DeepNestingIsRefusedWithoutRecursion) {
  std::string deep(100000, '[');
  EXPECT_THAT(ParseError(deep).message(), HasSubstr("JSON nested deeper than 64 levels"));
}

// --- CSV / TSV -----------------------------------------------------------------------------
TEST(CsvFormat, HeaderWithIndexAndName) {
  LabelMap m = ParseOk("id,name\n0,background\n1,\"tench, Tinca tinca\"\n2,\"say \"\"hi\"\"\"\n");
  EXPECT_EQ(m.format, "csv");
  EXPECT_THAT(Names(m), ElementsAre("background", "tench, Tinca tinca", "say \"hi\""));
  EXPECT_EQ(m.entries[2].line, 4);
}

TEST(CsvFormat, QuotedNewlineAndLineNumbers) {
  LabelMap m = ParseOk("index,label\r\n0,\"two\nlines\"\r\n1,x\r\n");
  EXPECT_THAT(Names(m), ElementsAre("two\nlines", "x"));
  EXPECT_EQ(m.entries[1].line, 4);
  Status s = ParseError("index,label\n0,a\nx,b\n");
  EXPECT_EQ(s.message(), "labels.txt:3: index 'x' is not a non-negative integer");
  EXPECT_EQ(ParseError("index,label\n0,\"open\n", "csv").message(),
            "labels.txt:2: unterminated quoted field");
  EXPECT_EQ(ParseError("index,label,display_name\n0,a,A\n1,b\n").message(),
            "labels.txt:3: expected 3 fields, found 2");
}

TEST(CsvFormat, NoIndexColumnMeansRowOrder) {
  LabelMap m = ParseOk("class_name,display_name\ncat,Cat\ndog,Dog\n");
  EXPECT_EQ(m.format, "csv");
  EXPECT_THAT(Indices(m), ElementsAre(0, 1));
  EXPECT_THAT(Names(m), ElementsAre("cat", "dog"));
  EXPECT_EQ(m.entries[1].display_name, "Dog");
}

TEST(CsvFormat, ClassIdColumn) {
  LabelMap ids = ParseOk("class_id,label\n5,five\n7,seven\n");
  EXPECT_THAT(Indices(ids), ElementsAre(5, 7));
  LabelMap wnids = ParseOk("index,label,class_id\n0,tench,n01440764\n");
  EXPECT_EQ(wnids.entries[0].class_id, "n01440764");
}

TEST(CsvFormat, WithoutNamedColumns) {
  // Not sniffed as CSV (no recognizable header): plain text.
  EXPECT_EQ(ParseOk("foo,bar\nbaz,qux\n").format, "text");
  Status s = ParseError("foo,bar\n0,cat\n", "csv");
  EXPECT_EQ(s.code(), StatusCode::kInvalidLabels);
  EXPECT_THAT(s.message(), HasSubstr("labels.txt:1: CSV header has no label column"));
}

TEST(CsvFormat, TooManyFields) {
  std::string row = "index,label";
  row += std::string(1000, ',');
  EXPECT_THAT(ParseError(row + "\n", "csv").message(), HasSubstr("more than 256 fields"));
}

TEST(TsvFormat, Header) {
  LabelMap m = ParseOk("idx\tlabel\tdisplay_name\n0\tcat, domestic\tCat\n1\tdog\tDog\n");
  EXPECT_EQ(m.format, "tsv");
  EXPECT_THAT(Names(m), ElementsAre("cat, domestic", "dog"));
  EXPECT_EQ(m.entries[0].display_name, "Cat");
}

// --- registry, warnings, limits ------------------------------------------------------------
TEST(LabelFormats, NamesInSniffingOrder) {
  EXPECT_THAT(LabelFormatNames(),
              ElementsAre("json-list", "json-labels", "keras-class-index", "json-object", "synset",
                          "tsv", "csv", "indexed-text", "text"));
  Status s = ParseError("a\n", "yaml");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("unknown label format 'yaml'"));
}

TEST(LabelFormats, ForcedFormatOverridesSniffing) {
  LabelMap m = ParseOk("0 cat\n1 dog\n", "text");
  EXPECT_EQ(m.format, "text");
  EXPECT_THAT(Names(m), ElementsAre("0 cat", "1 dog"));
}

TEST(LabelWarnings, DuplicatesAndEmptyLabels) {
  LabelMap m = ParseOk(R"(["a", "b", "a", "", "b", "a"])");
  ASSERT_EQ(m.warnings.size(), 2u);
  EXPECT_EQ(m.warnings[0], "duplicate label names: 'a' at indices 0, 2 and 5; 'b' at indices 1 and 4");
  EXPECT_EQ(m.warnings[1], "empty label at index 3");
}

TEST(LabelLimits, OversizedInputIsRefused) {
  std::string big(kMaxLabelBytes + 1, 'a');
  Status s = ParseError(big);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace labelite
