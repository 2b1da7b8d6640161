#include "Keyring.h"

#include "Utf8.h"

#include <QString>

#include <algorithm>

namespace coffer {

namespace {

constexpr std::string_view kMagic = "coffer-keyring 1";

bool sameName(const std::string& a, const std::string& b)
{
    return QString::fromStdString(a).compare(QString::fromStdString(b), Qt::CaseInsensitive) == 0;
}

std::vector<std::string_view> splitTabs(std::string_view line)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto tab = line.find('\t', start);
        parts.push_back(line.substr(start, tab - start));
        if (tab == std::string_view::npos)
            return parts;
        start = tab + 1;
    }
}

Error corrupt(const std::string& what)
{
    return makeError(ErrorCode::Damaged, "the keyring is damaged: " + what);
}

/// A saved contact's key. A card whose signing key is unsafe (FORMAT.md §6)
/// was accepted before Coffer refused such keys: keep the contact, so the
/// keyring still opens, but encrypt-only, so no signature can name it.
Result<crypto::RecipientKey> contactKey(const std::string& text)
{
    auto key = crypto::parseRecipientKey(text);
    if (key.ok())
        return key;
    auto weak = crypto::ContactCard::decodeAnySigningKey(text);
    COFFER_TRY(weak);
    return crypto::RecipientKey{weak->x25519, std::nullopt};
}

/// A "backed-up" time: digits only, seconds since the epoch.
std::optional<std::int64_t> backupTime(std::string_view text)
{
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    return std::atoll(std::string(text).c_str());
}

} // namespace

void Keyring::setIdentity(crypto::SecretIdentity identity)
{
    identity.setName(crypto::sanitizeDisplayName(identity.name(), crypto::kMaxCardNameBytes));
    if (m_identities.empty()) {
        m_identities.push_back(std::move(identity));
        m_backedUp.push_back(m_lastBackupAt);
    } else {
        m_identities[0] = std::move(identity);
    }
}

Status Keyring::addIdentity(crypto::SecretIdentity identity)
{
    if (!identity.canSign())
        return makeError(ErrorCode::InvalidArgument, "an age identity cannot sign: add it as an age identity");
    identity.setName(crypto::sanitizeDisplayName(identity.name(), crypto::kMaxCardNameBytes));
    if (!m_identities.empty() && identity.name().empty())
        return makeError(ErrorCode::InvalidArgument, "an identity beside another one needs a name",
                         "give it a name that tells them apart, such as Work or Personal");
    for (const auto& id : m_identities) {
        if (id.x25519Public() == identity.x25519Public() || id.card()->ed25519 == identity.card()->ed25519)
            return makeError(ErrorCode::InvalidArgument,
                             "this identity is already in the keyring" +
                                 (id.name().empty() ? std::string() : " as \"" + id.name() + "\""));
        if (sameName(id.name(), identity.name()))
            return makeError(ErrorCode::InvalidArgument, "you already have an identity named \"" + id.name() + "\"",
                             "choose another name");
    }
    m_identities.push_back(std::move(identity));
    m_backedUp.push_back(0);
    return Status::success();
}

std::size_t Keyring::indexOfIdentity(const std::string& nameOrFingerprint) const
{
    for (std::size_t i = 0; i < m_identities.size(); ++i) {
        const auto& id = m_identities[i];
        if ((!id.name().empty() && sameName(id.name(), nameOrFingerprint)) ||
            id.card()->fingerprint() == nameOrFingerprint)
            return i;
    }
    return std::string::npos;
}

const crypto::SecretIdentity* Keyring::findIdentity(const std::string& nameOrFingerprint) const
{
    const auto i = indexOfIdentity(nameOrFingerprint);
    return i == std::string::npos ? nullptr : &m_identities[i];
}

Status Keyring::removeIdentity(const std::string& nameOrFingerprint)
{
    const auto i = indexOfIdentity(nameOrFingerprint);
    if (i == std::string::npos)
        return makeError(ErrorCode::InvalidArgument, "you have no identity named \"" + nameOrFingerprint + "\"",
                         "see your identities with: coffer id list");
    m_identities.erase(m_identities.begin() + static_cast<std::ptrdiff_t>(i));
    m_backedUp.erase(m_backedUp.begin() + static_cast<std::ptrdiff_t>(i));
    if (m_identities.empty())
        m_lastBackupAt = 0;
    return Status::success();
}

Status Keyring::setDefaultIdentity(const std::string& nameOrFingerprint)
{
    const auto i = indexOfIdentity(nameOrFingerprint);
    if (i == std::string::npos)
        return makeError(ErrorCode::InvalidArgument, "you have no identity named \"" + nameOrFingerprint + "\"",
                         "see your identities with: coffer id list");
    std::rotate(m_identities.begin(), m_identities.begin() + static_cast<std::ptrdiff_t>(i),
                m_identities.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    std::rotate(m_backedUp.begin(), m_backedUp.begin() + static_cast<std::ptrdiff_t>(i),
                m_backedUp.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    return Status::success();
}

void Keyring::setLastBackupAt(std::int64_t when)
{
    m_lastBackupAt = when;
    if (!m_backedUp.empty())
        m_backedUp[0] = when;
}

void Keyring::setLastBackupAt(std::size_t i, std::int64_t when)
{
    if (i < m_backedUp.size())
        m_backedUp[i] = when;
    if (i == 0)
        m_lastBackupAt = when;
}

std::vector<std::pair<crypto::ContactCard, std::string>> Keyring::ownCards() const
{
    if (m_held)
        return m_heldCards;
    std::vector<std::pair<crypto::ContactCard, std::string>> cards;
    for (const auto& id : m_identities)
        cards.emplace_back(*id.card(), id.name());
    return cards;
}

std::optional<crypto::ContactCard> Keyring::findOwnCard(const crypto::PublicKey32& ed25519, std::string* name) const
{
    for (auto& [card, cardName] : ownCards())
        if (card.ed25519 == ed25519) {
            if (name)
                *name = cardName;
            return card;
        }
    return std::nullopt;
}

Status Keyring::addAgeIdentity(crypto::SecretIdentity identity)
{
    for (const auto& existing : m_ageIdentities)
        if (existing.x25519Public() == identity.x25519Public())
            return makeError(ErrorCode::InvalidArgument, "this age identity is already in the keyring");
    m_ageIdentities.push_back(std::move(identity));
    return Status::success();
}

Status Keyring::addContact(Contact contact)
{
    COFFER_TRY(checkContactName(contact.name));
    return insertContact(std::move(contact));
}

Status Keyring::insertContact(Contact contact)
{
    for (const auto& c : m_contacts) {
        if (sameName(c.name, contact.name))
            return makeError(ErrorCode::InvalidArgument, "a contact named \"" + c.name + "\" already exists");
        if (c.recipient.sameKey(contact.recipient))
            return makeError(ErrorCode::InvalidArgument, "this key is already in your contacts as \"" + c.name + "\"");
    }
    m_contacts.push_back(std::move(contact));
    return Status::success();
}

Status Keyring::removeContact(const std::string& name)
{
    for (auto it = m_contacts.begin(); it != m_contacts.end(); ++it)
        if (sameName(it->name, name)) {
            m_contacts.erase(it);
            return Status::success();
        }
    return makeError(ErrorCode::InvalidArgument, "no contact named \"" + name + "\"");
}

Status Keyring::renameContact(const std::string& name, const std::string& newName)
{
    COFFER_TRY(checkContactName(newName));
    Contact* target = nullptr;
    for (auto& c : m_contacts) {
        if (sameName(c.name, name))
            target = &c;
        else if (sameName(c.name, newName))
            return makeError(ErrorCode::InvalidArgument, "a contact named \"" + c.name + "\" already exists");
    }
    if (!target)
        return makeError(ErrorCode::InvalidArgument, "no contact named \"" + name + "\"");
    target->name = newName;
    return Status::success();
}

Status Keyring::setVerified(const std::string& name, bool verified)
{
    for (auto& c : m_contacts)
        if (sameName(c.name, name)) {
            c.verified = verified;
            return Status::success();
        }
    return makeError(ErrorCode::InvalidArgument, "no contact named \"" + name + "\"");
}

const Contact* Keyring::findContact(const std::string& nameOrKey) const
{
    for (const auto& c : m_contacts)
        if (sameName(c.name, nameOrKey) || c.key == nameOrKey)
            return &c;
    return nullptr;
}

const Contact* Keyring::findBySigningKey(const crypto::PublicKey32& ed25519) const
{
    for (const auto& c : m_contacts)
        if (const auto* card = c.recipient.card(); card && card->ed25519 == ed25519 && card->hasStrictSigningKey())
            return &c;
    return nullptr;
}

crypto::IdentityList Keyring::decryptionIdentities() const
{
    if (m_held)
        return m_held->identities();
    crypto::IdentityList list;
    for (const auto& id : m_identities)
        list.push_back(id.makeIdentity());
    for (const auto& id : m_ageIdentities)
        list.push_back(id.makeIdentity());
    return list;
}

Keyring Keyring::copy(bool withContacts) const
{
    Keyring k;
    for (const auto& id : m_identities)
        k.m_identities.push_back(id.clone());
    k.m_backedUp = m_backedUp;
    for (const auto& id : m_ageIdentities)
        k.m_ageIdentities.push_back(id.clone());
    if (withContacts)
        k.m_contacts = m_contacts;
    k.m_lastBackupAt = m_lastBackupAt;
    k.m_held = m_held; // held by the key agent: the copy asks the same agent
    k.m_heldAgeKeys = m_heldAgeKeys;
    k.m_heldCards = m_heldCards;
    return k;
}

crypto::SecureString Keyring::serialise() const
{
    crypto::SecureString out(kMagic);
    out += '\n';
    // The default identity as Coffer always wrote it; the others on lines of their own, which a
    // Coffer from before several identities refuses ("an unknown line") rather than dropping them.
    for (std::size_t i = 0; i < m_identities.size(); ++i) {
        out += i == 0 ? "identity\t" : "extra-identity\t";
        out += m_identities[i].encode();
        out += '\t';
        out += m_identities[i].name();
        if (i > 0)
            out += "\t" + std::to_string(m_backedUp[i]);
        out += '\n';
    }
    for (const auto& id : m_ageIdentities) {
        out += "age-identity\t";
        out += id.encode();
        out += '\n';
    }
    if (lastBackupAt() > 0)
        out += "backed-up\t" + std::to_string(lastBackupAt()) + "\n";
    for (const auto& c : m_contacts) {
        out += "contact\t" + c.key + "\t" + (c.verified ? "1" : "0") + "\t" + std::to_string(c.addedAt) + "\t" +
               c.name + "\n";
    }
    return out;
}

std::optional<crypto::ContactCard> Keyring::ownCard() const
{
    if (!m_identities.empty())
        return m_identities[0].card();
    return m_held ? m_held->card() : std::nullopt;
}

const crypto::Signer* Keyring::signer() const
{
    if (!m_identities.empty())
        return &m_identities[0];
    return m_held && m_held->card() ? m_held.get() : nullptr;
}

Result<const crypto::Signer*> Keyring::signerAs(const std::string& nameOrFingerprint) const
{
    if (const auto* id = findIdentity(nameOrFingerprint))
        return static_cast<const crypto::Signer*>(id);
    if (m_held)
        for (const auto& [card, name] : m_heldCards)
            if ((!name.empty() && sameName(name, nameOrFingerprint)) || card.fingerprint() == nameOrFingerprint) {
                if (const auto* held = m_held->signerAs(card.ed25519))
                    return held;
                return makeError(ErrorCode::InvalidArgument,
                                 "the key agent cannot sign as \"" + nameOrFingerprint + "\"",
                                 "restart it with: coffer lock, then coffer unlock");
            }
    return makeError(ErrorCode::InvalidArgument, "you have no identity named \"" + nameOrFingerprint + "\"",
                     "see your identities with: coffer id list");
}

std::vector<crypto::PublicKey32> Keyring::ownX25519Keys() const
{
    std::vector<crypto::PublicKey32> keys;
    for (const auto& [card, name] : ownCards())
        keys.push_back(card.x25519);
    if (m_held && m_heldCards.empty()) // an agent from before several identities
        if (const auto card = ownCard())
            keys.push_back(card->x25519);
    for (const auto& id : m_ageIdentities)
        keys.push_back(id.x25519Public());
    keys.insert(keys.end(), m_heldAgeKeys.begin(), m_heldAgeKeys.end());
    return keys;
}

std::string Keyring::publicText() const
{
    Keyring pub;
    for (const auto& c : m_contacts)
        pub.m_contacts.push_back(c);
    const crypto::SecureString text = pub.serialise(); // no secret in it: contacts only
    std::string out(text.begin(), text.end());
    // Every own card, the default first, with its name (a client from before several identities
    // skips these lines and takes the agent's one card).
    for (const auto& [card, name] : ownCards())
        out += "card\t" + card.encode() + "\t" + name + "\n";
    for (const auto& id : m_ageIdentities) {
        out += "age-public\t";
        for (const std::uint8_t b : id.x25519Public())
            out += "0123456789abcdef"[b >> 4], out += "0123456789abcdef"[b & 15];
        out += "\n";
    }
    return out;
}

Result<Keyring> Keyring::fromPublicText(std::string_view text, std::shared_ptr<const HeldKeys> held)
{
    // The own card is the agent's to say (held->card()); contact lines parse as in the file.
    std::string contacts;
    std::vector<crypto::PublicKey32> ageKeys;
    std::vector<std::pair<crypto::ContactCard, std::string>> heldCards;
    for (std::string_view rest = text; !rest.empty();) {
        const auto nl = rest.find('\n');
        const auto line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (line.starts_with("age-public\t")) {
            const auto hex = line.substr(11);
            crypto::PublicKey32 key{};
            const auto nibble = [](char c) { return c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - '0'; };
            if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string_view::npos)
                return corrupt("the key agent sent an unreadable age key");
            for (std::size_t i = 0; i < key.size(); ++i)
                key[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
            ageKeys.push_back(key);
        } else if (line.starts_with("card\t")) {
            const auto parts = splitTabs(line);
            auto card = parts.size() == 3 || parts.size() == 2 ? crypto::ContactCard::decode(parts[1])
                                                               : Result<crypto::ContactCard>(corrupt("an own card"));
            const std::string name(parts.size() == 3 ? parts[2] : std::string_view{}); // none from an older agent
            if (!card.ok() || crypto::sanitizeDisplayName(name, crypto::kMaxCardNameBytes) != name)
                return corrupt("the key agent sent an unreadable card");
            heldCards.emplace_back(std::move(*card), name);
        } else {
            contacts.append(line).append("\n");
        }
    }
    auto k = parse(contacts);
    COFFER_TRY(k);
    k->m_heldAgeKeys = std::move(ageKeys);
    k->m_heldCards = std::move(heldCards);
    if (!k->m_identities.empty() || !k->m_ageIdentities.empty())
        return corrupt("the key agent sent a secret key");
    k->m_held = std::move(held);
    return k;
}

Result<Keyring> Keyring::parse(std::string_view text)
{
    Keyring k;
    bool first = true;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (first) {
            if (line != kMagic)
                return corrupt("unknown format");
            first = false;
            continue;
        }
        if (line.empty())
            continue;
        const auto parts = splitTabs(line);
        if (parts[0] == "identity" && parts.size() == 3) {
            auto id = crypto::SecretIdentity::decode(parts[1]);
            if (!id.ok() || !id->canSign())
                return corrupt("the identity is unreadable");
            if (k.identity())
                return corrupt("it holds two default identities");
            id->setName(std::string(parts[2]));
            k.setIdentity(std::move(*id));
        } else if (parts[0] == "extra-identity" && parts.size() == 4) {
            if (!k.identity()) // written after the default's line, always
                return corrupt("an identity is listed before the default one");
            auto id = crypto::SecretIdentity::decode(parts[1]);
            const auto when = backupTime(parts[3]);
            if (!id.ok() || !id->canSign() || !when)
                return corrupt("an identity is unreadable");
            id->setName(std::string(parts[2]));
            if (id->name().empty() || crypto::sanitizeDisplayName(id->name(), crypto::kMaxCardNameBytes) != id->name())
                return corrupt("an identity's name is not text");
            if (!k.addIdentity(std::move(*id)).ok())
                return corrupt("an identity is listed twice");
            k.m_backedUp.back() = *when;
        } else if (parts[0] == "age-identity" && parts.size() == 2) {
            auto id = crypto::SecretIdentity::decode(parts[1]);
            if (!id.ok())
                return corrupt("an age identity is unreadable");
            k.m_ageIdentities.push_back(std::move(*id));
        } else if (parts[0] == "contact" && parts.size() == 5) {
            Contact c;
            c.key = std::string(parts[1]);
            auto key = contactKey(c.key);
            if (!key.ok())
                return corrupt("a contact's key is unreadable");
            c.recipient = std::move(*key);
            // A contact without a card cannot have been compared as a signer.
            c.verified = parts[2] == "1" && c.recipient.canSign();
            c.addedAt = std::atoll(std::string(parts[3]).c_str());
            c.name = std::string(parts[4]);
            // A name saved before today's rule (SECURITY.md "Contact names") still loads: it is
            // shown through displayable(), and the next rename must follow the rule.
            if (c.name.empty() || crypto::sanitizeDisplayName(c.name, 64) != c.name)
                return corrupt("a contact's name is not text");
            if (!k.insertContact(std::move(c)).ok())
                return corrupt("a contact is listed twice");
        } else if (parts[0] == "backed-up" && parts.size() == 2) {
            // Optional (keyrings saved before backups existed have none).
            const auto when = backupTime(parts[1]);
            if (!when)
                return corrupt("the date of the last backup is not a number");
            k.m_lastBackupAt = *when;
        } else {
            return corrupt("an unknown line");
        }
    }
    if (first)
        return corrupt("it is empty");
    if (!k.m_backedUp.empty())
        k.m_backedUp[0] = k.m_lastBackupAt;
    return k;
}

} // namespace coffer
