// The documented exit codes of the `labelite` command (also listed in README.md).
#ifndef LABELITE_CLI_EXIT_CODES_H_
#define LABELITE_CLI_EXIT_CODES_H_

#include "labelite/status.h"

namespace labelite::cli {

enum ExitCode : int {
  kExitOk = 0,            // everything succeeded
  kExitUsage = 1,         // bad command line, unreadable input path given by the user
  kExitSomeFailed = 2,    // some inputs of a batch failed; the others were printed
  kExitModelError = 3,    // the model cannot be read, validated or run
  kExitLabelsError = 4,   // the labels cannot be read or do not fit the model
};

// Maps a failed Status to the exit code its kind documents.
inline int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kInvalidLabels: return kExitLabelsError;
    default: return kExitModelError;
  }
}

}  // namespace labelite::cli

#endif  // LABELITE_CLI_EXIT_CODES_H_
