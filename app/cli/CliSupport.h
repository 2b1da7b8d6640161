// Shared by the CLI commands: error reporting (error: + hint:), jobs wired to
// Ctrl-C and the progress bar, and the keyring unlock.
#pragma once

#include "Args.h"
#include "Job.h"
#include "KeyringStore.h"
#include "Result.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace coffer::cli {

/// Prints "error: ..." and "hint: ..." and maps the error to an exit code.
int reportError(const Error& error);
int usageError(const std::string& message, const std::string& usage);

Result<std::string> readTextFile(const std::string& path);

void beginJob(JobControl& job);
void endJob(JobControl& job);
/// Into the background (a daemon: the agent, a mount): a session of its own,
/// no working folder, standard input and outputs to /dev/null.
void detachFromTerminal();

/// Runs `work(job)` with Ctrl-C wired to cancel and a progress bar on a terminal.
template <typename Work> auto runJob(Work work)
{
    JobControl job;
    beginJob(job);
    auto result = work(job);
    endJob(job);
    return result;
}

/// A container passphrase to set: --passphrase-file, or -p asked twice on the
/// terminal (a typo here would lock the recipient out). None if neither was given.
Result<std::optional<crypto::SecureString>> newPassphraseFromArgs(const Args& args);

// What can be checked without a secret is checked before any passphrase is
// asked: a newcomer learns of a typo at once, not after typing a passphrase.

/// The container exists and is one of a version this Coffer reads ("-" is not checked).
Status checkContainerFirst(const std::string& path);
/// Each path exists (it may be a link: the scan decides what to do with it).
Status checkInputsExist(const std::vector<std::string>& paths);
/// A folder to extract into: it, or the nearest of its parents that exists, is a writable folder.
Status checkOutputFolder(const std::filesystem::path& path);
/// A file to create: its folder exists and is writable ("-" is standard output).
Status checkOutputFile(const std::string& path);

/// The keyring store in the data folder (COFFER_HOME, portable or XDG).
KeyringStore keyringStore();
/// The keyring passphrase: --keyring-passphrase-file, or asked on the terminal
/// (never with --no-prompt).
Result<crypto::SecureString> keyringPassphrase(const Args& args, bool confirmNew = false);
/// Fails, with a hint to create one, if there is no keyring (checked before any passphrase).
Status checkKeyringExists();
/// The passphrase of the keyring there is: checkKeyringExists(), then keyringPassphrase().
Result<crypto::SecureString> existingKeyringPassphrase(const Args& args);
/// Opens the keyring; says so on stderr when the backup had to be used.
Result<Keyring> unlockKeyring(const Args& args);
Result<Keyring> unlockWithPassphrase(const crypto::SecureString& passphrase);
/// For commands that open, sign or look up contacts: the key agent's keyring
/// when one answers (no passphrase asked; keys stay in the agent), else
/// unlockKeyring(). Not for commands that need the secret keys themselves.
Result<Keyring> openKeyring(const Args& args);

} // namespace coffer::cli
