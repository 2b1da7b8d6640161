#include "PayloadStream.h"

#include "ChunkBatch.h"
#include "WriteBehind.h"

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

namespace {
constexpr std::size_t kBatchChunks = 64; // 1 MiB of plaintext per batch

// Chunks [first, first + count) gathered at their sealed places from `at`,
// sealed where they are; the last has `lastSize` bytes of plaintext.
Status sealInPlace(ChunkCipher& cipher, std::uint64_t first, std::uint8_t* at, std::size_t count, std::size_t lastSize)
{
    for (std::size_t i = 0; i < count; ++i, at += kSealedChunkSize) {
        const std::size_t size = i + 1 == count ? lastSize : kChunkSize;
        COFFER_TRY(cipher.sealChunk(first + i, ByteView(at, size), MutableByteView(at, size + kGcmTagSize)));
    }
    return Status::success();
}
} // namespace

PayloadWriter::PayloadWriter(ChunkCipher cipher, ByteSink& sink) : m_cipher(std::move(cipher)), m_sink(&sink)
{
    for (auto& b : m_batches)
        b.buffer.resize(kBatchChunks * kSealedChunkSize);
}

PayloadWriter::PayloadWriter(PayloadWriter&&) noexcept = default;

PayloadWriter::~PayloadWriter()
{
    if (m_batcher)
        m_batcher->wait(); // never leave workers writing into freed buffers
    m_writer.reset();      // nor the writer thread reading them
}

Result<PayloadWriter> PayloadWriter::create(ByteView inputKey, ByteSink& sink, ByteView context)
{
    auto cipher = ChunkCipher::forEncryption(inputKey, context);
    COFFER_TRY(cipher);
    auto batcher = ChunkBatch::create(*cipher);
    COFFER_TRY(batcher);
    PayloadWriter writer(std::move(*cipher), sink);
    writer.m_batcher = std::make_unique<ChunkBatch>(std::move(*batcher));
    COFFER_TRY(sink.write(writer.m_cipher.prefix()));
    writer.m_writer = std::make_unique<WriteBehind>(sink);
    return writer;
}

Status PayloadWriter::writeSealed()
{
    // The batch the workers were given, once sealed, goes to the writer thread.
    if (!m_inflight)
        return Status::success();
    m_inflight = false;
    const auto outcome = m_batcher->wait();
    if (outcome.error)
        return *outcome.error;
    Batch& sealed = m_batches[m_sealing];
    sealed.writeTicket = m_writer->post(ByteView(sealed.buffer).first(sealed.sealedSize));
    return Status::success();
}

Status PayloadWriter::drain()
{
    COFFER_TRY(writeSealed());
    return m_writer->flush();
}

Status PayloadWriter::dispatch(bool final)
{
    // The batch the workers sealed meanwhile goes to the writer thread, this
    // one to the workers (or, sealed behind, straight to the writer thread),
    // and the caller gathers into the third buffer once its earlier write is
    // done: reading, sealing and writing overlap.
    Batch& b = m_batches[m_fill];
    const std::size_t full = b.used / kChunkSize;
    const std::size_t rest = b.used % kChunkSize;
    // Only the final dispatch may hold a short chunk (the final one, maybe empty).
    const std::size_t count = final ? full + 1 : full;
    const std::size_t lastSize = final ? rest : kChunkSize;
    if (count + m_index > kMaxChunks)
        return makeError(ErrorCode::LimitExceeded, "the payload would exceed 2^38 chunks");
    COFFER_TRY(writeSealed());
    b.sealedSize = full * kSealedChunkSize + (final ? rest + kGcmTagSize : 0);
    if (count > 0 && m_sealBehind) {
        // Sealed by the writer thread, just before it writes them.
        b.writeTicket = m_writer->post(ByteView(b.buffer).first(b.sealedSize),
                                       [cipher = m_behindCipher.get(), first = m_index, at = b.buffer.data(), count,
                                        lastSize] { return sealInPlace(*cipher, first, at, count, lastSize); });
    } else if (count > 0) {
        m_batcher->startSeal(m_index, b.buffer.data(), count, lastSize, b.buffer.data());
        m_inflight = true;
        m_sealing = m_fill;
    }
    m_index += count;
    m_fill = (m_fill + 1) % 3;
    Batch& next = m_batches[m_fill];
    COFFER_TRY(m_writer->waitFor(next.writeTicket)); // also reports a failed write
    next.writeTicket = 0;
    next.used = 0;
    return Status::success();
}

Status PayloadWriter::sealBehind(bool on)
{
    if (on && !m_behindCipher) {
        auto cipher = m_cipher.clone();
        COFFER_TRY(cipher);
        m_behindCipher = std::make_unique<ChunkCipher>(std::move(*cipher));
    }
    m_sealBehind = on;
    return Status::success();
}

Status PayloadWriter::write(ByteView data)
{
    m_reservedBytes = 0; // a reservation not committed is void
    if (m_finished)
        return makeError(ErrorCode::Internal, "write after finish");
    while (!data.empty()) {
        Batch& b = m_batches[m_fill];
        const std::size_t chunk = b.used / kChunkSize;
        const std::size_t inChunk = b.used % kChunkSize;
        const std::size_t take = std::min(data.size(), kChunkSize - inChunk);
        std::memcpy(b.buffer.data() + chunk * kSealedChunkSize + inChunk, data.data(), take);
        b.used += take;
        data = data.subspan(take);
        m_written += take;
        // A full batch can go at once: the final chunk is the short one, even if empty.
        if (b.used == kBatchChunks * kChunkSize)
            COFFER_TRY(dispatch(false));
    }
    return Status::success();
}

std::span<const MutableByteView> PayloadWriter::reserve(std::size_t max)
{
    m_reserved.clear();
    m_reservedBytes = 0;
    Batch& b = m_batches[m_fill];
    std::size_t at = b.used;
    while (m_reservedBytes < max && at < kBatchChunks * kChunkSize) {
        const std::size_t inChunk = at % kChunkSize;
        const std::size_t take = std::min(max - m_reservedBytes, kChunkSize - inChunk);
        m_reserved.emplace_back(b.buffer.data() + (at / kChunkSize) * kSealedChunkSize + inChunk, take);
        m_reservedBytes += take;
        at += take;
    }
    return m_reserved;
}

Status PayloadWriter::commit(std::size_t filled)
{
    if (m_finished || filled > m_reservedBytes)
        return makeError(ErrorCode::Internal, "commit beyond the reserved space");
    m_reserved.clear();
    m_reservedBytes = 0;
    Batch& b = m_batches[m_fill];
    b.used += filled;
    m_written += filled;
    if (b.used == kBatchChunks * kChunkSize)
        COFFER_TRY(dispatch(false));
    return Status::success();
}

Status PayloadWriter::finish()
{
    if (m_finished)
        return Status::success();
    m_finished = true;
    COFFER_TRY(dispatch(true));
    return drain();
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
