// A keyring written as a Coffer container under one argon2id stanza (FORMAT.md
// §3.2) holding one stored entry with Keyring::serialise()'s text: the format
// of both the keyring file (KeyringStore) and an identity backup (Backup).
#pragma once

#include "Keyring.h"
#include "PassphraseRecipient.h"

#include <filesystem>
#include <string>

namespace coffer {

/// The largest keyring text read back (a hostile file cannot make Coffer allocate more).
inline constexpr std::uint64_t kMaxKeyringTextBytes = 16 * 1024 * 1024;

/// Seals `keyring` into `file` (atomically, mode 0600) as entry `entryName`.
/// `overwrite` false: an existing `file` is never replaced (an error instead).
Status writeKeyringFile(const std::filesystem::path& file, const Keyring& keyring,
                        const crypto::SecureString& passphrase, const crypto::Argon2Params& kdf,
                        const std::string& entryName, bool overwrite);

/// The text of entry `entryName`, in wiped memory. Errors are those of the
/// container reader (WrongPassphrase, Damaged, NotAContainer, Io, ...) unchanged.
Result<crypto::SecureBytes> readKeyringText(const std::filesystem::path& file, const crypto::SecureString& passphrase,
                                            const std::string& entryName);

} // namespace coffer
