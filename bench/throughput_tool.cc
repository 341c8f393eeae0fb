// Helper of bench/throughput (not a test):
//
//   throughput_tool generate SRC_DIR OUT_DIR COUNT
//     writes COUNT JPEG photos made from the images of SRC_DIR: a random crop of each source
//     (the output's aspect ratio, 60-100% of the source) scaled to one of 640x480 .. 1920x1080,
//     with mild pixel noise (so the entropy-coded data looks like a photo's, not a smooth
//     upscale), at quality 75..95, 4:2:0. Deterministic (fixed seed).
//
//   throughput_tool infer MODEL DIR WORKERS [COUNT]
//     inference alone: decodes and resizes up to 32 images of DIR beforehand, then WORKERS
//     threads, each with its own 1-thread Classifier, classify COUNT (default 500) of those
//     pre-decoded inputs; prints "infer: <n> images, <w> workers, <s> s, <r> images/s".
#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE first.
#include <jpeglib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "labelite/classifier.h"
#include "labelite/image.h"

namespace {

namespace fs = std::filesystem;
using labelite::Image;

bool WriteJpeg(const Image& image, int quality, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, f);
  c.image_width = static_cast<JDIMENSION>(image.width);
  c.image_height = static_cast<JDIMENSION>(image.height);
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  const size_t stride = static_cast<size_t>(image.width) * 3;
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(image.pixels.data() + c.next_scanline * stride);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  return std::fclose(f) == 0;
}

std::vector<std::string> ImageFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".jpg" || ext == ".bmp" || ext == ".png") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

int Generate(const std::string& src_dir, const std::string& out_dir, int count) {
  std::vector<Image> sources;
  for (const std::string& f : ImageFiles(src_dir)) {
    auto image = labelite::DecodeImageFile(f);
    if (image.ok() && image->width >= 64 && image->height >= 64) sources.push_back(std::move(*image));
  }
  if (sources.empty()) {
    std::fprintf(stderr, "throughput_tool: no usable images in %s\n", src_dir.c_str());
    return 1;
  }
  const int sizes[][2] = {{640, 480}, {800, 600}, {1024, 768}, {1280, 720}, {1600, 900}, {1920, 1080}};
  std::mt19937 rng(20261125);
  fs::create_directories(out_dir);
  for (int i = 0; i < count; ++i) {
    const Image& src = sources[static_cast<size_t>(i) % sources.size()];
    const auto& size = sizes[static_cast<size_t>(i / static_cast<int>(sources.size())) % 6];
    // A crop with the output's aspect ratio, 60-100% of the largest one, at a random place.
    const double fit = std::min(static_cast<double>(src.width) / size[0], static_cast<double>(src.height) / size[1]);
    const double scale = fit * std::uniform_real_distribution<double>(0.6, 1.0)(rng);
    const int cw = std::max(1, static_cast<int>(size[0] * scale)), ch = std::max(1, static_cast<int>(size[1] * scale));
    const int x0 = std::uniform_int_distribution<int>(0, src.width - cw)(rng);
    const int y0 = std::uniform_int_distribution<int>(0, src.height - ch)(rng);
    Image crop;
    crop.width = cw;
    crop.height = ch;
    crop.channels = 3;
    crop.pixels.resize(static_cast<size_t>(cw) * ch * 3);
    for (int y = 0; y < ch; ++y)
      std::copy_n(&src.pixels[(static_cast<size_t>(y0 + y) * src.width + x0) * 3], static_cast<size_t>(cw) * 3,
                  &crop.pixels[static_cast<size_t>(y) * cw * 3]);
    auto out = labelite::ResizeImage(crop, size[0], size[1], labelite::ResizeMode::kStretch);
    if (!out.ok()) return 1;
    std::uniform_int_distribution<int> noise(-6, 6);
    for (uint8_t& p : out->pixels) p = static_cast<uint8_t>(std::clamp(p + noise(rng), 0, 255));
    const int quality = 75 + 5 * (i % 5);
    char name[64];
    std::snprintf(name, sizeof name, "/photo_%04d_%dx%d.jpg", i, size[0], size[1]);
    if (!WriteJpeg(*out, quality, out_dir + name)) {
      std::fprintf(stderr, "throughput_tool: cannot write %s%s\n", out_dir.c_str(), name);
      return 1;
    }
  }
  return 0;
}

int Infer(const std::string& model, const std::string& dir, int workers, int count) {
  labelite::ClassifierOptions options;
  options.model_path = model;
  options.num_threads = 1;
  auto first = labelite::Classifier::Create(options);
  if (!first.ok()) {
    std::fprintf(stderr, "throughput_tool: %s\n", first.status().message().c_str());
    return 1;
  }
  const labelite::ClassifierSummary& s = (*first)->summary();
  std::vector<Image> inputs;
  for (const std::string& f : ImageFiles(dir)) {
    if (inputs.size() == 32) break;
    auto image = labelite::DecodeImageFile(f, (*first)->decode_options());
    if (!image.ok()) continue;
    auto resized = labelite::ResizeImage(*image, s.input_width, s.input_height);
    if (resized.ok()) inputs.push_back(std::move(*resized));
  }
  if (inputs.empty()) return 1;
  std::vector<std::unique_ptr<labelite::Classifier>> classifiers;
  classifiers.push_back(std::move(*first));
  for (int w = 1; w < workers; ++w) {
    auto clone = classifiers[0]->Clone();
    if (!clone.ok()) return 1;
    classifiers.push_back(std::move(*clone));
  }
  for (auto& c : classifiers) (void)c->Classify(inputs[0]);  // warm-up, as the pipeline's first image
  std::atomic<int> next{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (auto& c : classifiers) {
    pool.emplace_back([&, classifier = c.get()] {
      for (int i = next++; i < count; i = next++) (void)classifier->Classify(inputs[static_cast<size_t>(i) % inputs.size()]);
    });
  }
  for (auto& t : pool) t.join();
  const double s_elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("infer: %d images, %d workers, %.3f s, %.1f images/s\n", count, workers, s_elapsed, count / s_elapsed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "generate" && argc == 5) return Generate(argv[2], argv[3], std::atoi(argv[4]));
  if (mode == "infer" && (argc == 5 || argc == 6))
    return Infer(argv[2], argv[3], std::max(1, std::atoi(argv[4])), argc == 6 ? std::atoi(argv[5]) : 500);
  std::fprintf(stderr,
               "usage: throughput_tool generate SRC_DIR OUT_DIR COUNT\n"
               "       throughput_tool infer MODEL DIR WORKERS [COUNT]\n");
  return 1;
}
