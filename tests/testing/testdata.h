// Paths of the shared test data and tools. `LABELITE_TESTDATA` overrides the testdata folder
// (default: ../shared/testdata beside the repository); `LABELITE_ORACLE_DIR` names a folder
// holding an installed copy of tools/tflite-oracle (default: <build>/oracle, set up by
// scripts/setup-oracle.sh).
#ifndef LABELITE_TESTS_TESTING_TESTDATA_H_
#define LABELITE_TESTS_TESTING_TESTDATA_H_

#include <cstdint>
#include <string>
#include <vector>

namespace labelite::testing {

std::string TestDataDir();                         // .../shared/testdata
std::string ModelPath(const std::string& name);    // TestDataDir()/models/<name>
std::string ImagePath(const std::string& name);    // TestDataDir()/images/<name>
std::string LabelPath(const std::string& name);    // TestDataDir()/labels/<name>
std::string GoldenDir();                           // TestDataDir()/golden
std::string OracleDir();                           // folder with run.mjs and node_modules
std::string CliPath();                             // the built `labelite` binary
std::vector<uint8_t> ReadFileBytes(const std::string& path);  // empty on failure
std::string ReadFileText(const std::string& path);
// A fresh empty temporary directory (removed by the OS; tests may leave files there).
std::string MakeTempDir(const std::string& prefix);
// True when LABELITE_REQUIRE_ORACLE=1: oracle tests then fail instead of skipping when the
// oracle is not installed (CI sets it).
bool OracleRequired();
// A model of the zoo cache (tests/zoo/generate.py: $LABELITE_ZOO_CACHE, default
// ~/.cache/labelite/zoo, one folder per zoo key) by file name, e.g.
// "efficientnet_b0.float32.tflite"; empty when no cached zoo has it.
std::string ZooModelPath(const std::string& file);

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_TESTDATA_H_
