// Runs the built `labelite` binary (testing::CliPath()) from tests.
#ifndef LABELITE_TESTS_TESTING_CLI_RUNNER_H_
#define LABELITE_TESTS_TESTING_CLI_RUNNER_H_

#include <string>

namespace labelite::testing {

struct CliResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;     // standard output
  std::string err;     // standard error
};

// Runs `labelite <args>` through the shell (quote paths with ShellQuote).
CliResult RunLabelite(const std::string& args);
std::string ShellQuote(const std::string& s);

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_CLI_RUNNER_H_
