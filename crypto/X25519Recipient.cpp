#include "X25519Recipient.h"

#include "Base64.h"
#include "StanzaCrypto.h"

#include <algorithm>

namespace coffer::crypto {

namespace {

constexpr std::string_view kLabel = "coffer/v1/X25519";

// wrap key = HKDF-SHA-256(shared, salt = ephemeral share || recipient, "coffer/v1/X25519")
Result<SecureBytes> deriveWrapKey(const SecretArray<32>& shared, const PublicKey32& ephemeral,
                                  const PublicKey32& recipient)
{
    std::array<std::uint8_t, 64> salt{};
    std::copy(ephemeral.begin(), ephemeral.end(), salt.begin());
    std::copy(recipient.begin(), recipient.end(), salt.begin() + 32);
    return hkdfSha256(shared.view(), salt, asBytes(kLabel), 32);
}

} // namespace

Result<WrappedStanza> X25519Recipient::wrapWithAudience(const FileKey& fileKey) const
{
    SecretArray<32> ephemeralSecret;
    randomBytes(ephemeralSecret.mutableView());
    const PublicKey32 ephemeral = x25519PublicKey(ephemeralSecret);
    auto shared = x25519(ephemeralSecret, m_publicKey);
    if (!shared.ok())
        return makeError(ErrorCode::InvalidArgument, "the recipient's public key is not usable");
    auto wrapKey = deriveWrapKey(*shared, ephemeral, m_publicKey);
    COFFER_TRY(wrapKey);
    auto body = sealFileKey(*wrapKey, fileKey);
    COFFER_TRY(body);
    return WrappedStanza{Stanza{std::string(kX25519StanzaType), {base64Encode(ephemeral)}, std::move(*body)},
                         AudienceTag{kAudienceX25519, Bytes(m_publicKey.begin(), m_publicKey.end())}};
}

X25519Identity::X25519Identity(SecretArray<32> secret)
    : m_secret(std::move(secret)), m_publicKey(x25519PublicKey(m_secret))
{}

Result<Unwrapped> X25519Identity::unwrap(const Stanza& stanza) const
{
    if (stanza.type != kX25519StanzaType)
        return Unwrapped{};
    if (stanza.args.size() != 1)
        return makeError(ErrorCode::Damaged, "an X25519 stanza has the wrong number of arguments");
    const auto share = base64Decode(stanza.args[0]);
    if (!share || share->size() != kX25519KeySize)
        return makeError(ErrorCode::Damaged, "an X25519 stanza has a malformed share");
    if (stanza.body.size() != kStanzaBodySize)
        return makeError(ErrorCode::Damaged, "a stanza body has the wrong length");
    PublicKey32 ephemeral{};
    std::copy(share->begin(), share->end(), ephemeral.begin());
    auto shared = x25519(m_secret, ephemeral);
    if (!shared.ok())
        return makeError(ErrorCode::Damaged, "an X25519 stanza has a low-order share");
    auto wrapKey = deriveWrapKey(*shared, ephemeral, m_publicKey);
    COFFER_TRY(wrapKey);
    auto opened = openFileKey(*wrapKey, stanza.body);
    COFFER_TRY(opened);
    if (!opened->has_value())
        return Unwrapped{};
    return Unwrapped{UnwrapOutcome::Opened, std::move(*opened),
                     AudienceTag{kAudienceX25519, Bytes(m_publicKey.begin(), m_publicKey.end())}};
}

} // namespace coffer::crypto
