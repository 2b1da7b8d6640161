// The argon2id stanza (FORMAT.md §3.2): "-> argon2id <salt> <t> <m> <p>".
// Decryption refuses parameters over fixed ceilings before running the KDF,
// so a hostile container costs at most a few ordinary passphrase checks.
#pragma once

#include "Recipient.h"

#include <functional>
#include <optional>

namespace coffer::crypto {

inline constexpr std::string_view kArgon2StanzaType = "argon2id";
inline constexpr std::size_t kArgon2SaltSize = 16;

/// Ceilings enforced on decryption (FORMAT.md §3.2): a little above what
/// Coffer writes (t = 3, 256 MiB, p = 1), so one hostile stanza costs at most
/// about four ordinary passphrase checks: 1 GiB and some 4-5 s.
inline constexpr std::uint32_t kArgon2MaxPasses = 12;
inline constexpr std::uint32_t kArgon2MaxMemoryKiB = 1024 * 1024; // 1 GiB
inline constexpr std::uint32_t kArgon2MaxParallelism = 4;
inline constexpr std::uint64_t kArgon2MaxWorkKiB = 3 * 1024 * 1024; // t x m
/// The usual band: no more than Coffer itself writes.
inline constexpr std::uint32_t kArgon2UsualMemoryKiB = 256 * 1024;
inline constexpr std::uint64_t kArgon2UsualWorkKiB = 3 * 256 * 1024;

/// Defaults for new containers: about one second on a 2-core machine.
Argon2Params defaultArgon2Params();

enum class Argon2Cost { Usual, Unusual, OverCeiling };
/// Where `params` fall (FORMAT.md §3.2); above usual, front ends say so first.
Argon2Cost argon2Cost(const Argon2Params& params);
/// About how long one derivation takes on the 2-core reference machine.
double argon2Seconds(const Argon2Params& params);
/// The t, m and p of a well-formed argon2id stanza (for a notice before opening).
std::optional<Argon2Params> argon2ParamsOf(const Stanza& stanza);

class PassphraseRecipient final : public Recipient {
public:
    PassphraseRecipient(SecureString passphrase, Argon2Params params = defaultArgon2Params())
        : m_passphrase(std::move(passphrase)), m_params(params)
    {}
    Result<WrappedStanza> wrapWithAudience(const FileKey& fileKey) const override;

private:
    SecureString m_passphrase;
    Argon2Params m_params;
};

class PassphraseIdentity final : public Identity {
public:
    /// Called before a derivation of unusual cost runs (never over the ceilings).
    using CostNotice = std::function<void(const Argon2Params&)>;
    explicit PassphraseIdentity(SecureString passphrase, CostNotice notice = {})
        : m_passphrase(std::move(passphrase)), m_notice(std::move(notice))
    {}
    Result<Unwrapped> unwrap(const Stanza& stanza) const override;

private:
    SecureString m_passphrase;
    CostNotice m_notice;
};

} // namespace coffer::crypto
