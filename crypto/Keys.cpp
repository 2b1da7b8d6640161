#include "Keys.h"

#include "Bech32.h"
#include "StanzaCrypto.h"
#include "Utf8.h"

#include <algorithm>
#include <cstdio>

namespace coffer::crypto {

namespace {

constexpr std::uint8_t kCardVersion = 1;
constexpr std::uint8_t kSecretVersion = 1;
constexpr std::string_view kFingerprintLabel = "coffer/v1/fingerprint";

Error badCard(std::string what)
{
    return makeError(ErrorCode::InvalidArgument, std::move(what));
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::string ContactCard::encode() const
{
    Bytes data;
    data.push_back(kCardVersion);
    data.insert(data.end(), x25519.begin(), x25519.end());
    data.insert(data.end(), ed25519.begin(), ed25519.end());
    const std::string shown = sanitizeDisplayName(name, kMaxCardNameBytes);
    data.insert(data.end(), shown.begin(), shown.end());
    return bech32Encode(kCardHrp, data);
}

Result<ContactCard> ContactCard::decode(std::string_view text)
{
    auto card = decodeAnySigningKey(text);
    COFFER_TRY(card);
    if (!card->hasStrictSigningKey())
        return badCard("this Coffer card's signing key is unsafe (it would accept signatures nobody made)");
    return card;
}

Result<ContactCard> ContactCard::decodeAnySigningKey(std::string_view text)
{
    const auto decoded = bech32Decode(trim(text));
    if (!decoded || decoded->hrp != kCardHrp)
        return badCard("this is not a Coffer card (it should start with \"coffer1\")");
    const auto& d = decoded->data;
    if (d.size() < 65 || d[0] != kCardVersion || d.size() > 65 + kMaxCardNameBytes)
        return badCard("this Coffer card has an unknown version or length");
    ContactCard card;
    std::copy(d.begin() + 1, d.begin() + 33, card.x25519.begin());
    std::copy(d.begin() + 33, d.begin() + 65, card.ed25519.begin());
    card.name.assign(d.begin() + 65, d.end());
    if (!isValidUtf8(card.name) || sanitizeDisplayName(card.name, kMaxCardNameBytes) != card.name)
        return badCard("this Coffer card's name is not valid text");
    return card;
}

std::string ContactCard::fingerprint() const
{
    Bytes data(kFingerprintLabel.begin(), kFingerprintLabel.end());
    data.insert(data.end(), x25519.begin(), x25519.end());
    data.insert(data.end(), ed25519.begin(), ed25519.end());
    const auto digest = sha256(data);
    std::string out;
    for (int group = 0; group < 6; ++group) {
        std::uint64_t v = 0;
        for (int i = 0; i < 5; ++i)
            v = (v << 8) | digest[static_cast<std::size_t>(group * 5 + i)];
        char buf[8];
        std::snprintf(buf, sizeof buf, "%05u", static_cast<unsigned>(v % 100000));
        if (group)
            out += ' ';
        out += buf;
    }
    return out;
}

std::string encodeAgeRecipient(const PublicKey32& x25519)
{
    return bech32Encode(kAgeRecipientHrp, x25519);
}

SecretIdentity SecretIdentity::generate(std::string name)
{
    SecretIdentity id;
    randomBytes(id.m_x25519.mutableView());
    randomBytes(id.m_ed25519Seed.mutableView());
    id.m_name = std::move(name);
    return id;
}

Result<SecretIdentity> SecretIdentity::decode(std::string_view text)
{
    text = trim(text);
    SecretIdentity id;
    if (auto coffer = bech32DecodeSecret(text, kSecretHrp)) {
        if (coffer->size() != 65 || (*coffer)[0] != kSecretVersion)
            return badCard("this Coffer secret key has an unknown version or length");
        std::copy(coffer->begin() + 1, coffer->begin() + 33, id.m_x25519.data());
        std::copy(coffer->begin() + 33, coffer->end(), id.m_ed25519Seed.data());
        return id;
    }
    if (auto age = bech32DecodeSecret(text, kAgeSecretHrp)) {
        if (age->size() != 32)
            return badCard("this age identity is malformed");
        std::copy(age->begin(), age->end(), id.m_x25519.data());
        id.m_hasSigningKey = false;
        return id;
    }
    return badCard("this is not a Coffer secret key or an age identity");
}

SecureString SecretIdentity::encode() const
{
    if (!m_hasSigningKey) {
        auto s = bech32Encode(kAgeSecretHrp, m_x25519.view(), true);
        SecureString out(s.begin(), s.end());
        secureWipe(s.data(), s.size());
        return out;
    }
    SecureBytes data;
    data.push_back(kSecretVersion);
    data.insert(data.end(), m_x25519.data(), m_x25519.data() + 32);
    data.insert(data.end(), m_ed25519Seed.data(), m_ed25519Seed.data() + 32);
    auto s = bech32Encode(kSecretHrp, data, true);
    SecureString out(s.begin(), s.end());
    secureWipe(s.data(), s.size());
    return out;
}

std::optional<ContactCard> SecretIdentity::card() const
{
    if (!m_hasSigningKey)
        return std::nullopt;
    ContactCard c;
    c.x25519 = x25519PublicKey(m_x25519);
    c.ed25519 = ed25519PublicKey(m_ed25519Seed);
    c.name = m_name;
    return c;
}

std::string SecretIdentity::publicText() const
{
    if (auto c = card())
        return c->encode();
    return encodeAgeRecipient(x25519Public());
}

std::unique_ptr<Identity> SecretIdentity::makeIdentity() const
{
    return std::make_unique<X25519Identity>(m_x25519.clone());
}

std::unique_ptr<Recipient> SecretIdentity::makeRecipient() const
{
    return std::make_unique<X25519Recipient>(x25519PublicKey(m_x25519));
}

Signature64 SecretIdentity::sign(ByteView message) const
{
    return ed25519Sign(m_ed25519Seed, message);
}

SecretIdentity SecretIdentity::clone() const
{
    SecretIdentity copy;
    copy.m_x25519 = m_x25519.clone();
    copy.m_ed25519Seed = m_ed25519Seed.clone();
    copy.m_hasSigningKey = m_hasSigningKey;
    copy.m_name = m_name;
    return copy;
}

Result<std::vector<SecretIdentity>> parseIdentityFile(std::string_view text)
{
    std::vector<SecretIdentity> ids;
    std::size_t lineNo = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const auto line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++lineNo;
        if (line.empty() || line.front() == '#')
            continue;
        auto id = SecretIdentity::decode(line);
        if (!id.ok())
            return makeError(ErrorCode::InvalidArgument,
                             "line " + std::to_string(lineNo) + " of the identity file: " + id.error().message);
        ids.push_back(std::move(*id));
    }
    if (ids.empty())
        return makeError(ErrorCode::InvalidArgument, "the identity file holds no key");
    return ids;
}

} // namespace coffer::crypto
