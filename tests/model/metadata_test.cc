// TFLITE_METADATA parsing and the embedded zip. Expected values come from
// `flatc --json` on the extracted metadata buffers and Python's zipfile.
#include "model/metadata.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "model/model.h"
#include "schema/metadata_schema_generated.h"
#include "testing/model_builder.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

std::shared_ptr<const Model> Load(const std::string& name, const ModelLimits& limits = {}) {
  auto r = Model::FromFile(testing::ModelPath(name), limits);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : nullptr;
}

int CountLines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(MetadataTest, SupportModelV1) {
  auto m = Load("mobilenet_v1_0.25_224_1_metadata_1.tflite");
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->metadata().has_value());
  const ModelMetadata& md = *m->metadata();
  EXPECT_EQ(md.name, "MobileNetV1 image classifier");
  EXPECT_EQ(md.version, "v1");
  EXPECT_EQ(md.author, "TensorFlow");
  EXPECT_EQ(md.license, "Apache License. Version 2.0 http://www.apache.org/licenses/LICENSE-2.0.");
  EXPECT_EQ(md.min_parser_version, "");
  ASSERT_EQ(md.inputs.size(), 1u);
  const TensorMetadataInfo& in = md.inputs[0];
  EXPECT_EQ(in.name, "image");
  EXPECT_TRUE(in.is_image);
  EXPECT_EQ(in.color_space, ColorSpace::kRgb);
  ASSERT_TRUE(in.normalization.has_value());
  EXPECT_EQ(in.normalization->mean, std::vector<float>{127.5f});
  EXPECT_EQ(in.normalization->std, std::vector<float>{127.5f});
  EXPECT_EQ(in.stats_min, std::vector<float>{-1.0f});
  EXPECT_EQ(in.stats_max, std::vector<float>{1.0f});
  ASSERT_EQ(md.outputs.size(), 1u);
  const TensorMetadataInfo& out = md.outputs[0];
  EXPECT_EQ(out.name, "probability");
  EXPECT_FALSE(out.is_image);
  ASSERT_EQ(out.associated_files.size(), 1u);
  EXPECT_EQ(out.associated_files[0].name, "labels.txt");
  EXPECT_EQ(out.associated_files[0].type, AssociatedFileType::kTensorAxisLabels);
  EXPECT_EQ(out.associated_files[0].description,
            "Labels for objects that the model can recognize.");
  EXPECT_EQ(m->metadata_buffer().size(), 1036u);

  ASSERT_EQ(m->embedded_files().size(), 1u);
  EXPECT_EQ(m->embedded_files()[0].name, "labels.txt");
  EXPECT_EQ(m->embedded_files()[0].size, 10484u);
  auto labels = m->ReadEmbeddedFile("labels.txt");
  ASSERT_TRUE(labels.ok()) << labels.status().message();
  EXPECT_EQ(labels->size(), 10484u);
  EXPECT_EQ(CountLines(*labels), 1001);
  EXPECT_EQ(labels->substr(0, 17), "background\ntench\n");
}

TEST(MetadataTest, QuantizedV2CarriesImagenetLabels) {
  auto m = Load("mobilenet_v2_1.0_224_quant.tflite");
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->metadata().has_value());
  const ModelMetadata& md = *m->metadata();
  EXPECT_EQ(md.name, "ImageClassifier");
  EXPECT_EQ(md.min_parser_version, "1.0.0");
  ASSERT_EQ(md.inputs.size(), 1u);
  ASSERT_TRUE(md.inputs[0].normalization.has_value());
  EXPECT_EQ(md.inputs[0].normalization->mean, std::vector<float>{127.5f});
  EXPECT_EQ(md.inputs[0].stats_max, std::vector<float>{255.0f});
  ASSERT_EQ(md.outputs.size(), 1u);
  ASSERT_EQ(md.outputs[0].associated_files.size(), 1u);
  EXPECT_EQ(md.outputs[0].associated_files[0].name, "imagenet_labels.txt");

  // The appended zip (the labels file of this model is imagenet_labels.txt).
  ASSERT_EQ(m->embedded_files().size(), 1u);
  EXPECT_EQ(m->embedded_files()[0].name, "imagenet_labels.txt");
  EXPECT_EQ(m->embedded_files()[0].size, 21686u);
  auto labels = m->ReadEmbeddedFile("imagenet_labels.txt");
  ASSERT_TRUE(labels.ok()) << labels.status().message();
  EXPECT_EQ(CountLines(*labels), 1001);
  EXPECT_EQ(labels->substr(0, 11), "background\n");
  EXPECT_EQ(labels->substr(11, 19), "tench, Tinca tinca\n");

  auto missing = m->ReadEmbeddedFile("labels.txt");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(MetadataTest, EmbeddedFileLimit) {
  ModelLimits limits;
  limits.max_embedded_file_bytes = 1000;
  auto m = Load("automl_labeler_model.tflite", limits);
  ASSERT_TRUE(m);
  auto small = m->ReadEmbeddedFile("labels.txt");  // 40 bytes
  ASSERT_TRUE(small.ok()) << small.status().message();
  EXPECT_EQ(*small, "daisy\ndandelion\nroses\nsunflowers\ntulips\n");
  auto big = Load("mobilenet_v2_1.0_224_quant.tflite", limits);
  ASSERT_TRUE(big);
  auto r = big->ReadEmbeddedFile("imagenet_labels.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("21686"), std::string::npos) << r.status().message();
}

TEST(MetadataTest, CorruptZipStillLoadsButReadingFails) {
  auto bytes = testing::ReadFileBytes(testing::ModelPath("automl_labeler_model.tflite"));
  ASSERT_FALSE(bytes.empty());
  // Python's zipfile: labels.txt is the only entry; its local header is the last "PK\3\4".
  size_t local = 0;
  for (size_t i = 0; i + 4 <= bytes.size(); ++i)
    if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 3 && bytes[i + 3] == 4) local = i;
  ASSERT_GT(local, 0u);
  // Corrupt the entry's data (after the 30-byte header + name): the CRC no longer matches.
  std::vector<uint8_t> bad = bytes;
  size_t name_len = bad[local + 26] | (bad[local + 27] << 8);
  size_t extra_len = bad[local + 28] | (bad[local + 29] << 8);
  ASSERT_EQ(name_len, 10u);
  bad[local + 30 + name_len + extra_len + 2] ^= 0x55;
  auto m = Model::FromBytes(bad, "bad.tflite");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m.value()->embedded_files().size(), 1u);
  auto r = m.value()->ReadEmbeddedFile("labels.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
  EXPECT_EQ(r.status().message().rfind("bad.tflite: ", 0), 0u) << r.status().message();

  // Destroying the end-of-central-directory record: no archive, the model still loads.
  std::vector<uint8_t> no_eocd = bytes;
  for (size_t i = no_eocd.size() - 22; i > no_eocd.size() - 200 && i > 0; --i)
    if (no_eocd[i] == 'P' && no_eocd[i + 1] == 'K' && no_eocd[i + 2] == 5 && no_eocd[i + 3] == 6)
      no_eocd[i] = 'X';
  auto m2 = Model::FromBytes(no_eocd, "noeocd.tflite");
  ASSERT_TRUE(m2.ok()) << m2.status().message();
  EXPECT_TRUE(m2.value()->embedded_files().empty());
  EXPECT_FALSE(m2.value()->ReadEmbeddedFile("labels.txt").ok());
}

// A metadata flatbuffer with two output heads, score calibration and thresholding.
std::vector<uint8_t> BuildMetadata() {
  tflite::ModelMetadataT md;
  md.name = "two heads";
  md.author = "labelite";
  md.min_parser_version = "1.0.0";
  auto file = [](const std::string& name, tflite::AssociatedFileType type,
                 const std::string& locale) {
    auto f = std::make_unique<tflite::AssociatedFileT>();
    f->name = name;
    f->type = type;
    f->locale = locale;
    return f;
  };
  md.associated_files.push_back(file("README.md", tflite::AssociatedFileType::DESCRIPTIONS, ""));
  auto g = std::make_unique<tflite::SubGraphMetadataT>();
  auto in = std::make_unique<tflite::TensorMetadataT>();
  in->name = "image";
  in->content = std::make_unique<tflite::ContentT>();
  tflite::ImagePropertiesT image;
  image.color_space = tflite::ColorSpaceType::GRAYSCALE;
  in->content->content_properties.Set(std::move(image));
  auto norm = std::make_unique<tflite::ProcessUnitT>();
  tflite::NormalizationOptionsT n;
  n.mean = {1.0f, 2.0f, 3.0f};
  n.std = {4.0f, 5.0f, 6.0f};
  norm->options.Set(std::move(n));
  in->process_units.push_back(std::move(norm));
  g->input_tensor_metadata.push_back(std::move(in));
  for (int head = 0; head < 2; ++head) {
    auto out = std::make_unique<tflite::TensorMetadataT>();
    out->name = "head" + std::to_string(head);
    out->associated_files.push_back(
        file("labels_en.txt", tflite::AssociatedFileType::TENSOR_AXIS_LABELS, "en"));
    out->associated_files.push_back(
        file("labels_fr.txt", tflite::AssociatedFileType::TENSOR_AXIS_LABELS, "fr"));
    if (head == 1) {
      out->associated_files.push_back(
          file("calib.csv", tflite::AssociatedFileType::TENSOR_AXIS_SCORE_CALIBRATION, ""));
      auto cal = std::make_unique<tflite::ProcessUnitT>();
      tflite::ScoreCalibrationOptionsT c;
      c.score_transformation = tflite::ScoreTransformationType::INVERSE_LOGISTIC;
      c.default_score = 0.25f;
      cal->options.Set(std::move(c));
      out->process_units.push_back(std::move(cal));
      auto th = std::make_unique<tflite::ProcessUnitT>();
      tflite::ScoreThresholdingOptionsT t;
      t.global_score_threshold = 0.5f;
      th->options.Set(std::move(t));
      out->process_units.push_back(std::move(th));
    }
    g->output_tensor_metadata.push_back(std::move(out));
  }
  md.subgraph_metadata.push_back(std::move(g));
  flatbuffers::FlatBufferBuilder fbb;
  tflite::FinishModelMetadataBuffer(fbb, tflite::ModelMetadata::Pack(fbb, &md));
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

TEST(MetadataTest, TwoHeadsWithCalibrationThroughModelBuilder) {
  testing::ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 4, 4, 1}, "image");
  int o1 = b.AddTensor(DataType::kFloat32, {1, 16}, "head0");
  int o2 = b.AddTensor(DataType::kFloat32, {1, 16}, "head1");
  OpOptions reshape;
  reshape.has_new_shape = true;
  reshape.new_shape = {1, 16};
  b.AddOperator(22, {in}, {o1}, reshape);
  b.AddOperator(22, {in}, {o2}, reshape);
  b.SetInputs({in});
  b.SetOutputs({o1, o2});
  b.SetMetadataBuffer(BuildMetadata());
  auto m = Model::FromBytes(b.Build());
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE(m.value()->metadata().has_value());
  const ModelMetadata& md = *m.value()->metadata();
  EXPECT_EQ(md.name, "two heads");
  ASSERT_EQ(md.associated_files.size(), 1u);
  EXPECT_EQ(md.associated_files[0].type, AssociatedFileType::kDescriptions);
  ASSERT_EQ(md.inputs.size(), 1u);
  EXPECT_EQ(md.inputs[0].color_space, ColorSpace::kGrayscale);
  EXPECT_EQ(md.inputs[0].normalization->std, (std::vector<float>{4.0f, 5.0f, 6.0f}));
  ASSERT_EQ(md.outputs.size(), 2u);
  EXPECT_FALSE(md.outputs[0].score_calibration.has_value());
  EXPECT_FALSE(md.outputs[0].score_threshold.has_value());
  EXPECT_EQ(md.outputs[0].associated_files[1].locale, "fr");
  const TensorMetadataInfo& h1 = md.outputs[1];
  ASSERT_TRUE(h1.score_calibration.has_value());
  EXPECT_EQ(h1.score_calibration->transformation, ScoreTransformation::kInverseLogistic);
  EXPECT_FLOAT_EQ(h1.score_calibration->default_score, 0.25f);
  EXPECT_EQ(h1.score_calibration->file_name, "calib.csv");
  EXPECT_FLOAT_EQ(h1.score_threshold.value(), 0.5f);
  EXPECT_STREQ(AssociatedFileTypeName(h1.associated_files[2].type),
               "TENSOR_AXIS_SCORE_CALIBRATION");
  EXPECT_EQ(m.value()->metadata_entry_names(), std::vector<std::string>{"TFLITE_METADATA"});
}

TEST(MetadataTest, CorruptMetadataBufferIsAnError) {
  testing::ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 4}, "in");
  int out = b.AddTensor(DataType::kFloat32, {1, 4}, "out");
  b.AddOperator(19, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  std::vector<uint8_t> md = BuildMetadata();
  md.resize(md.size() / 2);
  b.SetMetadataBuffer(md);
  auto m = Model::FromBytes(b.Build(), "meta.tflite");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(m.status().message().find("meta.tflite: TFLITE_METADATA"), std::string::npos)
      << m.status().message();
}

TEST(MetadataTest, AssociatedFileTypeNames) {
  EXPECT_STREQ(AssociatedFileTypeName(AssociatedFileType::kTensorAxisLabels), "TENSOR_AXIS_LABELS");
  EXPECT_STREQ(AssociatedFileTypeName(AssociatedFileType::kUnknown), "UNKNOWN");
  EXPECT_STREQ(AssociatedFileTypeName(AssociatedFileType::kScannIndexFile), "SCANN_INDEX_FILE");
  EXPECT_STREQ(AssociatedFileTypeName(static_cast<AssociatedFileType>(42)), "UNKNOWN");
}

}  // namespace
}  // namespace labelite
