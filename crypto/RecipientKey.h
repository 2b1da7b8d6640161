// A public key to encrypt to, of any registered kind (FORMAT.md §6): a kind
// is one class that parses its text form (by prefix), makes its own
// Recipient, and names the index audience entry (§5.2) its stanzas get.
// Built in: Coffer cards ("coffer1...") and age X25519 keys ("age1...").
// A new kind (age plugins, post-quantum) is one file pair and one
// registerRecipientKind() call: app/ and ui/ only ask the key what it is.
#pragma once

#include "Recipient.h"
#include "Result.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace coffer::crypto {

struct ContactCard;

/// One parsed key of one kind: what a RecipientKey holds. Immutable.
class RecipientKind {
public:
    virtual ~RecipientKind() = default;
    /// For display: "Coffer card", "age key".
    virtual std::string_view kindName() const = 0;
    /// The canonical text form, which parseRecipientKey() reads back.
    virtual std::string text() const = 0;
    virtual std::unique_ptr<Recipient> makeRecipient() const = 0;
    /// The index audience entry its stanzas get (FORMAT.md §5.2).
    virtual AudienceTag audience() const = 0;
    /// The card, for kinds that carry one (a name, a fingerprint, a signing key).
    virtual const ContactCard* card() const { return nullptr; }
};

/// A public key to encrypt to. A value: copies share the immutable kind.
class RecipientKey {
public:
    /// No key (a Contact not yet filled in): encrypting to it is an error.
    RecipientKey();
    explicit RecipientKey(std::shared_ptr<const RecipientKind> kind) : m_kind(std::move(kind)) {}
    /// An X25519 key: a Coffer card's when `card` is given, else an age key.
    RecipientKey(const PublicKey32& x25519, std::optional<ContactCard> card);

    std::string_view kindName() const { return m_kind->kindName(); }
    std::string text() const { return m_kind->text(); }
    std::unique_ptr<Recipient> makeRecipient() const { return m_kind->makeRecipient(); }
    AudienceTag audience() const { return m_kind->audience(); }
    /// Null for kinds without a card: they cannot sign and have no fingerprint.
    const ContactCard* card() const { return m_kind->card(); }
    bool canSign() const { return card() != nullptr; }
    /// The same key (whatever its text form): the same audience entry.
    bool sameKey(const RecipientKey& other) const { return audience() == other.audience(); }
    const RecipientKind& kind() const { return *m_kind; }

private:
    std::shared_ptr<const RecipientKind> m_kind;
};

/// Parses any registered kind by its prefix; text of no registered prefix
/// is read as a Coffer card (so its error says what a card looks like).
Result<RecipientKey> parseRecipientKey(std::string_view text);

/// An index audience type (FORMAT.md §5.2): its byte length, the first index
/// version that may name it, and how to show an entry nobody is known by.
struct AudienceType {
    std::uint8_t type = 0;
    std::size_t length = 0;
    std::uint32_t minIndexVersion = 1;
    std::function<std::string(ByteView)> show; // may be empty: shown in hex
};

/// A kind of recipient key: its text prefix (lower case, with the "1"
/// separator: "age1"), matched case-insensitively, its parser, and the
/// audience type its keys name.
struct RecipientKindSpec {
    std::string prefix;
    std::function<Result<RecipientKey>(std::string_view text)> parse;
    AudienceType audience;
};

/// Adds a kind. Refused (InvalidArgument) if the prefix is taken or the
/// audience type is known with another length or version.
Status registerRecipientKind(RecipientKindSpec kind);
/// Adds an audience type without a text form (the passphrase's, §5.7).
Status registerAudienceType(AudienceType audience);
/// The registered audience type, or nullopt (an index naming it is damaged).
std::optional<AudienceType> findAudienceType(std::uint8_t type);
/// An audience entry nobody is known by: "age1..." for an X25519 key.
std::string showAudience(const AudienceTag& tag);

} // namespace coffer::crypto
