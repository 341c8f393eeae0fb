// Inputs that are not images, files that cannot be read, and random corruption: always a
// clean error value (or a decoded image), never a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include "image_test_util.h"
#include "labelite/image.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::Bytes;

std::string Message(std::span<const uint8_t> bytes) {
  Result<Image> r = DecodeImage(bytes);
  return r.ok() ? "OK" : r.status().message();
}

TEST(ImageErrorsTest, EmptyAndTextAreRefused) {
  EXPECT_EQ(Message({}), "empty image data");
  std::string text = "hello, this is not an image\n";
  EXPECT_EQ(Message({reinterpret_cast<const uint8_t*>(text.data()), text.size()}),
            "unrecognized image format (not JPEG, PNG, BMP, WebP or GIF)");
  EXPECT_EQ(SniffImageFormat({}), ImageFormat::kUnknown);
  EXPECT_STREQ(ImageFormatName(ImageFormat::kWebp), "WebP");
  EXPECT_FALSE(ProbeImage({}).ok());
}

TEST(ImageErrorsTest, FileErrorsNameThePath) {
  Result<Image> missing = DecodeImageFile("/nonexistent/x.png");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "/nonexistent/x.png: No such file or directory");
  std::string dir = testing::MakeTempDir("image_errors");
  Result<Image> directory = DecodeImageFile(dir);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().message().rfind(dir + ": ", 0), 0u);
  Bytes png = testing::EncodePng(testing::MakePattern(8, 8, 3, [](int x, int, int) { return x; }));
  std::string path = dir + "/cut.png";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(png.data()), png.size() / 2);
  Result<Image> cut = DecodeImageFile(path);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), StatusCode::kInvalidImage);
  EXPECT_EQ(cut.status().message(), path + ": truncated PNG data");
}

TEST(ImageErrorsTest, FilesAreReadWholeFromDiskAndFromPipes) {
  std::string dir = testing::MakeTempDir("image_read");
  Bytes png = testing::EncodePng(testing::MakePattern(300, 200, 3, [](int x, int y, int) { return x ^ y; }));
  // A regular file is read with one read of its size, a FIFO in chunks until end of file.
  std::string file = dir + "/a.png", fifo = dir + "/fifo.png";
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(png.data()), png.size());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream(fifo, std::ios::binary).write(reinterpret_cast<const char*>(png.data()), png.size());
  });
  Result<Image> from_pipe = DecodeImageFile(fifo);
  writer.join();
  Result<Image> from_file = DecodeImageFile(file);
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  ASSERT_TRUE(from_pipe.ok()) << from_pipe.status().message();
  EXPECT_EQ(from_file->pixels, from_pipe->pixels);
  // Above kMaxImageFileBytes (a sparse file): refused from its size, before reading.
  std::string big = dir + "/big.png";
  std::ofstream(big, std::ios::binary).write(reinterpret_cast<const char*>(png.data()), png.size());
  ASSERT_EQ(truncate(big.c_str(), static_cast<off_t>(kMaxImageFileBytes + 1)), 0);
  Result<Image> too_big = DecodeImageFile(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().message(), big + ": file is larger than 512 MiB");
  std::remove(big.c_str());
}

TEST(ImageErrorsTest, RandomCorruptionNeverCrashes) {
  Image pic = testing::MakePattern(40, 30, 3, [](int x, int y, int c) { return (x * 5 + y * 9 + c * 50) % 256; });
  Image rgba = testing::MakePattern(40, 30, 4, [](int x, int y, int c) { return (x * 3 + y * 7 + c * 60) % 256; });
  testing::GifSpec gif;
  gif.screen_width = gif.width = 20;
  gif.screen_height = gif.height = 10;
  gif.colors = {{0, 0, 0}, {255, 255, 255}};
  gif.indices.assign(200, 1);
  const Bytes files[] = {testing::EncodeJpeg(pic), testing::EncodePng(rgba, true),
                         testing::MakeBmp(testing::Bmp24(pic)), testing::EncodeWebp(pic, false),
                         testing::EncodeWebp(rgba, true), testing::EncodeGif(gif)};
  std::mt19937 rng(1);
  int decoded = 0, refused = 0;
  for (const Bytes& original : files) {
    for (int trial = 0; trial < 300; ++trial) {
      Bytes b = original;
      int flips = 1 + rng() % 4;
      for (int i = 0; i < flips; ++i) b[rng() % b.size()] = static_cast<uint8_t>(rng());
      if (rng() % 3 == 0) b.resize(rng() % b.size());
      DecodeOptions options;
      options.max_pixels = 1 << 20;
      Result<Image> r = DecodeImage(b, options);
      if (r.ok()) {
        ++decoded;
        ASSERT_EQ(r->pixels.size(), size_t(r->width) * r->height * r->channels);
      } else {
        ++refused;
        ASSERT_FALSE(r.status().message().empty());
      }
      (void)ProbeImage(b);
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(decoded, 0);
}

// The usage example from image.h, compiled.
Status HeaderExample(const std::string& path) {
  labelite::DecodeOptions options;
  options.target_width = 224;
  options.target_height = 224;
  LABELITE_ASSIGN_OR_RETURN(labelite::Image image, labelite::DecodeImageFile(path, options));
  LABELITE_ASSIGN_OR_RETURN(labelite::Image input,
                            labelite::ResizeImage(image, 224, 224, labelite::ResizeMode::kCrop));
  if (input.pixels.size() != 224 * 224 * 3) return Internal("unexpected size");
  return Status::Ok();
}

TEST(ImageApiTest, HeaderExample) {
  Status s = HeaderExample(testing::ImagePath("cat_1080p.jpg"));
  EXPECT_TRUE(s.ok()) << s.message();
}

}  // namespace
}  // namespace labelite
