#include "ToyRecipient.h"

#include "Base64.h"
#include "StanzaCrypto.h"

#include <cstdlib>
#include <mutex>

namespace coffer::test {

namespace {

using crypto::AudienceTag;
using crypto::FileKey;
using crypto::SecretArray;

constexpr std::string_view kPrefix = "toy1";
constexpr std::string_view kWrapLabel = "coffer-test/toy/wrap";
constexpr std::string_view kAudienceLabel = "coffer-test/toy/audience";
constexpr std::size_t kSaltSize = 16;

std::optional<SecretArray<32>> secretOf(std::string_view text)
{
    if (text.size() != kPrefix.size() + 64)
        return std::nullopt;
    SecretArray<32> secret;
    for (std::size_t i = 0; i < 32; ++i) {
        const std::string pair(text.substr(kPrefix.size() + 2 * i, 2));
        if (pair.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            return std::nullopt;
        secret.data()[i] = static_cast<std::uint8_t>(std::strtoul(pair.c_str(), nullptr, 16));
    }
    return secret;
}

std::string hexOf(crypto::ByteView bytes)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

AudienceTag audienceOf(const SecretArray<32>& secret)
{
    crypto::Bytes input(kAudienceLabel.begin(), kAudienceLabel.end());
    input.insert(input.end(), secret.data(), secret.data() + 32);
    const auto digest = crypto::sha256(input);
    return AudienceTag{kToyAudienceType, crypto::Bytes(digest.begin(), digest.begin() + kToyAudienceLength)};
}

Result<crypto::SecureBytes> wrapKeyOf(const SecretArray<32>& secret, crypto::ByteView salt)
{
    return crypto::hkdfSha256(secret.view(), salt, crypto::asBytes(kWrapLabel), 32);
}

class ToyRecipient final : public crypto::Recipient {
public:
    explicit ToyRecipient(SecretArray<32> secret) : m_secret(std::move(secret)) {}
    Result<crypto::WrappedStanza> wrapWithAudience(const FileKey& fileKey) const override
    {
        std::array<std::uint8_t, kSaltSize> salt{};
        crypto::randomBytes(salt);
        auto wrapKey = wrapKeyOf(m_secret, salt);
        COFFER_TRY(wrapKey);
        auto body = crypto::sealFileKey(*wrapKey, fileKey);
        COFFER_TRY(body);
        crypto::Stanza stanza{std::string(kToyStanzaType), {crypto::base64Encode(salt)}, std::move(*body)};
        return crypto::WrappedStanza{std::move(stanza), audienceOf(m_secret)};
    }

private:
    SecretArray<32> m_secret;
};

class ToyIdentity final : public crypto::Identity {
public:
    explicit ToyIdentity(SecretArray<32> secret) : m_secret(std::move(secret)) {}
    Result<crypto::Unwrapped> unwrap(const crypto::Stanza& stanza) const override
    {
        if (stanza.type != kToyStanzaType)
            return crypto::Unwrapped{};
        const auto salt = stanza.args.size() == 1 ? crypto::base64Decode(stanza.args[0]) : std::nullopt;
        if (!salt || salt->size() != kSaltSize || stanza.body.size() != crypto::kStanzaBodySize)
            return makeError(ErrorCode::Damaged, "a toy stanza is malformed");
        auto wrapKey = wrapKeyOf(m_secret, *salt);
        COFFER_TRY(wrapKey);
        auto opened = crypto::openFileKey(*wrapKey, stanza.body);
        COFFER_TRY(opened);
        if (!opened->has_value())
            return crypto::Unwrapped{};
        return crypto::Unwrapped{crypto::UnwrapOutcome::Opened, std::move(*opened), audienceOf(m_secret)};
    }

private:
    SecretArray<32> m_secret;
};

class ToyKind final : public crypto::RecipientKind {
public:
    explicit ToyKind(SecretArray<32> secret) : m_secret(std::move(secret)) {}
    std::string_view kindName() const override { return "toy key"; }
    std::string text() const override { return std::string(kPrefix) + hexOf(m_secret.view()); }
    std::unique_ptr<crypto::Recipient> makeRecipient() const override
    {
        return std::make_unique<ToyRecipient>(m_secret.clone());
    }
    AudienceTag audience() const override { return audienceOf(m_secret); }

private:
    SecretArray<32> m_secret;
};

Result<crypto::RecipientKey> parseToy(std::string_view text)
{
    auto secret = secretOf(text);
    if (!secret)
        return makeError(ErrorCode::InvalidArgument, "this toy key is malformed");
    return crypto::RecipientKey(std::make_shared<const ToyKind>(std::move(*secret)));
}

} // namespace

void registerToyRecipientKind()
{
    static std::once_flag once;
    std::call_once(once, [] {
        const crypto::AudienceType audience{kToyAudienceType, kToyAudienceLength, 1, {}};
        if (!crypto::registerRecipientKind({std::string(kPrefix), parseToy, audience}).ok())
            std::abort();
    });
}

std::string newToyKeyText()
{
    std::array<std::uint8_t, 32> secret{};
    crypto::randomBytes(secret);
    return std::string(kPrefix) + hexOf(secret);
}

std::unique_ptr<crypto::Identity> toyIdentity(std::string_view keyText)
{
    auto secret = secretOf(keyText);
    if (!secret)
        std::abort();
    return std::make_unique<ToyIdentity>(std::move(*secret));
}

crypto::AudienceTag toyAudience(std::string_view keyText)
{
    auto secret = secretOf(keyText);
    if (!secret)
        std::abort();
    return audienceOf(*secret);
}

} // namespace coffer::test
