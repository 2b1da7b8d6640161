#include "PassphraseRecipient.h"

#include "Base64.h"
#include "StanzaCrypto.h"

namespace coffer::crypto {

namespace {

constexpr std::string_view kSaltLabel = "coffer/v1/argon2id";
constexpr std::string_view kPassphraseAudienceLabel = "coffer/v1/passphrase-audience";

Result<SecretArray<32>> deriveWrapKey(const SecureString& passphrase, ByteView salt, const Argon2Params& params)
{
    Bytes fullSalt(kSaltLabel.begin(), kSaltLabel.end());
    fullSalt.insert(fullSalt.end(), salt.begin(), salt.end());
    return argon2id(passphrase, fullSalt, params);
}

// What a signed index records for a passphrase stanza (FORMAT.md §5.7): a
// value only a holder of the passphrase can compute, from the same Argon2id
// run, so it costs no extra KDF and gives a guesser nothing the stanza's own
// tag does not already give.
AudienceTag passphraseAudience(const SecretArray<32>& wrapKey)
{
    const Digest32 tag = hmacSha256(wrapKey.view(), asBytes(kPassphraseAudienceLabel));
    return AudienceTag{kAudiencePassphrase, Bytes(tag.begin(), tag.end())};
}

// Decimal without sign or leading zeros: the one canonical spelling.
std::optional<std::uint32_t> parseDecimal(std::string_view s)
{
    if (s.empty() || s.size() > 10 || (s.size() > 1 && s[0] == '0'))
        return std::nullopt;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > 0xffffffffu)
        return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

bool wellFormed(const Argon2Params& p)
{
    return p.passes >= 1 && p.parallelism >= 1 && p.memoryKiB >= 8 * std::uint64_t{p.parallelism};
}

std::uint64_t work(const Argon2Params& p)
{
    return std::uint64_t{p.passes} * p.memoryKiB;
}

} // namespace

Argon2Cost argon2Cost(const Argon2Params& p)
{
    if (p.passes > kArgon2MaxPasses || p.memoryKiB > kArgon2MaxMemoryKiB || p.parallelism > kArgon2MaxParallelism ||
        work(p) > kArgon2MaxWorkKiB)
        return Argon2Cost::OverCeiling;
    if (p.memoryKiB > kArgon2UsualMemoryKiB || work(p) > kArgon2UsualWorkKiB)
        return Argon2Cost::Unusual;
    return Argon2Cost::Usual;
}

double argon2Seconds(const Argon2Params& p)
{
    // Measured: the default (3 x 256 MiB) takes 1.0-1.2 s of CPU; time grows with t x m.
    return 1.1 * static_cast<double>(work(p)) / static_cast<double>(kArgon2UsualWorkKiB);
}

std::optional<Argon2Params> argon2ParamsOf(const Stanza& stanza)
{
    if (stanza.type != kArgon2StanzaType || stanza.args.size() != 4)
        return std::nullopt;
    const auto t = parseDecimal(stanza.args[1]);
    const auto m = parseDecimal(stanza.args[2]);
    const auto p = parseDecimal(stanza.args[3]);
    if (!t || !m || !p || !wellFormed({*t, *m, *p}))
        return std::nullopt;
    return Argon2Params{*t, *m, *p};
}

Argon2Params defaultArgon2Params()
{
    // About one second on the 2-core reference machine (t=4 measured 1.3 s of
    // CPU). Botan 2 computes lanes one after another, so p=1 costs the same.
    return Argon2Params{3, 256 * 1024, 1};
}

Result<WrappedStanza> PassphraseRecipient::wrapWithAudience(const FileKey& fileKey) const
{
    if (m_passphrase.empty())
        return makeError(ErrorCode::InvalidArgument, "the passphrase is empty");
    // Never write what no Coffer could open.
    if (!wellFormed(m_params) || argon2Cost(m_params) == Argon2Cost::OverCeiling)
        return makeError(ErrorCode::InvalidArgument, "Argon2id parameters outside the allowed range");
    std::array<std::uint8_t, kArgon2SaltSize> salt{};
    randomBytes(salt);
    auto wrapKey = deriveWrapKey(m_passphrase, salt, m_params);
    COFFER_TRY(wrapKey);
    auto body = sealFileKey(wrapKey->view(), fileKey);
    COFFER_TRY(body);
    Stanza stanza{std::string(kArgon2StanzaType),
                  {base64Encode(salt), std::to_string(m_params.passes), std::to_string(m_params.memoryKiB),
                   std::to_string(m_params.parallelism)},
                  std::move(*body)};
    return WrappedStanza{std::move(stanza), passphraseAudience(*wrapKey)};
}

Result<Unwrapped> PassphraseIdentity::unwrap(const Stanza& stanza) const
{
    if (stanza.type != kArgon2StanzaType)
        return Unwrapped{};
    if (stanza.args.size() != 4)
        return makeError(ErrorCode::Damaged, "an argon2id stanza has the wrong number of arguments");
    const auto salt = base64Decode(stanza.args[0]);
    const auto t = parseDecimal(stanza.args[1]);
    const auto m = parseDecimal(stanza.args[2]);
    const auto p = parseDecimal(stanza.args[3]);
    if (!salt || salt->size() != kArgon2SaltSize || !t || !m || !p || !wellFormed({*t, *m, *p}))
        return makeError(ErrorCode::Damaged, "an argon2id stanza has malformed parameters");
    if (stanza.body.size() != kStanzaBodySize)
        return makeError(ErrorCode::Damaged, "a stanza body has the wrong length");
    // Ceilings before the KDF runs: a hostile header must not cost more than a
    // few ordinary passphrase checks (FORMAT.md §3.2).
    const Argon2Params params{*t, *m, *p};
    const Argon2Cost cost = argon2Cost(params);
    if (cost == Argon2Cost::OverCeiling)
        return makeError(ErrorCode::LimitExceeded,
                         "the passphrase settings of this container ask for more work than Coffer allows (" +
                             std::to_string(*m / 1024) + " MiB, " + std::to_string(*t) + " passes)");
    if (cost == Argon2Cost::Unusual && m_notice)
        m_notice(params);
    auto wrapKey = deriveWrapKey(m_passphrase, *salt, params);
    COFFER_TRY(wrapKey);
    auto opened = openFileKey(wrapKey->view(), stanza.body);
    COFFER_TRY(opened);
    if (!opened->has_value())
        return makeError(ErrorCode::WrongPassphrase, "the passphrase is wrong");
    return Unwrapped{UnwrapOutcome::Opened, std::move(*opened), passphraseAudience(*wrapKey)};
}

} // namespace coffer::crypto
