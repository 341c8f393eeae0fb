#ifndef LABELITE_CLI_COMMAND_H_
#define LABELITE_CLI_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "labelite/status.h"

namespace labelite::cli {

#define COMMAND(stem) void Add##stem##Command(CLI::App& app, int* exit_code);
#include "cli/commands.inc"
#undef COMMAND

// Prints "labelite: <message>" on stderr and returns the exit code for it.
int ReportError(const Status& status);

// Like ReportError for a failed Model::FromFile of a path the user typed: a missing,
// unreadable or directory path is a usage error (exit 1), a broken model a model error (3).
int ReportModelFileError(const Status& status);

}  // namespace labelite::cli

#endif  // LABELITE_CLI_COMMAND_H_
