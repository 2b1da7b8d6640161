// Shared by the CLI commands: error reporting (error: + hint:), jobs wired to
// Ctrl-C and the progress bar, and the keyring unlock.
#pragma once

#include "Args.h"
#include "Job.h"
#include "KeyringStore.h"
#include "Result.h"

#include <optional>
#include <string>

namespace coffer::cli {

/// Prints "error: ..." and "hint: ..." and maps the error to an exit code.
int reportError(const Error& error);
int usageError(const std::string& message, const char* usage);

Result<std::string> readTextFile(const std::string& path);

void beginJob(JobControl& job);
void endJob(JobControl& job);

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

/// The keyring store in the data folder (COFFER_HOME, portable or XDG).
KeyringStore keyringStore();
/// The keyring passphrase: --keyring-passphrase-file, or asked on the terminal.
Result<crypto::SecureString> keyringPassphrase(const Args& args, bool confirmNew = false);
/// Opens the keyring; says so on stderr when the backup had to be used.
Result<Keyring> unlockKeyring(const Args& args);

} // namespace coffer::cli
