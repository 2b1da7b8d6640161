// Thin, checked wrappers over the primitives Coffer uses. Each one fixes the
// parameters the format needs and closes a Botan 2.19 pitfall (DESIGN §4):
// X25519 all-zero results, GCM nonce length and plaintext-before-tag,
// HKDF output length.
#pragma once

#include "Result.h"
#include "SecureMemory.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

namespace coffer::crypto {

inline constexpr std::size_t kX25519KeySize = 32;
inline constexpr std::size_t kEd25519PublicKeySize = 32;
inline constexpr std::size_t kEd25519SeedSize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;
inline constexpr std::size_t kGcmKeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
inline constexpr std::size_t kSha256Size = 32;

using PublicKey32 = std::array<std::uint8_t, 32>;
using Signature64 = std::array<std::uint8_t, kEd25519SignatureSize>;
using Digest32 = std::array<std::uint8_t, kSha256Size>;

/// Fills `out` from the operating system's CSPRNG.
void randomBytes(MutableByteView out);

Digest32 sha256(ByteView data);

/// Incremental SHA-256 (content hashes of archive entries).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;
    void update(ByteView data);
    Digest32 finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

Digest32 hmacSha256(ByteView key, ByteView message);

/// SipHash-2-4 under a key of its own, drawn from the CSPRNG when it is made:
/// for tables of names an attacker chose, who cannot know the key and so
/// cannot make names collide. Not thread-safe: one object per thread.
class KeyedHash {
public:
    KeyedHash();
    ~KeyedHash();
    KeyedHash(KeyedHash&&) noexcept;
    KeyedHash& operator=(KeyedHash&&) noexcept;
    std::uint64_t operator()(std::string_view data) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// HKDF-SHA-256 (RFC 5869, extract and expand). Fails if `length` exceeds 255*32.
Result<SecureBytes> hkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length);
/// HKDF-Expand-SHA-512 only (the prk is used as is). Fails if `length` exceeds 255*64.
Result<SecureBytes> hkdfExpandSha512(ByteView prk, ByteView info, std::size_t length);
/// HKDF-SHA-512 with extract (for the Wycheproof vectors and completeness).
Result<SecureBytes> hkdfSha512(ByteView ikm, ByteView salt, ByteView info, std::size_t length);

/// AES-256-GCM with a 12-byte nonce and 16-byte tag, one key schedule reused
/// for many messages. Not thread-safe: use one object per thread.
class AesGcm256 {
public:
    /// `key` must be 32 bytes.
    static Result<AesGcm256> create(ByteView key);
    ~AesGcm256();
    AesGcm256(AesGcm256&&) noexcept;
    AesGcm256& operator=(AesGcm256&&) noexcept;

    /// Encrypts `plaintext` into `out` (plaintext.size() + 16 bytes). In place is allowed.
    Status seal(ByteView nonce, ByteView aad, ByteView plaintext, MutableByteView out);
    /// Decrypts and authenticates. On failure `out` is wiped: no unauthenticated byte escapes.
    Status open(ByteView nonce, ByteView aad, ByteView ciphertext, MutableByteView out);

private:
    AesGcm256();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// X25519 secret scalar -> public key.
PublicKey32 x25519PublicKey(const SecretArray<32>& secret);
/// X25519(secret, peer). Rejects an all-zero shared secret (low-order peer point).
Result<SecretArray<32>> x25519(const SecretArray<32>& secret, ByteView peerPublic);

/// Ed25519 public key from a 32-byte seed.
PublicKey32 ed25519PublicKey(const SecretArray<32>& seed);
Signature64 ed25519Sign(const SecretArray<32>& seed, ByteView message);
/// Strict verification (FORMAT.md §5.7): rejects wrong lengths, S >= L, and
/// an A or R that is non-canonical or of small order (ed25519PublicKeyIsStrict).
bool ed25519Verify(ByteView publicKey, ByteView message, ByteView signature);
/// True for a canonical encoding (y < p) of a point not of small order: the
/// rule for every Ed25519 public key Coffer takes in (cards, keyring, signer).
bool ed25519PublicKeyIsStrict(ByteView publicKey);

struct Argon2Params {
    std::uint32_t passes = 0;      // t
    std::uint32_t memoryKiB = 0;   // m
    std::uint32_t parallelism = 0; // p
};

/// Argon2id -> 32 bytes. The caller checks ceilings first.
Result<SecretArray<32>> argon2id(std::string_view passphrase, ByteView salt, const Argon2Params& params);

/// Botan's version, for --version and the About dialog.
std::string cryptoLibraryVersion();

} // namespace coffer::crypto
