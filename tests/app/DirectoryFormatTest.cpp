// Format v2's directory (docs/FORMAT-v2.md §3.6) and trailer (§3.7): round
// trips unsigned and signed with a real identity, a tampered byte breaks the
// signature, and every rule of §3.6 as a hostile directory.
#include "DirectoryFormat.h"
#include "Keys.h"
#include "SegmentTable.h"
#include "Signature.h"

#include <gtest/gtest.h>

#include <limits>

using namespace coffer;
using crypto::Bytes;
using crypto::ByteView;

namespace {

constexpr std::size_t kVersionAt = 4;
constexpr std::size_t kFlagsAt = 8;
constexpr std::size_t kSegmentsAt = 12;
constexpr std::size_t kEntriesAt = 16;
constexpr std::size_t kRowsAt = 20;

void setLe(Bytes& b, std::size_t at, std::uint64_t v, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

crypto::Digest32 digestOf(std::uint8_t seed)
{
    crypto::Digest32 d{};
    for (std::size_t i = 0; i < d.size(); ++i)
        d[i] = static_cast<std::uint8_t>(seed * 7 + i);
    return d;
}

Directory sample(bool hashes)
{
    Directory d;
    d.hashes = hashes;
    // Region 0 holds data; segment 1 follows segment 0 directly (no pack, no record).
    d.rows = {{1000, 200, 900, 40, std::nullopt}, {1208, 50, 120, 3, std::nullopt}, {5000, 1, 1, 1, std::nullopt}};
    if (hashes)
        for (std::size_t i = 0; i < d.rows.size(); ++i)
            d.rows[i].sha256 = digestOf(static_cast<std::uint8_t>(i + 1));
    d.recipients.emplace_back(crypto::kAudienceX25519, Bytes(32, 0x11));
    d.recipients.emplace_back(crypto::kAudiencePassphrase, Bytes(32, 0x22));
    return d;
}

/// The directory signed as the writer signs it: everything before the 64
/// signature bytes, signer keys included, with `sign` (the v2 label, or not).
Bytes signedBytes(Directory d, const crypto::SecretIdentity& signer,
                  crypto::Signature64 (*sign)(const crypto::SecretIdentity&, ByteView) = crypto::signDirectory)
{
    const auto card = *signer.card();
    d.hashes = true;
    d.signature = IndexSignature{card.x25519, card.ed25519, {}};
    Bytes plain = encodeDirectory(d);
    const auto sig = sign(signer, ByteView(plain).first(plain.size() - 64));
    std::copy(sig.begin(), sig.end(), plain.end() - 64);
    return plain;
}

std::optional<ErrorCode> refusal(const Bytes& plain)
{
    auto d = decodeDirectory(plain);
    if (d.ok())
        return std::nullopt;
    EXPECT_FALSE(d.error().message.empty());
    return d.error().code;
}

void expectSame(const Directory& a, const Directory& b)
{
    EXPECT_EQ(a.hashes, b.hashes);
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.recipients, b.recipients);
    ASSERT_EQ(a.signature.has_value(), b.signature.has_value());
    if (a.signature) {
        EXPECT_EQ(a.signature->signerX25519, b.signature->signerX25519);
        EXPECT_EQ(a.signature->signerEd25519, b.signature->signerEd25519);
        EXPECT_EQ(a.signature->signature, b.signature->signature);
    }
}

} // namespace

TEST(DirectoryFormat, UnsignedRoundTrips)
{
    for (const bool hashes : {false, true}) {
        const Directory d = sample(hashes);
        const Bytes plain = encodeDirectory(d);
        EXPECT_EQ(plain.size(), kDirectoryFixedSize + 3 * (hashes ? 52 : 20) + 4 + 2 * 33);
        EXPECT_EQ(Bytes(plain.begin(), plain.begin() + 4), (Bytes{'C', 'F', 'I', 'X'}));
        EXPECT_EQ(plain[kVersionAt], 3);
        EXPECT_EQ(plain[kEntriesAt], 44); // the sum of the rows
        auto back = decodeDirectory(plain);
        ASSERT_TRUE(back.ok()) << back.error().message;
        expectSame(*back, d);
        EXPECT_EQ(encodeDirectory(*back), plain);
    }
    Directory empty; // no entry at all: s = 0
    auto back = decodeDirectory(encodeDirectory(empty));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(back->rows.empty());
}

TEST(DirectoryFormat, SignedRoundTripsAndVerifies)
{
    const auto signer = crypto::SecretIdentity::generate("Signer");
    const Bytes plain = signedBytes(sample(true), signer);
    auto back = decodeDirectory(plain);
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_TRUE(back->signature.has_value());
    EXPECT_EQ(back->signature->signerEd25519, signer.card()->ed25519);
    EXPECT_EQ(back->signature->signerX25519, signer.card()->x25519);
    EXPECT_EQ(encodeDirectory(*back), plain);
    EXPECT_TRUE(crypto::verifyDirectorySignature(signer.card()->ed25519, ByteView(plain).first(plain.size() - 64),
                                                 back->signature->signature));
}

TEST(DirectoryFormat, ATamperedByteBreaksTheSignature)
{
    const auto signer = crypto::SecretIdentity::generate("Signer");
    const Bytes plain = signedBytes(sample(true), signer);
    // A row's table hash, a recipient, the signer's X25519 key, the signature itself.
    const std::size_t rowHash = kRowsAt + 20 + 5;
    const std::size_t recipient = kRowsAt + 3 * 52 + 4 + 1 + 3;
    const std::size_t signerX25519 = plain.size() - 128 + 2;
    for (const std::size_t at : {rowHash, recipient, signerX25519, plain.size() - 1}) {
        Bytes bad = plain;
        bad[at] ^= 0x01;
        auto d = decodeDirectory(bad);
        ASSERT_FALSE(d.ok()) << at;
        EXPECT_EQ(d.error().code, ErrorCode::Damaged);
        EXPECT_NE(d.error().message.find("signature"), std::string::npos) << d.error().message;
    }
    for (std::size_t at = 0; at < plain.size(); ++at) { // any byte at all
        Bytes bad = plain;
        bad[at] ^= 0x40;
        EXPECT_FALSE(decodeDirectory(bad).ok()) << at;
    }
}

TEST(DirectoryFormat, AV1IndexSignatureNeverVerifiesAsADirectory)
{
    const auto signer = crypto::SecretIdentity::generate("Signer");
    const Bytes v1Signed = signedBytes(sample(true), signer, crypto::signIndex);
    auto d = decodeDirectory(v1Signed);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, ErrorCode::Damaged);
    EXPECT_NE(d.error().message.find("signature"), std::string::npos);
}

TEST(DirectoryFormat, OtherVersionsAreUnsupported)
{
    for (const std::uint32_t version : {0u, 1u, 2u, 4u}) {
        Bytes plain = encodeDirectory(sample(false));
        setLe(plain, kVersionAt, version, 4);
        EXPECT_EQ(refusal(plain), ErrorCode::UnsupportedVersion) << version;
    }
}

TEST(DirectoryFormat, BadMagicUnknownFlagsAndSignatureWithoutHashesAreRefused)
{
    Bytes plain = encodeDirectory(sample(false));
    plain[3] = 'Y';
    EXPECT_EQ(refusal(plain), ErrorCode::Damaged);
    for (const std::uint32_t flags : {4u, 5u, 0x80000000u}) {
        plain = encodeDirectory(sample(false));
        setLe(plain, kFlagsAt, flags, 4);
        EXPECT_EQ(refusal(plain), ErrorCode::Damaged) << flags;
    }
    // Flags 2 alone: a signature block with no hashes to bind the content.
    const auto signer = crypto::SecretIdentity::generate("Signer");
    Directory d = sample(false);
    plain = encodeDirectory(d);
    plain[kFlagsAt] = 2;
    const auto card = *signer.card();
    plain.push_back(1);
    plain.insert(plain.end(), card.x25519.begin(), card.x25519.end());
    plain.insert(plain.end(), card.ed25519.begin(), card.ed25519.end());
    const auto sig = crypto::signDirectory(signer, plain);
    plain.insert(plain.end(), sig.begin(), sig.end());
    EXPECT_EQ(refusal(plain), ErrorCode::Damaged);
    plain[kFlagsAt] = 0; // and the same without the flag: the block is trailing bytes
    EXPECT_EQ(refusal(plain), ErrorCode::Damaged);
}

TEST(DirectoryFormat, SegmentCountIsBounded)
{
    Bytes plain = encodeDirectory(sample(false));
    setLe(plain, kSegmentsAt, kMaxSegments + 1, 4);
    EXPECT_EQ(refusal(plain), ErrorCode::LimitExceeded);
    setLe(plain, kSegmentsAt, 0xFFFFFFFF, 4);
    EXPECT_EQ(refusal(plain), ErrorCode::LimitExceeded);
    // More than P / 20: refused before anything is reserved.
    setLe(plain, kSegmentsAt, plain.size() / 20 + 1, 4);
    EXPECT_EQ(refusal(plain), ErrorCode::Damaged);
    // Within P / 20 but more rows than the bytes hold.
    ASSERT_EQ(plain.size(), 150u);
    setLe(plain, kSegmentsAt, 7, 4);
    EXPECT_EQ(refusal(plain), ErrorCode::Damaged);
    setLe(plain, kSegmentsAt, 2, 4); // one row fewer: the counts no longer add up
    EXPECT_EQ(refusal(plain), ErrorCode::Damaged);
}

TEST(DirectoryFormat, EntryCountIsBoundedAndIsTheSumOfTheRows)
{
    Bytes plain = encodeDirectory(sample(false));
    setLe(plain, kEntriesAt, 43, 4);
    EXPECT_EQ(refusal(plain), ErrorCode::Damaged);
    setLe(plain, kEntriesAt, 45, 4);
    EXPECT_EQ(refusal(plain), ErrorCode::Damaged);
    setLe(plain, kEntriesAt, kMaxEntries + 1, 4);
    EXPECT_EQ(refusal(plain), ErrorCode::LimitExceeded);
    // Rows that add up to more than a million, with a count that says so.
    Directory d;
    for (int i = 0; i < 8; ++i)
        d.rows.push_back({std::uint64_t(i) * 1000, 100, 100, 131072, std::nullopt});
    const Bytes big = encodeDirectory(d); // 1,048,576 entries
    EXPECT_EQ(refusal(big), ErrorCode::LimitExceeded);
}

TEST(DirectoryFormat, RowsOutOfRangeAreRefused)
{
    const std::size_t row = kRowsAt + 20; // the second row: offset 1208, stored 50 (to 1266), next at 5000
    const auto withRow = [&](std::size_t field, std::uint32_t v) {
        Bytes plain = encodeDirectory(sample(false));
        setLe(plain, row + field, v, 4);
        return plain;
    };
    EXPECT_EQ(refusal(withRow(8, 0)), ErrorCode::Damaged);  // stored_length 0
    EXPECT_EQ(refusal(withRow(12, 0)), ErrorCode::Damaged); // plain_length 0
    Bytes zeroCount = encodeDirectory(sample(false));       // entry_count 0, the sum kept right
    setLe(zeroCount, row + 16, 0, 4);
    setLe(zeroCount, kEntriesAt, 41, 4);
    EXPECT_EQ(refusal(zeroCount), ErrorCode::Damaged);
    EXPECT_EQ(refusal(withRow(8, 5000 - 1208 - 8)), std::nullopt); // ends right where the next begins
    EXPECT_EQ(refusal(withRow(8, 5000 - 1208 - 7)), ErrorCode::Damaged);
    EXPECT_EQ(refusal(withRow(12, kMaxSegmentPlain)), std::nullopt);
    EXPECT_EQ(refusal(withRow(12, kMaxSegmentPlain + 1)), ErrorCode::LimitExceeded);
    Bytes bigCount = encodeDirectory(sample(false));
    setLe(bigCount, row + 16, kMaxSegmentEntries + 1, 4);
    setLe(bigCount, kEntriesAt, 41 + kMaxSegmentEntries + 1, 4);
    EXPECT_EQ(refusal(bigCount), ErrorCode::LimitExceeded);
    Directory last; // the last segment may be as large as allowed
    last.rows = {{0, kMaxSegmentStored, 1, 1, std::nullopt}};
    EXPECT_EQ(refusal(encodeDirectory(last)), std::nullopt);
    last.rows[0].storedLength = kMaxSegmentStored + 1;
    EXPECT_EQ(refusal(encodeDirectory(last)), ErrorCode::LimitExceeded);
}

TEST(DirectoryFormat, RowsOutOfOrderOrOverlappingAreRefused)
{
    Directory d = sample(false);
    std::swap(d.rows[0], d.rows[2]);
    EXPECT_EQ(refusal(encodeDirectory(d)), ErrorCode::Damaged);
    d = sample(false);
    d.rows[1].offset = 1207; // inside segment 0 (1000 + 8 + 200 = 1208)
    EXPECT_EQ(refusal(encodeDirectory(d)), ErrorCode::Damaged);
    d.rows[1].offset = 1000; // the same segment twice
    EXPECT_EQ(refusal(encodeDirectory(d)), ErrorCode::Damaged);
    d = sample(false); // a segment that would end past 2^64
    d.rows[2].offset = std::numeric_limits<std::uint64_t>::max() - 8;
    EXPECT_EQ(refusal(encodeDirectory(d)), ErrorCode::Damaged);
    d.rows[2].offset = std::numeric_limits<std::uint64_t>::max() - 9; // ends at 2^64 - 1
    EXPECT_EQ(refusal(encodeDirectory(d)), std::nullopt);
}

TEST(DirectoryFormat, RecipientsFollowV1Rules)
{
    Directory d = sample(false);
    d.recipients.push_back(d.recipients[0]); // twice
    EXPECT_EQ(refusal(encodeDirectory(d)), ErrorCode::Damaged);
    d = sample(false);
    d.recipients.emplace_back(std::uint8_t{3}, Bytes(32, 0x33)); // an unknown type
    EXPECT_EQ(refusal(encodeDirectory(d)), ErrorCode::Damaged);
    d = sample(false);
    for (int i = 0; i < 1023; ++i) {
        Bytes key(32, 0);
        key[0] = static_cast<std::uint8_t>(i);
        key[1] = static_cast<std::uint8_t>(i >> 8);
        key[2] = 0x99;
        d.recipients.emplace_back(crypto::kAudienceX25519, key);
    }
    ASSERT_EQ(d.recipients.size(), 1025u); // over 1024
    EXPECT_EQ(refusal(encodeDirectory(d)), ErrorCode::Damaged);
    d.recipients.pop_back();
    EXPECT_EQ(refusal(encodeDirectory(d)), std::nullopt);
}

TEST(DirectoryFormat, SignatureBlockOfUnknownKindIsUnsupported)
{
    const auto signer = crypto::SecretIdentity::generate("Signer");
    Bytes plain = signedBytes(sample(true), signer);
    plain[plain.size() - kSignatureBlockSize] = 2;
    EXPECT_EQ(refusal(plain), ErrorCode::UnsupportedVersion);
}

TEST(DirectoryFormat, TrailingOrMissingBytesAreRefused)
{
    const auto signer = crypto::SecretIdentity::generate("Signer");
    for (const Bytes& plain :
         {encodeDirectory(sample(false)), encodeDirectory(sample(true)), signedBytes(sample(true), signer)}) {
        ASSERT_EQ(refusal(plain), std::nullopt);
        Bytes longer = plain;
        longer.push_back(0);
        EXPECT_EQ(refusal(longer), ErrorCode::Damaged);
        for (std::size_t cut = 0; cut < plain.size(); ++cut)
            EXPECT_EQ(refusal(Bytes(plain.begin(), plain.begin() + cut)), ErrorCode::Damaged) << cut;
    }
    EXPECT_EQ(refusal(Bytes(kMaxDirectoryPlain + 1, 0)), ErrorCode::LimitExceeded);
}

TEST(TrailerV2, RoundTripsAndRefusesOtherVersions)
{
    const Trailer t{1000, 77, 300};
    const Bytes bytes = encodeTrailerV2(t);
    ASSERT_EQ(bytes.size(), kTrailerSize);
    EXPECT_EQ(bytes[4], 2);
    auto back = decodeTrailerV2(bytes, 1000 + 77 + kTrailerSize);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->indexOffset, 1000u);
    EXPECT_EQ(back->indexLength, 77u);
    EXPECT_EQ(back->indexPlainLength, 300u);
    // The same bytes as v1's but the version.
    Bytes v1 = encodeTrailer(t);
    Bytes v2 = bytes;
    v2[4] = 1;
    EXPECT_EQ(v1, v2);
    // Version 1 under a coffer/v2 header, version 2 under coffer/v1: refused both ways.
    auto refusedV1 = decodeTrailerV2(v1, 1000 + 77 + kTrailerSize);
    ASSERT_FALSE(refusedV1.ok());
    EXPECT_EQ(refusedV1.error().code, ErrorCode::Damaged);
    EXPECT_FALSE(decodeTrailer(bytes, 1000 + 77 + kTrailerSize).ok());
    v2[4] = 3;
    EXPECT_FALSE(decodeTrailerV2(v2, 1000 + 77 + kTrailerSize).ok());
}

TEST(TrailerV2, MustPointAtTheDirectoryWithinLimits)
{
    const Bytes bytes = encodeTrailerV2({1000, 77, 300});
    EXPECT_EQ(decodeTrailerV2(bytes, 1000 + 77 + kTrailerSize + 1).error().code, ErrorCode::Damaged);
    EXPECT_EQ(decodeTrailerV2(bytes, 1000 + 77 + kTrailerSize - 1).error().code, ErrorCode::Damaged);
    EXPECT_EQ(decodeTrailerV2(bytes, 16).error().code, ErrorCode::Damaged);
    EXPECT_FALSE(decodeTrailerV2(ByteView(bytes).first(31), 1000 + 77 + kTrailerSize).ok());
    Bytes bad = bytes;
    bad[0] = 'X';
    EXPECT_EQ(decodeTrailerV2(bad, 1000 + 77 + kTrailerSize).error().code, ErrorCode::Damaged);
    // An empty archive: the directory at 0.
    EXPECT_TRUE(decodeTrailerV2(encodeTrailerV2({0, 40, 24}), 40 + kTrailerSize).ok());
    const std::uint64_t big = kMaxDirectoryPlain + 1;
    EXPECT_EQ(decodeTrailerV2(encodeTrailerV2({0, 100, big}), 100 + kTrailerSize).error().code,
              ErrorCode::LimitExceeded);
    EXPECT_EQ(decodeTrailerV2(encodeTrailerV2({0, big, 100}), big + kTrailerSize).error().code,
              ErrorCode::LimitExceeded);
    EXPECT_TRUE(decodeTrailerV2(encodeTrailerV2({5, kMaxDirectoryPlain, kMaxDirectoryPlain}),
                                5 + kMaxDirectoryPlain + kTrailerSize)
                    .ok());
}
