// LabelMap, LabelMapBuilder and the line/UTF-8/JSON helpers every format uses.
#include "labels/label_map.h"
#include "base/quote.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace labelite {

const Label* LabelMap::Find(int index) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), index,
                             [](const Label& l, int i) { return l.index < i; });
  return (it != entries.end() && it->index == index) ? &*it : nullptr;
}

namespace labels_internal {

namespace {
constexpr int kMaxListed = 5;  // how many examples a warning names

std::string JoinInts(const std::vector<int>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += (i + 1 == v.size()) ? " and " : ", ";
    s += std::to_string(v[i]);
  }
  return s;
}

std::string MoreSuffix(size_t total) {
  return total > kMaxListed ? " (and " + std::to_string(total - kMaxListed) + " more)" : "";
}
}  // namespace

Status LabelError(std::string_view source, int line, std::string_view problem) {
  std::string m = EscapeForMessage(source);
  if (line > 0) {
    m += ':';
    m += std::to_string(line);
  }
  m += ": ";
  m += problem;
  return InvalidLabels(std::move(m));
}

std::string LabelMapBuilder::Where(int line) const {
  return line > 0 ? "line " + std::to_string(line) : "an earlier entry";
}

Status LabelMapBuilder::Add(int64_t index, std::string name, int line, std::string display_name,
                            std::string class_id) {
  if (index < 0 || index >= kMaxLabels) {
    return LabelError(source_, line,
                      "index " + std::to_string(index) + " is out of range (0 to " +
                          std::to_string(kMaxLabels - 1) + ")");
  }
  if (labels_.size() >= static_cast<size_t>(kMaxLabels)) {
    return LabelError(source_, line, "more than " + std::to_string(kMaxLabels) + " labels");
  }
  int i = static_cast<int>(index);
  auto [it, inserted] = line_of_index_.emplace(i, line);
  if (!inserted) {
    return LabelError(source_, line,
                      "duplicate index " + std::to_string(i) + " (also on " + Where(it->second) +
                          ")");
  }
  labels_.push_back(Label{i, std::move(name), std::move(display_name), std::move(class_id), line});
  return Status::Ok();
}

LabelMap LabelMapBuilder::Finish(std::vector<std::string> extra_warnings) {
  LabelMap map;
  map.source = source_;
  std::sort(labels_.begin(), labels_.end(),
            [](const Label& a, const Label& b) { return a.index < b.index; });
  map.entries = std::move(labels_);
  map.warnings = DescribeProblems(map.entries);
  for (auto& w : extra_warnings) map.warnings.push_back(std::move(w));
  labels_.clear();
  line_of_index_.clear();
  return map;
}

std::vector<std::string> DescribeProblems(const std::vector<Label>& entries) {
  std::vector<std::string> out;
  // Duplicate names, in order of their second occurrence.
  std::map<std::string_view, std::vector<int>> by_name;
  std::vector<std::string_view> dup_order;
  std::vector<int> empty;
  for (const Label& l : entries) {
    if (l.name.empty()) {
      empty.push_back(l.index);
      continue;
    }
    auto& v = by_name[l.name];
    v.push_back(l.index);
    if (v.size() == 2) dup_order.push_back(l.name);
  }
  if (!dup_order.empty()) {
    std::string w = "duplicate label names: ";
    for (size_t i = 0; i < dup_order.size() && i < kMaxListed; ++i) {
      if (i) w += "; ";
      w += QuoteForMessage(dup_order[i]);
      w += " at indices ";
      w += JoinInts(by_name[dup_order[i]]);
    }
    out.push_back(w + MoreSuffix(dup_order.size()));
  }
  if (!empty.empty()) {
    std::vector<int> shown(empty.begin(), empty.begin() + std::min<size_t>(empty.size(), kMaxListed));
    out.push_back(std::string(empty.size() == 1 ? "empty label at index " : "empty labels at indices ") +
                  JoinInts(shown) + MoreSuffix(empty.size()));
  }
  // Gaps between 0 and the largest index.
  std::vector<std::string> gaps;
  size_t gap_count = 0;
  int expected = 0;
  for (const Label& l : entries) {
    if (l.index > expected) {
      if (++gap_count <= kMaxListed) {
        gaps.push_back(l.index - 1 == expected
                           ? std::to_string(expected)
                           : std::to_string(expected) + "-" + std::to_string(l.index - 1));
      }
    }
    expected = l.index + 1;
  }
  if (gap_count) {
    std::string w = "no label for ";
    w += (gaps.size() == 1 && gaps[0].find('-') == std::string::npos) ? "index " : "indices ";
    for (size_t i = 0; i < gaps.size(); ++i) w += (i ? ", " : "") + gaps[i];
    out.push_back(w + MoreSuffix(gap_count));
  }
  return out;
}

std::string_view TrimSpace(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(Line{TrimSpace(text.substr(pos, end - pos)), ++number});
    pos = end + 1;
  }
  return lines;
}

std::optional<int64_t> ParseIndex(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

int LineOfOffset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}

namespace {
// Length of the valid UTF-8 sequence at s[i], or 0 when invalid (overlong, surrogate, > U+10FFFF).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}
}  // namespace

int FindInvalidUtf8Line(std::string_view text) {
  int line = 1;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\n') {
      ++line;
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return line;
    i += n;
  }
  return 0;
}

bool IsValidUtf8(std::string_view s) { return FindInvalidUtf8Line(s) == 0; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view source) {
  constexpr int kMaxDepth = 64;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) {
        return LabelError(source, LineOfOffset(text, i),
                          "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based; the message after "parse error at line L, column C: " is the useful part.
    std::string what = e.what();
    size_t colon = what.find("syntax error");
    std::string detail = colon != std::string::npos ? what.substr(colon) : what;
    size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    return LabelError(source, LineOfOffset(text, offset), "malformed JSON: " + EscapeForMessage(detail));
  } catch (const std::exception& e) {
    return LabelError(source, 0, "malformed JSON: " + EscapeForMessage(e.what()));
  }
}

}  // namespace labels_internal
}  // namespace labelite
