#include "Primitives.h"

#include "KdfCounter.h"
#include "detail/BotanCompat.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

namespace coffer::crypto {

namespace {

Error internalError(const char* what, const std::exception& e)
{
    return makeError(ErrorCode::Internal, std::string(what) + ": " + e.what());
}

} // namespace

void randomBytes(MutableByteView out)
{
    Botan::system_rng().randomize(out.data(), out.size());
}

Digest32 sha256(ByteView data)
{
    Digest32 d{};
    auto h = Botan::HashFunction::create_or_throw("SHA-256");
    h->update(data.data(), data.size());
    h->final(d.data());
    return d;
}

struct Sha256::Impl {
    std::unique_ptr<Botan::HashFunction> hash = Botan::HashFunction::create_or_throw("SHA-256");
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(ByteView data)
{
    m_impl->hash->update(data.data(), data.size());
}

Digest32 Sha256::finish()
{
    Digest32 d{};
    m_impl->hash->final(d.data());
    return d;
}

Digest32 hmacSha256(ByteView key, ByteView message)
{
    Digest32 d{};
    auto mac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
    mac->set_key(key.data(), key.size());
    mac->update(message.data(), message.size());
    mac->final(d.data());
    return d;
}

struct KeyedHash::Impl {
    std::unique_ptr<Botan::MessageAuthenticationCode> mac;
    std::array<std::uint8_t, 16> key{};
    ~Impl() { Botan::secure_scrub_memory(key.data(), key.size()); }
};

KeyedHash::KeyedHash() : m_impl(std::make_unique<Impl>())
{
    m_impl->mac = Botan::MessageAuthenticationCode::create_or_throw("SipHash(2,4)");
    randomBytes(m_impl->key);
}

KeyedHash::~KeyedHash() = default;
KeyedHash::KeyedHash(KeyedHash&&) noexcept = default;
KeyedHash& KeyedHash::operator=(KeyedHash&&) noexcept = default;

std::uint64_t KeyedHash::operator()(std::string_view data) const
{
    std::array<std::uint8_t, 8> out{};
    m_impl->mac->set_key(m_impl->key.data(), m_impl->key.size()); // Botan 2.19's SipHash forgets its key in final()
    m_impl->mac->update(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    m_impl->mac->final(out.data());
    std::uint64_t v = 0;
    std::memcpy(&v, out.data(), out.size());
    return v;
}

namespace {

// Botan 2.19's HKDF silently truncates outputs longer than 255 * hash length
// (DESIGN §4); RFC 5869 says such a request must fail, so check first.
Result<SecureBytes> runKdf(const char* name, std::size_t hashLen, ByteView ikm, ByteView salt, ByteView info,
                           std::size_t length)
{
    if (length == 0 || length > 255 * hashLen)
        return makeError(ErrorCode::InvalidArgument, "HKDF output length out of range");
    try {
        auto kdf = Botan::KDF::create_or_throw(name);
        SecureBytes out(length);
        kdf->kdf(out.data(), out.size(), ikm.data(), ikm.size(), salt.data(), salt.size(), info.data(), info.size());
        return out;
    } catch (const std::exception& e) {
        return internalError("HKDF", e);
    }
}

} // namespace

Result<SecureBytes> hkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length)
{
    return runKdf("HKDF(SHA-256)", 32, ikm, salt, info, length);
}

Result<SecureBytes> hkdfSha512(ByteView ikm, ByteView salt, ByteView info, std::size_t length)
{
    return runKdf("HKDF(SHA-512)", 64, ikm, salt, info, length);
}

Result<SecureBytes> hkdfExpandSha512(ByteView prk, ByteView info, std::size_t length)
{
    // Botan's HKDF-Expand takes (secret, salt, label) and feeds salt || label as
    // the info string; pass the whole info as the label and no salt.
    return runKdf("HKDF-Expand(SHA-512)", 64, prk, {}, info, length);
}

struct AesGcm256::Impl {
    std::unique_ptr<Botan::AEAD_Mode> enc;
    std::unique_ptr<Botan::AEAD_Mode> dec;
    // Reused across calls: a fresh secure_vector per chunk would cost more than the AES.
    Botan::secure_vector<std::uint8_t> buffer;
};

AesGcm256::AesGcm256() : m_impl(std::make_unique<Impl>()) {}
AesGcm256::~AesGcm256() = default;
AesGcm256::AesGcm256(AesGcm256&&) noexcept = default;
AesGcm256& AesGcm256::operator=(AesGcm256&&) noexcept = default;

Result<AesGcm256> AesGcm256::create(ByteView key)
{
    if (key.size() != kGcmKeySize)
        return makeError(ErrorCode::InvalidArgument, "AES-256-GCM needs a 32-byte key");
    try {
        AesGcm256 gcm;
        gcm.m_impl->enc = detail::makeAesGcm(true);
        gcm.m_impl->dec = detail::makeAesGcm(false);
        gcm.m_impl->enc->set_key(key.data(), key.size());
        gcm.m_impl->dec->set_key(key.data(), key.size());
        gcm.m_impl->buffer.reserve(16384 + 2 * kGcmTagSize);
        return gcm;
    } catch (const std::exception& e) {
        return internalError("AES-GCM", e);
    }
}

Status AesGcm256::seal(ByteView nonce, ByteView aad, ByteView plaintext, MutableByteView out)
{
    // Botan accepts any nonce length for GCM; the format fixes 12 bytes.
    if (nonce.size() != kGcmNonceSize || out.size() != plaintext.size() + kGcmTagSize)
        return makeError(ErrorCode::InvalidArgument, "AES-GCM: bad nonce or buffer size");
    try {
        auto& mode = *m_impl->enc;
        mode.set_associated_data(aad.data(), aad.size());
        mode.start(nonce.data(), nonce.size());
        // Encrypt in place in the caller's buffer (no allocation per chunk): whole
        // update blocks through process(), the rest and the tag through finish().
        if (!plaintext.empty() && out.data() != plaintext.data())
            std::memmove(out.data(), plaintext.data(), plaintext.size());
        const std::size_t bulk = plaintext.size() - plaintext.size() % mode.update_granularity();
        if (bulk)
            mode.process(out.data(), bulk);
        auto& tail = m_impl->buffer;
        tail.assign(out.begin() + static_cast<std::ptrdiff_t>(bulk),
                    out.begin() + static_cast<std::ptrdiff_t>(plaintext.size()));
        mode.finish(tail);
        std::memcpy(out.data() + bulk, tail.data(), tail.size());
        return Status::success();
    } catch (const std::exception& e) {
        return internalError("AES-GCM", e);
    }
}

Status AesGcm256::open(ByteView nonce, ByteView aad, ByteView ciphertext, MutableByteView out)
{
    if (nonce.size() != kGcmNonceSize || ciphertext.size() < kGcmTagSize ||
        out.size() != ciphertext.size() - kGcmTagSize)
        return makeError(ErrorCode::InvalidArgument, "AES-GCM: bad nonce or buffer size");
    auto& tail = m_impl->buffer;
    try {
        auto& mode = *m_impl->dec;
        mode.set_associated_data(aad.data(), aad.size());
        mode.start(nonce.data(), nonce.size());
        const std::size_t body = out.size();
        const std::size_t bulk = body - body % mode.update_granularity();
        if (bulk) {
            std::memcpy(out.data(), ciphertext.data(), bulk);
            mode.process(out.data(), bulk);
        }
        tail.assign(ciphertext.begin() + static_cast<std::ptrdiff_t>(bulk), ciphertext.end());
        mode.finish(tail);
        if (!tail.empty())
            std::memcpy(out.data() + bulk, tail.data(), tail.size());
        return Status::success();
    } catch (const Botan::Invalid_Authentication_Tag&) {
        // Botan has already written unauthenticated plaintext into `out` and the
        // tail buffer when the tag check throws: wipe both before anyone reads them.
        secureWipe(tail.data(), tail.capacity());
        secureWipe(out.data(), out.size());
        return makeError(ErrorCode::Damaged, "authentication failed");
    } catch (const std::exception& e) {
        secureWipe(tail.data(), tail.capacity());
        secureWipe(out.data(), out.size());
        return internalError("AES-GCM", e);
    }
}

PublicKey32 x25519PublicKey(const SecretArray<32>& secret)
{
    PublicKey32 pub{};
    Botan::curve25519_basepoint(pub.data(), secret.data());
    return pub;
}

Result<SecretArray<32>> x25519(const SecretArray<32>& secret, ByteView peerPublic)
{
    if (peerPublic.size() != kX25519KeySize)
        return makeError(ErrorCode::InvalidArgument, "X25519 public keys are 32 bytes");
    SecretArray<32> shared;
    Botan::curve25519_donna(shared.data(), secret.data(), peerPublic.data());
    // Botan 2.19 does not reject low-order points: an all-zero result would make
    // the wrap key public (RFC 7748 §6.1). Check in constant time.
    std::uint8_t acc = 0;
    for (std::size_t i = 0; i < shared.size(); ++i)
        acc |= shared.data()[i];
    if (acc == 0)
        return makeError(ErrorCode::Damaged, "X25519 produced an all-zero shared secret");
    return shared;
}

PublicKey32 ed25519PublicKey(const SecretArray<32>& seed)
{
    PublicKey32 pub{};
    SecretArray<64> expanded;
    Botan::Sodium::crypto_sign_ed25519_seed_keypair(pub.data(), expanded.data(), seed.data());
    return pub;
}

Signature64 ed25519Sign(const SecretArray<32>& seed, ByteView message)
{
    PublicKey32 pub{};
    SecretArray<64> expanded;
    Botan::Sodium::crypto_sign_ed25519_seed_keypair(pub.data(), expanded.data(), seed.data());
    Signature64 sig{};
    unsigned long long sigLen = 0;
    Botan::Sodium::crypto_sign_ed25519_detached(sig.data(), &sigLen, message.data(), message.size(), expanded.data());
    return sig;
}

namespace {

// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr std::uint8_t kEd25519Order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                            0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

bool scalarIsCanonical(const std::uint8_t* s)
{
    for (int i = 31; i >= 0; --i) {
        if (s[i] < kEd25519Order[i])
            return true;
        if (s[i] > kEd25519Order[i])
            return false;
    }
    return false; // S == L
}

// A point is encoded as y (255 bits, little-endian) and the sign of x in the
// top bit. Canonical means y < p = 2^255 - 19. The eight points of small order
// (FORMAT.md §5.7) have only five y values: 1 (the identity), p - 1 (order 2),
// 0 (order 4, both signs of x) and ±y8 (order 8, both signs each). Refusing
// these y values whatever the sign bit refuses every small-order point, and
// also x = 0 with the sign bit set (y = ±1), the other non-canonical form.
// No field arithmetic is needed: the test is on y alone.
constexpr std::array<std::array<std::uint8_t, 32>, 5> kSmallOrderY = {{
    {0x00},
    {0x01},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
}};

bool pointIsStrict(const std::uint8_t* encoded)
{
    std::array<std::uint8_t, 32> y{};
    std::copy(encoded, encoded + 32, y.begin());
    y[31] &= 0x7f;
    // y >= p: bytes 1..30 all 0xff, byte 31 0x7f, byte 0 >= 0xed.
    const bool allOnes = std::all_of(y.begin() + 1, y.begin() + 31, [](std::uint8_t b) { return b == 0xff; });
    if (allOnes && y[31] == 0x7f && y[0] >= 0xed)
        return false;
    return std::find(kSmallOrderY.begin(), kSmallOrderY.end(), y) == kSmallOrderY.end();
}

} // namespace

bool ed25519PublicKeyIsStrict(ByteView publicKey)
{
    return publicKey.size() == kEd25519PublicKeySize && pointIsStrict(publicKey.data());
}

bool ed25519Verify(ByteView publicKey, ByteView message, ByteView signature)
{
    if (publicKey.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize)
        return false;
    // RFC 8032 §5.1.7: reject S >= L, or signatures are malleable.
    if (!scalarIsCanonical(signature.data() + 32))
        return false;
    // Botan's ref10 verify takes a small-order A and R: with A = R = identity
    // and S = 0 any message "verifies" under a key nobody holds (§5.7).
    if (!pointIsStrict(publicKey.data()) || !pointIsStrict(signature.data()))
        return false;
    return Botan::Sodium::crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                                              publicKey.data()) == 0;
}

namespace {
std::atomic<std::uint64_t> g_argon2idRuns{0};
}

std::uint64_t argon2idRuns()
{
    return g_argon2idRuns.load(std::memory_order_relaxed);
}

Result<SecretArray<32>> argon2id(std::string_view passphrase, ByteView salt, const Argon2Params& params)
{
    if (params.passes == 0 || params.parallelism == 0 || params.memoryKiB < 8 * params.parallelism)
        return makeError(ErrorCode::InvalidArgument, "invalid Argon2id parameters");
    g_argon2idRuns.fetch_add(1, std::memory_order_relaxed);
    try {
        SecretArray<32> out;
        Botan::argon2(out.data(), out.size(), passphrase.data(), passphrase.size(), salt.data(), salt.size(), nullptr,
                      0, nullptr, 0, /*Argon2id*/ 2, params.parallelism, params.memoryKiB, params.passes);
        return out;
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::LimitExceeded, "not enough memory for Argon2id");
    } catch (const std::exception& e) {
        return internalError("Argon2id", e);
    }
}

std::string cryptoLibraryVersion()
{
    return "Botan " + detail::botanVersion();
}

} // namespace coffer::crypto
