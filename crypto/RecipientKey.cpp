#include "RecipientKey.h"

#include "Bech32.h"
#include "Keys.h"
#include "X25519Recipient.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace coffer::crypto {

namespace {

Error badKey(std::string what)
{
    return makeError(ErrorCode::InvalidArgument, std::move(what));
}

AudienceTag x25519Audience(const PublicKey32& key)
{
    return AudienceTag{kAudienceX25519, Bytes(key.begin(), key.end())};
}

/// A Coffer card (FORMAT.md §6): X25519 for encryption, Ed25519 for signing.
class CardKind final : public RecipientKind {
public:
    explicit CardKind(ContactCard card) : m_card(std::move(card)) {}
    std::string_view kindName() const override { return "Coffer card"; }
    std::string text() const override { return m_card.encode(); }
    std::unique_ptr<Recipient> makeRecipient() const override
    {
        return std::make_unique<X25519Recipient>(m_card.x25519);
    }
    AudienceTag audience() const override { return x25519Audience(m_card.x25519); }
    const ContactCard* card() const override { return &m_card; }

private:
    ContactCard m_card;
};

/// An age X25519 recipient: encrypt-only, no signatures, no fingerprint.
class AgeKind final : public RecipientKind {
public:
    explicit AgeKind(const PublicKey32& x25519) : m_x25519(x25519) {}
    std::string_view kindName() const override { return "age key"; }
    std::string text() const override { return encodeAgeRecipient(m_x25519); }
    std::unique_ptr<Recipient> makeRecipient() const override { return std::make_unique<X25519Recipient>(m_x25519); }
    AudienceTag audience() const override { return x25519Audience(m_x25519); }

private:
    PublicKey32 m_x25519;
};

/// What a default RecipientKey holds: nothing to encrypt to.
class NoKind final : public RecipientKind {
    struct Refuse final : Recipient {
        Result<WrappedStanza> wrapWithAudience(const FileKey&) const override
        {
            return badKey("a recipient has no key");
        }
    };

public:
    std::string_view kindName() const override { return "no key"; }
    std::string text() const override { return {}; }
    std::unique_ptr<Recipient> makeRecipient() const override { return std::make_unique<Refuse>(); }
    AudienceTag audience() const override { return {}; }
};

Result<RecipientKey> parseCard(std::string_view text)
{
    auto card = ContactCard::decode(text);
    COFFER_TRY(card);
    return RecipientKey(std::make_shared<const CardKind>(std::move(*card)));
}

Result<RecipientKey> parseAge(std::string_view text)
{
    const auto decoded = bech32Decode(text);
    if (!decoded || decoded->hrp != kAgeRecipientHrp || decoded->data.size() != 32)
        return badKey("this age recipient is malformed");
    PublicKey32 key{};
    std::copy(decoded->data.begin(), decoded->data.end(), key.begin());
    return RecipientKey(std::make_shared<const AgeKind>(key));
}

AudienceType x25519AudienceType()
{
    return {kAudienceX25519, 32, 1, [](ByteView key) { return bech32Encode(kAgeRecipientHrp, key); }};
}

/// Kinds and audience types; registration is rare (start-up, tests), lookups
/// come from any thread.
struct Registry {
    std::mutex mutex;
    std::vector<RecipientKindSpec> kinds{
        {std::string(kCardHrp) + "1", parseCard, x25519AudienceType()},
        {std::string(kAgeRecipientHrp) + "1", parseAge, x25519AudienceType()},
    };
    // Type 2: a passphrase's tag, from index version 2 on (FORMAT.md §5.2, §5.7).
    std::vector<AudienceType> audiences{x25519AudienceType(), {kAudiencePassphrase, 32, 2, {}}};
};

Registry& registry()
{
    static Registry r;
    return r;
}

bool startsWithFolded(std::string_view text, std::string_view prefix)
{
    return text.size() > prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char p, char t) {
               return p == (t >= 'A' && t <= 'Z' ? static_cast<char>(t - 'A' + 'a') : t);
           });
}

std::string_view trim(std::string_view s)
{
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

Status addAudienceLocked(Registry& r, const AudienceType& audience)
{
    for (const auto& known : r.audiences)
        if (known.type == audience.type) {
            if (known.length != audience.length || known.minIndexVersion != audience.minIndexVersion)
                return badKey("audience type " + std::to_string(audience.type) + " is already known otherwise");
            return Status::success();
        }
    if (audience.length == 0)
        return badKey("an audience entry needs at least one byte");
    r.audiences.push_back(audience);
    return Status::success();
}

} // namespace

RecipientKey::RecipientKey()
{
    static const auto none = std::make_shared<const NoKind>();
    m_kind = none;
}

RecipientKey::RecipientKey(const PublicKey32& x25519, std::optional<ContactCard> card)
{
    if (card)
        m_kind = std::make_shared<const CardKind>(std::move(*card));
    else
        m_kind = std::make_shared<const AgeKind>(x25519);
}

Result<RecipientKey> parseRecipientKey(std::string_view text)
{
    text = trim(text);
    std::function<Result<RecipientKey>(std::string_view)> parse = parseCard;
    {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        for (const auto& kind : r.kinds)
            if (startsWithFolded(text, kind.prefix))
                parse = kind.parse;
    }
    return parse(text);
}

Status registerRecipientKind(RecipientKindSpec kind)
{
    if (kind.prefix.empty() || kind.prefix.back() != '1' || !kind.parse)
        return badKey("a recipient kind needs a prefix ending in \"1\" and a parser");
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    for (const auto& known : r.kinds)
        if (startsWithFolded(kind.prefix + "x", known.prefix) || startsWithFolded(known.prefix + "x", kind.prefix))
            return badKey("the recipient prefix \"" + kind.prefix + "\" is taken");
    COFFER_TRY(addAudienceLocked(r, kind.audience));
    r.kinds.push_back(std::move(kind));
    return Status::success();
}

Status registerAudienceType(AudienceType audience)
{
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    return addAudienceLocked(r, audience);
}

std::optional<AudienceType> findAudienceType(std::uint8_t type)
{
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    for (const auto& known : r.audiences)
        if (known.type == type)
            return known;
    return std::nullopt;
}

std::string showAudience(const AudienceTag& tag)
{
    const auto type = findAudienceType(tag.type);
    if (type && type->show)
        return type->show(tag.value);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const auto b : tag.value) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

} // namespace coffer::crypto
