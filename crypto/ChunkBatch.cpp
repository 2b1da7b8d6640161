#include "ChunkBatch.h"

namespace coffer::crypto {

Result<ChunkBatch> ChunkBatch::create(const ChunkCipher& cipher, WorkerPool& pool)
{
    ChunkBatch batch;
    batch.m_pool = &pool;
    for (unsigned i = 0; i < pool.size(); ++i) {
        auto c = cipher.clone();
        COFFER_TRY(c);
        batch.m_ciphers.push_back(std::move(*c));
    }
    return batch;
}

void ChunkBatch::startSeal(std::uint64_t first, const std::uint8_t* plain, std::size_t count, std::size_t lastSize,
                           std::uint8_t* sealed, std::size_t plainStride)
{
    m_status.assign(count, Status::success());
    m_busy = true;
    m_pool->submit(count, [=, this](unsigned worker, std::size_t i) {
        const std::size_t size = i + 1 == count ? lastSize : kChunkSize;
        m_status[i] = m_ciphers[worker].sealChunk(first + i, ByteView(plain + i * plainStride, size),
                                                  MutableByteView(sealed + i * kSealedChunkSize, size + kGcmTagSize));
    });
}

void ChunkBatch::startOpen(std::uint64_t first, const std::uint8_t* sealed, std::size_t count, std::size_t lastSize,
                           std::uint8_t* plain)
{
    m_status.assign(count, Status::success());
    m_busy = true;
    m_pool->submit(count, [=, this](unsigned worker, std::size_t i) {
        const std::size_t size = i + 1 == count ? lastSize : kChunkSize;
        m_status[i] =
            m_ciphers[worker].openChunk(first + i, ByteView(sealed + i * kSealedChunkSize, size + kGcmTagSize),
                                        MutableByteView(plain + i * kChunkSize, size));
    });
}

ChunkBatch::Outcome ChunkBatch::wait()
{
    Outcome outcome;
    if (!m_busy)
        return outcome;
    m_pool->wait();
    m_busy = false;
    for (const auto& st : m_status) {
        if (!st.ok()) {
            outcome.error = st.error();
            break;
        }
        ++outcome.goodChunks;
    }
    return outcome;
}

} // namespace coffer::crypto
