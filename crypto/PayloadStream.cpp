#include "PayloadStream.h"

#include <algorithm>
#include <cstring>

namespace coffer::crypto {

namespace {

// "c2sp.org/chunked-encryption@v1+" || aead || 0x00 || salt || context
constexpr std::string_view kInfoPrefix = "c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM";

Error truncated()
{
    return makeError(ErrorCode::Damaged, "the payload is truncated or has trailing data");
}

} // namespace

Result<PayloadLayout> PayloadLayout::fromCiphertextLength(std::uint64_t length)
{
    if (length < kPayloadPrefixSize + kGcmTagSize)
        return truncated();
    const std::uint64_t body = length - kPayloadPrefixSize;
    const std::uint64_t full = body / kSealedChunkSize;
    const std::uint64_t rest = body % kSealedChunkSize;
    // The final chunk holds 0..16383 bytes plus a tag; a remainder shorter than a
    // tag (0 included: a missing final chunk) is never produced by encryption.
    if (rest < kGcmTagSize)
        return truncated();
    if (full + 1 > kMaxChunks)
        return makeError(ErrorCode::LimitExceeded, "the payload claims more than 2^38 chunks");
    PayloadLayout layout;
    layout.chunkCount = full + 1;
    layout.finalChunkPlainSize = static_cast<std::size_t>(rest - kGcmTagSize);
    layout.plaintextLength = full * kChunkSize + layout.finalChunkPlainSize;
    return layout;
}

PayloadLayout PayloadLayout::fromPlaintextLength(std::uint64_t length)
{
    PayloadLayout layout;
    layout.chunkCount = length / kChunkSize + 1;
    layout.finalChunkPlainSize = static_cast<std::size_t>(length % kChunkSize);
    layout.plaintextLength = length;
    return layout;
}

struct ChunkCipher::Impl {
    std::optional<AesGcm256> gcm;
    SecretArray<kGcmKeySize> key;
    std::array<std::uint8_t, kGcmNonceSize> baseNonce{};
    std::array<std::uint8_t, kPayloadPrefixSize> prefix{};
};

ChunkCipher::ChunkCipher() : m_impl(std::make_unique<Impl>()) {}
ChunkCipher::~ChunkCipher() = default;
ChunkCipher::ChunkCipher(ChunkCipher&&) noexcept = default;
ChunkCipher& ChunkCipher::operator=(ChunkCipher&&) noexcept = default;

namespace {

struct DerivedKeys {
    SecureBytes bytes; // key(32) || base nonce(12) || commitment(32)
};

Result<DerivedKeys> derive(ByteView inputKey, ByteView salt, ByteView context)
{
    if (inputKey.size() != kGcmKeySize)
        return makeError(ErrorCode::InvalidArgument, "the payload key must be 32 bytes");
    Bytes info(kInfoPrefix.begin(), kInfoPrefix.end());
    info.push_back(0);
    info.insert(info.end(), salt.begin(), salt.end());
    info.insert(info.end(), context.begin(), context.end());
    auto okm = hkdfExpandSha512(inputKey, info, kGcmKeySize + kGcmNonceSize + kCommitmentSize);
    COFFER_TRY(okm);
    return DerivedKeys{std::move(*okm)};
}

} // namespace

Result<ChunkCipher> ChunkCipher::raw(ByteView aeadKey, ByteView baseNonce)
{
    if (aeadKey.size() != kGcmKeySize || baseNonce.size() != kGcmNonceSize)
        return makeError(ErrorCode::InvalidArgument, "raw mode needs a 32-byte key and 12-byte nonce");
    ChunkCipher c;
    auto gcm = AesGcm256::create(aeadKey);
    COFFER_TRY(gcm);
    c.m_impl->gcm.emplace(std::move(*gcm));
    std::copy(aeadKey.begin(), aeadKey.end(), c.m_impl->key.data());
    std::copy(baseNonce.begin(), baseNonce.end(), c.m_impl->baseNonce.begin());
    return c;
}

Result<ChunkCipher> ChunkCipher::forEncryption(ByteView inputKey, ByteView context, std::optional<ByteView> salt)
{
    std::array<std::uint8_t, kPayloadSaltSize> s{};
    if (salt) {
        if (salt->size() != kPayloadSaltSize)
            return makeError(ErrorCode::InvalidArgument, "the payload salt must be 24 bytes");
        std::copy(salt->begin(), salt->end(), s.begin());
    } else {
        randomBytes(s);
    }
    auto keys = derive(inputKey, s, context);
    COFFER_TRY(keys);
    const auto& k = keys->bytes;
    auto c = raw(ByteView(k).first(kGcmKeySize), ByteView(k).subspan(kGcmKeySize, kGcmNonceSize));
    COFFER_TRY(c);
    auto& prefix = c->m_impl->prefix;
    std::copy(s.begin(), s.end(), prefix.begin());
    std::copy(k.begin() + kGcmKeySize + kGcmNonceSize, k.end(), prefix.begin() + kPayloadSaltSize);
    return std::move(*c);
}

Result<ChunkCipher> ChunkCipher::forDecryption(ByteView inputKey, ByteView context, ByteView prefix)
{
    if (prefix.size() != kPayloadPrefixSize)
        return truncated();
    auto keys = derive(inputKey, prefix.first(kPayloadSaltSize), context);
    COFFER_TRY(keys);
    const auto& k = keys->bytes;
    // The commitment must match before any chunk is opened (key commitment).
    if (!constantTimeEqual(ByteView(k).subspan(kGcmKeySize + kGcmNonceSize), prefix.subspan(kPayloadSaltSize)))
        return makeError(ErrorCode::Damaged, "the payload's key commitment does not match");
    auto c = raw(ByteView(k).first(kGcmKeySize), ByteView(k).subspan(kGcmKeySize, kGcmNonceSize));
    COFFER_TRY(c);
    std::copy(prefix.begin(), prefix.end(), c->m_impl->prefix.begin());
    return std::move(*c);
}

Result<ChunkCipher> ChunkCipher::clone() const
{
    auto c = raw(m_impl->key.view(), m_impl->baseNonce);
    COFFER_TRY(c);
    c->m_impl->prefix = m_impl->prefix;
    return std::move(*c);
}

ByteView ChunkCipher::prefix() const
{
    return m_impl->prefix;
}

namespace {

std::array<std::uint8_t, kGcmNonceSize> chunkNonce(const std::array<std::uint8_t, kGcmNonceSize>& base,
                                                   std::uint64_t index)
{
    // XOR the chunk number, big-endian, into the low-order bytes of the base nonce.
    auto nonce = base;
    for (int i = 0; i < 8; ++i)
        nonce[kGcmNonceSize - 1 - i] ^= static_cast<std::uint8_t>(index >> (8 * i));
    return nonce;
}

} // namespace

Status ChunkCipher::sealChunk(std::uint64_t index, ByteView plain, MutableByteView out)
{
    if (index >= kMaxChunks || plain.size() > kChunkSize)
        return makeError(ErrorCode::LimitExceeded, "chunk index or size out of range");
    return m_impl->gcm->seal(chunkNonce(m_impl->baseNonce, index), {}, plain, out);
}

Status ChunkCipher::openChunk(std::uint64_t index, ByteView sealed, MutableByteView out)
{
    if (index >= kMaxChunks || sealed.size() > kSealedChunkSize || sealed.size() < kGcmTagSize)
        return makeError(ErrorCode::Damaged, "chunk index or size out of range");
    auto status = m_impl->gcm->open(chunkNonce(m_impl->baseNonce, index), {}, sealed, out);
    if (!status.ok() && status.error().code == ErrorCode::Damaged)
        return makeError(ErrorCode::Damaged, "chunk " + std::to_string(index) +
                                                 " failed authentication; the container was damaged or tampered with");
    return status;
}

// ---- streaming writer ----

PayloadWriter::PayloadWriter(ChunkCipher cipher, ByteSink& sink) : m_cipher(std::move(cipher)), m_sink(&sink)
{
    m_plain.reserve(kChunkSize);
    m_sealed.resize(kSealedChunkSize);
}

PayloadWriter::PayloadWriter(PayloadWriter&&) noexcept = default;
PayloadWriter::~PayloadWriter() = default;

Result<PayloadWriter> PayloadWriter::create(ByteView inputKey, ByteSink& sink, ByteView context)
{
    auto cipher = ChunkCipher::forEncryption(inputKey, context);
    COFFER_TRY(cipher);
    PayloadWriter writer(std::move(*cipher), sink);
    COFFER_TRY(sink.write(writer.m_cipher.prefix()));
    return writer;
}

Status PayloadWriter::flushChunk()
{
    const auto out = MutableByteView(m_sealed).first(m_plain.size() + kGcmTagSize);
    COFFER_TRY(m_cipher.sealChunk(m_index, m_plain, out));
    COFFER_TRY(m_sink->write(out));
    ++m_index;
    m_plain.clear();
    return Status::success();
}

Status PayloadWriter::write(ByteView data)
{
    if (m_finished)
        return makeError(ErrorCode::Internal, "write after finish");
    while (!data.empty()) {
        const std::size_t take = std::min(data.size(), kChunkSize - m_plain.size());
        m_plain.insert(m_plain.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
        data = data.subspan(take);
        m_written += take;
        // A full chunk can go at once: the final chunk is the short one, even if empty.
        if (m_plain.size() == kChunkSize)
            COFFER_TRY(flushChunk());
    }
    return Status::success();
}

Status PayloadWriter::finish()
{
    if (m_finished)
        return Status::success();
    m_finished = true;
    return flushChunk();
}

// ---- streaming reader ----

PayloadReader::PayloadReader(ChunkCipher cipher, ByteSource& source) : m_cipher(std::move(cipher)), m_source(&source)
{
    m_sealed.reserve(kSealedChunkSize + 1);
    m_plain.reserve(kChunkSize);
}

PayloadReader::PayloadReader(PayloadReader&&) noexcept = default;
PayloadReader::~PayloadReader() = default;

namespace {

// Reads until `buffer` holds `want` bytes or the source ends.
Status fill(ByteSource& source, Bytes& buffer, std::size_t want)
{
    while (buffer.size() < want) {
        const std::size_t have = buffer.size();
        buffer.resize(want);
        auto n = source.read(MutableByteView(buffer).subspan(have));
        if (!n.ok()) {
            buffer.resize(have);
            return n.error();
        }
        buffer.resize(have + *n);
        if (*n == 0)
            break;
    }
    return Status::success();
}

} // namespace

Result<PayloadReader> PayloadReader::create(ByteView inputKey, ByteSource& source, ByteView context)
{
    Bytes prefix;
    COFFER_TRY(fill(source, prefix, kPayloadPrefixSize));
    if (prefix.size() < kPayloadPrefixSize)
        return truncated();
    auto cipher = ChunkCipher::forDecryption(inputKey, context, prefix);
    COFFER_TRY(cipher);
    return PayloadReader(std::move(*cipher), source);
}

Status PayloadReader::nextChunk()
{
    // Read one sealed chunk plus one byte: only then do we know whether this
    // chunk is the final one.
    COFFER_TRY(fill(*m_source, m_sealed, kSealedChunkSize + 1));
    const bool isFinal = m_sealed.size() <= kSealedChunkSize;
    const std::size_t sealedSize = isFinal ? m_sealed.size() : kSealedChunkSize;
    if (sealedSize < kGcmTagSize || (isFinal && sealedSize == kSealedChunkSize))
        return truncated(); // a full-size last chunk means the short final one is missing
    if (m_index >= kMaxChunks)
        return makeError(ErrorCode::LimitExceeded, "the payload has more than 2^38 chunks");
    m_plain.resize(sealedSize - kGcmTagSize);
    COFFER_TRY(m_cipher.openChunk(m_index, ByteView(m_sealed).first(sealedSize), m_plain));
    m_sealed.erase(m_sealed.begin(), m_sealed.begin() + static_cast<std::ptrdiff_t>(sealedSize));
    m_plainPos = 0;
    ++m_index;
    m_done = isFinal;
    return Status::success();
}

Result<std::size_t> PayloadReader::read(MutableByteView out)
{
    if (m_error)
        return *m_error;
    std::size_t total = 0;
    while (total < out.size()) {
        if (m_plainPos == m_plain.size()) {
            if (m_done)
                break;
            auto status = nextChunk();
            if (!status.ok()) {
                m_plain.clear();
                m_plainPos = 0;
                m_error = status.error();
                if (total > 0)
                    return total; // release what authenticated; the error comes next call
                return *m_error;
            }
            continue;
        }
        const std::size_t take = std::min(out.size() - total, m_plain.size() - m_plainPos);
        std::memcpy(out.data() + total, m_plain.data() + m_plainPos, take);
        m_plainPos += take;
        total += take;
    }
    return total;
}

} // namespace coffer::crypto
