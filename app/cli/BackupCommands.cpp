#include "BackupCommands.h"

#include "Backup.h"
#include "Cli.h"
#include "CliSupport.h"
#include "CommandTable.h"
#include "DisplayText.h"
#include "FileIO.h"
#include "KeyChoice.h"
#include "PaperKey.h"
#include "Terminal.h"

#include <cstdio>
#include <ctime>

namespace coffer::cli {

namespace fs = std::filesystem;

namespace {

/// The passphrase that locks or opens a backup: --backup-passphrase-file, or
/// asked on the terminal (twice when it is being chosen).
Result<crypto::SecureString> backupPassphrase(const Args& args, bool confirmNew)
{
    if (auto file = args.one("--backup-passphrase-file"))
        return readPassphraseFile(*file);
    auto first = readPassphrase(confirmNew ? "New backup passphrase: " : "Backup passphrase: ", "backup passphrase",
                                "--backup-passphrase-file");
    COFFER_TRY(first);
    if (!confirmNew)
        return first;
    if (first->size() < 8)
        return makeError(ErrorCode::InvalidArgument, "choose a backup passphrase of at least 8 characters",
                         "a long sentence only you know is both strong and easy to remember");
    auto second = readPassphrase("Backup passphrase again: ", "backup passphrase", "--backup-passphrase-file");
    COFFER_TRY(second);
    if (*first != *second)
        return makeError(ErrorCode::InvalidArgument, "the two passphrases differ", "type the same passphrase twice");
    return first;
}

/// The paper key's text into `path` ("-": standard output), never replacing a file unless `force`.
Status writePaperText(const std::string& path, const crypto::SecretIdentity& id, bool force)
{
    const crypto::SecureString text = paperKeyText(id);
    if (path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return Status::success();
    }
    std::error_code ec;
    if (!force && fs::symlink_status(path, ec).type() != fs::file_type::not_found)
        return makeError(ErrorCode::InvalidArgument, "\"" + path + "\" already exists",
                         "choose another name, or replace it with --force");
    auto out = AtomicOutput::create(path, force, 0600);
    COFFER_TRY(out);
    FdSink sink(out->fd(), out->partPath());
    COFFER_TRY(sink.write(crypto::asBytes(text)));
    auto committed = out->commit();
    COFFER_TRY(committed);
    return Status::success();
}

void printRestored(const crypto::SecretIdentity& id)
{
    std::printf("%s\n", id.card()->encode().c_str());
    std::fprintf(stderr, "Your fingerprint: %s\n", id.card()->fingerprint().c_str());
}

/// Puts what a backup or paper key holds into the keyring (made now if there is none).
int restoreKeyring(const Args& args, Result<Keyring> restored, const std::string& what)
{
    if (!restored.ok())
        return reportError(restored.error());
    auto store = keyringStore();
    const bool fresh = !store.exists();
    auto keyringPass = keyringPassphrase(args, fresh);
    if (!keyringPass.ok())
        return reportError(keyringPass.error());
    RestoreCount count;
    Status st;
    if (fresh) {
        Keyring k;
        auto merged = mergeRestored(k, *restored);
        st = merged.ok() ? store.create(k, *keyringPass) : Status(merged.error());
        if (merged.ok())
            count = *merged;
    } else {
        auto updated = store.update(*keyringPass, [&](Keyring& k) -> Status {
            auto merged = mergeRestored(k, *restored);
            COFFER_TRY(merged);
            count = *merged;
            return Status::success();
        });
        if (!updated.ok())
            st = updated.error();
    }
    if (!st.ok())
        return reportError(st.error());
    printRestored(*restored->identity());
    std::fprintf(stderr, "Restored from %s: %s and %s were new.\n", what.c_str(),
                 countOf(count.keys, "key", "keys").c_str(), countOf(count.contacts, "contact", "contacts").c_str());
    return kExitOk;
}

} // namespace

int idBackup(const Args& args)
{
    if (args.positional().size() != 1)
        return usageError("\"id backup\" takes no file name of its own: give it with -o FILE", usageOf("id"));
    const auto paper = args.one("--paper-text");
    std::optional<std::string> output = args.one("--output");
    const bool force = args.has("--force");
    // What can be checked without a secret first.
    for (const auto& target : {output, paper})
        if (target && *target != "-")
            if (auto st = checkOutputFile(*target); !st.ok())
                return reportError(st.error());
    if (output && *output == "-")
        return usageError("a backup file cannot go to standard output: name it with -o FILE", usageOf("id"));
    auto keyringPass = existingKeyringPassphrase(args);
    if (!keyringPass.ok())
        return reportError(keyringPass.error());
    auto loaded = keyringStore().load(*keyringPass);
    if (!loaded.ok())
        return reportError(loaded.error());
    if (!loaded->keyring.identity())
        return reportError(makeError(ErrorCode::InvalidArgument, "the keyring holds no Coffer identity to back up",
                                     "create one first: coffer id create"));
    // One identity per backup: the one named by --identity, or the default.
    Keyring keyring = loaded->keyring.copy(true);
    if (const auto which = args.one("--identity"))
        if (auto st = keyring.setDefaultIdentity(*which); !st.ok())
            return reportError(st.error());
    const std::string fingerprint = keyring.identity()->card()->fingerprint();
    while (keyring.identities().size() > 1)
        (void)keyring.removeIdentity(keyring.identities().back().card()->fingerprint());
    BackupOptions options;
    options.withContacts = args.has("--with-contacts");
    options.overwrite = force;
    if (!output && !paper)
        output = suggestedBackupName(keyring, options.now);
    if (output) {
        std::error_code ec;
        if (!force && fs::symlink_status(*output, ec).type() != fs::file_type::not_found)
            return reportError(makeError(ErrorCode::InvalidArgument, "\"" + *output + "\" already exists",
                                         "choose another name with -o, or replace it with --force"));
        auto pass = backupPassphrase(args, true);
        if (!pass.ok())
            return reportError(pass.error());
        if (auto st = writeBackup(*output, keyring, *pass, options); !st.ok())
            return reportError(st.error());
        std::fprintf(
            stderr, "Backed up your identity%s to %s.\n",
            options.withContacts ? (" and " + countOf(keyring.contacts().size(), "contact", "contacts")).c_str() : "",
            displayable(*output).c_str());
    }
    if (paper) {
        if (auto st = writePaperText(*paper, *keyring.identity(), force); !st.ok())
            return reportError(st.error());
        if (*paper != "-")
            std::fprintf(stderr, "Wrote the paper key to %s: print it, then delete the file.\n",
                         displayable(*paper).c_str());
    }
    // Remember the date for "Last backup" (a failure here loses nothing that was written).
    const auto when = options.now;
    auto updated = keyringStore().update(*keyringPass, [when, &fingerprint](Keyring& k) {
        for (std::size_t i = 0; i < k.identities().size(); ++i)
            if (k.identities()[i].card()->fingerprint() == fingerprint)
                k.setLastBackupAt(i, when);
        return Status::success();
    });
    if (!updated.ok())
        std::fprintf(stderr, "warning: the backup is made, but its date was not saved in the keyring: %s\n",
                     updated.error().message.c_str());
    std::fprintf(stderr, "Keep the backup away from this computer; anyone who has it and its passphrase can read "
                         "your files.\n");
    return kExitOk;
}

int idImportBackupFile(const Args& args)
{
    auto pass = backupPassphrase(args, false);
    if (!pass.ok())
        return reportError(pass.error());
    return restoreKeyring(args, readBackup(args.positional()[1], *pass), "the backup");
}

int idImportPaperKey(const Args& args, std::string_view text)
{
    auto id = parsePaperKey(text);
    if (!id.ok())
        return reportError(id.error());
    Keyring k;
    k.setIdentity(std::move(*id));
    return restoreKeyring(args, std::move(k), "the paper key");
}

} // namespace coffer::cli
