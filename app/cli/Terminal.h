// Terminal helpers for the CLI: passphrases without echo, a progress bar.
#pragma once

#include "Job.h"
#include "Result.h"
#include "SecureMemory.h"

#include <string>

namespace coffer::cli {

/// Reads a passphrase from the controlling terminal with echo off. Without
/// one, the error names `what` is missing and the hint the option that gives it.
Result<crypto::SecureString> readPassphrase(const std::string& prompt, const std::string& what = "passphrase",
                                            const std::string& fileOption = "--passphrase-file");
/// Reads the first line of a file (for scripts); the newline is dropped.
Result<crypto::SecureString> readPassphraseFile(const std::string& path);

bool stderrIsTerminal();
bool stdoutIsTerminal();

/// Draws "[#####.....] 45%  1.2 GiB / 2.4 GiB  name" on stderr.
void drawProgress(const Progress& progress);
void clearProgress();

std::string formatBytes(std::uint64_t bytes);
/// "1 file", "2 files": `n` and the noun, singular for exactly one.
std::string countOf(std::uint64_t n, const char* one, const char* many);

} // namespace coffer::cli
