// PayloadWriter (PayloadStream.h): streaming encryption in batches of
// chunks, sealed on every core or, behind, on the writer thread.
#include "PayloadStream.h"

#include "ChunkBatch.h"
#include "WriteBehind.h"

#include <cstring>

namespace coffer::crypto {

namespace {

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

} // namespace coffer::crypto
