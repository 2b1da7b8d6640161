// AES-256-GCM (Wycheproof aes_gcm_test.json) through crypto::AesGcm256.
// Only groups with a 256-bit key, 96-bit nonce and 128-bit tag describe what
// the format uses; the other 256-bit groups check that other nonce sizes are
// refused rather than silently accepted (Botan takes any GCM nonce length).
#include "Primitives.h"
#include "VectorFile.h"

#include <algorithm>
#include <iostream>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::tests;

namespace {

bool isFormatGroup(const QJsonObject& group)
{
    return group.value(QStringLiteral("keySize")).toInt() == 256 &&
           group.value(QStringLiteral("ivSize")).toInt() == 96 && group.value(QStringLiteral("tagSize")).toInt() == 128;
}

struct GcmVector {
    Bytes key, iv, aad, msg, ctAndTag;
};

GcmVector parse(const QJsonObject& test)
{
    GcmVector v{hexField(test, "key"), hexField(test, "iv"), hexField(test, "aad"), hexField(test, "msg"),
                hexField(test, "ct")};
    const Bytes tag = hexField(test, "tag");
    v.ctAndTag.insert(v.ctAndTag.end(), tag.begin(), tag.end());
    return v;
}

bool allZero(ByteView bytes)
{
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

} // namespace

TEST(AesGcm256Vectors, SealReproducesCiphertextAndTag)
{
    const auto file = loadWycheproof(QStringLiteral("aes_gcm_test.json"));
    ASSERT_TRUE(file.has_value());
    int checked = 0;
    forEachTest(*file, [&](const QJsonObject& group, const QJsonObject& test) {
        if (!isFormatGroup(group) || resultOf(test) != QLatin1String("valid"))
            return;
        const GcmVector v = parse(test);
        auto gcm = AesGcm256::create(v.key);
        ASSERT_TRUE(gcm.ok()) << label(test);

        Bytes out(v.msg.size() + kGcmTagSize, 0xAA);
        ASSERT_TRUE(gcm->seal(v.iv, v.aad, v.msg, out).ok()) << label(test);
        EXPECT_EQ(toHex(out), toHex(v.ctAndTag)) << label(test);

        // The header documents in-place sealing: plaintext at the front of `out`.
        Bytes inPlace(v.msg.size() + kGcmTagSize, 0);
        std::copy(v.msg.begin(), v.msg.end(), inPlace.begin());
        ASSERT_TRUE(gcm->seal(v.iv, v.aad, ByteView(inPlace).first(v.msg.size()), inPlace).ok()) << label(test);
        EXPECT_EQ(toHex(inPlace), toHex(v.ctAndTag)) << label(test) << " (in place)";
        ++checked;
    });
    std::cout << "AES-256-GCM seal: " << checked << " valid vectors checked\n";
    ASSERT_GT(checked, 0);
}

TEST(AesGcm256Vectors, OpenAcceptsValidAndRejectsTamperedWithWipedOutput)
{
    const auto file = loadWycheproof(QStringLiteral("aes_gcm_test.json"));
    ASSERT_TRUE(file.has_value());
    int valid = 0, invalid = 0;
    forEachTest(*file, [&](const QJsonObject& group, const QJsonObject& test) {
        if (!isFormatGroup(group))
            return;
        const GcmVector v = parse(test);
        auto gcm = AesGcm256::create(v.key);
        ASSERT_TRUE(gcm.ok()) << label(test);
        ASSERT_GE(v.ctAndTag.size(), kGcmTagSize) << label(test);

        // Pre-fill with a pattern so that "wiped" cannot mean "never written".
        Bytes out(v.ctAndTag.size() - kGcmTagSize, 0xAA);
        const Status status = gcm->open(v.iv, v.aad, v.ctAndTag, out);
        if (resultOf(test) == QLatin1String("valid")) {
            ASSERT_TRUE(status.ok()) << label(test) << ": " << status.error().message;
            EXPECT_EQ(toHex(out), toHex(v.msg)) << label(test);
            ++valid;
        } else {
            ASSERT_FALSE(status.ok()) << label(test) << " was accepted";
            EXPECT_EQ(status.error().code, ErrorCode::Damaged) << label(test);
            EXPECT_TRUE(allZero(out)) << label(test) << ": unauthenticated plaintext escaped";
            ++invalid;
        }

        // The object must stay usable after a failed open (one key schedule, many chunks).
        if (resultOf(test) != QLatin1String("valid")) {
            Bytes sealed(kGcmTagSize);
            EXPECT_TRUE(gcm->seal(v.iv, {}, {}, sealed).ok()) << label(test);
        }
    });
    std::cout << "AES-256-GCM open: " << valid << " valid, " << invalid << " invalid vectors checked\n";
    ASSERT_GT(valid, 0);
    ASSERT_GT(invalid, 0);
}

TEST(AesGcm256Vectors, RejectsNoncesThatAreNot96Bits)
{
    const auto file = loadWycheproof(QStringLiteral("aes_gcm_test.json"));
    ASSERT_TRUE(file.has_value());
    int checked = 0;
    forEachTest(*file, [&](const QJsonObject& group, const QJsonObject& test) {
        if (group.value(QStringLiteral("keySize")).toInt() != 256 ||
            group.value(QStringLiteral("ivSize")).toInt() == 96)
            return;
        const GcmVector v = parse(test);
        auto gcm = AesGcm256::create(v.key);
        ASSERT_TRUE(gcm.ok()) << label(test);
        Bytes out(v.ctAndTag.size() - kGcmTagSize, 0xAA);
        const Status opened = gcm->open(v.iv, v.aad, v.ctAndTag, out);
        ASSERT_FALSE(opened.ok()) << label(test) << ": a " << v.iv.size() << "-byte nonce was accepted";
        EXPECT_EQ(opened.error().code, ErrorCode::InvalidArgument) << label(test);
        EXPECT_TRUE(allZero(out) || std::all_of(out.begin(), out.end(), [](auto b) { return b == 0xAA; }))
            << label(test) << ": output written although the call was refused";

        Bytes sealed(v.msg.size() + kGcmTagSize);
        const Status sealedStatus = gcm->seal(v.iv, v.aad, v.msg, sealed);
        ASSERT_FALSE(sealedStatus.ok()) << label(test);
        EXPECT_EQ(sealedStatus.error().code, ErrorCode::InvalidArgument) << label(test);
        ++checked;
    });
    std::cout << "AES-256-GCM: " << checked << " vectors with other nonce sizes rejected\n";
    ASSERT_GT(checked, 0);
}

TEST(AesGcm256Vectors, RejectsKeysThatAreNot256Bits)
{
    const auto file = loadWycheproof(QStringLiteral("aes_gcm_test.json"));
    ASSERT_TRUE(file.has_value());
    int checked = 0;
    forEachTest(*file, [&](const QJsonObject& group, const QJsonObject& test) {
        if (group.value(QStringLiteral("keySize")).toInt() == 256)
            return;
        auto gcm = AesGcm256::create(hexField(test, "key"));
        ASSERT_FALSE(gcm.ok()) << label(test);
        EXPECT_EQ(gcm.error().code, ErrorCode::InvalidArgument) << label(test);
        ++checked;
    });
    std::cout << "AES-256-GCM: " << checked << " vectors with 128/192-bit keys rejected\n";
    ASSERT_GT(checked, 0);
}

TEST(AesGcm256, RejectsBadBufferSizes)
{
    const Bytes key(32, 7), nonce(12, 1), msg(10, 2);
    auto gcm = AesGcm256::create(key);
    ASSERT_TRUE(gcm.ok());
    Bytes tooShort(msg.size() + kGcmTagSize - 1);
    EXPECT_FALSE(gcm->seal(nonce, {}, msg, tooShort).ok());
    Bytes sealed(msg.size() + kGcmTagSize);
    ASSERT_TRUE(gcm->seal(nonce, {}, msg, sealed).ok());
    Bytes wrongOut(msg.size() + 1);
    EXPECT_FALSE(gcm->open(nonce, {}, sealed, wrongOut).ok());
    Bytes empty;
    EXPECT_FALSE(gcm->open(nonce, {}, ByteView(sealed).first(kGcmTagSize - 1), empty).ok());
}
