// The records `labelite classify` writes (table, json, jsonl, csv) and where they go.
//
// RecordSink writes to standard output or to a file, one write() per record so a kill lands
// between records. A fresh --output FILE is written as FILE's partial file
// (output_files.h: PartialPath) and renamed over FILE by Finish(); --resume appends to the
// partial file of an interrupted run if there is one, else to FILE itself.
// ReadDone (--resume) reads the records already written: inputs with a successful record are
// done; error records are removed from the file (rewritten whole) so those inputs are retried.
#ifndef LABELITE_CLI_RECORDS_H_
#define LABELITE_CLI_RECORDS_H_

#include <set>
#include <string>

#include "classify/batch.h"
#include "labelite/status.h"

namespace labelite::cli {

enum class Format { kTable, kJson, kJsonl, kCsv };

inline constexpr const char* kCsvHeader = "file,rank,index,label,score,error\n";

// The text of one result's record(s). `first`: the first record of a --format json array.
std::string FormatResult(Format format, const BatchResult& r, const std::string& model, bool first);

class RecordSink {
 public:
  RecordSink() = default;
  RecordSink(const RecordSink&) = delete;
  RecordSink& operator=(const RecordSink&) = delete;
  ~RecordSink();
  // Writes to PartialPath(path), renamed to `path` by Finish().
  Status OpenFresh(const std::string& path);
  // Appends to `path` as it is (created when missing); with `rename_to`, Finish() then
  // renames `path` (an interrupted run's partial file) to it.
  Status OpenAppend(const std::string& path, const std::string& rename_to = "");
  // True when the destination already starts with the CSV header.
  bool HasCsvHeader() const;
  Status Write(const std::string& text);
  // Renames a fresh or continued partial output into place (nothing for stdout or append).
  Status Finish();

 private:
  int fd_ = 1;  // standard output
  std::string path_;     // what the user named
  std::string partial_;  // fresh output: the file written
};

struct DoneRecords {
  std::set<std::string> done;  // inputs with a successful record
  size_t retried = 0;          // error records removed
};

// --resume: reads `path` (absent: nothing done). A last record cut short by a kill is removed.
Result<DoneRecords> ReadDone(const std::string& path, Format format);

}  // namespace labelite::cli

#endif  // LABELITE_CLI_RECORDS_H_
