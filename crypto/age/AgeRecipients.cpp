#include "AgeRecipients.h"

#include "AgeAead.h"
#include "Base64.h"
#include "detail/BotanCompat.h"

#include <algorithm>
#include <array>

namespace coffer::crypto::age {

namespace {

constexpr std::string_view kX25519Label = "age-encryption.org/v1/X25519";
constexpr std::string_view kScryptLabel = "age-encryption.org/v1/scrypt";
constexpr std::size_t kScryptSaltSize = 16;
constexpr std::size_t kBodySize = kFileKeySize + kAeadTagSize; // checked before decrypting (age.md)
// Beyond this a work factor is not a number we could ever run, just a malformed header.
constexpr int kWorkFactorSyntaxMax = 64;

Error headerError(AgeFailure& why, std::string detail)
{
    why = AgeFailure::Header;
    return makeError(ErrorCode::Damaged, "this age file's header is malformed: " + std::move(detail));
}

std::optional<Bytes> decodeExact(std::string_view text, std::size_t size)
{
    auto bytes = base64Decode(text);
    if (!bytes || bytes->size() != size)
        return std::nullopt;
    return bytes;
}

// ^[1-9][0-9]*$ (age.md), as a number; nullopt if it is not one or is absurd.
std::optional<int> parseWorkFactor(std::string_view text)
{
    if (text.empty() || text.size() > 2 || text[0] < '1' || text[0] > '9')
        return std::nullopt;
    int value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value <= kWorkFactorSyntaxMax ? std::optional<int>(value) : std::nullopt;
}

Status checkX25519(const AgeStanza& s, AgeFailure& why)
{
    if (s.args.size() != 1 || !decodeExact(s.args[0], kX25519KeySize))
        return headerError(why, "an X25519 stanza does not have exactly one 32-byte share");
    if (s.body.size() != kBodySize)
        return headerError(why, "an X25519 stanza body is not 32 bytes");
    return Status::success();
}

Status checkScrypt(const AgeStanza& s, std::size_t stanzaCount, int maxWorkFactor, AgeFailure& why)
{
    if (stanzaCount != 1)
        return headerError(why, "an scrypt stanza is not the only stanza");
    if (s.args.size() != 2 || !decodeExact(s.args[0], kScryptSaltSize))
        return headerError(why, "an scrypt stanza does not have a 16-byte salt and a work factor");
    const auto workFactor = parseWorkFactor(s.args[1]);
    if (!workFactor)
        return headerError(why, "an scrypt work factor is not a plain decimal number");
    if (s.body.size() != kBodySize)
        return headerError(why, "an scrypt stanza body is not 32 bytes");
    if (*workFactor > maxWorkFactor) {
        why = AgeFailure::WorkFactor;
        return makeError(ErrorCode::LimitExceeded, "this age file's passphrase needs scrypt work factor " + s.args[1] +
                                                       ", over Coffer's limit of " + std::to_string(maxWorkFactor) +
                                                       " (it would take too long)");
    }
    return Status::success();
}

Result<SecureBytes> x25519WrapKey(const SecretArray<32>& shared, ByteView share, const PublicKey32& recipient)
{
    // salt = ephemeral share || recipient (age.md, "X25519 recipient stanza")
    std::array<std::uint8_t, 64> salt{};
    std::copy(share.begin(), share.end(), salt.begin());
    std::copy(recipient.begin(), recipient.end(), salt.begin() + 32);
    return hkdfSha256(shared.view(), salt, asBytes(kX25519Label), 32);
}

Result<SecureBytes> scryptWrapKey(const SecureString& passphrase, ByteView salt, int workFactor)
{
    Bytes fullSalt(kScryptLabel.begin(), kScryptLabel.end());
    fullSalt.insert(fullSalt.end(), salt.begin(), salt.end());
    SecureBytes key(32);
    try {
        auto family = Botan::PasswordHashFamily::create_or_throw("Scrypt");
        auto scrypt = family->from_params(std::size_t(1) << workFactor, 8, 1);
        scrypt->derive_key(key.data(), key.size(), passphrase.data(), passphrase.size(), fullSalt.data(),
                           fullSalt.size());
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::LimitExceeded, "not enough memory for this passphrase's scrypt work factor");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("scrypt: ") + e.what());
    }
    return key;
}

// The file key from one X25519 stanza under one identity, or nullopt if it is not addressed to it.
Result<std::optional<SecureBytes>> tryX25519(const AgeStanza& s, const SecretArray<32>& secret,
                                             const PublicKey32& publicKey, AgeFailure& why)
{
    const Bytes share = *base64Decode(s.args[0]); // checked by checkX25519
    auto shared = x25519(secret, share);
    if (!shared.ok()) // all-zero: a low-order share, which age.md says to abort on
        return headerError(why, "an X25519 stanza has a low-order share");
    auto wrapKey = x25519WrapKey(*shared, share, publicKey);
    COFFER_TRY(wrapKey);
    return openBody(*wrapKey, s.body);
}

Result<std::optional<SecureBytes>> tryScrypt(const AgeStanza& s, const SecureString& passphrase)
{
    const Bytes salt = *base64Decode(s.args[0]); // checked by checkScrypt
    auto wrapKey = scryptWrapKey(passphrase, salt, *parseWorkFactor(s.args[1]));
    COFFER_TRY(wrapKey);
    return openBody(*wrapKey, s.body);
}

Error noMatch(const std::vector<AgeStanza>& stanzas, const AgeKeys& keys, AgeFailure& why)
{
    why = AgeFailure::NoMatch;
    const auto has = [&](auto pred) { return std::any_of(stanzas.begin(), stanzas.end(), pred); };
    if (has([](const AgeStanza& s) { return isPostQuantumType(s.type); })) {
        why = AgeFailure::PostQuantum;
        return makeError(ErrorCode::UnsupportedVersion,
                         "encrypted with post-quantum keys, which this version of Coffer cannot open");
    }
    if (has([](const AgeStanza& s) { return s.type == kScryptType; })) {
        if (keys.passphrase)
            return makeError(ErrorCode::WrongPassphrase, "the passphrase does not open this age file");
        return makeError(ErrorCode::PassphraseNeeded, "this age file is encrypted with a passphrase");
    }
    // Name the other types (a few, shortened: they come from the file), so the user knows what it needs.
    std::vector<std::string> others;
    for (const auto& s : stanzas)
        if (s.type != kX25519Type && others.size() < 4 &&
            std::find(others.begin(), others.end(), s.type) == others.end())
            others.push_back(s.type.substr(0, 40));
    std::string list;
    for (const auto& t : others)
        list += (list.empty() ? "" : ", ") + t;
    return makeError(
        ErrorCode::NoKeyMatched,
        "none of your keys opens this age file" +
            (list.empty() ? std::string() : " (it is also encrypted to types Coffer cannot open: " + list + ")"));
}

} // namespace

bool isPostQuantumType(std::string_view type)
{
    return type == "mlkem768x25519" || type == "mlkem768p256tag";
}

Status checkStanzas(const std::vector<AgeStanza>& stanzas, int maxWorkFactor, AgeFailure& why)
{
    for (const auto& s : stanzas) {
        if (s.type == kX25519Type)
            COFFER_TRY(checkX25519(s, why));
        else if (s.type == kScryptType)
            COFFER_TRY(checkScrypt(s, stanzas.size(), maxWorkFactor, why));
    }
    return Status::success();
}

Result<SecureBytes> unwrapFileKey(const std::vector<AgeStanza>& stanzas, const AgeKeys& keys, AgeFailure& why)
{
    std::vector<PublicKey32> publicKeys;
    for (const auto& secret : keys.x25519)
        publicKeys.push_back(x25519PublicKey(secret));
    for (const auto& s : stanzas) {
        std::optional<SecureBytes> fileKey;
        if (s.type == kX25519Type) {
            for (std::size_t i = 0; i < keys.x25519.size() && !fileKey; ++i) {
                auto opened = tryX25519(s, keys.x25519[i], publicKeys[i], why);
                COFFER_TRY(opened);
                fileKey = std::move(*opened);
            }
            if (!fileKey && keys.held) {
                auto opened = keys.held(s);
                COFFER_TRY(opened);
                if (*opened && (*opened)->size() != kFileKeySize) // the agent's answer is checked like any input
                    return makeError(ErrorCode::Damaged, "the key agent gave a file key of the wrong size");
                fileKey = std::move(*opened);
            }
        } else if (s.type == kScryptType && keys.passphrase) {
            auto opened = tryScrypt(s, *keys.passphrase);
            COFFER_TRY(opened);
            fileKey = std::move(*opened);
        }
        if (fileKey)
            return std::move(*fileKey);
    }
    return noMatch(stanzas, keys, why);
}

Result<AgeStanza> wrapX25519(const PublicKey32& recipient, ByteView fileKey)
{
    SecretArray<32> ephemeral;
    randomBytes(ephemeral.mutableView());
    const PublicKey32 share = x25519PublicKey(ephemeral);
    auto shared = x25519(ephemeral, recipient);
    if (!shared.ok())
        return makeError(ErrorCode::InvalidArgument, "an age recipient's public key is not usable (low order)");
    auto wrapKey = x25519WrapKey(*shared, share, recipient);
    COFFER_TRY(wrapKey);
    auto body = sealBody(*wrapKey, fileKey);
    COFFER_TRY(body);
    return AgeStanza{std::string(kX25519Type), {base64Encode(share)}, std::move(*body)};
}

Result<AgeStanza> wrapScrypt(const SecureString& passphrase, int workFactor, ByteView fileKey)
{
    if (workFactor < 1 || workFactor > kMaxScryptWorkFactor)
        return makeError(ErrorCode::InvalidArgument, "the scrypt work factor is out of range");
    Bytes salt(kScryptSaltSize);
    randomBytes(salt);
    auto wrapKey = scryptWrapKey(passphrase, salt, workFactor);
    COFFER_TRY(wrapKey);
    auto body = sealBody(*wrapKey, fileKey);
    COFFER_TRY(body);
    return AgeStanza{std::string(kScryptType), {base64Encode(salt), std::to_string(workFactor)}, std::move(*body)};
}

} // namespace coffer::crypto::age
