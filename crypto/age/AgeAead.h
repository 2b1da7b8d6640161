// ChaCha20-Poly1305 (RFC 8439) as age uses it (C2SP age.md, "Payload" and the
// stanza bodies; FORMAT.md §13): a fixed 32-byte key, 12-byte nonces, no
// associated data. Opening checks the tag over the ciphertext first and only
// then decrypts, so no unauthenticated plaintext is ever written, and a failed
// attempt costs only the MAC (the payload reader tries a full chunk twice:
// as a middle chunk, then as the final one).
#pragma once

#include "Result.h"
#include "SecureMemory.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

namespace coffer::crypto::age {

inline constexpr std::size_t kAeadTagSize = 16;
using AeadNonce = std::array<std::uint8_t, 12>;

/// One key schedule, for many messages. Not thread-safe: one object per thread.
class ChaChaPoly {
public:
    /// `key` must be 32 bytes.
    static Result<ChaChaPoly> create(ByteView key);
    ~ChaChaPoly();
    ChaChaPoly(ChaChaPoly&&) noexcept;
    ChaChaPoly& operator=(ChaChaPoly&&) noexcept;

    /// `out` is plain.size() + 16 bytes (ciphertext then tag); it may alias `plain` from its start.
    Status seal(const AeadNonce& nonce, ByteView plain, MutableByteView out);
    /// False (and nothing written) if the tag does not verify; `out` is sealed.size() - 16
    /// bytes and may alias `sealed` from its start.
    bool open(const AeadNonce& nonce, ByteView sealed, MutableByteView out);

private:
    ChaChaPoly();
    void start(const AeadNonce& nonce);
    std::array<std::uint8_t, 16> tag(ByteView ciphertext);
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// The stanza bodies' one-shot form: the zero nonce, a 16-byte file key
/// (age.md: the nonce may be fixed because every wrap key is used once).
Result<Bytes> sealBody(ByteView wrapKey, ByteView fileKey);
/// nullopt if the tag does not verify (the stanza is not ours).
Result<std::optional<SecureBytes>> openBody(ByteView wrapKey, ByteView body);

} // namespace coffer::crypto::age
