#include "KeyChoice.h"

#include "Bech32.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace coffer {

namespace {

/// A key file holds a few lines; anything far larger is not one.
constexpr std::size_t kMaxSecretFile = 64 * 1024;

} // namespace

Result<crypto::SecureString> readSecretFile(const std::filesystem::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return makeError(ErrorCode::Io, "cannot read \"" + path.string() + "\"");
    crypto::SecureString text;
    text.resize(kMaxSecretFile + 1); // the wiped buffer is allocated once: no growing copies left behind
    std::size_t filled = 0;
    while (filled < text.size()) {
        const ssize_t n = ::read(fd, text.data() + filled, text.size() - filled);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ::close(fd);
            return makeError(ErrorCode::Io, "cannot read \"" + path.string() + "\"");
        }
        if (n == 0)
            break;
        filled += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (filled > kMaxSecretFile)
        return makeError(ErrorCode::InvalidArgument, "\"" + path.string() + "\" is too large to be a key file");
    text.resize(filled);
    return text;
}

Status addIdentitiesFromFile(const std::filesystem::path& file, crypto::IdentityList& identities)
{
    auto text = readSecretFile(file);
    COFFER_TRY(text);
    auto ids = crypto::parseIdentityFile(*text);
    COFFER_TRY(ids);
    for (const auto& id : *ids)
        identities.push_back(id.makeIdentity());
    return Status::success();
}

crypto::SecretArray<32> x25519SecretOf(const crypto::SecretIdentity& identity)
{
    // A Coffer secret key is a version byte, the X25519 key, then the Ed25519
    // seed; an age secret key is the X25519 key alone (FORMAT.md §6).
    const bool age = identity.isAgeIdentity();
    const crypto::SecureString text = identity.encode();
    auto data = crypto::bech32DecodeSecret(text, age ? crypto::kAgeSecretHrp : crypto::kSecretHrp);
    crypto::SecretArray<32> secret;
    const std::size_t at = age ? 0 : 1;
    if (data && data->size() >= at + 32)
        std::copy_n(data->begin() + static_cast<std::ptrdiff_t>(at), 32, secret.data());
    return secret;
}

Status addAgeKeysFromFile(const std::filesystem::path& file, crypto::age::AgeKeys& keys)
{
    auto text = readSecretFile(file);
    COFFER_TRY(text);
    auto ids = crypto::parseIdentityFile(*text);
    COFFER_TRY(ids);
    for (const auto& id : *ids)
        keys.x25519.push_back(x25519SecretOf(id));
    return Status::success();
}

crypto::age::AgeKeys ageKeysFor(const Keyring* keyring, const std::optional<crypto::SecureString>& passphrase)
{
    crypto::age::AgeKeys keys;
    if (keyring)
        for (const auto& id : keyring->identities())
            keys.x25519.push_back(x25519SecretOf(id));
    if (keyring)
        for (const auto& id : keyring->ageIdentities())
            keys.x25519.push_back(x25519SecretOf(id));
    if (keyring)
        keys.held = keyring->heldAgeUnwrap(); // the key agent's, when it holds the keys
    if (passphrase)
        keys.passphrase = *passphrase;
    return keys;
}

crypto::IdentityList identitiesFor(const Keyring* keyring, const std::optional<crypto::SecureString>& passphrase,
                                   crypto::PassphraseIdentity::CostNotice notice)
{
    crypto::IdentityList identities;
    if (keyring)
        identities = keyring->decryptionIdentities();
    if (passphrase)
        identities.push_back(std::make_unique<crypto::PassphraseIdentity>(*passphrase, std::move(notice)));
    return identities;
}

Result<std::optional<crypto::RecipientKey>> resolveRecipient(const std::string& text, const KeyringAccess& keyring)
{
    if (auto key = crypto::parseRecipientKey(text); key.ok())
        return std::optional<crypto::RecipientKey>(std::move(*key));
    auto k = keyring();
    COFFER_TRY(k);
    const Contact* contact = *k ? (*k)->findContact(text) : nullptr;
    if (!contact)
        return std::optional<crypto::RecipientKey>();
    return std::optional<crypto::RecipientKey>(contact->recipient);
}

Result<crypto::Unwrapped> PassphraseCostProbe::unwrap(const crypto::Stanza& stanza) const
{
    if (stanza.type == crypto::kArgon2StanzaType && !*m_seen)
        *m_seen = crypto::argon2ParamsOf(stanza);
    return crypto::Unwrapped{};
}

} // namespace coffer
