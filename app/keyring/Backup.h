// An identity backup (KEYRING.md "Backups"): the keyring's identities (and,
// if chosen, its contacts) sealed under a passphrase chosen for the backup,
// in the keyring's own file format (KeyringFile) with the entry
// "coffer-backup.txt"; and restoring one, or a paper key, into a keyring.
#pragma once

#include "Keyring.h"
#include "PassphraseRecipient.h"

#include <ctime>
#include <filesystem>
#include <string>

namespace coffer {

inline constexpr const char* kBackupEntryName = "coffer-backup.txt";

struct BackupOptions {
    bool withContacts = false;
    bool overwrite = false; // replace an existing file (--force)
    crypto::Argon2Params kdf = crypto::defaultArgon2Params();
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr)); // recorded as the backup's date
};

/// "coffer-backup-Ann-2026-12-05.coffer": the name safe for any file system.
std::string suggestedBackupName(const Keyring& keyring, std::int64_t now);

/// Writes the backup of `keyring` (which must hold a Coffer identity) to `file`.
Status writeBackup(const std::filesystem::path& file, const Keyring& keyring, const crypto::SecureString& passphrase,
                   const BackupOptions& options);

/// Whether `file` starts like a Coffer container (a backup is one; a key file is text).
bool looksLikeContainer(const std::filesystem::path& file);

/// Opens a backup file; each failure says what the file is and what to do.
Result<Keyring> readBackup(const std::filesystem::path& file, const crypto::SecureString& passphrase);

/// Adds what `restored` holds to `into`: its identity (refused if `into` has a
/// different one), age identities and contacts it does not have yet; the later
/// backup date wins. Returns how many keys and contacts were new.
struct RestoreCount {
    std::size_t keys = 0;
    std::size_t contacts = 0;
};
Result<RestoreCount> mergeRestored(Keyring& into, const Keyring& restored);

} // namespace coffer
