// CSV and TSV with a header row naming the columns (RFC 4180: quoted fields may hold the
// delimiter, newlines and doubled quotes). Recognized header names (any case):
//   index:   index, idx, id, class_index, label_id, class_id (when its values are integers)
//   label:   label, name, class_name, class, label_name, category, category_name
//   display: display_name, display, displayname
//   class id (kept as Label::class_id): class_id (non-integer values), wnid, synset
// Without an index column, row order is the index. CSV and TSV share this reader.
#include <algorithm>

#include "labels/label_map.h"
#include "base/quote.h"

namespace labelite::labels_internal {

namespace {

constexpr size_t kMaxFields = 256;

struct Record {
  std::vector<std::string> fields;
  int line = 0;
};

// Reads the next record starting at `pos`; advances `pos` and `line`.
Result<Record> ReadRecord(std::string_view text, size_t& pos, int& line, char delim,
                          std::string_view source) {
  Record rec;
  rec.line = line;
  std::string field;
  bool quoted = false, was_quoted = false;
  auto end_field = [&] {
    rec.fields.push_back(was_quoted ? field : std::string(TrimSpace(field)));
    field.clear();
    was_quoted = false;
  };
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          field += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && TrimSpace(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == delim) {
      if (rec.fields.size() >= kMaxFields) {
        return LabelError(source, rec.line, "more than " + std::to_string(kMaxFields) + " fields");
      }
      end_field();
    } else if (c == '\n') {
      ++line;
      break;
    } else if (c != '\r' || was_quoted) {
      if (!was_quoted) field += c;  // text after a closing quote is dropped
    }
  }
  if (quoted) return LabelError(source, rec.line, "unterminated quoted field");
  end_field();
  return rec;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

int FindColumn(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (Lower(header[i]) == n) return static_cast<int>(i);
    }
  }
  return -1;
}

struct Columns {
  int index = -1, label = -1, display = -1, class_id = -1;
};

Columns FindColumns(const std::vector<std::string>& header) {
  Columns c;
  c.index = FindColumn(header, {"index", "idx", "id", "class_index", "label_id"});
  c.label = FindColumn(header, {"label", "name", "class_name", "class", "label_name", "category",
                                "category_name"});
  c.display = FindColumn(header, {"display_name", "display", "displayname"});
  c.class_id = FindColumn(header, {"class_id", "wnid", "synset"});
  if (c.label < 0) c.label = c.display;
  return c;
}

bool SniffDelimited(const SniffInput& in, char delim) {
  if (in.lines.empty()) return false;
  std::string_view first = in.lines[0].text;
  if (first.find(delim) == std::string_view::npos) return false;
  size_t pos = 0;
  int line = 1;
  Result<Record> header = ReadRecord(first, pos, line, delim, "");
  return header.ok() && FindColumns(header->fields).label >= 0;
}

Result<LabelMap> ParseDelimited(std::string_view text, std::string_view source, char delim) {
  std::vector<Record> rows;
  size_t pos = 0;
  int line = 1;
  while (pos < text.size()) {
    LABELITE_ASSIGN_OR_RETURN(Record rec, ReadRecord(text, pos, line, delim, source));
    if (rec.fields.size() == 1 && rec.fields[0].empty()) continue;  // blank line
    if (rows.size() > static_cast<size_t>(kMaxLabels)) {
      return LabelError(source, rec.line, "more than " + std::to_string(kMaxLabels) + " rows");
    }
    rows.push_back(std::move(rec));
  }
  const char* kind = delim == '\t' ? "TSV" : "CSV";
  if (rows.empty()) return LabelError(source, 0, std::string("empty ") + kind);
  const Record& header = rows[0];
  Columns col = FindColumns(header.fields);
  if (col.label < 0) {
    return LabelError(source, header.line,
                      std::string(kind) + " header has no label column (expected one of label, "
                                          "name, class_name, class, display_name)");
  }
  // "class_id" is the index when no other index column exists and its values are integers.
  if (col.index < 0 && col.class_id >= 0 && rows.size() > 1 &&
      static_cast<size_t>(col.class_id) < rows[1].fields.size() &&
      ParseIndex(rows[1].fields[col.class_id])) {
    col.index = col.class_id;
    col.class_id = -1;
  }
  int needed = 1 + std::max({col.index, col.label, col.display, col.class_id});
  LabelMapBuilder builder(source);
  for (size_t r = 1; r < rows.size(); ++r) {
    const Record& row = rows[r];
    if (static_cast<int>(row.fields.size()) < needed) {
      return LabelError(source, row.line,
                        "expected " + std::to_string(needed) + " fields, found " +
                            std::to_string(row.fields.size()));
    }
    std::string display = (col.display >= 0 && col.display != col.label) ? row.fields[col.display] : "";
    std::string class_id = col.class_id >= 0 ? row.fields[col.class_id] : "";
    if (col.index < 0) {
      LABELITE_RETURN_IF_ERROR(builder.Append(row.fields[col.label], row.line, display, class_id));
      continue;
    }
    std::optional<int64_t> index = ParseIndex(row.fields[col.index]);
    if (!index) {
      return LabelError(source, row.line,
                        "index " + QuoteForMessage(row.fields[col.index]) + " is not a non-negative integer");
    }
    LABELITE_RETURN_IF_ERROR(builder.Add(*index, row.fields[col.label], row.line, display, class_id));
  }
  return builder.Finish();
}

}  // namespace

bool SniffTsv(const SniffInput& in) { return SniffDelimited(in, '\t'); }
bool SniffCsv(const SniffInput& in) { return SniffDelimited(in, ','); }

Result<LabelMap> ParseTsv(std::string_view text, std::string_view source) {
  return ParseDelimited(text, source, '\t');
}
Result<LabelMap> ParseCsv(std::string_view text, std::string_view source) {
  return ParseDelimited(text, source, ',');
}

}  // namespace labelite::labels_internal
