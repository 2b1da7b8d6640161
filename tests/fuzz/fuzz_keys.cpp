// Fuzz target: the key text parsers (FORMAT.md §6) and the base64 codec (§1.2).
// Every parser runs on every input. Where an encoding is defined, what decodes
// must encode back to the same text (up to the letter case and surrounding
// blanks the decoders accept): Bech32, cards, age recipients, secret keys and
// base64 each have exactly one spelling per value.
#include "Base64.h"
#include "Bech32.h"
#include "FuzzSupport.h"
#include "Keys.h"

#include <algorithm>
#include <string>
#include <string_view>

using namespace coffer;
using namespace coffer::crypto;

namespace {

std::string_view trim(std::string_view s) // as Keys.cpp trims
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // Bech32 (BIP 173, no length limit): one spelling per (hrp, data), in either case.
    if (const auto b = bech32Decode(text)) {
        FUZZ_CHECK(bech32Encode(b->hrp, b->data) == lower(text));
        FUZZ_CHECK(b->hrp == lower(b->hrp));
        const auto secret = bech32DecodeSecret(text, b->hrp);
        FUZZ_CHECK(secret && Bytes(secret->begin(), secret->end()) == b->data);
    } else {
        FUZZ_CHECK(!bech32DecodeSecret(text, kCardHrp) && !bech32DecodeSecret(text, kSecretHrp));
    }

    // Cards.
    auto card = ContactCard::decode(text);
    if (card.ok()) {
        const std::string encoded = card->encode();
        FUZZ_CHECK(encoded == lower(trim(text)));
        auto again = ContactCard::decode(encoded);
        FUZZ_CHECK(again.ok() && again->sameKeys(*card) && again->name == card->name);
        FUZZ_CHECK(card->fingerprint().size() == 35);
    }

    // Recipients: a card, or an age X25519 public key.
    auto recipient = parseRecipientKey(text);
    if (recipient.ok()) {
        if (recipient->card()) {
            FUZZ_CHECK(card.ok() && recipient->card()->sameKeys(*card));
            FUZZ_CHECK(recipient->audience().value == Bytes(card->x25519.begin(), card->x25519.end()));
        } else {
            FUZZ_CHECK(recipient->text() == lower(trim(text)));
        }
    }

    // Secret keys: Coffer's (both keys) or age's (X25519 only), upper case when written.
    auto secret = SecretIdentity::decode(text);
    if (secret.ok()) {
        const SecureString encoded = secret->encode();
        FUZZ_CHECK(lower(std::string_view(encoded.data(), encoded.size())) == lower(trim(text)));
        auto again = SecretIdentity::decode(std::string_view(encoded.data(), encoded.size()));
        FUZZ_CHECK(again.ok() && again->canSign() == secret->canSign());
        FUZZ_CHECK(again->x25519Public() == secret->x25519Public());
        if (auto c = secret->card()) {
            auto back = ContactCard::decode(c->encode());
            FUZZ_CHECK(back.ok() && back->sameKeys(*c));
        } else {
            auto back = parseRecipientKey(secret->publicText());
            const auto pub = secret->x25519Public();
            FUZZ_CHECK(back.ok() && back->audience().value == Bytes(pub.begin(), pub.end()));
        }
    }

    // Identity files: one key per line, comments and blank lines.
    auto ids = parseIdentityFile(text);
    if (ids.ok())
        FUZZ_CHECK(!ids->empty());

    // Canonical unpadded base64: decode(text) succeeds only for encode's own output.
    if (const auto bytes = base64Decode(text))
        FUZZ_CHECK(base64Encode(*bytes) == text);
    const std::string encoded = base64Encode(ByteView(data, size));
    const auto decoded = base64Decode(encoded);
    FUZZ_CHECK(decoded && *decoded == Bytes(data, data + size));
    return 0;
}
