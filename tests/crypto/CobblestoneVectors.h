// The Cobblestone-256 vectors (c2sp_chunked_encryption_aes_256_gcm_test.json),
// parsed and inflated once per test, plus in-memory ByteSource/ByteSink and the
// chunk-by-chunk decryption the random-access and raw-mode tests share.
// How to apply them: wycheproof/doc/c2sp_chunked_encryption.md.
#pragma once

#include "PayloadStream.h"
#include "VectorFile.h"

#include <QStringList>

#include <algorithm>
#include <cstring>
#include <vector>

namespace coffer::tests {

struct ChunkedVector {
    int id = 0;
    std::string comment;
    bool valid = false;
    QStringList flags;
    Bytes key, ctx, ct;                     // ct already inflated
    Bytes aeadKey, baseNonce;               // absent for HeaderFailure vectors
    std::optional<std::uint64_t> msgLength; // valid vectors, and the valid prefix of PartialPlaintext
    Bytes msgSha512;

    bool has(const char* flag) const { return flags.contains(QLatin1String(flag)); }
    std::string name() const { return "tcId " + std::to_string(id) + " (" + comment + ")"; }
};

/// All vectors of the file; an empty list (with a test failure) if it is unusable.
inline std::vector<ChunkedVector> loadChunkedVectors()
{
    std::vector<ChunkedVector> out;
    const auto file = loadWycheproof(QStringLiteral("c2sp_chunked_encryption_aes_256_gcm_test.json"));
    if (!file)
        return out;
    forEachTest(*file, [&](const QJsonObject& group, const QJsonObject& test) {
        if (group.value(QStringLiteral("aead")).toString() != QLatin1String("AEAD_AES_256_GCM") ||
            group.value(QStringLiteral("sha")).toString() != QLatin1String("SHA-512")) {
            ADD_FAILURE() << "unexpected group parameters for " << label(test);
            return;
        }
        ChunkedVector v;
        v.id = test.value(QStringLiteral("tcId")).toInt();
        v.comment = test.value(QStringLiteral("comment")).toString().toStdString();
        v.valid = resultOf(test) == QLatin1String("valid");
        for (const QJsonValue f : test.value(QStringLiteral("flags")).toArray())
            v.flags << f.toString();
        v.key = hexField(test, "key");
        v.ctx = hexField(test, "ctx");
        auto ct = inflateZlib(hexField(test, "ct"));
        if (!ct) {
            ADD_FAILURE() << v.name() << ": ct is not a complete zlib stream";
            return;
        }
        v.ct = std::move(*ct);
        v.aeadKey = hexField(test, "aeadKey");
        v.baseNonce = hexField(test, "baseNonce");
        if (test.contains(QStringLiteral("msgLength")))
            v.msgLength = static_cast<std::uint64_t>(test.value(QStringLiteral("msgLength")).toInteger());
        v.msgSha512 = hexField(test, "msgSha512");
        out.push_back(std::move(v));
    });
    return out;
}

/// A ByteSource over memory that hands out at most `maxRead` bytes per call,
/// like a pipe, so the reader's refill loop is exercised.
class MemorySource : public crypto::ByteSource {
public:
    MemorySource(ByteView data, std::size_t maxRead) : m_data(data), m_maxRead(maxRead) {}
    Result<std::size_t> read(crypto::MutableByteView buffer) override
    {
        const std::size_t n = std::min({buffer.size(), m_maxRead, m_data.size() - m_pos});
        if (n > 0) // an empty vector's data() may be null
            std::memcpy(buffer.data(), m_data.data() + m_pos, n);
        m_pos += n;
        return n;
    }

private:
    ByteView m_data;
    std::size_t m_maxRead;
    std::size_t m_pos = 0;
};

class MemorySink : public crypto::ByteSink {
public:
    Status write(ByteView data) override
    {
        bytes.insert(bytes.end(), data.begin(), data.end());
        return Status::success();
    }
    Bytes bytes;
};

/// Opens chunks [first, last] of `body` (the ciphertext without its 56-byte
/// header) through the random-access interface. Appends the plaintext to
/// `plain` when given. Fails on the first chunk that does not open.
inline Status openChunks(crypto::ChunkCipher& cipher, ByteView body, bool finalOnly, Bytes* plain)
{
    using namespace crypto;
    auto layout = PayloadLayout::fromCiphertextLength(body.size() + kPayloadPrefixSize);
    if (!layout.ok())
        return layout.error();
    const std::uint64_t first = finalOnly ? layout->chunkCount - 1 : 0;
    for (std::uint64_t i = first; i < layout->chunkCount; ++i) {
        const std::uint64_t offset = PayloadLayout::chunkOffset(i) - kPayloadPrefixSize;
        const std::size_t plainSize = layout->chunkPlainSize(i);
        if (offset + plainSize + kGcmTagSize > body.size())
            return makeError(ErrorCode::Internal, "layout points past the ciphertext");
        Bytes out(plainSize);
        COFFER_TRY(cipher.openChunk(i, body.subspan(offset, plainSize + kGcmTagSize), out));
        if (plain)
            plain->insert(plain->end(), out.begin(), out.end());
    }
    return Status::success();
}

/// Seals `message` chunk by chunk with `cipher`, without the header.
inline Result<Bytes> sealChunks(crypto::ChunkCipher& cipher, ByteView message)
{
    using namespace crypto;
    const PayloadLayout layout = PayloadLayout::fromPlaintextLength(message.size());
    Bytes body;
    for (std::uint64_t i = 0; i < layout.chunkCount; ++i) {
        const ByteView plain = message.subspan(i * kChunkSize, layout.chunkPlainSize(i));
        Bytes sealed(plain.size() + kGcmTagSize);
        COFFER_TRY(cipher.sealChunk(i, plain, sealed));
        body.insert(body.end(), sealed.begin(), sealed.end());
    }
    return body;
}

} // namespace coffer::tests
