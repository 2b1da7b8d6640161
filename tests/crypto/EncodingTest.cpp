// Base64 and Bech32, the two text encodings of the format. Both decoders are
// strict on purpose: a header or key must have exactly one valid spelling,
// or two different strings could stand for the same bytes. Also the header's
// pad stanza, which must reach every length exactly.
#include "Base64.h"
#include "Bech32.h"
#include "Header.h"
#include "Primitives.h"
#include "VectorFile.h"

#include <iostream>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::tests;

namespace {

Bytes bytesOf(std::string_view s)
{
    const ByteView v = asBytes(s);
    return Bytes(v.begin(), v.end());
}

} // namespace

TEST(Base64, MatchesRfc4648VectorsWithoutPadding)
{
    // RFC 4648 §10, with the '=' padding removed as the format requires.
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64Encode(asBytes(plain)), encoded);
        const auto decoded = base64Decode(encoded);
        ASSERT_TRUE(decoded.has_value()) << encoded;
        EXPECT_EQ(*decoded, bytesOf(plain)) << encoded;
    }
    EXPECT_EQ(base64Encode(Bytes{0xfb, 0xff}), "+/8");
}

TEST(Base64, RoundTripsEveryLengthAndByteValue)
{
    for (std::size_t length = 0; length <= 100; ++length) {
        Bytes data(length);
        randomBytes(data);
        const std::string text = base64Encode(data);
        EXPECT_EQ(text.size(), (length * 4 + 2) / 3) << length;
        const auto back = base64Decode(text);
        ASSERT_TRUE(back.has_value()) << text;
        EXPECT_EQ(*back, data);
    }
    Bytes all(256);
    for (int i = 0; i < 256; ++i)
        all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(base64Decode(base64Encode(all)), all);
}

TEST(Base64, RejectsNonCanonicalEncodings)
{
    const char* rejected[] = {
        "Zg==",  "Zm8=",        "Zm9vYg==",            // padding
        "Zh",    "Zv",          "Zm9",      "Zm9vYmF", // non-zero unused bits in the last character
        "Z",     "Zm9vY",       "AAAAA",               // length 1 mod 4
        "Zm 9v", "Zm9v\n",      " Zm9v",    "Zm9v\t",  // whitespace
        "Zm-v",  "Zm_v",                               // base64url alphabet
        "Zm9v!", "Zm9\xc3\xa9",                        // other characters, non-ASCII
    };
    for (const char* text : rejected)
        EXPECT_FALSE(base64Decode(text).has_value()) << '"' << text << "\" was accepted";
    // An embedded NUL must not end the input early.
    EXPECT_FALSE(base64Decode(std::string_view("Zm9v\0AAA", 8)).has_value());
}

TEST(Base64, EveryDecodableStringReEncodesToItself)
{
    // Exhaustive over short strings of a reduced alphabet: whatever decodes
    // must re-encode to the same text (one spelling per byte string).
    const std::string alphabet = "AQgw/+9Zh";
    int accepted = 0;
    for (std::size_t len = 0; len <= 4; ++len) {
        std::size_t combos = 1;
        for (std::size_t i = 0; i < len; ++i)
            combos *= alphabet.size();
        for (std::size_t n = 0; n < combos; ++n) {
            std::string text;
            for (std::size_t i = 0, k = n; i < len; ++i, k /= alphabet.size())
                text += alphabet[k % alphabet.size()];
            if (const auto decoded = base64Decode(text)) {
                EXPECT_EQ(base64Encode(*decoded), text);
                ++accepted;
            }
        }
    }
    EXPECT_GT(accepted, 0);
}

TEST(Bech32, AcceptsBip173ValidStrings)
{
    // BIP 173 valid test vectors whose data part regroups into whole bytes.
    struct Valid {
        const char* text;
        const char* hrp;
        const char* dataHex;
    };
    const Valid vectors[] = {
        {"A12UEL5L", "a", ""},
        {"a12uel5l", "a", ""},
        {"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
         "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio", ""},
        {"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "abcdef", "00443214c74254b635cf84653a56d7c675be77df"},
        {"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "split",
         "c5f38b70305f519bf66d85fb6cf03058f3dde463ecd7918f2dc743918f2d"},
        {"?1ezyfcl", "?", ""},
    };
    for (const Valid& v : vectors) {
        const auto decoded = bech32Decode(v.text);
        ASSERT_TRUE(decoded.has_value()) << v.text;
        EXPECT_EQ(decoded->hrp, v.hrp);
        EXPECT_EQ(toHex(decoded->data), v.dataHex) << v.text;
        // Re-encoding gives the lower-case form back (upper case on request).
        const std::string lower = QString::fromLatin1(v.text).toLower().toStdString();
        const std::string upper = QString::fromLatin1(v.text).toUpper().toStdString();
        EXPECT_EQ(bech32Encode(decoded->hrp, decoded->data), lower);
        EXPECT_EQ(bech32Encode(decoded->hrp, decoded->data, true), upper);
    }
}

TEST(Bech32, RejectsBip173InvalidStrings)
{
    const char* rejected[] = {
        " 1nwldj5",      // HRP character out of range (0x20)
        "\1771axkwrx",   // HRP character out of range (0x7f; octal, as hex escapes are greedy)
        "\2001eym55h",   // HRP character out of range (0x80)
        "pzry9x0s0muk",  // no separator
        "1pzry9x0s0muk", // empty HRP
        "x1b4n0q5v",     // invalid data character
        "li1dgmt3",      // checksum too short
        "de1lg7wt\xff",  // invalid character in checksum
        "A1G7SGD8",      // checksum computed over the upper-case HRP
        "10a06t8",       // empty HRP
        "1qzzfhee",      // empty HRP
        "a12UEL5L",      // mixed case
        "A12uel5l",      // mixed case
        "a12uel5m",      // one character changed
        "",
    };
    for (const char* text : rejected) {
        EXPECT_FALSE(bech32Decode(text).has_value()) << '"' << text << "\" was accepted";
        EXPECT_FALSE(bech32DecodeSecret(text, "a").has_value()) << text;
    }
}

TEST(Bech32, HasNoNinetyCharacterLimit)
{
    // BIP 173 rejects this one only for its length (91 characters); Coffer,
    // like age, drops that limit, so the valid checksum must be accepted.
    const auto decoded =
        bech32Decode("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx");
    ASSERT_TRUE(decoded.has_value());
    EXPECT_TRUE(decoded->data.empty());
    // A 200-byte payload, far over 90 characters, round-trips.
    Bytes data(200);
    randomBytes(data);
    const std::string text = bech32Encode("coffer", data);
    EXPECT_GT(text.size(), 90u);
    const auto back = bech32Decode(text);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->data, data);
}

TEST(Bech32, RoundTripsAndDetectsEverySingleCharacterChange)
{
    // age's documented example recipient (github.com/FiloSottile/age README).
    const char* ageKey = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    const auto age = bech32Decode(ageKey);
    ASSERT_TRUE(age.has_value());
    EXPECT_EQ(age->hrp, "age");
    EXPECT_EQ(toHex(age->data), "07e22f5e44a542e8dc8e753a42251e1010cc79d192b3f71c5b1c95645209997a");
    EXPECT_EQ(bech32Encode("age", age->data), ageKey);

    static constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    int mutated = 0;
    const std::string original(ageKey);
    for (std::size_t i = 4; i < original.size(); ++i) {
        for (const char c : std::string_view(kCharset)) {
            if (c == original[i])
                continue;
            std::string changed = original;
            changed[i] = c;
            // Bech32 detects any single substitution; every one must be refused.
            EXPECT_FALSE(bech32Decode(changed).has_value()) << changed;
            ++mutated;
        }
    }
    std::cout << "Bech32: " << mutated << " single-character substitutions rejected\n";
    ASSERT_GT(mutated, 0);

    for (std::size_t length : {0u, 1u, 2u, 5u, 31u, 32u, 33u, 64u}) {
        Bytes data(length);
        randomBytes(data);
        const auto back = bech32Decode(bech32Encode("coffer-test", data, length % 2 == 1));
        ASSERT_TRUE(back.has_value()) << length;
        EXPECT_EQ(back->hrp, "coffer-test");
        EXPECT_EQ(back->data, data);
    }
}

TEST(Bech32, SecretDecodingChecksTheHrp)
{
    Bytes key(32);
    randomBytes(key);
    const std::string text = bech32Encode("age-secret-key-", key, true);
    const auto secret = bech32DecodeSecret(text, "age-secret-key-");
    ASSERT_TRUE(secret.has_value());
    EXPECT_TRUE(std::equal(secret->begin(), secret->end(), key.begin(), key.end()));
    EXPECT_FALSE(bech32DecodeSecret(text, "age").has_value());
    EXPECT_FALSE(bech32DecodeSecret(text, "AGE-SECRET-KEY-").has_value());
}

TEST(Bech32, RejectsBadPaddingEvenWithAValidChecksum)
{
    // Checksums computed with BIP 173's reference code: these strings differ
    // from valid ones only in the regrouping, which the checksum cannot see.
    const auto oneByte = bech32Decode("a1qqqd87cq");    // 10 bits: 1 byte + 2 zero bits
    const auto twoBytes = bech32Decode("a1qqqqtk27v5"); // 20 bits: 2 bytes + 4 zero bits
    ASSERT_TRUE(oneByte.has_value());
    ASSERT_TRUE(twoBytes.has_value());
    EXPECT_EQ(toHex(oneByte->data), "00");
    EXPECT_EQ(toHex(twoBytes->data), "0000");
    EXPECT_FALSE(bech32Decode("a1qpamnt9j").has_value());        // padding bits 01
    EXPECT_FALSE(bech32Decode("a1qzngxatd").has_value());        // padding bits 10
    EXPECT_FALSE(bech32Decode("a1q3g6mn3").has_value());         // 5 bits: a whole group of padding
    EXPECT_FALSE(bech32Decode("a1qqqqqqqqqvgade4").has_value()); // 45 bits: 5 bits of padding
}

TEST(PadStanza, EveryLengthFromTenIsReachedExactlyAndParsesCanonically)
{
    // FORMAT.md §3.4: writers pad headers to a given length, so every length
    // a writer may ask for must have a pad stanza of exactly that size.
    // "-> pad" LF LF is 8 bytes; 9 has no spelling (a 1-byte body is 2 base64
    // characters, an argument at least 2 bytes with its space).
    EXPECT_FALSE(coffer::crypto::padStanzaOfLength(7).has_value());
    EXPECT_FALSE(coffer::crypto::padStanzaOfLength(9).has_value());
    const std::size_t bare = coffer::crypto::serialiseHeader(coffer::crypto::Header{}).size();
    for (std::size_t length = 8; length <= 3 * 4096; length += length == 8 ? 2 : 1) {
        const auto pad = coffer::crypto::padStanzaOfLength(length);
        ASSERT_TRUE(pad.has_value()) << length;
        coffer::crypto::Header header;
        header.stanzas.push_back(*pad);
        const std::string text = coffer::crypto::serialiseHeader(header);
        ASSERT_EQ(text.size(), bare + length);
        const auto parsed = coffer::crypto::parseHeader(
            coffer::crypto::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
        ASSERT_TRUE(parsed.ok()) << length << ": " << parsed.error().message;
        ASSERT_EQ(parsed->header.stanzas.front(), *pad);
    }
}
