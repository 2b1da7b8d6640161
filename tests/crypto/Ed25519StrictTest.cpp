// Strict Ed25519 (FORMAT.md §5.7, §6): the CCTV edge-case vectors
// (tests/vectors/cctv-ed25519, flags explained in its README.md). A public
// key or an R that is a low-order point, or any non-canonical encoding, must
// be refused: with A = identity, R = identity and S = 0 "verify" for every
// message, which would let anyone sign as a key nobody holds.
#include "Primitives.h"
#include "VectorFile.h"

#include <iostream>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::tests;

namespace {

std::optional<QJsonArray> loadCctv()
{
    const QString path = vectorsDir() + QStringLiteral("/cctv-ed25519/ed25519vectors.json");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ADD_FAILURE() << "cannot open test vector file " << path.toStdString();
        return std::nullopt;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
    if (!doc.isArray() || doc.array().isEmpty()) {
        ADD_FAILURE() << path.toStdString() << " is not a JSON array of vectors";
        return std::nullopt;
    }
    return doc.array();
}

std::string cctvLabel(const QJsonObject& v)
{
    return "CCTV vector " + std::to_string(v.value(QStringLiteral("number")).toInt());
}

Bytes messageOf(const QJsonObject& v)
{
    const QByteArray m = v.value(QStringLiteral("msg")).toString().toUtf8();
    return Bytes(m.begin(), m.end());
}

} // namespace

TEST(Ed25519Strict, RefusesEveryLowOrderAndNonCanonicalCctvVector)
{
    const auto vectors = loadCctv();
    ASSERT_TRUE(vectors.has_value());
    int refused = 0, plain = 0, other = 0;
    for (const QJsonValue value : *vectors) {
        const QJsonObject v = value.toObject();
        const Bytes key = hexField(v, "key");
        const bool verified = ed25519Verify(key, messageOf(v), hexField(v, "sig"));
        const bool lowA = hasFlag(v, "low_order_A") || hasFlag(v, "non_canonical_A");
        const bool lowR = hasFlag(v, "low_order_R") || hasFlag(v, "non_canonical_R");
        if (lowA || lowR) {
            EXPECT_FALSE(verified) << cctvLabel(v) << ": a low-order or non-canonical point verified";
            ++refused;
        } else if (v.value(QStringLiteral("flags")).toArray().isEmpty()) {
            EXPECT_TRUE(verified) << cctvLabel(v) << ": an ordinary signature failed";
            ++plain;
        } else {
            ++other; // mixed-order points: allowed either way (FORMAT.md §5.7)
        }
        // The key check alone (cards, keyring, signer block) agrees on A.
        EXPECT_EQ(ed25519PublicKeyIsStrict(key), !lowA) << cctvLabel(v);
    }
    std::cout << "CCTV Ed25519: " << refused << " low-order/non-canonical refused, " << plain << " ordinary accepted, "
              << other << " mixed-order not asserted\n";
    ASSERT_GT(refused, 0);
    ASSERT_GT(plain, 0);
}

TEST(Ed25519Strict, IdentityKeyWithIdentityRAndZeroSIsRefused)
{
    // The keyless "signature": A = identity, R = identity, S = 0. The
    // cofactorless equation [S]B = R + [k]A holds for every message.
    Bytes identity(32, 0);
    identity[0] = 1;
    Bytes sig(64, 0);
    sig[0] = 1;
    EXPECT_FALSE(ed25519PublicKeyIsStrict(identity));
    EXPECT_FALSE(ed25519Verify(identity, asBytes("any message at all"), sig));
}

TEST(Ed25519Strict, GeneratedKeysAreStrict)
{
    for (int i = 0; i < 32; ++i) {
        SecretArray<32> seed;
        randomBytes(seed.mutableView());
        EXPECT_TRUE(ed25519PublicKeyIsStrict(ed25519PublicKey(seed)));
    }
}
