// The documented exit codes of the `labelite` command (the table in README.md is the rule;
// tests/cli/exit_codes_test.cc checks every subcommand against it).
//
// The code follows the ORIGIN of the problem (Status::origin(), set by the layer that knows
// what role the failing thing plays), not its kind: a missing label file and a missing model
// are both kNotFound, but one exits 4 and the other 3.
#ifndef LABELITE_CLI_EXIT_CODES_H_
#define LABELITE_CLI_EXIT_CODES_H_

#include "labelite/status.h"

namespace labelite::cli {

enum ExitCode : int {
  kExitOk = 0,            // everything succeeded
  kExitUsage = 1,         // bad command line (option, value, combination), unusable output path
  kExitInput = 2,         // an input (image, dataset, tensor file) cannot be read or used;
  kExitSomeFailed = 2,    //   in a batch the others were still processed and printed
  kExitModelError = 3,    // the model cannot be found, read, validated or run
  kExitLabelsError = 4,   // the labels cannot be found, read, or do not fit the model
};

inline int ExitCodeFor(ErrorOrigin origin) {
  switch (origin) {
    case ErrorOrigin::kUsage: return kExitUsage;
    case ErrorOrigin::kInput: return kExitInput;
    case ErrorOrigin::kModel: return kExitModelError;
    case ErrorOrigin::kLabels: return kExitLabelsError;
    case ErrorOrigin::kUnknown: break;
  }
  return kExitModelError;
}

// Maps a failed Status to its exit code: by origin; an untagged Status falls back on its kind.
inline int ExitCodeFor(const Status& s) {
  if (s.ok()) return kExitOk;
  if (s.origin() != ErrorOrigin::kUnknown) return ExitCodeFor(s.origin());
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kInvalidImage: return kExitInput;
    case StatusCode::kInvalidLabels: return kExitLabelsError;
    default: return kExitModelError;
  }
}

}  // namespace labelite::cli

#endif  // LABELITE_CLI_EXIT_CODES_H_
