#ifndef LABELITE_CLI_COMMAND_H_
#define LABELITE_CLI_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "labelite/status.h"

namespace labelite::cli {

#define COMMAND(stem) void Add##stem##Command(CLI::App& app, int* exit_code);
#include "cli/commands.inc"
#undef COMMAND

// Prints "labelite: <message>" on stderr and returns the exit code for it (cli/exit_codes.h).
int ReportError(const Status& status);
// The same for a Status tagged with `origin` unless it already has one.
int ReportError(const Status& status, ErrorOrigin origin);

// ReportError for a failed Model::FromFile: a missing, unreadable or broken model all exit 3.
int ReportModelFileError(const Status& status);

}  // namespace labelite::cli

#endif  // LABELITE_CLI_COMMAND_H_
