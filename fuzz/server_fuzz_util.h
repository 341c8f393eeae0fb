// What the server fuzz targets (oip_request, tfserving_request, multipart) hold every answer to:
// a client's fault is an HttpError 400 or 413 whose message is one short line of printable
// ASCII (request text quoted escaped); any other exception would be a 500, which is our bug.
#ifndef LABELITE_FUZZ_SERVER_FUZZ_UTIL_H_
#define LABELITE_FUZZ_SERVER_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "labelite/classifier.h"
#include "server/http_util.h"

namespace labelite::fuzz {

[[noreturn]] inline void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// An error message a client may see: one line, printable ASCII, not empty, at most 400 bytes.
inline void CheckMessage(std::string_view message) {
  if (message.empty() || message.size() > 400) Fail("error message empty or too long", message.substr(0, 400));
  for (unsigned char c : message)
    if (c < 0x20 || c >= 0x7f) Fail("error message holds a raw control or non-ASCII byte", message);
}

// Runs `parse`; true if it returned, false if it refused the request as a client's fault.
inline bool Parses(const std::function<void()>& parse) {
  try {
    parse();
    return true;
  } catch (const server::HttpError& e) {
    if (e.status() != 400 && e.status() != 413) Fail("request refused with a status other than 400/413", e.what());
    CheckMessage(e.what());
    return false;
  } catch (const std::exception& e) {
    Fail("exception other than HttpError (a 500)", e.what());
  }
}

// A model as a parser sees it: its input's name, type and shape, its output heads.
inline ClassifierSummary FuzzModel(DataType type, int height, int width, int channels) {
  ClassifierSummary s;
  s.input_name = "input";
  s.input_type = type;
  s.input_height = height;
  s.input_width = width;
  s.input_channels = channels;
  s.output_names = {"scores", "logits"};
  s.num_classes = {5, 3};
  return s;
}

// The models every request is parsed for: uint8, int8 and float32 tensors of small shapes
// (so that tensor requests are within the fuzzer's reach) and an int16 input (images only).
inline const std::vector<ClassifierSummary>& FuzzModels() {
  static const std::vector<ClassifierSummary> models = {
      FuzzModel(DataType::kUInt8, 2, 2, 3), FuzzModel(DataType::kInt8, 1, 2, 1),
      FuzzModel(DataType::kFloat32, 2, 1, 2), FuzzModel(DataType::kInt16, 1, 1, 1)};
  return models;
}

// From LLVMFuzzerInitialize (which libFuzzer calls before it reads its flags): adds
// -dict=fuzz/<target>.dict (LABELITE_FUZZ_DICT, set by fuzz/CMakeLists.txt) unless a -dict is given.
inline void UseDictionary(int* argc, char*** argv) {
#ifdef LABELITE_FUZZ_DICT
  for (int i = 1; i < *argc; ++i)
    if (std::string_view((*argv)[i]).starts_with("-dict=")) return;
  static std::string flag = std::string("-dict=") + LABELITE_FUZZ_DICT;
  static std::vector<char*> args;
  args.assign(*argv, *argv + *argc);
  args.insert(args.begin() + 1, flag.data());
  args.push_back(nullptr);
  *argv = args.data();
  *argc += 1;
#else
  (void)argc;
  (void)argv;
#endif
}

inline size_t TensorSize(const ClassifierSummary& s) {
  return static_cast<size_t>(s.input_height) * s.input_width * s.input_channels * DataTypeSize(s.input_type);
}

}  // namespace labelite::fuzz

#endif  // LABELITE_FUZZ_SERVER_FUZZ_UTIL_H_
