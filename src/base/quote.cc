#include "base/quote.h"

#include <cstdint>

namespace labelite {

namespace {

// Length of the valid UTF-8 sequence at text[i] (1-4), or 0 when it is not valid (overlong
// forms, surrogates and values above U+10FFFF are invalid).
size_t Utf8Length(std::string_view text, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(text[i + k]); };
  const uint8_t c = b(0);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  if (cp >= 0x80 && cp <= 0x9F) return 0;  // C1 controls: escaped like C0
  return n;
}

void AppendHex(std::string& out, uint8_t c) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// Appends the escaped form of text[0, limit) and returns how many input bytes it consumed.
size_t AppendEscaped(std::string& out, std::string_view text, size_t limit, bool quote) {
  size_t i = 0;
  while (i < text.size()) {
    const uint8_t c = static_cast<uint8_t>(text[i]);
    size_t n = Utf8Length(text, i);
    if (i + (n == 0 ? 1 : n) > limit) break;
    if (n == 0 || c < 0x20 || c == 0x7F) {
      AppendHex(out, c);
      ++i;
      continue;
    }
    if (c == '\\' || (quote && c == '\'')) out += '\\';
    out.append(text.substr(i, n));
    i += n;
  }
  return i;
}

}  // namespace

std::string QuoteForMessage(std::string_view text, size_t max_bytes) {
  std::string out = "'";
  const size_t used = AppendEscaped(out, text, max_bytes, /*quote=*/true);
  out += '\'';
  if (used < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

std::string EscapeForMessage(std::string_view text) {
  std::string out;
  AppendEscaped(out, text, text.size(), /*quote=*/false);
  return out;
}

}  // namespace labelite
