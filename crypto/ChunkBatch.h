// Seals or opens a run of consecutive payload chunks on all cores
// (FORMAT.md §4: chunks are independent). Each pool worker uses its own key
// schedule. start*() returns at once so the caller can read or write
// meanwhile; wait() reports how many leading chunks succeeded.
#pragma once

#include "PayloadStream.h"
#include "WorkerPool.h"

#include <optional>
#include <vector>

namespace coffer::crypto {

class ChunkBatch {
public:
    static Result<ChunkBatch> create(const ChunkCipher& cipher, WorkerPool& pool = WorkerPool::shared());
    ChunkBatch(ChunkBatch&&) noexcept = default;

    /// Chunks [first, first + count): every chunk is 16 KiB of plaintext except
    /// the last, which has `lastSize` bytes. Chunk i's plaintext is at
    /// plain + i * `plainStride`; `sealed` holds the sealed chunks back to back.
    /// With plain == sealed and the sealed stride, chunks are sealed in place.
    void startSeal(std::uint64_t first, const std::uint8_t* plain, std::size_t count, std::size_t lastSize,
                   std::uint8_t* sealed, std::size_t plainStride = kSealedChunkSize);
    /// The same for opening; `lastSize` is the last chunk's plaintext size.
    void startOpen(std::uint64_t first, const std::uint8_t* sealed, std::size_t count, std::size_t lastSize,
                   std::uint8_t* plain);

    struct Outcome {
        std::size_t goodChunks = 0; // leading chunks that succeeded
        std::optional<Error> error; // the first failure, if any
    };
    Outcome wait();
    bool busy() const { return m_busy; }

private:
    ChunkBatch() = default;
    std::vector<ChunkCipher> m_ciphers;
    WorkerPool* m_pool = nullptr;
    std::vector<Status> m_status;
    bool m_busy = false;
};

} // namespace coffer::crypto
