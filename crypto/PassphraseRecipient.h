// The argon2id stanza (FORMAT.md §3.2): "-> argon2id <salt> <t> <m> <p>".
// Decryption refuses parameters over fixed ceilings before running the KDF,
// so a hostile container cannot make us spend minutes or gigabytes.
#pragma once

#include "Recipient.h"

namespace coffer::crypto {

inline constexpr std::string_view kArgon2StanzaType = "argon2id";
inline constexpr std::size_t kArgon2SaltSize = 16;

/// Ceilings enforced on decryption (FORMAT.md §3.2).
inline constexpr std::uint32_t kArgon2MaxPasses = 16;
inline constexpr std::uint32_t kArgon2MaxMemoryKiB = 2 * 1024 * 1024; // 2 GiB
inline constexpr std::uint32_t kArgon2MaxParallelism = 16;

/// Defaults for new containers: about one second on a 2-core machine.
Argon2Params defaultArgon2Params();

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
    explicit PassphraseIdentity(SecureString passphrase) : m_passphrase(std::move(passphrase)) {}
    Result<Unwrapped> unwrap(const Stanza& stanza) const override;

private:
    SecureString m_passphrase;
};

} // namespace coffer::crypto
