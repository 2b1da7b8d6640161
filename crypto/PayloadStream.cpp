#include "PayloadStream.h"

#include "ChunkBatch.h"

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

// ---- streaming reader ----

PayloadReader::PayloadReader(ChunkCipher cipher, ByteSource& source) : m_cipher(std::move(cipher)), m_source(&source)
{
    for (auto& slot : m_slots) {
        slot.sealed.reserve(kBatchChunks * kSealedChunkSize + 1);
        slot.plain.resize(kBatchChunks * kChunkSize);
    }
}

PayloadReader::PayloadReader(PayloadReader&&) noexcept = default;

PayloadReader::~PayloadReader()
{
    if (m_batcher)
        m_batcher->wait(); // the workers may still be writing into a slot
}

namespace {

// Reads until `buffer` holds `want` bytes or the source ends.
Status fill(ByteSource& source, Bytes& buffer, std::size_t want)
{
    std::size_t have = buffer.size();
    buffer.resize(want);
    while (have < want) {
        auto n = source.read(MutableByteView(buffer).subspan(have));
        if (!n.ok()) {
            buffer.resize(have);
            return n.error();
        }
        if (*n == 0)
            break;
        have += *n;
    }
    buffer.resize(have);
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
    auto batcher = ChunkBatch::create(*cipher);
    COFFER_TRY(batcher);
    PayloadReader reader(std::move(*cipher), source);
    reader.m_batcher = std::make_unique<ChunkBatch>(std::move(*batcher));
    return reader;
}

Status PayloadReader::launch(Slot& slot)
{
    // Read a batch of sealed chunks plus one byte: only then do we know whether
    // the batch holds the final chunk.
    slot.sealed.swap(m_carry);
    m_carry.clear();
    COFFER_TRY(fill(*m_source, slot.sealed, kBatchChunks * kSealedChunkSize + 1));
    slot.atEnd = slot.sealed.size() <= kBatchChunks * kSealedChunkSize;
    slot.count = kBatchChunks;
    slot.lastSize = kChunkSize;
    slot.lengthError.reset();
    if (slot.atEnd) {
        const std::size_t full = slot.sealed.size() / kSealedChunkSize;
        const std::size_t rest = slot.sealed.size() % kSealedChunkSize;
        if (rest < kGcmTagSize) {
            // A missing or partial final chunk: release the full chunks, then fail.
            slot.count = full;
            slot.lengthError = truncated();
        } else {
            slot.count = full + 1;
            slot.lastSize = rest - kGcmTagSize;
        }
    } else {
        m_carry.assign(slot.sealed.begin() + static_cast<std::ptrdiff_t>(kBatchChunks * kSealedChunkSize),
                       slot.sealed.end());
    }
    if (m_nextIndex + slot.count > kMaxChunks)
        return makeError(ErrorCode::LimitExceeded, "the payload has more than 2^38 chunks");
    slot.first = m_nextIndex;
    m_nextIndex += slot.count;
    if (slot.count > 0) {
        m_batcher->startOpen(slot.first, slot.sealed.data(), slot.count, slot.lastSize, slot.plain.data());
        slot.busy = true;
    }
    return Status::success();
}

Status PayloadReader::nextBatch()
{
    Slot& slot = m_slots[m_current];
    if (!slot.busy && !slot.atEnd)
        COFFER_TRY(launch(slot)); // the first batch, or after a batch with no chunks
    ChunkBatch::Outcome outcome;
    if (slot.busy) {
        outcome = m_batcher->wait();
        slot.busy = false;
    }
    m_plainPos = 0;
    m_plainEnd = outcome.goodChunks == 0            ? 0
                 : outcome.goodChunks == slot.count ? (slot.count - 1) * kChunkSize + slot.lastSize
                                                    : outcome.goodChunks * kChunkSize;
    if (outcome.error)
        m_pending = outcome.error;
    else if (slot.lengthError)
        m_pending = slot.lengthError;
    m_done = slot.atEnd;
    // Start opening the next batch while the caller reads this one.
    if (!m_done && !m_pending) {
        Slot& next = m_slots[1 - m_current];
        next.atEnd = false;
        COFFER_TRY(launch(next));
    }
    return Status::success();
}

Result<std::size_t> PayloadReader::read(MutableByteView out)
{
    if (m_error)
        return *m_error;
    std::size_t total = 0;
    while (total < out.size()) {
        if (m_plainPos == m_plainEnd) {
            if (m_pending) {
                // Release what authenticated first; the error comes with the next call.
                m_error = m_pending;
                for (auto& slot : m_slots) {
                    if (slot.busy)
                        m_batcher->wait();
                    slot.busy = false;
                    secureWipe(slot.plain.data(), slot.plain.size());
                }
                return total > 0 ? Result<std::size_t>(total) : Result<std::size_t>(*m_error);
            }
            if (m_done)
                break;
            if (m_plainEnd > 0 || m_slots[1 - m_current].busy)
                m_current = 1 - m_current; // the read-ahead batch becomes current
            auto status = nextBatch();
            if (!status.ok()) {
                m_error = status.error();
                return total > 0 ? Result<std::size_t>(total) : Result<std::size_t>(*m_error);
            }
            continue;
        }
        const std::size_t take = std::min(out.size() - total, m_plainEnd - m_plainPos);
        std::memcpy(out.data() + total, m_slots[m_current].plain.data() + m_plainPos, take);
        m_plainPos += take;
        total += take;
    }
    return total;
}

} // namespace coffer::crypto
