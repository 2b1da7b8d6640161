// The payload: C2SP chunked-encryption instantiated as Cobblestone-256
// (AES-256-GCM, HKDF-Expand-SHA-512, 16 KiB chunks), FORMAT.md §4.
// Chunk i is sealed with nonce = base nonce XOR i, so any chunk can be opened
// alone (random access); the final chunk is always shorter than 16 KiB, which
// authenticates the length.
#pragma once

#include "ByteStream.h"
#include "Primitives.h"
#include "Result.h"
#include "SecureMemory.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace coffer::crypto {

inline constexpr std::size_t kChunkSize = 16 * 1024;
inline constexpr std::size_t kSealedChunkSize = kChunkSize + kGcmTagSize;
/// Chunks sealed or opened together by PayloadWriter and PayloadReader (1 MiB of plaintext).
inline constexpr std::size_t kBatchChunks = 64;
inline constexpr std::size_t kPayloadSaltSize = 24;
inline constexpr std::size_t kCommitmentSize = 32;
inline constexpr std::size_t kPayloadPrefixSize = kPayloadSaltSize + kCommitmentSize; // 56
inline constexpr std::uint64_t kMaxChunks = std::uint64_t(1) << 38;
inline constexpr std::string_view kPayloadContext = "coffer/v1/payload";

/// Where things are in a payload of a given ciphertext length.
struct PayloadLayout {
    std::uint64_t chunkCount = 0; // including the short final chunk
    std::uint64_t plaintextLength = 0;
    std::size_t finalChunkPlainSize = 0;

    /// Fails (Damaged) for lengths no honest encryption produces (truncation).
    static Result<PayloadLayout> fromCiphertextLength(std::uint64_t length);
    static PayloadLayout fromPlaintextLength(std::uint64_t length);
    static std::uint64_t chunkOffset(std::uint64_t index) { return kPayloadPrefixSize + index * kSealedChunkSize; }
    std::size_t chunkPlainSize(std::uint64_t index) const
    {
        return index + 1 == chunkCount ? finalChunkPlainSize : kChunkSize;
    }
};

/// The per-payload key schedule: derives key, base nonce and commitment from
/// the input key and salt, then seals or opens single chunks. One object per
/// thread; clone() makes another with the same keys.
class ChunkCipher {
public:
    /// Encryption: a fresh random salt (or `salt` for deterministic tests).
    static Result<ChunkCipher> forEncryption(ByteView inputKey, ByteView context,
                                             std::optional<ByteView> salt = std::nullopt);
    /// Decryption: checks the prefix's commitment before anything is opened.
    static Result<ChunkCipher> forDecryption(ByteView inputKey, ByteView context, ByteView prefix);
    /// Raw mode (the appendix of chunked-encryption.md), for test vectors.
    static Result<ChunkCipher> raw(ByteView aeadKey, ByteView baseNonce);

    ~ChunkCipher();
    ChunkCipher(ChunkCipher&&) noexcept;
    ChunkCipher& operator=(ChunkCipher&&) noexcept;
    Result<ChunkCipher> clone() const;

    /// salt || commitment, the 56 bytes that start the payload.
    ByteView prefix() const;

    /// `out` must be plain.size() + 16 bytes; plain.size() <= 16 KiB.
    Status sealChunk(std::uint64_t index, ByteView plain, MutableByteView out);
    /// Opens chunk `index`; `out` is sealed.size() - 16 bytes and is wiped on failure.
    Status openChunk(std::uint64_t index, ByteView sealed, MutableByteView out);

private:
    ChunkCipher();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

class ChunkBatch;
class WriteBehind;

/// Streaming encryption: plaintext is gathered into batches of chunks that are
/// sealed on all cores while the caller gathers the next batch and a writer
/// thread writes the previous one; finish() seals the short final chunk.
class PayloadWriter {
public:
    static Result<PayloadWriter> create(ByteView inputKey, ByteSink& sink,
                                        ByteView context = asContext(kPayloadContext));
    PayloadWriter(PayloadWriter&&) noexcept;
    ~PayloadWriter();
    Status write(ByteView data);
    /// Zero-copy input: free space of the batch being gathered, at most `max`
    /// bytes, as pieces in order (one per chunk slot). Fill them from the
    /// start, then commit() how many bytes were filled; write() and reserve()
    /// may not come in between.
    std::span<const MutableByteView> reserve(std::size_t max);
    Status commit(std::size_t filled);
    /// From the next batch on, seals on the writer thread, just before
    /// writing, instead of on every core: for a caller that keeps a core busy
    /// itself (hashing what it reads), so that reading, sealing and writing
    /// take two threads, not four that contend for the cores.
    Status sealBehind(bool on);
    Status finish();
    std::uint64_t plaintextWritten() const { return m_written; }

    static ByteView asContext(std::string_view s)
    {
        return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
    }

private:
    // Plaintext is gathered at the chunks' sealed positions (stride 16 KiB + 16)
    // and sealed in place: one copy in, none between plaintext and ciphertext.
    // Three buffers take turns: one filling, one sealing, one being written.
    struct Batch {
        SecureBytes buffer;
        std::size_t used = 0;          // plaintext bytes gathered
        std::size_t sealedSize = 0;    // bytes to write once sealed
        std::uint64_t writeTicket = 0; // WriteBehind ticket while being written
    };
    PayloadWriter(ChunkCipher cipher, ByteSink& sink);
    Status dispatch(bool final);
    Status writeSealed();
    Status drain();

    ChunkCipher m_cipher;
    std::unique_ptr<ChunkCipher> m_behindCipher; // the writer thread's, once sealBehind() was asked
    bool m_sealBehind = false;
    std::unique_ptr<ChunkBatch> m_batcher;
    ByteSink* m_sink;
    Batch m_batches[3];
    std::vector<MutableByteView> m_reserved;
    std::size_t m_reservedBytes = 0;
    int m_fill = 0;    // the batch being gathered
    int m_sealing = 0; // the batch the workers seal, if m_inflight
    bool m_inflight = false;
    // After m_batches: destroyed first, so its thread never sees freed buffers.
    std::unique_ptr<WriteBehind> m_writer;
    std::uint64_t m_index = 0;
    std::uint64_t m_written = 0;
    bool m_finished = false;
};

/// Streaming decryption from a source that may be a pipe: batches of chunks
/// are opened on all cores; a chunk's plaintext is released only after its
/// tag verifies, truncation is reported at the end, and once it has failed it
/// keeps failing.
class PayloadReader {
public:
    static Result<PayloadReader> create(ByteView inputKey, ByteSource& source,
                                        ByteView context = PayloadWriter::asContext(kPayloadContext));
    PayloadReader(PayloadReader&&) noexcept;
    ~PayloadReader();
    /// Fills `out` with up to out.size() bytes; returns 0 at the authenticated end.
    Result<std::size_t> read(MutableByteView out);

private:
    // Two batches: the one being read out, and the next one, whose chunks the
    // workers open meanwhile (read-ahead), so decryption overlaps the caller.
    struct Slot {
        Bytes sealed;
        SecureBytes plain;
        std::uint64_t first = 0;
        std::size_t count = 0;
        std::size_t lastSize = 0;
        bool atEnd = false;
        bool busy = false;
        std::optional<Error> lengthError;
    };
    PayloadReader(ChunkCipher cipher, ByteSource& source);
    Status launch(Slot& slot);
    Status nextBatch();

    ChunkCipher m_cipher;
    std::unique_ptr<ChunkBatch> m_batcher;
    ByteSource* m_source;
    Slot m_slots[2];
    int m_current = 0;
    Bytes m_carry; // sealed bytes read past the last launched batch
    std::uint64_t m_nextIndex = 0;
    std::size_t m_plainEnd = 0;
    std::size_t m_plainPos = 0;
    bool m_done = false;
    std::optional<Error> m_pending; // a failure after the released chunks
    std::optional<Error> m_error;
};

} // namespace coffer::crypto
