// Key types and their text forms (FORMAT.md §6):
//   public card   coffer1...              (X25519 + Ed25519 public keys, optional name)
//   secret key    COFFER-SECRET-KEY-1...  (X25519 secret + Ed25519 seed)
//   age keys      age1... (encrypt-only recipient), AGE-SECRET-KEY-1... (identity)
#pragma once

#include "PassphraseRecipient.h"
#include "Primitives.h"
#include "RecipientKey.h"
#include "Result.h"
#include "X25519Recipient.h"

#include <string>
#include <string_view>

namespace coffer::crypto {

inline constexpr std::string_view kCardHrp = "coffer";
inline constexpr std::string_view kSecretHrp = "coffer-secret-key-";
inline constexpr std::string_view kAgeRecipientHrp = "age";
inline constexpr std::string_view kAgeSecretHrp = "age-secret-key-";
inline constexpr std::size_t kMaxCardNameBytes = 64;

/// Someone's public keys as shared on a card.
struct ContactCard {
    PublicKey32 x25519{};
    PublicKey32 ed25519{};
    std::string name; // UTF-8, may be empty

    std::string encode() const;
    /// Refuses a card whose Ed25519 key is of small order or non-canonical
    /// (FORMAT.md §6): such a key "signs" anything without a secret.
    static Result<ContactCard> decode(std::string_view text);
    /// As decode(), but keeps a card with such a key: only for reading a
    /// keyring saved before Coffer refused them (the contact is then kept
    /// encrypt-only, never as a signer).
    static Result<ContactCard> decodeAnySigningKey(std::string_view text);
    bool hasStrictSigningKey() const { return ed25519PublicKeyIsStrict(ed25519); }
    /// Six groups of five digits, from a hash of both keys (not the name), to compare aloud.
    std::string fingerprint() const;
    bool sameKeys(const ContactCard& other) const { return x25519 == other.x25519 && ed25519 == other.ed25519; }
};

/// "age1..." for an X25519 key (the age kind's text form, RecipientKey.h).
std::string encodeAgeRecipient(const PublicKey32& x25519);

/// What signs a container's index (FORMAT.md §5.7): a SecretIdentity, or a
/// key agent that holds one and signs on its behalf (app/agent).
class Signer {
public:
    virtual ~Signer() = default;
    /// The signer's public card; none if it cannot sign.
    virtual std::optional<ContactCard> card() const = 0;
    /// Ed25519 over `message` (an indexSignatureMessage(), Signature.h).
    virtual Result<Signature64> signMessage(ByteView message) const = 0;
};

/// A user's secret keys. Move-only; the secrets are wiped on destruction.
class SecretIdentity final : public Signer {
public:
    static SecretIdentity generate(std::string name = {});
    /// Parses "COFFER-SECRET-KEY-1..." (both keys) or "AGE-SECRET-KEY-1..."
    /// (X25519 only: can decrypt, cannot sign).
    static Result<SecretIdentity> decode(std::string_view text);

    SecureString encode() const;
    bool canSign() const { return m_hasSigningKey; }
    bool isAgeIdentity() const { return !m_hasSigningKey; }
    /// The public card; none for age identities (they have no signing key).
    std::optional<ContactCard> card() const override;
    /// What others encrypt to: the card, or "age1..." for an age identity.
    std::string publicText() const;
    PublicKey32 x25519Public() const { return x25519PublicKey(m_x25519); }
    const std::string& name() const { return m_name; }
    void setName(std::string name) { m_name = std::move(name); }

    std::unique_ptr<Identity> makeIdentity() const;
    std::unique_ptr<Recipient> makeRecipient() const;
    Signature64 sign(ByteView message) const;
    Result<Signature64> signMessage(ByteView message) const override { return sign(message); }

    SecretIdentity clone() const;

private:
    SecretArray<32> m_x25519;
    SecretArray<32> m_ed25519Seed;
    bool m_hasSigningKey = true;
    std::string m_name;
};

/// Parses an identity file: one key per line, '#' comments and blank lines ignored.
Result<std::vector<SecretIdentity>> parseIdentityFile(std::string_view text);

} // namespace coffer::crypto
