// Quoting outside text (file names, tensor and op names, label text, URIs, JSON keys) for error
// messages, so a message is always one line of valid UTF-8 whatever bytes the input held.
//
//   return NotFound("no embedded file " + QuoteForMessage(name));
//   // name "labels.\xff\0x" -> no embedded file 'labels.\xff\x00x'
#ifndef LABELITE_BASE_QUOTE_H_
#define LABELITE_BASE_QUOTE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace labelite {

// `text` between single quotes, with valid UTF-8 kept as it is, control bytes (including NUL,
// DEL and C1 controls), bytes that are not valid UTF-8, backslashes and single quotes escaped
// (\xNN, \\, \'). Text longer than `max_bytes` is cut at a character boundary and followed by
// "... (N bytes)".
std::string QuoteForMessage(std::string_view text, size_t max_bytes = 80);

// The same escaping without the quotes and without a length limit, for text that is already
// part of a message (a library's error string that may echo input bytes).
std::string EscapeForMessage(std::string_view text);

}  // namespace labelite

#endif  // LABELITE_BASE_QUOTE_H_
