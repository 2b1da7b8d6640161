// Starting the key agent from another program (docs/AGENT.md, "Start"): the
// desktop app runs `coffer unlock` itself, with the keyring passphrase on a
// pipe as its standard input (never argv, the environment or a file), and
// waits for it; `unlock` starts the agent, which outlives both.
#pragma once

#include "Result.h"
#include "SecureMemory.h"

#include <filesystem>

namespace coffer::agent {

/// Runs `program unlock --keyring-passphrase-file /dev/stdin` with
/// `passphrase` and a newline on a pipe, and returns its exit code (0: an
/// agent is unlocked, started now or before). An error if it cannot run.
/// Blocks while the agent opens the keyring (Argon2id): call it off the GUI thread.
Result<int> unlockAgentWith(const std::filesystem::path& program, const crypto::SecureString& passphrase);

} // namespace coffer::agent
