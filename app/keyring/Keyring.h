// The user's keys and address book (DESIGN §3): one or more Coffer identities
// (X25519 + Ed25519; the first is the default, which signs unless another is
// chosen), imported age identities, and contacts. Kept in memory only as
// wiped buffers; stored by KeyringStore as an encrypted Coffer container.
#pragma once

#include "DisplayText.h"
#include "Keys.h"
#include "Result.h"
#include "age/Age.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace coffer {

struct Contact {
    std::string name; // what the user calls them; unique, case-insensitive
    std::string key;  // "coffer1..." card or "age1..." recipient
    crypto::RecipientKey recipient;
    bool verified = false;    // fingerprints compared out of band
    std::int64_t addedAt = 0; // seconds since the epoch
};

/// Keys held elsewhere (the key agent, app/agent): they open stanzas and sign
/// there, and their secrets never come into this process.
class HeldKeys : public crypto::Signer {
public:
    /// What opens containers with the held keys.
    virtual crypto::IdentityList identities() const = 0;
    /// What signs as the held identity whose signing key is `ed25519`; nullptr if the
    /// agent cannot (one from before several identities signs as its default only).
    virtual const crypto::Signer* signerAs(const crypto::PublicKey32& ed25519) const
    {
        return card() && card()->ed25519 == ed25519 ? this : nullptr;
    }
    /// What opens an age file's X25519 stanzas with the held keys (none: age files need the passphrase).
    virtual crypto::age::HeldAgeUnwrap ageUnwrap() const { return {}; }
};

class Keyring {
public:
    Keyring() = default;
    Keyring(Keyring&&) = default;
    Keyring& operator=(Keyring&&) = default;

    /// The default Coffer identity (signs and decrypts), if one was created or imported.
    const crypto::SecretIdentity* identity() const { return m_identities.empty() ? nullptr : m_identities.data(); }
    /// Every Coffer identity, the default first.
    const std::vector<crypto::SecretIdentity>& identities() const { return m_identities; }
    /// Sets the default identity (replacing the default, if any). The identity's name is cleaned
    /// (no tabs or control characters, at most 64 bytes).
    void setIdentity(crypto::SecretIdentity identity);
    /// Adds another identity (the default if it is the first); refuses one already here, a name
    /// already taken (case-insensitive) and, beside another identity, an empty name.
    Status addIdentity(crypto::SecretIdentity identity);
    /// Removes an identity by name (case-insensitive) or fingerprint; removing the default makes
    /// the next one the default.
    Status removeIdentity(const std::string& nameOrFingerprint);
    /// Makes an identity (by name or fingerprint) the default.
    Status setDefaultIdentity(const std::string& nameOrFingerprint);
    /// An identity by name (case-insensitive) or fingerprint.
    const crypto::SecretIdentity* findIdentity(const std::string& nameOrFingerprint) const;
    /// The own card (here or held by the agent) whose signing key is `ed25519`, and its name.
    std::optional<crypto::ContactCard> findOwnCard(const crypto::PublicKey32& ed25519,
                                                   std::string* name = nullptr) const;
    /// Every own card (here or held by the agent), the default first, with its name.
    std::vector<std::pair<crypto::ContactCard, std::string>> ownCards() const;
    /// Imported AGE-SECRET-KEY-1 identities: decrypt only.
    const std::vector<crypto::SecretIdentity>& ageIdentities() const { return m_ageIdentities; }
    Status addAgeIdentity(crypto::SecretIdentity identity);

    const std::vector<Contact>& contacts() const { return m_contacts; }
    /// Adds a contact; refuses a name checkContactName() refuses, and a duplicate name or key.
    Status addContact(Contact contact);
    Status removeContact(const std::string& name);
    Status renameContact(const std::string& name, const std::string& newName);
    Status setVerified(const std::string& name, bool verified);
    /// By name (case-insensitive) or by exact key text.
    const Contact* findContact(const std::string& nameOrKey) const;
    /// The contact whose card has these signing and encryption keys.
    const Contact* findBySigningKey(const crypto::PublicKey32& ed25519) const;

    /// When the default identity was last backed up (seconds since the epoch), 0 if never.
    std::int64_t lastBackupAt() const { return m_backedUp.empty() ? m_lastBackupAt : m_backedUp[0]; }
    void setLastBackupAt(std::int64_t when);
    /// The same for identities()[i].
    std::int64_t lastBackupAt(std::size_t i) const { return i < m_backedUp.size() ? m_backedUp[i] : 0; }
    void setLastBackupAt(std::size_t i, std::int64_t when);

    /// A copy (the secrets cloned into wiped memory), with or without the contacts.
    Keyring copy(bool withContacts) const;

    /// Every identity that can open containers (for decryption).
    crypto::IdentityList decryptionIdentities() const;

    /// The X25519 public keys of every identity (own and age), here or held by the agent.
    std::vector<crypto::PublicKey32> ownX25519Keys() const;
    /// The user's own card, whether the identity is here or held by the agent.
    std::optional<crypto::ContactCard> ownCard() const;
    /// What signs for the user: the identity, or the agent holding it; nullptr if none can.
    const crypto::Signer* signer() const;
    /// What signs as the identity with this name (case-insensitive) or fingerprint, here or held.
    Result<const crypto::Signer*> signerAs(const std::string& nameOrFingerprint) const;
    /// True when the secrets are held by the key agent (identity() is then nullptr).
    bool isHeld() const { return m_held != nullptr; }
    /// When held: what opens age files with the held keys.
    crypto::age::HeldAgeUnwrap heldAgeUnwrap() const { return m_held ? m_held->ageUnwrap() : nullptr; }

    /// The public part (own card, contacts), as the key agent serves it.
    std::string publicText() const;
    /// A keyring of public parts whose secrets `held` holds (the agent's client).
    static Result<Keyring> fromPublicText(std::string_view text, std::shared_ptr<const HeldKeys> held);

    /// The plaintext form stored inside the encrypted keyring file.
    crypto::SecureString serialise() const;
    static Result<Keyring> parse(std::string_view text);

private:
    /// Adds a contact, refusing only duplicates (the name was checked by the caller).
    Status insertContact(Contact contact);
    /// The index in m_identities of the identity with this name or fingerprint, or npos.
    std::size_t indexOfIdentity(const std::string& nameOrFingerprint) const;

    std::vector<crypto::SecretIdentity> m_identities;                     // the default first
    std::vector<std::int64_t> m_backedUp;                                 // each identity's last backup, 0 if never
    std::vector<std::pair<crypto::ContactCard, std::string>> m_heldCards; // when held: every own card
    std::vector<crypto::SecretIdentity> m_ageIdentities;
    std::vector<Contact> m_contacts;
    std::shared_ptr<const HeldKeys> m_held;
    std::vector<crypto::PublicKey32> m_heldAgeKeys; // the age identities' public keys, when held
    std::int64_t m_lastBackupAt = 0;
};

} // namespace coffer
