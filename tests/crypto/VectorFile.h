// Loading Wycheproof vector files for the crypto tests. The files are the
// project's byte-for-byte copy under tests/vectors/ (COFFER_VECTORS_DIR).
// Every loader fails the current test loudly when a file is missing or
// malformed: a vector suite that silently checks nothing must not pass.
#pragma once

#include "SecureMemory.h"

#include <gtest/gtest.h>

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace coffer::tests {

using crypto::Bytes;
using crypto::ByteView;

inline QString vectorsDir()
{
    return QStringLiteral(COFFER_VECTORS_DIR);
}

/// Parses testvectors_v1/<name>; nullopt (with a test failure) if anything is off.
inline std::optional<QJsonObject> loadWycheproof(const QString& name)
{
    const QString path = vectorsDir() + QStringLiteral("/wycheproof/testvectors_v1/") + name;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ADD_FAILURE() << "cannot open test vector file " << path.toStdString() << " (is COFFER_VECTORS_DIR right?)";
        return std::nullopt;
    }
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject() ||
        !doc.object().value(QStringLiteral("testGroups")).isArray()) {
        ADD_FAILURE() << path.toStdString() << " is not a Wycheproof file: " << error.errorString().toStdString();
        return std::nullopt;
    }
    return doc.object();
}

/// Calls `fn(group, test)` for every test of every group.
inline void forEachTest(const QJsonObject& file, const std::function<void(const QJsonObject&, const QJsonObject&)>& fn)
{
    for (const QJsonValue group : file.value(QStringLiteral("testGroups")).toArray()) {
        const QJsonObject g = group.toObject();
        for (const QJsonValue test : g.value(QStringLiteral("tests")).toArray())
            fn(g, test.toObject());
    }
}

/// Strict hex decoding: QByteArray::fromHex skips bad characters, which would
/// turn a corrupt vector into a different, silently "passing" one.
inline Bytes fromHex(const QString& hex)
{
    Bytes out;
    if (hex.size() % 2 != 0) {
        ADD_FAILURE() << "odd-length hex string in a vector";
        return out;
    }
    auto nibble = [](QChar c) -> int {
        const char16_t u = c.unicode();
        if (u >= '0' && u <= '9')
            return u - '0';
        if (u >= 'a' && u <= 'f')
            return u - 'a' + 10;
        if (u >= 'A' && u <= 'F')
            return u - 'A' + 10;
        return -1;
    };
    out.reserve(static_cast<std::size_t>(hex.size() / 2));
    for (qsizetype i = 0; i < hex.size(); i += 2) {
        const int hi = nibble(hex[i]);
        const int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            ADD_FAILURE() << "bad hex character in a vector";
            return {};
        }
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

inline Bytes hexField(const QJsonObject& test, const char* field)
{
    return fromHex(test.value(QLatin1String(field)).toString());
}

inline std::string toHex(ByteView bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const auto b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

inline bool hasFlag(const QJsonObject& test, const char* flag)
{
    return test.value(QStringLiteral("flags")).toArray().contains(QLatin1String(flag));
}

inline QString resultOf(const QJsonObject& test)
{
    return test.value(QStringLiteral("result")).toString();
}

/// "tcId 12 (comment)", for failure messages.
inline std::string label(const QJsonObject& test)
{
    return "tcId " + std::to_string(test.value(QStringLiteral("tcId")).toInt()) + " (" +
           test.value(QStringLiteral("comment")).toString().toStdString() + ")";
}

/// Inflates a complete zlib stream; nullopt if it is corrupt or truncated.
inline std::optional<Bytes> inflateZlib(ByteView compressed)
{
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK)
        return std::nullopt;
    Bytes out;
    Bytes window(64 * 1024);
    zs.next_in = const_cast<Bytef*>(compressed.data()); // zlib's API is not const-correct
    zs.avail_in = static_cast<uInt>(compressed.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = window.data();
        zs.avail_out = static_cast<uInt>(window.size());
        rc = inflate(&zs, Z_NO_FLUSH);
        out.insert(out.end(), window.begin(), window.end() - zs.avail_out);
        if (rc == Z_BUF_ERROR && zs.avail_in == 0)
            break; // input ended before the stream did
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return std::nullopt;
    return out;
}

/// SHA-512 from QtCore, so the oracle is independent of the Botan code under test.
inline Bytes sha512Of(ByteView data)
{
    const QByteArray digest = QCryptographicHash::hash(
        QByteArrayView(reinterpret_cast<const char*>(data.data()), static_cast<qsizetype>(data.size())),
        QCryptographicHash::Sha512);
    return Bytes(digest.begin(), digest.end());
}

} // namespace coffer::tests
