// The age payload (C2SP age.md, "Payload"; FORMAT.md §13): STREAM over
// ChaCha20-Poly1305 with 64 KiB chunks. Chunk i's nonce is i as an 11-byte
// big-endian counter, then 0x01 for the final chunk and 0x00 before it. The
// final chunk may be full-sized; it is empty only if the whole payload is.
// Batches of chunks are sealed and opened on all cores (WorkerPool), while
// the caller's thread reads or writes the next batch.
#pragma once

#include "Age.h"
#include "AgeAead.h"
#include "ByteStream.h"

#include <memory>

namespace coffer::crypto::age {

inline constexpr std::size_t kSealedAgeChunkSize = kAgeChunkSize + kAeadTagSize;
inline constexpr std::size_t kPayloadNonceSize = 16;

/// payload key = HKDF-SHA-256(ikm = file key, salt = nonce, info = "payload")
Result<SecureBytes> payloadKey(ByteView fileKey, ByteView nonce);
/// The 12-byte STREAM nonce of chunk `index`.
AeadNonce chunkNonce(std::uint64_t index, bool last);

/// Seals plaintext into the payload's chunks (after the 16-byte nonce, which
/// the caller writes). finish() seals the final chunk.
class StreamWriter {
public:
    static Result<std::unique_ptr<StreamWriter>> create(ByteView payloadKey, ByteSink& sink);
    ~StreamWriter();
    Status write(ByteView data);
    /// Reads exactly `size` bytes from `source` straight into the chunks: no
    /// copy between reading and sealing. Fails if the source ends early.
    Status writeFrom(ByteSource& source, std::uint64_t size);
    Status finish();

    struct Impl;

private:
    explicit StreamWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// Opens the payload's chunks (after the nonce). read() gives only chunks
/// whose tag verified, returns 0 only after a valid final chunk and the end
/// of the input, and once it has failed it keeps failing.
class StreamReader {
public:
    static Result<std::unique_ptr<StreamReader>> create(ByteView payloadKey, ByteSource& source);
    ~StreamReader();
    Result<std::size_t> read(MutableByteView out);

    struct Impl;

private:
    explicit StreamReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace coffer::crypto::age
