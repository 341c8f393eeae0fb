// EmbedMetadata: the rewritten model reads back with the same graph, the new labels file and
// normalization, keeps what it had, and runs in real TFLite with the same outputs.
#include "model/metadata_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schema/tflite_schema_generated.h"
#include "testing/model_builder.h"
#include "testing/oracle.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

std::shared_ptr<const Model> Load(const std::string& name) {
  auto m = Model::FromFile(testing::ModelPath(name));
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? *m : nullptr;
}

std::shared_ptr<const Model> FromBytes(const std::vector<uint8_t>& bytes) {
  auto m = Model::FromBytes(bytes, "embedded");
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? *m : nullptr;
}

std::string ImagenetLabels() { return testing::ReadFileText(testing::LabelPath("imagenet_labels.txt")); }

// Everything of the graph the reader exposes must be equal, constant data byte for byte.
void ExpectSameGraph(const Model& a, const Model& b) {
  ASSERT_EQ(a.subgraphs().size(), b.subgraphs().size());
  EXPECT_EQ(a.schema_version(), b.schema_version());
  EXPECT_EQ(a.description(), b.description());
  for (size_t g = 0; g < a.subgraphs().size(); ++g) {
    const SubgraphSpec& x = a.subgraphs()[g];
    const SubgraphSpec& y = b.subgraphs()[g];
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.outputs, y.outputs);
    ASSERT_EQ(x.tensors.size(), y.tensors.size());
    for (size_t t = 0; t < x.tensors.size(); ++t) {
      const TensorSpec& p = x.tensors[t];
      const TensorSpec& q = y.tensors[t];
      EXPECT_EQ(p.name, q.name);
      EXPECT_EQ(p.type, q.type);
      EXPECT_EQ(p.shape, q.shape);
      EXPECT_EQ(p.quantization.scale, q.quantization.scale);
      EXPECT_EQ(p.quantization.zero_point, q.quantization.zero_point);
      EXPECT_EQ(p.buffer, q.buffer);
      ASSERT_EQ(p.data.size(), q.data.size()) << p.name;
      EXPECT_TRUE(std::equal(p.data.begin(), p.data.end(), q.data.begin())) << p.name;
      // Constant data stays 16-byte aligned in the file (TFLite's force_align).
      if (!q.data.empty()) {
        EXPECT_EQ((q.data.data() - b.bytes().data()) % 16, (p.data.data() - a.bytes().data()) % 16);
      }
    }
    ASSERT_EQ(x.operators.size(), y.operators.size());
    for (size_t o = 0; o < x.operators.size(); ++o) {
      EXPECT_EQ(x.operators[o].builtin_code, y.operators[o].builtin_code);
      EXPECT_EQ(x.operators[o].version, y.operators[o].version);
      EXPECT_EQ(x.operators[o].inputs, y.operators[o].inputs);
      EXPECT_EQ(x.operators[o].outputs, y.operators[o].outputs);
      EXPECT_EQ(x.operators[o].options.stride_w, y.operators[o].options.stride_w);
      EXPECT_EQ(x.operators[o].options.padding, y.operators[o].options.padding);
      EXPECT_EQ(x.operators[o].options.activation, y.operators[o].options.activation);
    }
  }
}

const AssociatedFileInfo* LabelsFile(const ModelMetadata& md) {
  if (md.outputs.empty()) return nullptr;
  for (const AssociatedFileInfo& f : md.outputs[0].associated_files)
    if (f.type == AssociatedFileType::kTensorAxisLabels) return &f;
  return nullptr;
}

TEST(MetadataWriterTest, EmbedMetadataUsageExample) {
  auto model = Load("mobilenet_v1_0.25_224_1_default_1.tflite");
  ASSERT_TRUE(model);
  MetadataEdit edit;
  edit.labels_text = ImagenetLabels();
  edit.normalization = NormalizationInfo{{127.5f}, {127.5f}};
  Result<std::vector<uint8_t>> bytes = EmbedMetadata(*model, edit);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_GT(bytes->size(), model->bytes().size());
}

TEST(MetadataWriterTest, AddsMetadataToAModelWithout) {
  auto model = Load("mobilenet_v1_0.25_224_1_default_1.tflite");
  ASSERT_TRUE(model);
  ASSERT_FALSE(model->metadata());
  MetadataEdit edit;
  edit.labels_text = ImagenetLabels();
  edit.normalization = NormalizationInfo{{127.5f}, {127.5f}};
  auto bytes = EmbedMetadata(*model, edit);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto out = FromBytes(*bytes);
  ASSERT_TRUE(out);
  ExpectSameGraph(*model, *out);

  // Every old Model.metadata entry is kept; TFLITE_METADATA is added.
  std::vector<std::string> names = model->metadata_entry_names();
  names.push_back("TFLITE_METADATA");
  EXPECT_EQ(out->metadata_entry_names(), names);

  ASSERT_TRUE(out->metadata());
  const ModelMetadata& md = *out->metadata();
  EXPECT_EQ(md.min_parser_version, "1.0.0");
  ASSERT_EQ(md.inputs.size(), 1u);
  ASSERT_EQ(md.outputs.size(), 1u);
  EXPECT_EQ(md.inputs[0].name, model->main_subgraph().tensors[model->main_subgraph().inputs[0]].name);
  EXPECT_TRUE(md.inputs[0].is_image);
  EXPECT_EQ(md.inputs[0].color_space, ColorSpace::kRgb);
  ASSERT_TRUE(md.inputs[0].normalization);
  EXPECT_EQ(md.inputs[0].normalization->mean, std::vector<float>{127.5f});
  EXPECT_EQ(md.inputs[0].normalization->std, std::vector<float>{127.5f});
  const AssociatedFileInfo* labels = LabelsFile(md);
  ASSERT_NE(labels, nullptr);
  EXPECT_EQ(labels->name, "labels.txt");

  ASSERT_EQ(out->embedded_files().size(), 1u);
  EXPECT_EQ(out->embedded_files()[0].name, "labels.txt");
  EXPECT_EQ(out->embedded_files()[0].size, edit.labels_text.size());
  auto text = out->ReadEmbeddedFile("labels.txt");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, edit.labels_text);
}

TEST(MetadataWriterTest, ReplacesLabelsAndKeepsTheRestOfExistingMetadata) {
  auto model = Load("mobilenet_v2_1.0_224_quant.tflite");
  ASSERT_TRUE(model);
  ASSERT_TRUE(model->metadata());
  const ModelMetadata& before = *model->metadata();
  const AssociatedFileInfo* old_labels = LabelsFile(before);
  ASSERT_NE(old_labels, nullptr);

  MetadataEdit edit;
  edit.labels_text = "zero\none\n";  // the library does not fit labels; the CLI does
  auto bytes = EmbedMetadata(*model, edit);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto out = FromBytes(*bytes);
  ASSERT_TRUE(out);
  ExpectSameGraph(*model, *out);
  EXPECT_EQ(out->metadata_entry_names(), model->metadata_entry_names());

  const ModelMetadata& after = *out->metadata();
  EXPECT_EQ(after.name, before.name);
  EXPECT_EQ(after.description, before.description);
  EXPECT_EQ(after.author, before.author);
  EXPECT_EQ(after.license, before.license);
  EXPECT_EQ(after.version, before.version);
  EXPECT_EQ(after.min_parser_version, before.min_parser_version);
  ASSERT_EQ(after.inputs.size(), before.inputs.size());
  EXPECT_EQ(after.inputs[0].name, before.inputs[0].name);
  ASSERT_TRUE(after.inputs[0].normalization);  // kept: no new normalization was given
  EXPECT_EQ(after.inputs[0].normalization->mean, before.inputs[0].normalization->mean);
  EXPECT_EQ(after.inputs[0].stats_max, before.inputs[0].stats_max);
  ASSERT_EQ(after.outputs[0].associated_files.size(), before.outputs[0].associated_files.size());
  const AssociatedFileInfo* new_labels = LabelsFile(after);
  ASSERT_NE(new_labels, nullptr);
  EXPECT_EQ(new_labels->name, old_labels->name);  // replaced in place, description kept
  EXPECT_EQ(new_labels->description, old_labels->description);

  ASSERT_EQ(out->embedded_files().size(), model->embedded_files().size());
  auto text = out->ReadEmbeddedFile(old_labels->name);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "zero\none\n");
  // The old zip and old metadata are not carried along: the file grows by little.
  EXPECT_LT(bytes->size(), model->bytes().size() + 4096);
}

TEST(MetadataWriterTest, ReplacesNormalizationAndKeepsOtherZipFiles) {
  // This model's zip holds labels.txt; its metadata names it on output 0.
  auto model = Load("mobilenet_v1_0.25_224_1_metadata_1.tflite");
  ASSERT_TRUE(model);
  ASSERT_TRUE(model->metadata());
  MetadataEdit edit;
  edit.normalization = NormalizationInfo{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}};
  auto bytes = EmbedMetadata(*model, edit);  // labels_text empty: labels kept
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto out = FromBytes(*bytes);
  ASSERT_TRUE(out);
  ExpectSameGraph(*model, *out);
  const ModelMetadata& md = *out->metadata();
  ASSERT_TRUE(md.inputs[0].normalization);
  EXPECT_EQ(md.inputs[0].normalization->mean, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(md.inputs[0].normalization->std, (std::vector<float>{4, 5, 6}));
  ASSERT_EQ(out->embedded_files().size(), model->embedded_files().size());
  for (const EmbeddedFile& f : model->embedded_files()) {
    auto a = model->ReadEmbeddedFile(f.name);
    auto b = out->ReadEmbeddedFile(f.name);
    ASSERT_TRUE(a.ok() && b.ok()) << f.name;
    EXPECT_EQ(*a, *b) << f.name;
  }
}

TEST(MetadataWriterTest, RewritingTwiceGivesTheSameModel) {
  auto model = Load("mobilenet_v1_0.25_224_quant_without_subgraph_metadata.tflite");
  ASSERT_TRUE(model);
  MetadataEdit edit;
  edit.labels_text = ImagenetLabels();
  auto once = EmbedMetadata(*model, edit);
  ASSERT_TRUE(once.ok()) << once.status().message();
  auto first = FromBytes(*once);
  ASSERT_TRUE(first);
  auto twice = EmbedMetadata(*first, edit);
  ASSERT_TRUE(twice.ok()) << twice.status().message();
  auto second = FromBytes(*twice);
  ASSERT_TRUE(second);
  ExpectSameGraph(*model, *second);
  auto text = second->ReadEmbeddedFile(LabelsFile(*second->metadata())->name);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, edit.labels_text);
  // Only the unreachable old metadata (a small flatbuffer) accumulates.
  EXPECT_LT(twice->size(), once->size() + 2048);
}

TEST(MetadataWriterTest, RefusesBuffersOutsideTheFlatbuffer) {
  tflite::ModelT m;
  m.version = 3;
  m.buffers.push_back(std::make_unique<tflite::BufferT>());
  auto b = std::make_unique<tflite::BufferT>();
  b->size = 16;
  m.buffers.push_back(std::move(b));
  auto g = std::make_unique<tflite::SubGraphT>();
  auto t = std::make_unique<tflite::TensorT>();
  t->shape = {2, 2};
  t->type = tflite::TensorType::FLOAT32;
  t->buffer = 1;
  t->name = "w";
  g->tensors.push_back(std::move(t));
  g->outputs = {0};
  m.subgraphs.push_back(std::move(g));
  auto build = [&](uint64_t offset) {
    m.buffers[1]->offset = offset;
    flatbuffers::FlatBufferBuilder fbb;
    tflite::FinishModelBuffer(fbb, tflite::Model::Pack(fbb, &m));
    return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  };
  uint64_t at = (build(2).size() + 15) / 16 * 16;
  std::vector<uint8_t> bytes = build(at);
  bytes.resize(at + 16, 0);
  auto model = FromBytes(bytes);
  ASSERT_TRUE(model);
  MetadataEdit edit;
  edit.labels_text = "a\nb\n";
  auto r = EmbedMetadata(*model, edit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("buffer 1 is stored outside the flatbuffer"),
            std::string::npos)
      << r.status().message();
}

// A metadata flatbuffer setting ModelMetadata field 9, which our schema subset lacks.
std::vector<uint8_t> MetadataWithUnknownField() {
  flatbuffers::FlatBufferBuilder fbb;
  auto name = fbb.CreateString("future");
  auto start = fbb.StartTable();
  fbb.AddOffset(flatbuffers::FieldIndexToOffset(0), name);
  fbb.AddElement<int32_t>(flatbuffers::FieldIndexToOffset(9), 7, 0);
  fbb.Finish(flatbuffers::Offset<void>(fbb.EndTable(start)), "M001");
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

TEST(MetadataWriterTest, RefusesMetadataItWouldDamage) {
  testing::ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 3}, "in");
  int out = b.AddTensor(DataType::kFloat32, {1, 3}, "out");
  b.AddOperator(/*RELU=*/19, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  b.SetMetadataBuffer(MetadataWithUnknownField());
  auto model = FromBytes(b.Build());
  ASSERT_TRUE(model);
  ASSERT_TRUE(model->metadata());
  EXPECT_EQ(model->metadata()->name, "future");
  MetadataEdit edit;
  edit.labels_text = "a\nb\nc\n";
  auto r = EmbedMetadata(*model, edit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("ModelMetadata sets fields"), std::string::npos)
      << r.status().message();
}

TEST(MetadataWriterTest, RealTfliteRunsTheRewrittenModelTheSame) {
  for (const char* name : {"mobilenet_v1_0.25_224_1_default_1.tflite",
                           "mobilenet_v2_1.0_224_quant.tflite"}) {
    auto model = Load(name);
    ASSERT_TRUE(model);
    MetadataEdit edit;
    edit.labels_text = ImagenetLabels();
    auto bytes = EmbedMetadata(*model, edit);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    std::vector<uint8_t> original(model->bytes().begin(), model->bytes().end());
    testing::OracleResult a = testing::RunOracle(original);
    if (!a.available) {
      if (testing::OracleRequired()) FAIL() << a.error;
      GTEST_SKIP() << a.error;
    }
    testing::OracleResult b = testing::RunOracle(*bytes);
    ASSERT_TRUE(a.ran) << a.error;
    ASSERT_TRUE(b.ran) << name << ": " << b.error;
    ASSERT_EQ(a.outputs.size(), b.outputs.size());
    for (size_t i = 0; i < a.outputs.size(); ++i) {
      EXPECT_EQ(a.outputs[i].shape, b.outputs[i].shape);
      EXPECT_EQ(a.outputs[i].values, b.outputs[i].values) << name;
    }
  }
}

}  // namespace
}  // namespace labelite
