// Never destroy a user's file: the rules every `labelite` subcommand that writes files follows.
//
// 1. Before any work, an output path is compared with every file the command reads (the model,
//    label files and sqlite databases, every input including those found by walking a folder):
//    by resolved path and by device + inode (so hard links and symlinks are caught). A match is
//    refused with one line naming both roles, e.g.
//      "labelite: refusing to write the output to m.tflite: it is the model (m.tflite)"
//    and exit 1 (usage).
// 2. New content goes to a temporary file in the output's folder, renamed over the output when
//    complete (ReplaceFile), so a failed or killed run leaves the old file whole.
// 3. "-" as an output means standard output.
#ifndef LABELITE_CLI_OUTPUT_FILES_H_
#define LABELITE_CLI_OUTPUT_FILES_H_

#include <string>
#include <string_view>
#include <vector>

#include "labelite/status.h"

namespace labelite::cli {

// A file the command reads, and what it is to the user ("the model", "an input image").
struct ReadFile {
  std::string path;
  std::string role;
};

// The local file behind a label source: the path of a file or of a sqlite: database; "" for
// http:// sources.
std::string LabelSourceFile(const std::string& source);

// Rule 1. `output_role` names the output in the message ("the output", "--confusion").
// Errors are kInvalidArgument tagged kUsage.
Status CheckOutputPath(const std::string& output, const std::vector<ReadFile>& reads,
                       std::string_view output_role = "the output");

// Rule 2 for content known at once: writes `bytes` to a temporary file beside `path`, fsyncs
// it and renames it over `path`. Errors (kIoError, tagged kUsage) name the path.
Status ReplaceFile(const std::string& path, std::string_view bytes);

// The temporary name ReplaceFile and `classify --output` use for `path`:
// DIR/.NAME.labelite-partial.
std::string PartialPath(const std::string& path);

}  // namespace labelite::cli

#endif  // LABELITE_CLI_OUTPUT_FILES_H_
