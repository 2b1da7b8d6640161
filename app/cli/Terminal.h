// Terminal helpers for the CLI: passphrases without echo, a progress bar.
#pragma once

#include "Job.h"
#include "Result.h"
#include "SecureMemory.h"

#include <string>

namespace coffer::cli {

/// Reads a passphrase from the controlling terminal with echo off.
Result<crypto::SecureString> readPassphrase(const std::string& prompt);
/// Reads the first line of a file (for scripts); the newline is dropped.
Result<crypto::SecureString> readPassphraseFile(const std::string& path);

bool stderrIsTerminal();
bool stdoutIsTerminal();

/// Draws "[#####.....] 45%  1.2 GiB / 2.4 GiB  name" on stderr.
void drawProgress(const Progress& progress);
void clearProgress();

std::string formatBytes(std::uint64_t bytes);

} // namespace coffer::cli
