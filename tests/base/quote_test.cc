#include "base/quote.h"

#include <gtest/gtest.h>

#include <string>

namespace labelite {
namespace {

using namespace std::string_literals;

TEST(QuoteForMessage, KeepsPlainAndValidUtf8Text) {
  EXPECT_EQ(QuoteForMessage("labels.txt"), "'labels.txt'");
  EXPECT_EQ(QuoteForMessage("\xc3\xa9t\xc3\xa9 \xe7\x8c\xab \xf0\x9f\x90\x88"),
            "'\xc3\xa9t\xc3\xa9 \xe7\x8c\xab \xf0\x9f\x90\x88'");
  EXPECT_EQ(QuoteForMessage(""), "''");
}

TEST(QuoteForMessage, EscapesControlAndInvalidBytes) {
  // The corrupt model of issue 18: a name with invalid bytes and an embedded NUL.
  EXPECT_EQ(QuoteForMessage("imagenet_labels.\xff\xff\0txt"s), "'imagenet_labels.\\xff\\xff\\x00txt'");
  EXPECT_EQ(QuoteForMessage("a\nb\tc\x7f"), "'a\\x0ab\\x09c\\x7f'");
  EXPECT_EQ(QuoteForMessage("\xc3"), "'\\xc3'");                  // truncated sequence
  EXPECT_EQ(QuoteForMessage("\xc0\xaf"), "'\\xc0\\xaf'");          // overlong '/'
  EXPECT_EQ(QuoteForMessage("\xed\xa0\x80"), "'\\xed\\xa0\\x80'");  // surrogate
  EXPECT_EQ(QuoteForMessage("\xc2\x85"), "'\\xc2\\x85'");          // C1 control (NEL)
  EXPECT_EQ(QuoteForMessage("it's a\\b"), "'it\\'s a\\\\b'");
}

TEST(QuoteForMessage, CutsLongTextAtACharacterBoundaryAndSaysItsLength) {
  EXPECT_EQ(QuoteForMessage(std::string(200, 'x'), 10), "'xxxxxxxxxx'... (200 bytes)");
  // A 2-byte character straddling the limit is left out whole.
  EXPECT_EQ(QuoteForMessage("abc\xc3\xa9xyz", 4), "'abc'... (8 bytes)");
  EXPECT_EQ(QuoteForMessage(std::string(80, 'y')), "'" + std::string(80, 'y') + "'");
}

TEST(EscapeForMessage, EscapesWithoutQuotesOrLimit) {
  EXPECT_EQ(EscapeForMessage("last read: '\xff'"), "last read: '\\xff'");
  EXPECT_EQ(EscapeForMessage(std::string(300, 'z')), std::string(300, 'z'));
}

}  // namespace
}  // namespace labelite
