// displayable() and the contact-name rule (SECURITY.md "Showing untrusted
// text", "Contact names"), byte by byte.
#include "DisplayText.h"

#include <gtest/gtest.h>

#include <vector>

namespace coffer {
namespace {

TEST(DisplayText, KeepsPlainTextInAnyScript)
{
    for (const std::string s : {"report.pdf", "Übung/çà 日本.txt", "שלום عربي", "emoji 🙂", "a\\b \"q\""})
        EXPECT_EQ(displayable(s), s);
}

TEST(DisplayText, ShowsControlsAsEscapes)
{
    EXPECT_EQ(displayable("a\x1b[31mb"), "a\\x1b[31mb");
    EXPECT_EQ(displayable(std::string("nul\0end", 7)), "nul\\x00end");
    EXPECT_EQ(displayable("tab\tnl\ncr\rdel\x7f"), "tab\\x09nl\\x0acr\\x0ddel\\x7f");
    EXPECT_EQ(displayable("c1\xc2\x9b"
                          "31m\xc2\x85"),
              "c1\\u{009B}31m\\u{0085}");
}

TEST(DisplayText, ShowsDirectionAndInvisibleCharactersAsEscapes)
{
    EXPECT_EQ(displayable("invoice\xe2\x80\xae"
                          "fdp.exe"),
              "invoice\\u{202E}fdp.exe");
    EXPECT_EQ(displayable("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"), "\\u{202A}\\u{202B}\\u{202C}\\u{202D}");
    EXPECT_EQ(displayable("\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"),
              "\\u{2066}\\u{2069}\\u{200E}\\u{200F}\\u{061C}");
    EXPECT_EQ(displayable("zw\xe2\x80\x8b\xe2\x80\x8d\xef\xbb\xbf"), "zw\\u{200B}\\u{200D}\\u{FEFF}");
    EXPECT_EQ(displayable("line\xe2\x80\xa8para\xe2\x80\xa9"), "line\\u{2028}para\\u{2029}");
    EXPECT_EQ(displayable("tag\xf3\xa0\x80\x81"), "tag\\u{E0001}");
}

TEST(DisplayText, ShowsBytesThatAreNotUtf8AsEscapes)
{
    EXPECT_EQ(displayable("a\xff"
                          "b"),
              "a\\xffb");
    EXPECT_EQ(displayable("cut\xe2\x80"), "cut\\xe2\\x80");
    EXPECT_EQ(displayable("overlong\xc0\xaf"), "overlong\\xc0\\xaf");
    EXPECT_EQ(displayable("surrogate\xed\xa0\x80"), "surrogate\\xed\\xa0\\x80");
    EXPECT_TRUE(isPlainDisplayText("fine"));
    EXPECT_FALSE(isPlainDisplayText("a\xff"));
}

TEST(ContactNameRule, TakesOrdinaryNames)
{
    for (const std::string name : {"Bob", "Alice Martin", "Zoë", "李雷", "Bob - work", "Yours truly", "Verifier"})
        EXPECT_TRUE(checkContactName(name).ok()) << name;
}

TEST(ContactNameRule, RefusesNamesThatImitateCofferOrHideText)
{
    for (const std::string& name : std::vector<std::string>{
             "", std::string(65, 'a'), "Bob (verified)", "Bob [you]", "Bob \xef\xbc\x88verified\xef\xbc\x89", "you",
             "Me", "verified", "Bob, Verified", "UNVERIFIED bob", " Bob", "Bob ", "Bob\tx", "Bob\xe2\x80\xae",
             "Bob\xc2\x9b", "Bob\xe2\x80\x8b", "Bob\xff"})
        EXPECT_FALSE(checkContactName(name).ok()) << displayable(name);
}

} // namespace
} // namespace coffer
