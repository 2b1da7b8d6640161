// Ed25519 (Wycheproof ed25519_test.json) through crypto::ed25519Verify.
// The invalid vectors cover malleable signatures (S >= L), wrong lengths and
// non-canonical encodings: a verifier that accepts one of them lets an
// attacker change a signature without the key.
#include "Primitives.h"
#include "VectorFile.h"

#include <iostream>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::tests;

TEST(Ed25519Vectors, AcceptsValidAndRejectsInvalidSignatures)
{
    const auto file = loadWycheproof(QStringLiteral("ed25519_test.json"));
    ASSERT_TRUE(file.has_value());
    int valid = 0, invalid = 0, malleable = 0;
    forEachTest(*file, [&](const QJsonObject& group, const QJsonObject& test) {
        const Bytes pk =
            fromHex(group.value(QStringLiteral("publicKey")).toObject().value(QStringLiteral("pk")).toString());
        const Bytes msg = hexField(test, "msg");
        const Bytes sig = hexField(test, "sig");
        const bool verified = ed25519Verify(pk, msg, sig);
        if (resultOf(test) == QLatin1String("valid")) {
            EXPECT_TRUE(verified) << label(test);
            ++valid;
        } else {
            EXPECT_FALSE(verified) << label(test) << ": an invalid signature verified";
            ++invalid;
            if (hasFlag(test, "SignatureMalleability"))
                ++malleable;
        }
    });
    std::cout << "Ed25519: " << valid << " valid, " << invalid << " invalid (" << malleable
              << " malleability) vectors checked\n";
    ASSERT_GT(valid, 0);
    ASSERT_GT(invalid, 0);
    ASSERT_GT(malleable, 0);
}

TEST(Ed25519Vectors, RejectsValidSignaturesUnderAnotherMessageOrKey)
{
    // Verification must depend on all three inputs, not just succeed on
    // well-formed ones: flip one bit of each in turn.
    const auto file = loadWycheproof(QStringLiteral("ed25519_test.json"));
    ASSERT_TRUE(file.has_value());
    int checked = 0;
    forEachTest(*file, [&](const QJsonObject& group, const QJsonObject& test) {
        if (resultOf(test) != QLatin1String("valid"))
            return;
        Bytes pk = fromHex(group.value(QStringLiteral("publicKey")).toObject().value(QStringLiteral("pk")).toString());
        Bytes msg = hexField(test, "msg");
        Bytes sig = hexField(test, "sig");
        Bytes otherMsg = msg;
        if (otherMsg.empty())
            otherMsg.push_back(0);
        else
            otherMsg[0] ^= 1;
        EXPECT_FALSE(ed25519Verify(pk, otherMsg, sig)) << label(test);
        Bytes otherSig = sig;
        otherSig[0] ^= 1;
        EXPECT_FALSE(ed25519Verify(pk, msg, otherSig)) << label(test);
        Bytes otherPk = pk;
        otherPk[0] ^= 1;
        EXPECT_FALSE(ed25519Verify(otherPk, msg, sig)) << label(test);
        ++checked;
    });
    std::cout << "Ed25519: " << checked << " valid vectors checked against bit flips\n";
    ASSERT_GT(checked, 0);
}

TEST(Ed25519, SignMatchesRfc8032TestOne)
{
    // RFC 8032 §7.1, TEST 1 (empty message).
    SecretArray<32> seed;
    const Bytes seedBytes = fromHex(QStringLiteral("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    std::copy(seedBytes.begin(), seedBytes.end(), seed.data());
    const PublicKey32 pub = ed25519PublicKey(seed);
    EXPECT_EQ(toHex(pub), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    const Signature64 sig = ed25519Sign(seed, {});
    EXPECT_EQ(toHex(sig), "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
                          "b46bd25bf5f0595bbe24655141438e7a100b");
    EXPECT_TRUE(ed25519Verify(pub, {}, sig));
}

TEST(Ed25519, SignVerifyRoundTripAndWrongLengths)
{
    SecretArray<32> seed;
    randomBytes(seed.mutableView());
    const PublicKey32 pub = ed25519PublicKey(seed);
    const ByteView msg = asBytes("a card to sign");
    const Signature64 sig = ed25519Sign(seed, msg);
    EXPECT_TRUE(ed25519Verify(pub, msg, sig));
    EXPECT_FALSE(ed25519Verify(ByteView(pub).first(31), msg, sig));
    EXPECT_FALSE(ed25519Verify(pub, msg, ByteView(sig).first(63)));
    Bytes longSig(sig.begin(), sig.end());
    longSig.push_back(0);
    EXPECT_FALSE(ed25519Verify(pub, msg, longSig));
}
