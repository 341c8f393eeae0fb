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
//
//   throughput_tool decode DIR [COUNT] [ROUNDS] [SIZE]
//     where the per-image decode time goes: reads COUNT (default 500) JPEGs of DIR into memory,
//     then ROUNDS times (default 3) decodes every image with each variant in turn (variants
//     interleaved image by image, so machine load hits them alike) for a SIZE x SIZE target
//     (default 224) and resizes the result to SIZE x SIZE; prints the thread CPU time per
//     image of both, and how far the resized input is from the full-size decode's (mean and
//     max absolute difference, first round). Variants: libjpeg entropy decoding alone
//     (jpeg_read_coefficients) and at scale 1/8 (DC only): the floor; libjpeg settings (IDCT
//     method, fancy upsampling, DCT scale rule); labelite's DecodeImage and DecodeImageFile.
//
//   throughput_tool stages MODEL DIR [COUNT] [CHUNK] [beside]
//     the per-image CPU time of each stage of the batch pipeline measured on its own, on one
//     thread, for COUNT (default 500) images of DIR, CHUNK (default 16) at a time: decode
//     (DecodeImageFile with the classifier's decode options: the file read and the JPEG DCT
//     scale labelite chooses), preprocess (ResizeImage to the input size) and inference
//     (Classify on the resized input with a 1-thread interpreter, after one warm-up image).
//     Each stage runs over the whole chunk before the next starts, so its caches are its
//     own. Prints the thread CPU time and minor page faults per image of each stage, the mix
//     of decoded sizes, and "stages: decode D ms, preprocess P ms, inference I ms". With
//     "beside", a second thread runs the whole pipeline meanwhile, as a second worker would:
//     the stage times then include what the two workers cost each other (shared L3 and memory
//     bandwidth), and the share of the time that thread ran is printed.
//
//   throughput_tool presize SRC_DIR OUT_DIR SIZE COUNT
//     writes COUNT SIZE x SIZE 24-bit BMPs (the images of SRC_DIR decoded at full size and
//     resized), inputs the pipeline classifies without resizing.
//
//   throughput_tool rusage COMMAND [ARG...]
//     runs COMMAND and prints its wall time and CPU time (user + system, from wait4) and minor
//     page faults and context switches (voluntary: waits; involuntary: preempted) on stderr:
//     "rusage: wall W s, user U s, sys S s, minflt N, nvcsw V, nivcsw I".
//
//   throughput_tool agree MODEL DIR [COUNT]
//     accuracy of the decode variants: for COUNT (default 500) images of DIR, how often each
//     variant's input gets the same top-1 class as the full-size decode (no DCT scaling), and
//     the mean change of that class's score.
#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE first.
#include <jpeglib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
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

// One way of decoding a JPEG with libjpeg directly, for `decode` and `agree`.
struct JpegVariant {
  const char* name;
  bool coefficients_only;  // entropy decoding only (jpeg_read_coefficients)
  J_DCT_METHOD dct;
  bool fancy_upsampling;
  int round_scale;  // 0: any M/8 (ChooseScale); 2: M rounded up to even; 4: up to a power of two
  bool eighth;      // decode at 1/8 whatever the target (DC only: close to the entropy floor)
};

// What `decode` and `agree` compare. Scales: "any M/8" is the smallest M in 1..8 whose
// result covers the target (labelite's rule until it dropped 3/8, 5/8, 6/8 and 7/8); "even"
// rounds that M up to an even one; "M/8 = 1/8 1/4 1/2 1" up to a power of two (labelite's
// rule now).
constexpr JpegVariant kVariants[] = {
    {"entropy decoding only", true, JDCT_ISLOW, true, 0, false},
    {"scale 1/8 (DC only)", false, JDCT_ISLOW, true, 0, true},
    {"any M/8, ISLOW", false, JDCT_ISLOW, true, 0, false},
    {"any M/8, IFAST", false, JDCT_IFAST, true, 0, false},
    {"any M/8, ISLOW, no fancy upsampling", false, JDCT_ISLOW, false, 0, false},
    {"even M/8, ISLOW", false, JDCT_ISLOW, true, 2, false},
    {"even M/8, IFAST", false, JDCT_IFAST, true, 2, false},
    {"M/8 = 1/8 1/4 1/2 1, ISLOW", false, JDCT_ISLOW, true, 4, false},
    {"M/8 = 1/8 1/4 1/2 1, IFAST", false, JDCT_IFAST, true, 4, false},
    {"M/8 = 1/8 .. 1, ISLOW, no fancy ups.", false, JDCT_ISLOW, false, 4, false},
};

// The smallest M in 1..8 with ceil(w*M/8) >= t and ceil(h*M/8) >= t.
unsigned ChooseScale(unsigned w, unsigned h, int t) {
  for (unsigned m = 1; m < 8; ++m) {
    if ((w * m + 7) / 8 >= static_cast<unsigned>(t) && (h * m + 7) / 8 >= static_cast<unsigned>(t)) return m;
  }
  return 8;
}

// Decodes `bytes` as `v` says into `out` (its pixels reused; empty for coefficients_only).
// libjpeg's default error handler exits on bad data, which is fine for generated photos.
void DecodeVariant(const std::vector<uint8_t>& bytes, const JpegVariant& v, int size, Image& out) {
  jpeg_decompress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_decompress(&c);
  jpeg_mem_src(&c, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&c, TRUE);
  out.width = out.height = 0;
  if (v.coefficients_only) {
    jpeg_read_coefficients(&c);
  } else {
    unsigned m = ChooseScale(c.image_width, c.image_height, size);
    if (v.round_scale == 2 && m % 2 == 1 && m < 8) ++m;
    if (v.round_scale == 4) m = m <= 1 ? 1 : m <= 2 ? 2 : m <= 4 ? 4 : 8;
    if (v.eighth) m = 1;
    c.scale_num = m;
    c.scale_denom = 8;
    c.dct_method = v.dct;
    c.do_fancy_upsampling = v.fancy_upsampling ? TRUE : FALSE;
    c.out_color_space = JCS_RGB;
    jpeg_start_decompress(&c);
    out.width = static_cast<int>(c.output_width);
    out.height = static_cast<int>(c.output_height);
    out.channels = 3;
    const size_t stride = static_cast<size_t>(out.width) * 3;
    out.pixels.resize(stride * c.output_height);
    while (c.output_scanline < c.output_height) {
      JSAMPROW rows[8];
      for (int r = 0; r < 8; ++r)
        rows[r] = out.pixels.data() + std::min<size_t>(c.output_scanline + r, c.output_height - 1) * stride;
      jpeg_read_scanlines(&c, rows, 8);
    }
  }
  jpeg_finish_decompress(&c);
  jpeg_destroy_decompress(&c);
}

// Mean and max absolute difference of two images of the same size.
std::pair<double, int> AbsDiff(const Image& a, const Image& b) {
  double sum = 0;
  int max = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    const int d = std::abs(a.pixels[i] - b.pixels[i]);
    sum += d;
    max = std::max(max, d);
  }
  return {sum / static_cast<double>(a.pixels.size()), max};
}


// This thread's CPU time: unlike wall time, it does not count the time other processes run.
struct ThreadCpuClock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<ThreadCpuClock>;
  static constexpr bool is_steady = true;
  static time_point now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(static_cast<rep>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec));
  }
};

int DecodeBench(const std::string& dir, int count, int rounds, int size) {
  using Clock = ThreadCpuClock;
  std::vector<std::vector<uint8_t>> files;
  std::vector<std::string> paths;
  for (const std::string& f : ImageFiles(dir)) {
    if (static_cast<int>(files.size()) == count) break;
    if (f.size() < 4 || f.compare(f.size() - 4, 4, ".jpg") != 0) continue;
    std::ifstream in(f, std::ios::binary);
    files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    paths.push_back(f);
  }
  if (files.empty()) return 1;
  size_t total_bytes = 0;
  for (const auto& f : files) total_bytes += f.size();

  constexpr size_t kLib = std::size(kVariants);
  constexpr size_t kDecodeImage = kLib, kRows = kLib + 2;  // then DecodeImageFile
  std::vector<double> decode_ms(kRows, 0.0), resize_ms(kRows, 0.0), mean_diff(kRows, 0.0);
  std::vector<int> max_diff(kRows, 0);
  labelite::DecodeOptions options;
  options.target_width = options.target_height = size;
  auto ms_since = [](Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); };
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < files.size(); ++i) {
      // Fidelity (first round): each variant's SIZE x SIZE input against the full-size decode
      // resized, which is what a decoder without DCT scaling gives.
      Image reference;
      if (r == 0) reference = *labelite::ResizeImage(*labelite::DecodeImage(files[i]), size, size);
      for (size_t k = 0; k < kRows; ++k) {
        const size_t v = (k + i + static_cast<size_t>(r)) % kRows;  // rotate the order
        Image decoded;
        const auto t0 = Clock::now();
        if (v < kLib) {
          DecodeVariant(files[i], kVariants[v], size, decoded);
        } else {
          auto image = v == kDecodeImage ? labelite::DecodeImage(files[i], options)
                                         : labelite::DecodeImageFile(paths[i], options);
          if (!image.ok()) return 1;
          decoded = std::move(*image);
        }
        decode_ms[v] += ms_since(t0);
        if (decoded.width == 0) continue;  // coefficients only
        const auto t1 = Clock::now();
        auto resized = labelite::ResizeImage(decoded, size, size);
        resize_ms[v] += ms_since(t1);
        if (r == 0) {
          const auto [mean, max] = AbsDiff(*resized, reference);
          mean_diff[v] += mean;
          max_diff[v] = std::max(max_diff[v], max);
        }
      }
    }
  }
  const double n = static_cast<double>(files.size()) * rounds;
  std::printf("decode: %zu JPEGs, %.1f KiB average, %d rounds, target %dx%d; thread CPU time per image;\n"
              "diff: mean and max difference of the %dx%d input from the full-size decode's\n",
              files.size(), static_cast<double>(total_bytes) / files.size() / 1024, rounds, size, size, size, size);
  std::printf("  %-36s %9s %9s %9s %5s\n", "variant", "decode", "resize", "diff", "max");
  for (size_t v = 0; v < kRows; ++v) {
    const char* name = v < kLib ? kVariants[v].name : v == kDecodeImage ? "labelite DecodeImage" : "labelite DecodeImageFile";
    std::printf("  %-36s %6.3f ms", name, decode_ms[v] / n);
    if (v < kLib && kVariants[v].coefficients_only) {
      std::printf("\n");
      continue;
    }
    std::printf(" %6.3f ms %9.3f %5d\n", resize_ms[v] / n, mean_diff[v] / static_cast<double>(files.size()), max_diff[v]);
  }
  return 0;
}

struct Usage {
  double cpu_ms = 0;
  long minflt = 0;
};

// This thread's CPU time and minor page faults so far.
Usage ThreadUsage() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);  // its CPU times tick coarsely: the CPU time comes from the clock
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return {static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6, u.ru_minflt};
}

int Stages(const std::string& model, const std::string& dir, int count, int chunk, bool beside) {
  labelite::ClassifierOptions options;
  options.model_path = model;
  options.num_threads = 1;
  auto created = labelite::Classifier::Create(options);
  if (!created.ok()) {
    std::fprintf(stderr, "throughput_tool: %s\n", created.status().message().c_str());
    return 1;
  }
  labelite::Classifier& c = **created;
  const labelite::ClassifierSummary& s = c.summary();
  const labelite::DecodeOptions decode = c.decode_options();
  std::vector<std::string> files = ImageFiles(dir);
  if (static_cast<int>(files.size()) > count) files.resize(static_cast<size_t>(count));
  if (files.empty()) return 1;
  {  // warm-up: the first invoke of an interpreter is slower than the rest
    auto image = labelite::DecodeImageFile(files[0], decode);
    if (!image.ok()) return 1;
    (void)c.Classify(*labelite::ResizeImage(*image, s.input_width, s.input_height, options.resize));
  }
  // "beside": a second thread runs the whole pipeline (decode, resize, classify with its own
  // 1-thread clone) over the same files until the stages are measured, as a second worker
  // would; its CPU time over the measurement's wall time says how much of it ran concurrently.
  std::atomic<bool> stop{false};
  std::atomic<double> beside_cpu_ms{0};
  std::thread other;
  if (beside) {
    auto clone = c.Clone();
    if (!clone.ok()) return 1;
    other = std::thread([&, clone = std::move(*clone)] {
      const double t0 = ThreadUsage().cpu_ms;
      for (size_t i = files.size() / 2; !stop.load(std::memory_order_relaxed); i = (i + 1) % files.size()) {
        auto image = labelite::DecodeImageFile(files[i], decode);
        if (!image.ok()) continue;
        auto r = labelite::ResizeImage(*image, s.input_width, s.input_height, options.resize);
        if (r.ok()) (void)clone->Classify(*r);
      }
      beside_cpu_ms = ThreadUsage().cpu_ms - t0;
    });
  }
  const auto wall0 = std::chrono::steady_clock::now();
  Usage sum[3];
  std::map<std::string, int> sizes;  // "decoded W x H" by the file's own size, for the scale mix
  int failed = 0;
  auto add = [](Usage& total, const Usage& a, const Usage& b) {
    total.cpu_ms += b.cpu_ms - a.cpu_ms;
    total.minflt += b.minflt - a.minflt;
  };
  for (size_t begin = 0; begin < files.size(); begin += static_cast<size_t>(chunk)) {
    const size_t end = std::min(files.size(), begin + static_cast<size_t>(chunk));
    std::vector<Image> decoded, resized;
    Usage a = ThreadUsage();
    for (size_t i = begin; i < end; ++i) {
      auto image = labelite::DecodeImageFile(files[i], decode);
      if (image.ok()) decoded.push_back(std::move(*image));
      else ++failed;
    }
    Usage b = ThreadUsage();
    add(sum[0], a, b);
    for (const Image& image : decoded) {
      auto r = labelite::ResizeImage(image, s.input_width, s.input_height, options.resize);
      if (r.ok()) resized.push_back(std::move(*r));
    }
    Usage d = ThreadUsage();
    add(sum[1], b, d);
    for (const Image& image : resized) (void)c.Classify(image);
    add(sum[2], d, ThreadUsage());
    for (const Image& image : decoded) ++sizes[std::to_string(image.width) + "x" + std::to_string(image.height)];
  }
  const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall0).count();
  if (beside) {
    stop = true;
    other.join();
  }
  const double n = static_cast<double>(files.size());
  std::printf("stages: %zu images of %s (%d failed), one thread, %d at a time; per image:\n", files.size(), dir.c_str(),
              failed, chunk);
  if (beside)
    std::printf("  beside: a second worker ran the pipeline %.0f%% of the measurement's wall time\n",
                100 * beside_cpu_ms.load() / wall_ms);
  const char* names[] = {"decode", "preprocess", "inference"};
  for (int k = 0; k < 3; ++k)
    std::printf("  %-10s %7.3f ms CPU, %6.1f minor faults\n", names[k], sum[k].cpu_ms / n,
                static_cast<double>(sum[k].minflt) / n);
  std::printf("  decoded sizes:");
  for (const auto& [size, k] : sizes) std::printf(" %s:%d", size.c_str(), k);
  std::printf("\nstages: decode %.3f ms, preprocess %.3f ms, inference %.3f ms\n", sum[0].cpu_ms / n, sum[1].cpu_ms / n,
              sum[2].cpu_ms / n);
  return 0;
}

bool WriteBmp(const Image& image, const std::string& path) {
  const uint32_t row = (static_cast<uint32_t>(image.width) * 3 + 3) & ~3u;
  const uint32_t data = row * static_cast<uint32_t>(image.height);
  std::vector<uint8_t> out(54 + data, 0);
  auto put32 = [&](size_t at, uint32_t v) {
    for (int b = 0; b < 4; ++b) out[at + b] = static_cast<uint8_t>(v >> (8 * b));
  };
  out[0] = 'B';
  out[1] = 'M';
  put32(2, static_cast<uint32_t>(out.size()));
  put32(10, 54);
  put32(14, 40);
  put32(18, static_cast<uint32_t>(image.width));
  put32(22, static_cast<uint32_t>(image.height));  // positive: bottom-up rows
  out[26] = 1;
  out[28] = 24;
  put32(34, data);
  for (int y = 0; y < image.height; ++y) {
    const uint8_t* src = &image.pixels[static_cast<size_t>(image.height - 1 - y) * image.width * 3];
    uint8_t* dst = &out[54 + static_cast<size_t>(y) * row];
    for (int x = 0; x < image.width; ++x) {  // BGR
      dst[3 * x] = src[3 * x + 2];
      dst[3 * x + 1] = src[3 * x + 1];
      dst[3 * x + 2] = src[3 * x];
    }
  }
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  return static_cast<bool>(f);
}

int Presize(const std::string& src_dir, const std::string& out_dir, int size, int count) {
  const std::vector<std::string> files = ImageFiles(src_dir);
  if (files.empty()) return 1;
  fs::create_directories(out_dir);
  for (int i = 0; i < count; ++i) {
    auto image = labelite::DecodeImageFile(files[static_cast<size_t>(i) % files.size()]);
    if (!image.ok()) return 1;
    auto resized = labelite::ResizeImage(*image, size, size);
    char name[64];
    std::snprintf(name, sizeof name, "/presized_%04d.bmp", i);
    if (!resized.ok() || !WriteBmp(*resized, out_dir + name)) {
      std::fprintf(stderr, "throughput_tool: cannot write %s%s\n", out_dir.c_str(), name);
      return 1;
    }
  }
  return 0;
}

int RunWithUsage(char** argv) {
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    execvp(argv[0], argv);
    std::fprintf(stderr, "throughput_tool: cannot run %s\n", argv[0]);
    _exit(127);
  }
  int status = 0;
  rusage u{};
  if (wait4(pid, &status, 0, &u) != pid) return 1;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  std::fprintf(stderr, "rusage: wall %.3f s, user %.3f s, sys %.3f s, minflt %ld, nvcsw %ld, nivcsw %ld\n", wall,
               s(u.ru_utime), s(u.ru_stime), u.ru_minflt, u.ru_nvcsw, u.ru_nivcsw);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

// Top-1 agreement of each variant's input with the full-size decode's, and the mean change of
// the full-size decode's top-1 score.
int Agree(const std::string& model, const std::string& dir, int count) {
  labelite::ClassifierOptions o;
  o.model_path = model;
  o.num_threads = 1;
  o.top_k = 1 << 20;  // every class, best first
  auto classifier = labelite::Classifier::Create(o);
  if (!classifier.ok()) {
    std::fprintf(stderr, "throughput_tool: %s\n", classifier.status().message().c_str());
    return 1;
  }
  labelite::Classifier& c = **classifier;
  const int size = c.summary().input_width;
  constexpr size_t kLib = std::size(kVariants);
  std::vector<int> agree(kLib + 1, 0);
  std::vector<double> score_change(kLib + 1, 0.0);
  int n = 0;
  for (const std::string& f : ImageFiles(dir)) {
    if (n == count) break;
    std::ifstream in(f, std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto full = labelite::DecodeImage(bytes);
    if (!full.ok()) continue;
    ++n;
    const labelite::Classification want = (*c.Classify(*full))[0];
    for (size_t v = 0; v <= kLib; ++v) {
      if (v < kLib && (kVariants[v].coefficients_only || kVariants[v].eighth)) continue;
      Image image;
      if (v < kLib) DecodeVariant(bytes, kVariants[v], size, image);
      else image = *labelite::DecodeImage(bytes, c.decode_options());
      const auto all = *c.Classify(image);
      agree[v] += all[0].index == want.index;
      for (const auto& r : all)
        if (r.index == want.index) score_change[v] += std::abs(r.score - want.score);
    }
  }
  std::printf("agree: %d images; top-1 agreement with the full-size decode, mean |change| of its top-1 score\n", n);
  for (size_t v = 0; v <= kLib; ++v) {
    if (v < kLib && (kVariants[v].coefficients_only || kVariants[v].eighth)) continue;
    std::printf("  %-36s %4d/%d  %.4f\n", v < kLib ? kVariants[v].name : "labelite DecodeImage", agree[v], n,
                score_change[v] / n);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "generate" && argc == 5) return Generate(argv[2], argv[3], std::atoi(argv[4]));
  if (mode == "infer" && (argc == 5 || argc == 6))
    return Infer(argv[2], argv[3], std::max(1, std::atoi(argv[4])), argc == 6 ? std::atoi(argv[5]) : 500);
  if (mode == "stages" && argc >= 4 && argc <= 7)
    return Stages(argv[2], argv[3], argc > 4 ? std::atoi(argv[4]) : 500, argc > 5 ? std::max(1, std::atoi(argv[5])) : 16,
                  argc > 6 && std::string(argv[6]) == "beside");
  if (mode == "presize" && argc == 6) return Presize(argv[2], argv[3], std::atoi(argv[4]), std::atoi(argv[5]));
  if (mode == "rusage" && argc >= 3) return RunWithUsage(argv + 2);
  if (mode == "agree" && (argc == 4 || argc == 5))
    return Agree(argv[2], argv[3], argc == 5 ? std::atoi(argv[4]) : 500);
  if (mode == "decode" && argc >= 3 && argc <= 6)
    return DecodeBench(argv[2], argc > 3 ? std::atoi(argv[3]) : 500, argc > 4 ? std::max(1, std::atoi(argv[4])) : 3,
                       argc > 5 ? std::max(1, std::atoi(argv[5])) : 224);
  std::fprintf(stderr,
               "usage: throughput_tool generate SRC_DIR OUT_DIR COUNT\n"
               "       throughput_tool infer MODEL DIR WORKERS [COUNT]\n"
               "       throughput_tool decode DIR [COUNT] [ROUNDS] [SIZE]\n"
               "       throughput_tool stages MODEL DIR [COUNT] [CHUNK] [beside]\n"
               "       throughput_tool presize SRC_DIR OUT_DIR SIZE COUNT\n"
               "       throughput_tool rusage COMMAND [ARG...]\n"
               "       throughput_tool agree MODEL DIR [COUNT]\n");
  return 1;
}
