#include "testing/golden.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/testdata.h"

namespace labelite::testing {

std::vector<std::string> ListGoldenFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".json" && name != "index.json") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool LoadGolden(const std::string& path, GoldenCase* out, std::string* error) {
  nlohmann::json j = nlohmann::json::parse(ReadFileText(path), nullptr, false);
  if (j.is_discarded()) {
    *error = path + ": not JSON";
    return false;
  }
  try {
    out->file = std::filesystem::path(path).filename().string();
    out->model = j.at("model").get<std::string>();
    const auto& in = j.at("input");
    out->input_name = in.at("name").get<std::string>();
    out->input_dtype = in.at("dtype").get<std::string>();
    out->input_shape = in.at("shape").get<std::vector<int32_t>>();
    out->conversion = in.at("conversion").get<std::string>();
    out->input_sha256 = in.value("sha256_of_tensor_bytes", "");
    for (const auto& o : j.at("outputs")) {
      GoldenTensor t;
      t.name = o.at("name").get<std::string>();
      t.dtype = o.at("dtype").get<std::string>();
      t.shape = o.at("shape").get<std::vector<int32_t>>();
      for (const auto& v : o.at("values")) t.values.push_back(v.is_null() ? NAN : v.get<double>());
      out->outputs.push_back(std::move(t));
    }
  } catch (const std::exception& e) {
    *error = path + ": " + e.what();
    return false;
  }
  return true;
}

std::string Sha256Hex(const std::vector<uint8_t>& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(bytes.data(), bytes.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : digest) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

namespace {

// The grey values of an 8-bit palettized BMP, top row first (a deliberately tiny reader,
// independent of labelite's image module).
bool ReadGreyBmp(const std::string& path, std::vector<uint8_t>* grey, std::string* error) {
  const std::vector<uint8_t> f = ReadFileBytes(path);
  auto u32 = [&](size_t o) { uint32_t v; std::memcpy(&v, &f[o], 4); return v; };
  if (f.size() < 54 || f[0] != 'B' || f[1] != 'M') {
    *error = path + ": not a BMP";
    return false;
  }
  const uint32_t offset = u32(10);
  const int32_t width = static_cast<int32_t>(u32(18));
  const int32_t height = static_cast<int32_t>(u32(22));
  const uint16_t bpp = static_cast<uint16_t>(f[28] | (f[29] << 8));
  const int32_t rows = height < 0 ? -height : height;
  const size_t stride = (static_cast<size_t>(width) + 3) / 4 * 4;
  if (bpp != 8 || offset + stride * static_cast<size_t>(rows) > f.size()) {
    *error = path + ": not an 8-bit BMP";
    return false;
  }
  const size_t palette = 14 + u32(14);
  grey->clear();
  for (int32_t r = 0; r < rows; ++r) {
    const int32_t src_row = height < 0 ? r : rows - 1 - r;
    for (int32_t x = 0; x < width; ++x) {
      const uint8_t index = f[offset + static_cast<size_t>(src_row) * stride + static_cast<size_t>(x)];
      grey->push_back(f[palette + 4u * index]);  // palette entries are B,G,R,0 with B=G=R
    }
  }
  return true;
}

}  // namespace

bool MakeGoldenInput(const GoldenCase& golden, std::vector<uint8_t>* bytes, std::string* error) {
  size_t count = 1;
  for (int32_t d : golden.input_shape) count *= static_cast<size_t>(d);
  std::vector<uint8_t> raw;
  if (golden.input_name == "pattern37") {
    raw.resize(count);
    for (size_t i = 0; i < count; ++i) raw[i] = static_cast<uint8_t>((i * 37 + 11) % 256);
  } else if (golden.input_name == "mnist_nine.bmp") {
    if (!ReadGreyBmp(ImagePath(golden.input_name), &raw, error)) return false;
  } else {
    raw = ReadFileBytes(ImagePath(golden.input_name));
  }
  if (raw.size() != count) {
    *error = golden.file + ": input recipe gives " + std::to_string(raw.size()) +
             " values, tensor has " + std::to_string(count);
    return false;
  }
  if (golden.conversion == "as-is") {
    *bytes = raw;
  } else {
    const bool centered = golden.conversion == "float32((byte-127.5)/127.5)";
    if (!centered && golden.conversion != "float32(byte/255.0)") {
      *error = golden.file + ": unknown conversion '" + golden.conversion + "'";
      return false;
    }
    bytes->resize(count * 4);
    for (size_t i = 0; i < count; ++i) {
      const float v = centered ? static_cast<float>((raw[i] - 127.5) / 127.5)
                               : static_cast<float>(raw[i] / 255.0);
      std::memcpy(bytes->data() + 4 * i, &v, 4);
    }
  }
  if (!golden.input_sha256.empty() && Sha256Hex(*bytes) != golden.input_sha256) {
    *error = golden.file + ": input bytes do not match the recorded sha256";
    return false;
  }
  return true;
}

}  // namespace labelite::testing
