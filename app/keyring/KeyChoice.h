// Choosing keys, once for both front ends: who a container is for (cards, age
// keys, contact names), and what opens one (key files, the keyring, a
// passphrase). Secret key text goes from the file straight into wiped memory.
//
// Neither front end looks into a container to learn whether it wants a
// passphrase: they open it with the keys they have, and on PassphraseNeeded
// (no key opened it, a passphrase stanza could have, none was given) they ask
// for one and try again.
#pragma once

#include "Keyring.h"
#include "PassphraseRecipient.h"
#include "age/Age.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace coffer {

/// Reads a small key file (at most 64 KiB) into wiped memory, with no copy
/// left behind in an ordinary string or stream buffer.
Result<crypto::SecureString> readSecretFile(const std::filesystem::path& path);

/// Appends the identities of a key file (-i FILE: Coffer or age secret keys).
Status addIdentitiesFromFile(const std::filesystem::path& file, crypto::IdentityList& identities);

/// An identity's X25519 secret: what opens an age file's X25519 stanza, for
/// age identities and Coffer identities alike (FORMAT.md §13: the same key,
/// age's own label). Read back from the identity's encoding, so that
/// crypto/Keys.h need not hand out its secret.
crypto::SecretArray<32> x25519SecretOf(const crypto::SecretIdentity& identity);

/// Appends the X25519 secrets of a key file (-i FILE) for age files.
Status addAgeKeysFromFile(const std::filesystem::path& file, crypto::age::AgeKeys& keys);

/// What opens age files for someone: the keyring's Coffer and age identities
/// (if it is unlocked), then the passphrase (if one was given).
crypto::age::AgeKeys ageKeysFor(const Keyring* keyring, const std::optional<crypto::SecureString>& passphrase);

/// What opens containers for someone: the keyring's identities (if it is
/// unlocked), then the passphrase (if one was given).
crypto::IdentityList identitiesFor(const Keyring* keyring, const std::optional<crypto::SecureString>& passphrase,
                                   crypto::PassphraseIdentity::CostNotice notice = {});

/// Where contact names are looked up. It is called only when an argument is
/// no key by itself (the CLI asks for the keyring passphrase then); nullptr
/// means there is no keyring.
using KeyringAccess = std::function<Result<const Keyring*>()>;

/// The key a recipient argument names: a card (coffer1...), an age key
/// (age1...) or, failing those, a contact's name or key. nullopt: none of
/// these (each front end says so in its own words).
Result<std::optional<crypto::RecipientKey>> resolveRecipient(const std::string& text, const KeyringAccess& keyring);

/// Notes the cost of a passphrase stanza while keys are tried, deriving
/// nothing and opening nothing: what the GUI shows when it then asks for the
/// passphrase (FORMAT.md §3.2), without reading the header a second time.
class PassphraseCostProbe final : public crypto::Identity {
public:
    using Seen = std::shared_ptr<std::optional<crypto::Argon2Params>>;
    explicit PassphraseCostProbe(Seen seen) : m_seen(std::move(seen)) {}
    Result<crypto::Unwrapped> unwrap(const crypto::Stanza& stanza) const override;

private:
    Seen m_seen;
};

} // namespace coffer
