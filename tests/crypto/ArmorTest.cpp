// The strict armor codec (crypto/Armor; FORMAT.md §14 for Coffer's armor,
// §13 for age's, whose CCTV vectors crypto_age_vectors_test keeps checking).
#include "Armor.h"

#include <gtest/gtest.h>

#include <string>

using namespace coffer;
using namespace coffer::crypto;

namespace {

Bytes pattern(std::size_t n)
{
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return b;
}

Result<Bytes> decode(const std::string& text, std::size_t max = 64 * 1024)
{
    return decodeArmor(text, kCofferArmor, max);
}

} // namespace

TEST(Armor, RoundTripsEveryLastLineLength)
{
    for (std::size_t n : {1u, 2u, 3u, 47u, 48u, 49u, 95u, 96u, 1000u, 65536u}) {
        const Bytes data = pattern(n);
        const std::string text = encodeArmor(data, kCofferArmor);
        EXPECT_TRUE(text.starts_with("-----BEGIN COFFER ENCRYPTED FILE-----\n"));
        EXPECT_TRUE(text.ends_with("\n-----END COFFER ENCRYPTED FILE-----\n"));
        EXPECT_LE(text.size(), maxArmoredSize(n, kCofferArmor));
        auto back = decode(text);
        ASSERT_TRUE(back.ok()) << n << ": " << back.error().message;
        EXPECT_EQ(*back, data) << n;
    }
}

TEST(Armor, AcceptsCrlfOnEveryLineAndNoFinalLineEnd)
{
    const Bytes data = pattern(100);
    std::string text = encodeArmor(data, kCofferArmor);
    std::string crlf;
    for (char c : text)
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    auto a = decode(crlf);
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(*a, data);
    text.pop_back();
    auto b = decode(text);
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_EQ(*b, data);
}

TEST(Armor, RefusesEveryDeviation)
{
    const std::string good = encodeArmor(pattern(100), kCofferArmor); // 48 + 48 + 4 bytes: lines 64, 64, 8
    const std::size_t firstLine = good.find('\n') + 1;
    struct Case {
        const char* name;
        std::string text;
    };
    std::string mixed = good;
    mixed.insert(firstLine + 64, "\r"); // one CRLF among LFs
    std::string shortFirst = good;
    shortFirst.erase(firstLine + 60, 4); // a 60-column line, then more lines
    std::string badChar = good;
    badChar[firstLine + 5] = '*';
    std::string unpadded = good;
    const std::size_t lastLf = good.rfind("\n-----END");
    unpadded.erase(lastLf - 2, 2); // "xxxxxx==" -> "xxxxxx"
    std::string innerBlank = good;
    innerBlank.insert(firstLine + 65, "\n");
    std::string space = good;
    space.insert(firstLine + 10, " ");
    const Case cases[] = {
        {"empty", ""},
        {"whitespace before BEGIN", " " + good},
        {"blank line before BEGIN", "\n" + good},
        {"lower-case label", "-----BEGIN coffer ENCRYPTED FILE-----" + good.substr(good.find('\n'))},
        {"age label", "-----BEGIN AGE ENCRYPTED FILE-----" + good.substr(good.find('\n'))},
        {"missing END", good.substr(0, lastLf + 1)},
        {"trailing junk", good + "x"},
        {"trailing blank line", good + "\n"},
        {"text after END on its line", good.substr(0, good.size() - 1) + " \n"},
        {"mixed line ends", mixed},
        {"wrong line length", shortFirst},
        {"bad base64 character", badChar},
        {"missing padding", unpadded},
        {"blank line inside", innerBlank},
        {"space inside a line", space},
        {"header line", good.substr(0, firstLine) + "Comment: hi\n\n" + good.substr(firstLine)},
    };
    for (const Case& c : cases) {
        auto got = decode(c.text);
        ASSERT_FALSE(got.ok()) << c.name;
        EXPECT_EQ(got.error().code, ErrorCode::Damaged) << c.name;
        EXPECT_NE(got.error().message.find("armored Coffer text is malformed"), std::string::npos)
            << c.name << ": " << got.error().message;
    }
}

TEST(Armor, RefusesNonCanonicalSpareBits)
{
    // "QQ==" is 'A'; "QR==" has non-zero spare bits and is a second spelling of it.
    const std::string text = "-----BEGIN COFFER ENCRYPTED FILE-----\nQR==\n-----END COFFER ENCRYPTED FILE-----\n";
    EXPECT_FALSE(decode(text).ok());
    const std::string good = "-----BEGIN COFFER ENCRYPTED FILE-----\nQQ==\n-----END COFFER ENCRYPTED FILE-----\n";
    ASSERT_TRUE(decode(good).ok());
}

TEST(Armor, RefusesMoreThanTheLimitBeforeDecodingIt)
{
    const std::string text = encodeArmor(pattern(2000), kCofferArmor);
    auto got = decode(text, 1024);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code, ErrorCode::LimitExceeded);
    // Text longer than any armor of the limit is refused without reading it.
    auto huge = decode(std::string(200 * 1024, 'A'));
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error().code, ErrorCode::LimitExceeded);
}

TEST(Armor, AgeStyleStillSkipsWhitespaceAround)
{
    const Bytes data = pattern(10);
    const std::string text = "\n  " + encodeArmor(data, kAgeArmor) + "\n\n";
    auto got = decodeArmor(text, kAgeArmor, 1024);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(*got, data);
    EXPECT_FALSE(decodeArmor(text, kCofferArmor, 1024).ok());
}
