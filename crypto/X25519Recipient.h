// The X25519 stanza (FORMAT.md §3.1): "-> X25519 <ephemeral share>" with a
// 48-byte body, the file key sealed under a key derived from an ECDH.
#pragma once

#include "Recipient.h"

namespace coffer::crypto {

inline constexpr std::string_view kX25519StanzaType = "X25519";

class X25519Recipient final : public Recipient {
public:
    explicit X25519Recipient(const PublicKey32& publicKey) : m_publicKey(publicKey) {}
    Result<WrappedStanza> wrapWithAudience(const FileKey& fileKey) const override;
    const PublicKey32& publicKey() const { return m_publicKey; }

private:
    PublicKey32 m_publicKey;
};

class X25519Identity final : public Identity {
public:
    explicit X25519Identity(SecretArray<32> secret);
    Result<Unwrapped> unwrap(const Stanza& stanza) const override;
    const PublicKey32& publicKey() const { return m_publicKey; }

private:
    SecretArray<32> m_secret;
    PublicKey32 m_publicKey;
};

} // namespace coffer::crypto
