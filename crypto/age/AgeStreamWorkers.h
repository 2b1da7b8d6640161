// What the STREAM writer and reader share: one ChaCha20-Poly1305 key schedule
// per pool worker (a schedule is not thread-safe), and the batch size.
#pragma once

#include "AgeAead.h"
#include "WorkerPool.h"

#include <algorithm>
#include <vector>

namespace coffer::crypto::age {

/// Chunks per batch: 2 MiB of plaintext, enough for every core to take
/// several chunks per job without holding much memory (three batches).
inline constexpr std::size_t kStreamBatchChunks = 32;

/// Grows `buffer` to at least `size` bytes (at least doubling, at most `max`):
/// buffers start small, so a small file costs little, and reach their full
/// size once, so large files do not pay for zero-filling on every batch.
template <typename Buffer> void growBuffer(Buffer& buffer, std::size_t size, std::size_t max)
{
    if (buffer.size() < size)
        buffer.resize(std::min(max, std::max(size, 2 * buffer.size())));
}

struct StreamCiphers {
    static Result<StreamCiphers> create(ByteView payloadKey, WorkerPool& pool);
    std::vector<ChaChaPoly> perWorker;
    WorkerPool* pool = nullptr;
};

} // namespace coffer::crypto::age
