// The keyring on disk: a Coffer container under an argon2id stanza (the
// user's passphrase) holding one stored entry, "keyring.txt". Saved
// atomically (".part", fsync, rename) after the previous version is kept as
// "keyring.coffer.bak"; a lock file stops two Coffer processes from losing
// each other's changes.
#pragma once

#include "Keyring.h"
#include "PassphraseRecipient.h"

#include <filesystem>
#include <functional>

namespace coffer {

struct LoadedKeyring {
    Keyring keyring;
    bool fromBackup = false; // the main file was damaged; the backup was read
};

class KeyringStore {
public:
    explicit KeyringStore(std::filesystem::path dataDir);

    std::filesystem::path path() const { return m_dir / "keyring.coffer"; }
    std::filesystem::path backupPath() const { return m_dir / "keyring.coffer.bak"; }
    bool exists() const;

    /// For tests only: cheaper Argon2id settings for new saves.
    void setKdfParams(crypto::Argon2Params params) { m_kdf = params; }

    /// Creates the keyring; refuses if one exists.
    Status create(const Keyring& keyring, const crypto::SecureString& passphrase);
    /// Opens it; a damaged main file falls back to the backup (fromBackup set).
    Result<LoadedKeyring> load(const crypto::SecureString& passphrase) const;
    /// Under the lock: reloads, applies `change`, saves. Returns the saved keyring.
    Result<Keyring> update(const crypto::SecureString& passphrase, const std::function<Status(Keyring&)>& change);
    /// Re-encrypts under a new passphrase (the backup is re-encrypted too).
    Status changePassphrase(const crypto::SecureString& oldPassphrase, const crypto::SecureString& newPassphrase);

private:
    Result<Keyring> loadFile(const std::filesystem::path& file, const crypto::SecureString& passphrase) const;
    Status writeFile(const std::filesystem::path& file, const Keyring& keyring,
                     const crypto::SecureString& passphrase) const;
    Status backupCurrent() const;

    std::filesystem::path m_dir;
    crypto::Argon2Params m_kdf = crypto::defaultArgon2Params();
};

} // namespace coffer
