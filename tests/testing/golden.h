// Loader for ../shared/testdata/golden/{raw,raw-builtin}/*.json: TFLite's own outputs for fixed
// inputs. Builds each case's input bytes from its recorded recipe and checks them against the
// recorded sha256, so a wrong input can never pass as a kernel bug (or hide one).
#ifndef LABELITE_TESTS_TESTING_GOLDEN_H_
#define LABELITE_TESTS_TESTING_GOLDEN_H_

#include <cstdint>
#include <string>
#include <vector>

namespace labelite::testing {

struct GoldenTensor {
  std::string name;
  std::string dtype;
  std::vector<int32_t> shape;
  std::vector<double> values;
};

struct GoldenCase {
  std::string file;        // e.g. "mobilenet_v2_1.0_224_quant.bird.rgb.json"
  std::string model;       // e.g. "mobilenet_v2_1.0_224_quant.tflite"
  std::string input_name;  // "pattern37", "bird.rgb", "mnist_nine.bmp"
  std::string input_dtype;
  std::vector<int32_t> input_shape;
  std::string conversion;  // "as-is", "float32(byte/255.0)", "float32((byte-127.5)/127.5)"
  std::string input_sha256;
  std::vector<GoldenTensor> outputs;
};

// Every *.json in `dir` except index.json, sorted.
std::vector<std::string> ListGoldenFiles(const std::string& dir);
// Parses one golden file; returns false with *error set on failure.
bool LoadGolden(const std::string& path, GoldenCase* out, std::string* error);
// The exact input tensor bytes of a case (sha256-checked); false with *error on failure.
bool MakeGoldenInput(const GoldenCase& golden, std::vector<uint8_t>* bytes, std::string* error);
std::string Sha256Hex(const std::vector<uint8_t>& bytes);

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_GOLDEN_H_
