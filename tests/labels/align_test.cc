// AlignLabels: every rule of labelite/labels.h, on the real label files where possible.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "labelite/labels.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using ::labelite::testing::LabelPath;
using ::labelite::testing::ReadFileText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

LabelMap MustParse(std::string_view text, std::string_view name = "labels.txt",
                   std::string_view format = "") {
  Result<LabelMap> r = ParseLabels(text, name, format);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : LabelMap{};
}

// The example of the header comment of labelite/labels.h, kept compiling here.
Status UsageExample(const std::string& path, int class_index, std::string* printed) {
  LABELITE_ASSIGN_OR_RETURN(LabelMap labels, LoadLabels(path));
  LABELITE_ASSIGN_OR_RETURN(AlignedLabels aligned, AlignLabels(labels, 1001));
  for (const std::string& n : aligned.notices) std::fprintf(stderr, "note: %s\n", n.c_str());
  *printed = aligned.names[class_index];
  return Status::Ok();
}

TEST(AlignLabels, LabelsUsageExample) {
  std::string printed;
  ASSERT_TRUE(UsageExample(LabelPath("imagenet_labels.txt"), 1, &printed).ok());
  EXPECT_EQ(printed, "tench, Tinca tinca");
}

TEST(AlignLabels, CountMatchesModel) {
  Result<LabelMap> labels = LoadLabels(LabelPath("mobilenet_labels_1001.txt"));
  ASSERT_TRUE(labels.ok());
  Result<AlignedLabels> a = AlignLabels(*labels, 1001);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->offset, 0);
  ASSERT_EQ(a->names.size(), 1001u);
  ASSERT_EQ(a->display_names.size(), 1001u);
  EXPECT_EQ(a->names[0], "background");
  EXPECT_EQ(a->names[1], "tench");
  EXPECT_EQ(a->names[1000], "toilet tissue");
  EXPECT_THAT(a->notices, IsEmpty());
  // The file's own warnings (duplicate 'crane', 'maillot') are passed on.
  ASSERT_EQ(a->warnings.size(), 1u);
  EXPECT_THAT(a->warnings[0], HasSubstr("'crane' at indices 135 and 518"));
}

TEST(AlignLabels, MissingBackgroundIsAddedForA1001ClassModel) {
  // imagenet_labels.txt without its first line "background": 1000 labels.
  std::string text = ReadFileText(LabelPath("imagenet_labels.txt"));
  ASSERT_EQ(text.substr(0, 11), "background\n");
  LabelMap labels = MustParse(text.substr(11), "imagenet_1000.txt");
  ASSERT_EQ(labels.size(), 1000);
  Result<AlignedLabels> a = AlignLabels(labels, 1001);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->offset, +1);
  ASSERT_EQ(a->names.size(), 1001u);
  EXPECT_EQ(a->names[0], "background");
  EXPECT_EQ(a->names[1], "tench, Tinca tinca");
  EXPECT_EQ(a->names[1000], "toilet tissue, toilet paper, bathroom tissue");
  EXPECT_THAT(a->notices,
              ElementsAre("labels have 1000 entries, model has 1001 classes: assuming class 0 is "
                          "'background' and shifting labels by one"));
}

TEST(AlignLabels, ExtraBackgroundIsDroppedForA1000ClassModel) {
  Result<LabelMap> labels = LoadLabels(LabelPath("imagenet_labels.txt"));
  ASSERT_TRUE(labels.ok());
  Result<AlignedLabels> a = AlignLabels(*labels, 1000);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->offset, -1);
  ASSERT_EQ(a->names.size(), 1000u);
  EXPECT_EQ(a->names[0], "tench, Tinca tinca");
  EXPECT_EQ(a->names[999], "toilet tissue, toilet paper, bathroom tissue");
  ASSERT_EQ(a->notices.size(), 1u);
  EXPECT_THAT(a->notices[0], HasSubstr("labels have 1001 entries, model has 1000 classes"));
  EXPECT_THAT(a->notices[0], HasSubstr("dropping label 0 'background'"));
  // Any case of "background" counts.
  LabelMap upper = MustParse("Background\ncat\ndog\n");
  Result<AlignedLabels> b = AlignLabels(upper, 2);
  ASSERT_TRUE(b.ok());
  EXPECT_THAT(b->names, ElementsAre("cat", "dog"));
}

TEST(AlignLabels, InatBirdLabelsFitTheirModelSize) {
  Result<LabelMap> labels = LoadLabels(LabelPath("inat_bird_labels.txt"));
  ASSERT_TRUE(labels.ok());
  Result<AlignedLabels> a = AlignLabels(*labels, 965);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->offset, 0);
  EXPECT_EQ(a->names[964], "background");
}

TEST(AlignLabels, WrongLabelFileIsAnError) {
  Result<LabelMap> labels = LoadLabels(LabelPath("inat_bird_labels.txt"));
  ASSERT_TRUE(labels.ok());
  Result<AlignedLabels> a = AlignLabels(*labels, 1001);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidLabels);
  EXPECT_EQ(a.status().message(),
            LabelPath("inat_bird_labels.txt") +
                ": labels have 965 entries, model has 1001 classes: wrong label file for this "
                "model?");
}

TEST(AlignLabels, OneOffWithoutBackgroundExplainsWhy) {
  // One label too many, but the first is not "background": no guessing.
  Result<AlignedLabels> a = AlignLabels(MustParse("cat\ndog\nbird\n"), 2);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(),
              HasSubstr("labels have 3 entries, model has 2 classes: wrong label file for this "
                        "model?; one label more than classes, but the first label is 'cat', not "
                        "'background'"));
  // One label too few, though "background" is already there.
  Result<AlignedLabels> b = AlignLabels(MustParse("background\ncat\n"), 3);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(), HasSubstr("although the first label is already 'background'"));
}

TEST(AlignLabels, AllowMismatchFillsAndIgnores) {
  AlignOptions allow;
  allow.allow_mismatch = true;
  Result<AlignedLabels> fewer = AlignLabels(MustParse("cat\ndog\n"), 4, allow);
  ASSERT_TRUE(fewer.ok());
  EXPECT_THAT(fewer->names, ElementsAre("cat", "dog", "class_2", "class_3"));
  EXPECT_THAT(fewer->warnings,
              ElementsAre("labels have 2 entries, model has 4 classes: classes 2-3 named "
                          "class_<index>"));
  Result<AlignedLabels> more = AlignLabels(MustParse("a\nb\nc\nd\n"), 2, allow);
  ASSERT_TRUE(more.ok());
  EXPECT_THAT(more->names, ElementsAre("a", "b"));
  EXPECT_THAT(more->warnings, ElementsAre("labels have 4 entries, model has 2 classes: labels 2-3 ignored"));
}

TEST(AlignLabels, BlankLinesCountOnlyWhenTheModelNeedsThem) {
  LabelMap labels = MustParse("cat\n\ndog\n\n");  // the last blank line is trailing
  ASSERT_EQ(labels.size(), 2);
  EXPECT_THAT(labels.blank_lines, ElementsAre(2));
  Result<AlignedLabels> two = AlignLabels(labels, 2);
  ASSERT_TRUE(two.ok());
  EXPECT_THAT(two->names, ElementsAre("cat", "dog"));
  EXPECT_THAT(two->notices, IsEmpty());
  Result<AlignedLabels> three = AlignLabels(labels, 3);
  ASSERT_TRUE(three.ok()) << three.status().message();
  EXPECT_THAT(three->names, ElementsAre("cat", "class_1", "dog"));
  EXPECT_EQ(three->offset, 0);
  ASSERT_EQ(three->notices.size(), 1u);
  EXPECT_THAT(three->notices[0], HasSubstr("counting the 1 blank line(s) (lines 2) as labels"));
  Result<AlignedLabels> four = AlignLabels(labels, 5);
  ASSERT_FALSE(four.ok());
  EXPECT_THAT(four.status().message(), HasSubstr("1 blank line(s) not counted (lines 2)"));
}

TEST(AlignLabels, GapsAreNamedByIndex) {
  LabelMap sparse = MustParse("0 zero\n2 two\n", "sparse.txt", "indexed-text");
  Result<AlignedLabels> a = AlignLabels(sparse, 3);
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->names, ElementsAre("zero", "class_1", "two"));
  EXPECT_THAT(a->warnings, ElementsAre("no label for index 1"));
}

TEST(AlignLabels, DisplayNamesFollowTheShift) {
  LabelMap synsets = MustParse("n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n");
  Result<AlignedLabels> a = AlignLabels(synsets, 3);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->offset, 1);
  EXPECT_THAT(a->names, ElementsAre("background", "tench, Tinca tinca", "goldfish, Carassius auratus"));
  EXPECT_THAT(a->display_names, ElementsAre("", "tench", "goldfish"));
}

TEST(AlignLabels, EmptyMapWithAllowMismatchNamesEveryClass) {
  AlignOptions allow;
  allow.allow_mismatch = true;
  Result<AlignedLabels> a = AlignLabels(LabelMap{}, 1, allow);
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->names, ElementsAre("class_0"));
  EXPECT_EQ(a->offset, 0);
  EXPECT_FALSE(AlignLabels(LabelMap{}, 1).ok());
}

TEST(AlignLabels, BadClassCount) {
  LabelMap labels = MustParse("a\n");
  EXPECT_EQ(AlignLabels(labels, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AlignLabels(labels, -3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AlignLabels(labels, kMaxLabels + 1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace labelite
