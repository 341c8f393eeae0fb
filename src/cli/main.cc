// The `labelite` command: parses the command line and hands each subcommand to its file.
#include <cstdio>

#include "cli/command.h"
#include "cli/exit_codes.h"

namespace labelite::cli {

int ReportError(const Status& status) {
  std::fprintf(stderr, "labelite: %s\n", status.message().c_str());
  return ExitCodeFor(status);
}

int ReportModelFileError(const Status& status) {
  const int code = ReportError(status);
  const bool bad_path = status.code() == StatusCode::kNotFound || status.code() == StatusCode::kIoError;
  return bad_path ? kExitUsage : code;
}

}  // namespace labelite::cli

int main(int argc, char** argv) {
  using namespace labelite::cli;
  CLI::App app{"labelite: run TensorFlow Lite image classifiers and name the right class"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "labelite 0.1.0");
  int exit_code = kExitOk;
#define COMMAND(stem) Add##stem##Command(app, &exit_code);
#include "cli/commands.inc"
#undef COMMAND
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
