// X25519 (Wycheproof x25519_test.json) through crypto::x25519().
// Botan 2.19 computes an all-zero secret for low-order peer points without
// complaint; Coffer must refuse those (RFC 7748 §6.1), and must compute every
// other vector, including twist points and non-canonical encodings, exactly.
#include "Primitives.h"
#include "VectorFile.h"

#include <iostream>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::tests;

namespace {

SecretArray<32> secretFrom(ByteView bytes)
{
    SecretArray<32> secret;
    std::copy(bytes.begin(), bytes.end(), secret.data());
    return secret;
}

SecretArray<32> secretFromHex(const char* hex)
{
    return secretFrom(fromHex(QString::fromLatin1(hex)));
}

} // namespace

TEST(X25519Vectors, ComputesSharedSecretsForAllNonZeroResults)
{
    const auto file = loadWycheproof(QStringLiteral("x25519_test.json"));
    ASSERT_TRUE(file.has_value());
    int valid = 0, acceptable = 0;
    forEachTest(*file, [&](const QJsonObject&, const QJsonObject& test) {
        if (hasFlag(test, "ZeroSharedSecret"))
            return;
        const Bytes priv = hexField(test, "private");
        const Bytes pub = hexField(test, "public");
        ASSERT_EQ(priv.size(), 32u) << label(test);
        if (pub.size() != kX25519KeySize)
            return; // counted and checked by RejectsPublicKeysThatAreNot32Bytes
        auto shared = x25519(secretFrom(priv), pub);
        ASSERT_TRUE(shared.ok()) << label(test) << ": " << shared.error().message;
        EXPECT_EQ(toHex(shared->view()), test.value(QStringLiteral("shared")).toString().toStdString()) << label(test);
        // "acceptable" here means twist points, non-canonical encodings and the
        // like: RFC 7748 says to compute them, and only the all-zero result is refused.
        if (resultOf(test) == QLatin1String("valid"))
            ++valid;
        else
            ++acceptable;
    });
    std::cout << "X25519: " << valid << " valid, " << acceptable << " acceptable vectors computed\n";
    ASSERT_GT(valid, 0);
    ASSERT_GT(acceptable, 0);
}

TEST(X25519Vectors, RejectsAllZeroSharedSecrets)
{
    const auto file = loadWycheproof(QStringLiteral("x25519_test.json"));
    ASSERT_TRUE(file.has_value());
    int rejected = 0;
    forEachTest(*file, [&](const QJsonObject&, const QJsonObject& test) {
        const bool zero = hasFlag(test, "ZeroSharedSecret");
        // The flag and the data must agree, or this test checks the wrong thing.
        EXPECT_EQ(zero, test.value(QStringLiteral("shared")).toString() == QString(64, u'0')) << label(test);
        if (!zero)
            return;
        const Bytes pub = hexField(test, "public");
        auto shared = x25519(secretFrom(hexField(test, "private")), pub);
        ASSERT_FALSE(shared.ok()) << label(test) << ": all-zero shared secret accepted";
        EXPECT_EQ(shared.error().code, pub.size() == kX25519KeySize ? ErrorCode::Damaged : ErrorCode::InvalidArgument)
            << label(test);
        ++rejected;
    });
    std::cout << "X25519: " << rejected << " ZeroSharedSecret vectors rejected\n";
    ASSERT_GT(rejected, 0);
}

TEST(X25519Vectors, RejectsPublicKeysThatAreNot32Bytes)
{
    const auto file = loadWycheproof(QStringLiteral("x25519_test.json"));
    ASSERT_TRUE(file.has_value());
    // The v1 file stores every public key as 32 raw bytes; should a later file
    // carry other lengths, they must be refused, not truncated or padded.
    int inFile = 0, synthetic = 0;
    Bytes somePriv, somePub;
    forEachTest(*file, [&](const QJsonObject&, const QJsonObject& test) {
        const Bytes pub = hexField(test, "public");
        if (somePub.empty() && pub.size() == kX25519KeySize && !hasFlag(test, "ZeroSharedSecret")) {
            somePriv = hexField(test, "private");
            somePub = pub;
        }
        if (pub.size() == kX25519KeySize)
            return;
        auto shared = x25519(secretFrom(hexField(test, "private")), pub);
        ASSERT_FALSE(shared.ok()) << label(test);
        EXPECT_EQ(shared.error().code, ErrorCode::InvalidArgument) << label(test);
        ++inFile;
    });
    ASSERT_EQ(somePub.size(), kX25519KeySize);
    for (const std::size_t size : {0u, 1u, 31u, 33u, 64u}) {
        Bytes pub = somePub;
        pub.resize(size, 0);
        auto shared = x25519(secretFrom(somePriv), pub);
        ASSERT_FALSE(shared.ok()) << size << "-byte public key accepted";
        EXPECT_EQ(shared.error().code, ErrorCode::InvalidArgument);
        ++synthetic;
    }
    std::cout << "X25519: " << inFile << " non-32-byte public keys in the file, " << synthetic
              << " synthetic ones rejected\n";
    ASSERT_GT(synthetic, 0);
}

TEST(X25519, MatchesRfc7748KeyAgreementExample)
{
    // RFC 7748 §6.1.
    const auto alice = secretFromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const auto bob = secretFromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const PublicKey32 alicePub = x25519PublicKey(alice);
    const PublicKey32 bobPub = x25519PublicKey(bob);
    EXPECT_EQ(toHex(alicePub), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    EXPECT_EQ(toHex(bobPub), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    auto k1 = x25519(alice, bobPub);
    auto k2 = x25519(bob, alicePub);
    ASSERT_TRUE(k1.ok());
    ASSERT_TRUE(k2.ok());
    EXPECT_EQ(toHex(k1->view()), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    EXPECT_EQ(toHex(k2->view()), toHex(k1->view()));
}

TEST(X25519, RandomKeyAgreementIsSymmetric)
{
    for (int i = 0; i < 16; ++i) {
        SecretArray<32> a, b;
        randomBytes(a.mutableView());
        randomBytes(b.mutableView());
        auto ab = x25519(a, x25519PublicKey(b));
        auto ba = x25519(b, x25519PublicKey(a));
        ASSERT_TRUE(ab.ok());
        ASSERT_TRUE(ba.ok());
        EXPECT_EQ(toHex(ab->view()), toHex(ba->view()));
        // x25519PublicKey must be the same map as multiplying the base point u = 9.
        PublicKey32 basePoint{};
        basePoint[0] = 9;
        auto viaLadder = x25519(a, basePoint);
        ASSERT_TRUE(viaLadder.ok());
        EXPECT_EQ(toHex(viaLadder->view()), toHex(x25519PublicKey(a)));
    }
}
