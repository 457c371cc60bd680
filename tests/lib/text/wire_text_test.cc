#include "lib/text/wire_text.h"

#include <gtest/gtest.h>

#include "lib/text/display_json.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate::text {
namespace {

TEST(WireTextTest, ValidUtf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("M\xC3\xBCller"));            // Müller
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC"));             // €
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x96\xA8"));         // printer emoji
  EXPECT_FALSE(IsValidUtf8("M\xFCller"));               // Latin-1
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));                // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));            // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));        // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));                // cut short
}

TEST(WireTextTest, DisplayKeepsUtf8AndDecodesTheRestAsWindows1252) {
  EXPECT_EQ(DisplayUtf8("M\xC3\xBCller"), "M\xC3\xBCller");
  EXPECT_EQ(DisplayUtf8("M\xFCller"), "M\xC3\xBCller");
  EXPECT_EQ(DisplayUtf8("Bericht M\xE4rz \x80"), "Bericht M\xC3\xA4rz \xE2\x82\xAC");
  EXPECT_EQ(DisplayUtf8("\xFF"), "\xC3\xBF");
  EXPECT_EQ(DisplayUtf8("\x81"), "\xC2\x81");
}

TEST(WireTextTest, CharactersAreCountedNotBytes) {
  EXPECT_EQ(CharacterCount("M\xC3\xBCller"), 6u);
  EXPECT_EQ(CharacterCount("M\xFCller"), 6u);
  EXPECT_EQ(CharacterPrefix("M\xC3\xBCller", 2), "M\xC3\xBC");
  EXPECT_EQ(CharacterPrefix("\xE2\x82\xAC\xE2\x82\xAC", 1), "\xE2\x82\xAC");
  EXPECT_EQ(CharacterPrefix("ab", 5), "ab");
  EXPECT_EQ(CharacterPrefix("\xFC\xFC", 1), "\xFC");
}

TEST(WireTextTest, ColumnCounterSkipsContinuationBytes) {
  ColumnCounter counter;
  int columns = 0;
  for (unsigned char c : std::string("M\xC3\xBCller \xE2\x82\xAC")) columns += counter.StartsCharacter(c);
  EXPECT_EQ(columns, 8);
  ColumnCounter latin1;
  columns = 0;
  for (unsigned char c : std::string("\xA7\xB0 M\xFC")) columns += latin1.StartsCharacter(c);
  EXPECT_EQ(columns, 5);  // no lead byte: 0xA7 and 0xB0 are characters of their own
}

TEST(DisplayJsonTest, BytesFieldsAppearAsText) {
  v1::Job job;
  job.set_id(7);
  job.set_user("M\xFCller");
  job.set_title("Bericht M\xC3\xA4rz.doc");
  job.add_documents()->set_name("caf\xE9.txt");
  job.mutable_control()->add_other_lines("Xabc");
  std::string json = DisplayJson(job);
  EXPECT_NE(json.find("\"user\":\"M\xC3\xBCller\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"title\":\"Bericht M\xC3\xA4rz.doc\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\":\"caf\xC3\xA9.txt\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"other_lines\":[\"Xabc\"]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"id\":\"7\""), std::string::npos) << json;
}

}  // namespace
}  // namespace spoolgate::text
