// The CCTV age test kit (tests/vectors/cctv-age, README.md there): every
// vector is decrypted with the identities and passphrase its header names,
// and the result class must be the one it expects. "success" and "payload
// failure" also check the SHA-256 of every byte the decryptor released.
//
// Coffer has no post-quantum keys: a vector whose identities are all
// post-quantum (AGE-SECRET-KEY-PQ-1...) is opened with no key at all, and
// must give the post-quantum refusal, with two exceptions that any reader
// without post-quantum support sees the kit's way (kNotPostQuantum).
#include "AgeTestSupport.h"
#include "VectorFile.h"

#include <QDir>
#include <QFile>

#include <iostream>
#include <map>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::crypto::age;
using namespace coffer::tests;

namespace {

// Hybrid vectors whose failure lies outside the post-quantum stanza itself.
const std::map<std::string, std::string> kNotPostQuantum = {
    // The stanza body is not canonical base64: a rule of the header for every stanza (age.md, Conventions).
    {"hybrid_not_canonical_body", "header failure"},
    // "MLKEM768X25519" is not a type age knows: stanza types are case-sensitive.
    {"hybrid_uppercase", "no match"},
};

struct Vector {
    std::string name;
    std::map<std::string, std::vector<std::string>> fields;
    Bytes file;

    std::string field(const std::string& key) const
    {
        auto it = fields.find(key);
        return it == fields.end() || it->second.empty() ? std::string() : it->second.front();
    }
};

std::optional<Vector> loadVector(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray all = f.readAll();
    const qsizetype split = all.indexOf("\n\n");
    if (split < 0)
        return std::nullopt;
    Vector v;
    v.name = QFileInfo(path).fileName().toStdString();
    for (const QByteArray& line : all.left(split).split('\n')) {
        const qsizetype colon = line.indexOf(": ");
        if (colon < 0)
            return std::nullopt;
        v.fields[line.left(colon).toStdString()].push_back(line.mid(colon + 2).toStdString());
    }
    const QByteArray body = all.mid(split + 2);
    v.file.assign(body.begin(), body.end());
    if (v.field("compressed") == "zlib") {
        auto inflated = inflateZlib(v.file);
        if (!inflated)
            return std::nullopt;
        v.file = std::move(*inflated);
    }
    return v;
}

std::string className(AgeFailure f)
{
    switch (f) {
    case AgeFailure::None:
        return "success";
    case AgeFailure::NoMatch:
        return "no match";
    case AgeFailure::Header:
    case AgeFailure::WorkFactor: // the kit's scrypt_work_factor_23: over age's own ceiling
        return "header failure";
    case AgeFailure::HeaderMac:
        return "HMAC failure";
    case AgeFailure::Payload:
        return "payload failure";
    case AgeFailure::Armor:
        return "armor failure";
    case AgeFailure::PostQuantum:
        return "post-quantum refusal";
    }
    return "?";
}

std::string sha256Hex(const Bytes& data)
{
    const QByteArray d = QCryptographicHash::hash(
        QByteArrayView(reinterpret_cast<const char*>(data.data()), static_cast<qsizetype>(data.size())),
        QCryptographicHash::Sha256);
    return d.toHex().toStdString();
}

// The keys a vector gives, and whether all its identities are post-quantum ones.
AgeKeys keysOf(const Vector& v, bool& onlyPostQuantum)
{
    AgeKeys keys;
    int pq = 0;
    auto it = v.fields.find("identity");
    for (const auto& text : it == v.fields.end() ? std::vector<std::string>{} : it->second) {
        if (text.starts_with("AGE-SECRET-KEY-PQ-1")) {
            ++pq;
            continue;
        }
        auto secret = ageIdentity(text);
        EXPECT_TRUE(secret.has_value()) << v.name << ": bad identity " << text;
        if (secret)
            keys.x25519.push_back(std::move(*secret));
    }
    onlyPostQuantum = pq > 0 && keys.x25519.empty();
    if (!v.field("passphrase").empty())
        keys.passphrase = SecureString(v.field("passphrase").c_str());
    return keys;
}

std::string expectedClass(const Vector& v, bool onlyPostQuantum)
{
    if (!onlyPostQuantum)
        return v.field("expect");
    auto it = kNotPostQuantum.find(v.name);
    return it == kNotPostQuantum.end() ? "post-quantum refusal" : it->second;
}

} // namespace

TEST(AgeVectors, EveryVectorGivesItsExpectedClass)
{
    const QDir dir(vectorsDir() + QStringLiteral("/cctv-age/testdata"));
    const QStringList names = dir.entryList(QDir::Files, QDir::Name);
    ASSERT_EQ(names.size(), 143) << "the kit has 143 vectors; is COFFER_VECTORS_DIR right?";
    std::map<std::string, int> counts;
    int hybrid = 0;
    for (const QString& name : names) {
        auto v = loadVector(dir.filePath(name));
        ASSERT_TRUE(v.has_value()) << "unreadable vector " << name.toStdString();
        bool onlyPostQuantum = false;
        const AgeKeys keys = keysOf(*v, onlyPostQuantum);
        hybrid += onlyPostQuantum;
        const std::string expected = expectedClass(*v, onlyPostQuantum);
        const AgeOutcome got = decryptAge(v->file, keys);
        const std::string actual = className(got.failure);
        EXPECT_EQ(actual, expected) << v->name << ": " << (got.error ? got.error->message : "no error");
        if (expected == "success" || expected == "payload failure") {
            EXPECT_EQ(sha256Hex(got.released), v->field("payload")) << v->name << ": released plaintext";
        }
        if (expected == "post-quantum refusal" && got.error) {
            EXPECT_EQ(got.error->message, "encrypted with post-quantum keys, which this version of Coffer cannot open");
        }
        ++counts[actual + (actual == expected ? "" : " (MISMATCH)")];
    }
    std::cout << "age test kit: " << names.size() << " vectors, " << hybrid << " with only post-quantum identities\n";
    for (const auto& [cls, n] : counts)
        std::cout << "  " << cls << ": " << n << "\n";
}
