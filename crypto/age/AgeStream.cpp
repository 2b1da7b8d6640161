// STREAM writer (age.md, "Payload") and the helpers both directions share.
#include "AgeStream.h"

#include "AgeStreamWorkers.h"
#include "WriteBehind.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace coffer::crypto::age {

Result<SecureBytes> payloadKey(ByteView fileKey, ByteView nonce)
{
    return hkdfSha256(fileKey, nonce, asBytes("payload"), 32);
}

AeadNonce chunkNonce(std::uint64_t index, bool last)
{
    AeadNonce nonce{}; // the counter's top 3 of 11 bytes stay zero: 2^64 chunks is out of reach
    for (int i = 0; i < 8; ++i)
        nonce[10 - i] = static_cast<std::uint8_t>(index >> (8 * i));
    nonce[11] = last ? 1 : 0;
    return nonce;
}

Result<StreamCiphers> StreamCiphers::create(ByteView payloadKey, WorkerPool& pool)
{
    StreamCiphers ciphers;
    ciphers.pool = &pool;
    for (unsigned i = 0; i < pool.size(); ++i) {
        auto aead = ChaChaPoly::create(payloadKey);
        COFFER_TRY(aead);
        ciphers.perWorker.push_back(std::move(*aead));
    }
    return ciphers;
}

// ---- writer ----

namespace {
constexpr std::size_t kBatchBytes = kStreamBatchChunks * kSealedAgeChunkSize;
}

struct StreamWriter::Impl {
    // Plaintext is gathered at the chunks' sealed positions (stride 64 KiB + 16)
    // and sealed in place. Three buffers take turns: one filling, one being
    // sealed by the workers, one being written by the writer thread.
    struct Batch {
        SecureBytes buffer;
        std::size_t used = 0;       // plaintext bytes gathered
        std::size_t sealedSize = 0; // bytes to write once sealed
        std::uint64_t ticket = 0;   // WriteBehind ticket while being written
    };

    StreamCiphers ciphers;
    ByteSink* sink = nullptr;
    Batch batches[3];
    std::vector<std::uint8_t> sealedOk;
    int filling = 0;
    int sealing = 0;
    bool inflight = false;
    std::uint64_t index = 0;
    bool finished = false;
    std::unique_ptr<WriteBehind> writer; // after the buffers: destroyed first

    ~Impl()
    {
        if (inflight)
            ciphers.pool->wait(); // never leave workers writing into freed buffers
        writer.reset();           // nor the writer thread reading them
    }
    Status writeSealed();
    Status dispatch(bool final);
    /// Gives `put` the room left in the current chunk until it puts nothing.
    Status fill(std::uint64_t size, const std::function<Result<std::size_t>(MutableByteView room)>& put);
};

StreamWriter::StreamWriter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
StreamWriter::~StreamWriter() = default;

Result<std::unique_ptr<StreamWriter>> StreamWriter::create(ByteView payloadKey, ByteSink& sink)
{
    auto ciphers = StreamCiphers::create(payloadKey, WorkerPool::shared());
    COFFER_TRY(ciphers);
    auto impl = std::make_unique<Impl>();
    impl->ciphers = std::move(*ciphers);
    impl->sink = &sink;
    impl->writer = std::make_unique<WriteBehind>(sink);
    return std::unique_ptr<StreamWriter>(new StreamWriter(std::move(impl)));
}

Status StreamWriter::Impl::writeSealed()
{
    if (!inflight)
        return Status::success();
    inflight = false;
    ciphers.pool->wait();
    if (std::find(sealedOk.begin(), sealedOk.end(), 0) != sealedOk.end())
        return makeError(ErrorCode::Internal, "sealing an age chunk failed");
    Batch& sealed = batches[sealing];
    sealed.ticket = writer->post(ByteView(sealed.buffer).first(sealed.sealedSize));
    return Status::success();
}

Status StreamWriter::Impl::dispatch(bool final)
{
    // A batch goes out only once more data follows it (or at finish), so its
    // last chunk is known to be a middle chunk or the final one.
    Batch& b = batches[filling];
    const std::size_t count =
        final ? std::max<std::size_t>(1, (b.used + kAgeChunkSize - 1) / kAgeChunkSize) : kStreamBatchChunks;
    const std::size_t lastSize = b.used - (count - 1) * kAgeChunkSize;
    growBuffer(b.buffer, (count - 1) * kSealedAgeChunkSize + lastSize + kAeadTagSize, kBatchBytes);
    COFFER_TRY(writeSealed());
    b.sealedSize = b.used + count * kAeadTagSize;
    sealedOk.assign(count, 0);
    std::uint8_t* base = b.buffer.data();
    const std::uint64_t first = index;
    ciphers.pool->submit(count, [this, base, count, lastSize, first, final](unsigned worker, std::size_t i) {
        const bool last = i + 1 == count;
        const std::size_t size = last ? lastSize : kAgeChunkSize;
        std::uint8_t* at = base + i * kSealedAgeChunkSize;
        sealedOk[i] = ciphers.perWorker[worker]
                          .seal(chunkNonce(first + i, final && last), ByteView(at, size),
                                MutableByteView(at, size + kAeadTagSize))
                          .ok();
    });
    inflight = true;
    sealing = filling;
    index += count;
    filling = (filling + 1) % 3;
    Batch& next = batches[filling];
    COFFER_TRY(writer->waitFor(next.ticket)); // also reports a failed write
    next.ticket = 0;
    next.used = 0;
    return Status::success();
}

Status StreamWriter::Impl::fill(std::uint64_t size, const std::function<Result<std::size_t>(MutableByteView room)>& put)
{
    if (finished)
        return makeError(ErrorCode::Internal, "write after finish");
    // A full batch goes out only once more data is due (dispatch()), so the
    // size is known up front: a source cannot be asked whether it has more.
    while (size > 0) {
        if (batches[filling].used == kStreamBatchChunks * kAgeChunkSize)
            COFFER_TRY(dispatch(false));
        auto& b = batches[filling];
        const std::size_t inChunk = b.used % kAgeChunkSize;
        const std::size_t room = static_cast<std::size_t>(std::min<std::uint64_t>(size, kAgeChunkSize - inChunk));
        const std::size_t at = (b.used / kAgeChunkSize) * kSealedAgeChunkSize + inChunk;
        growBuffer(b.buffer, at + room, kBatchBytes);
        auto got = put(MutableByteView(b.buffer.data() + at, room));
        COFFER_TRY(got);
        if (*got == 0 || *got > room)
            return makeError(ErrorCode::Io, "the input ended early");
        b.used += *got;
        size -= *got;
    }
    return Status::success();
}

Status StreamWriter::write(ByteView data)
{
    return m_impl->fill(data.size(), [&data](MutableByteView room) -> Result<std::size_t> {
        std::memcpy(room.data(), data.data(), room.size());
        data = data.subspan(room.size());
        return room.size();
    });
}

Status StreamWriter::writeFrom(ByteSource& source, std::uint64_t size)
{
    return m_impl->fill(size, [&source](MutableByteView room) { return source.read(room); });
}

Status StreamWriter::finish()
{
    auto& d = *m_impl;
    if (d.finished)
        return Status::success();
    d.finished = true;
    COFFER_TRY(d.dispatch(true));
    COFFER_TRY(d.writeSealed());
    return d.writer->flush();
}

} // namespace coffer::crypto::age
