// The CLI's age side (issue 20, FORMAT.md §13): decrypt, list and inspect
// take age files, detected by their first bytes; encrypt --format age.
#pragma once

#include "AgeFiles.h"
#include "Args.h"

#include <string>

namespace coffer::cli {

/// True for a file (not "-") that begins like an age file.
bool isAgeInput(const std::string& path);

int decryptAgeCommand(const Args& args);
/// The first bytes of standard input, read to tell an age file from a
/// container (they are read again through StartedSource).
Result<crypto::Bytes> readStandardInputStart();
/// decrypt - of an age file (`start` already read): its content to standard
/// output with -o -, as `age -d` does; a folder is refused (no name to give).
int decryptAgeFromStandardInput(const Args& args, crypto::Bytes start);
int listAgeCommand(const Args& args);
int inspectAgeCommand(const std::string& path);
/// What makes `encrypt --format age` a usage error (empty: nothing), checked
/// before any key or passphrase is asked for.
std::string ageEncryptProblem(const Args& args);
/// encrypt --format age, once the recipients and the passphrase were chosen.
int encryptAgeCommand(const Args& args, AgeEncryptRequest request);

} // namespace coffer::cli
