#include "AgeAead.h"

#include "detail/BotanCompat.h"

#include <cstring>

namespace coffer::crypto::age {

struct ChaChaPoly::Impl {
    std::unique_ptr<Botan::StreamCipher> chacha = Botan::StreamCipher::create_or_throw("ChaCha(20)");
    std::unique_ptr<Botan::MessageAuthenticationCode> poly =
        Botan::MessageAuthenticationCode::create_or_throw("Poly1305");
};

ChaChaPoly::ChaChaPoly() : m_impl(std::make_unique<Impl>()) {}
ChaChaPoly::~ChaChaPoly() = default;
ChaChaPoly::ChaChaPoly(ChaChaPoly&&) noexcept = default;
ChaChaPoly& ChaChaPoly::operator=(ChaChaPoly&&) noexcept = default;

Result<ChaChaPoly> ChaChaPoly::create(ByteView key)
{
    if (key.size() != 32)
        return makeError(ErrorCode::InvalidArgument, "ChaCha20-Poly1305 needs a 32-byte key");
    try {
        ChaChaPoly aead;
        aead.m_impl->chacha->set_key(key.data(), key.size());
        return aead;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("ChaCha20-Poly1305: ") + e.what());
    }
}

void ChaChaPoly::start(const AeadNonce& nonce)
{
    // RFC 8439 §2.8: the one-time Poly1305 key is the first half of keystream
    // block 0; encryption proper starts at block 1, where this leaves the keystream.
    std::array<std::uint8_t, 64> block0{};
    m_impl->chacha->set_iv(nonce.data(), nonce.size());
    m_impl->chacha->write_keystream(block0.data(), block0.size());
    m_impl->poly->set_key(block0.data(), 32);
    secureWipe(block0.data(), block0.size());
}

std::array<std::uint8_t, 16> ChaChaPoly::tag(ByteView ciphertext)
{
    // The MAC covers the ciphertext, zero padding to 16 bytes, then the lengths
    // of the (empty) associated data and of the ciphertext, 64-bit little-endian.
    auto& poly = *m_impl->poly;
    poly.update(ciphertext.data(), ciphertext.size());
    static constexpr std::uint8_t kZeros[16] = {};
    if (ciphertext.size() % 16 != 0)
        poly.update(kZeros, 16 - ciphertext.size() % 16);
    std::array<std::uint8_t, 16> lengths{};
    for (int i = 0; i < 8; ++i)
        lengths[8 + i] = static_cast<std::uint8_t>(std::uint64_t(ciphertext.size()) >> (8 * i));
    poly.update(lengths.data(), lengths.size());
    std::array<std::uint8_t, 16> out{};
    poly.final(out.data());
    return out;
}

Status ChaChaPoly::seal(const AeadNonce& nonce, ByteView plain, MutableByteView out)
{
    if (out.size() != plain.size() + kAeadTagSize)
        return makeError(ErrorCode::InvalidArgument, "ChaCha20-Poly1305: bad buffer size");
    try {
        start(nonce);
        m_impl->chacha->cipher(plain.data(), out.data(), plain.size());
        const auto t = tag(out.first(plain.size()));
        std::memcpy(out.data() + plain.size(), t.data(), t.size());
        return Status::success();
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("ChaCha20-Poly1305: ") + e.what());
    }
}

bool ChaChaPoly::open(const AeadNonce& nonce, ByteView sealed, MutableByteView out)
{
    if (sealed.size() < kAeadTagSize || out.size() != sealed.size() - kAeadTagSize)
        return false;
    try {
        const ByteView ciphertext = sealed.first(out.size());
        start(nonce);
        const auto expected = tag(ciphertext);
        if (!constantTimeEqual(expected, sealed.subspan(out.size())))
            return false;
        m_impl->chacha->cipher(ciphertext.data(), out.data(), out.size()); // only what authenticated
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

Result<Bytes> sealBody(ByteView wrapKey, ByteView fileKey)
{
    auto aead = ChaChaPoly::create(wrapKey);
    COFFER_TRY(aead);
    Bytes body(fileKey.size() + kAeadTagSize);
    COFFER_TRY(aead->seal(AeadNonce{}, fileKey, body));
    return body;
}

Result<std::optional<SecureBytes>> openBody(ByteView wrapKey, ByteView body)
{
    auto aead = ChaChaPoly::create(wrapKey);
    COFFER_TRY(aead);
    if (body.size() < kAeadTagSize)
        return std::optional<SecureBytes>{};
    SecureBytes fileKey(body.size() - kAeadTagSize);
    if (!aead->open(AeadNonce{}, body, fileKey))
        return std::optional<SecureBytes>{};
    return std::optional<SecureBytes>(std::move(fileKey));
}

} // namespace coffer::crypto::age
