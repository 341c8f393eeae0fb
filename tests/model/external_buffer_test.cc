// Buffers stored after the flatbuffer (Buffer.offset/size, as TFLite writes models > 2 GiB).
#include <gtest/gtest.h>

#include "model/model.h"
#include "schema/tflite_schema_generated.h"

namespace labelite {
namespace {

// A model whose constant tensor [2,2] float32 lives at `offset` (0 = right after the
// flatbuffer, 16-aligned) with `size` bytes; `data` is appended there.
std::vector<uint8_t> ModelWithExternalBuffer(uint64_t offset, uint64_t size,
                                             const std::vector<float>& data) {
  auto build = [&](uint64_t off) {
    tflite::ModelT m;
    m.version = 3;
    m.buffers.push_back(std::make_unique<tflite::BufferT>());
    auto b = std::make_unique<tflite::BufferT>();
    b->offset = off;
    b->size = size;
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
    flatbuffers::FlatBufferBuilder fbb;
    tflite::FinishModelBuffer(fbb, tflite::Model::Pack(fbb, &m));
    return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  };
  // The flatbuffer's size does not depend on the offset value (a fixed-size ulong field).
  std::vector<uint8_t> probe = build(2);
  uint64_t at = offset ? offset : (probe.size() + 15) / 16 * 16;
  std::vector<uint8_t> bytes = build(at);
  if (at > bytes.size() && at - bytes.size() < 4096) bytes.resize(static_cast<size_t>(at), 0);
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  bytes.insert(bytes.end(), p, p + data.size() * sizeof(float));
  return bytes;
}

TEST(ExternalBufferTest, ReadsDataAfterTheFlatbuffer) {
  std::vector<float> w = {1.5f, -2.0f, 3.25f, 4.0f};
  auto bytes = ModelWithExternalBuffer(0, 16, w);
  auto r = Model::FromBytes(bytes, "big.tflite");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const TensorSpec& t = r.value()->main_subgraph().tensors[0];
  ASSERT_EQ(t.data.size(), 16u);
  EXPECT_EQ(t.data.data(), r.value()->bytes().data() + (bytes.size() - 16));
  const float* f = reinterpret_cast<const float*>(t.data.data());
  EXPECT_EQ(std::vector<float>(f, f + 4), w);
}

TEST(ExternalBufferTest, RefusesRangesOutsideTheFile) {
  std::vector<float> w = {1, 2, 3, 4};
  auto r = Model::FromBytes(ModelWithExternalBuffer(0, 32, w), "big.tflite");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(r.status().message().find("big.tflite: buffer 1 spans bytes"), std::string::npos)
      << r.status().message();
  // offset + size overflows 64 bits.
  auto o = Model::FromBytes(ModelWithExternalBuffer(~0ull - 4, 16, w), "big.tflite");
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("outside the"), std::string::npos) << o.status().message();
}

}  // namespace
}  // namespace labelite
