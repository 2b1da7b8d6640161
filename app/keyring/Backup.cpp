#include "Backup.h"

#include "Header.h"
#include "KeyringFile.h"

#include <QDateTime>

#include <fstream>

namespace coffer {

namespace fs = std::filesystem;

std::string suggestedBackupName(const Keyring& keyring, std::int64_t now)
{
    std::string name;
    if (const auto* id = keyring.identity())
        for (const char c : id->name()) {
            const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (plain)
                name += c;
            else if ((c == ' ' || c == '-' || c == '_' || c == '.') && !name.empty() && name.back() != '-')
                name += '-';
        }
    while (!name.empty() && name.back() == '-')
        name.pop_back();
    const std::string date =
        QDateTime::fromSecsSinceEpoch(now).toLocalTime().date().toString(Qt::ISODate).toStdString();
    return "coffer-backup-" + (name.empty() ? std::string() : name + "-") + date + ".coffer";
}

Status writeBackup(const fs::path& file, const Keyring& keyring, const crypto::SecureString& passphrase,
                   const BackupOptions& options)
{
    if (!keyring.identity())
        return makeError(ErrorCode::InvalidArgument, "the keyring holds no Coffer identity to back up",
                         "create one first: coffer id create");
    if (passphrase.empty())
        return makeError(ErrorCode::InvalidArgument, "the backup passphrase is empty",
                         "choose a passphrase for the backup");
    Keyring copy = keyring.copy(options.withContacts);
    while (copy.identities().size() > 1) // one identity per backup: the default
        COFFER_TRY(copy.removeIdentity(copy.identities().back().card()->fingerprint()));
    copy.setLastBackupAt(options.now);
    return writeKeyringFile(file, copy, passphrase, options.kdf, kBackupEntryName, options.overwrite);
}

bool looksLikeContainer(const fs::path& file)
{
    // "coffer/": this version's first line or a later one's (the reader says which).
    constexpr std::string_view kStart = crypto::kVersionLine.substr(0, 7);
    std::ifstream in(file, std::ios::binary);
    std::string start(kStart.size(), '\0');
    in.read(start.data(), static_cast<std::streamsize>(start.size()));
    return in && start == kStart;
}

Result<Keyring> readBackup(const fs::path& file, const crypto::SecureString& passphrase)
{
    auto text = readKeyringText(file, passphrase, kBackupEntryName);
    if (!text.ok()) {
        const Error& e = text.error();
        switch (e.code) {
        case ErrorCode::WrongPassphrase:
            return makeError(ErrorCode::WrongPassphrase, "the backup passphrase is wrong",
                             "type the passphrase chosen when the backup was made (it is case-sensitive)");
        case ErrorCode::NoKeyMatched:
        case ErrorCode::PassphraseNeeded:
            return makeError(
                ErrorCode::InvalidArgument,
                "no passphrase opens this file, so it is not a Coffer backup (it may be a container sent to "
                "someone's card, or damaged)",
                "choose the file made by \"Back up...\" or \"coffer id backup\"");
        case ErrorCode::Io:
        case ErrorCode::NotAContainer:
        case ErrorCode::UnsupportedVersion:
            return e;
        default:
            break;
        }
        // Opened with the passphrase, but no backup inside: a container, not a backup.
        if (e.code == ErrorCode::Damaged && e.message.find(kBackupEntryName) != std::string::npos &&
            e.message.find("is missing") != std::string::npos)
            return makeError(ErrorCode::InvalidArgument, "this container is not a Coffer backup",
                             "choose the file made by \"Back up...\" or \"coffer id backup\"");
        return makeError(e.code, "the backup file is damaged (" + e.message + ")",
                         "use another copy of the backup, or the paper key");
    }
    auto keyring = Keyring::parse(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()));
    if (!keyring.ok())
        return makeError(ErrorCode::Damaged, "the backup is damaged: " + keyring.error().message,
                         "use another copy of the backup, or the paper key");
    if (!keyring->identity())
        return makeError(ErrorCode::Damaged, "the backup holds no Coffer identity",
                         "use another copy of the backup, or the paper key");
    return keyring;
}

Result<RestoreCount> mergeRestored(Keyring& into, const Keyring& restored)
{
    RestoreCount count;
    if (const auto* id = restored.identity()) {
        if (const auto* mine = into.identity()) {
            if (!mine->card()->sameKeys(*id->card()))
                return makeError(ErrorCode::InvalidArgument,
                                 "this keyring already holds another identity (" + mine->card()->fingerprint() +
                                     "); a backup restores into a keyring holding the same identity or none",
                                 "restore into a new keyring (another COFFER_HOME), or move the present one away "
                                 "first");
        } else {
            into.setIdentity(id->clone());
            ++count.keys;
        }
    }
    for (const auto& age : restored.ageIdentities()) {
        bool present = false;
        for (const auto& existing : into.ageIdentities())
            present = present || existing.x25519Public() == age.x25519Public();
        if (!present) {
            COFFER_TRY(into.addAgeIdentity(age.clone()));
            ++count.keys;
        }
    }
    for (const auto& c : restored.contacts())
        if (!into.findContact(c.name) && into.addContact(c).ok())
            ++count.contacts;
    into.setLastBackupAt(std::max(into.lastBackupAt(), restored.lastBackupAt()));
    return count;
}

} // namespace coffer
