// The key agent's server (docs/AGENT.md): holds an unlocked keyring, answers
// requests from processes of the same user only (SO_PEERCRED), opens stanzas
// and signs index signatures itself, and locks (wipes the keys, removes its
// socket, returns) after the idle time, on a Lock request, when the screen
// locks (AgentOptions::lockFd) and on SIGTERM, SIGINT or SIGHUP.
#pragma once

#include "Keyring.h"

#include <chrono>
#include <filesystem>
#include <functional>

namespace coffer::agent {

struct AgentOptions {
    /// Locks after this long without a request; zero: never.
    std::chrono::milliseconds idle = std::chrono::minutes(15);
    /// Locks when this descriptor becomes readable (the screen locked:
    /// ScreenLockWatch); -1: none.
    int lockFd = -1;
};

/// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread, and so in every
/// thread started from it afterwards (the keyring's unlock starts the worker
/// pool): call it first thing. A stop signal can then only be taken inside
/// serveAgent's wait, which it ends; one sent earlier waits for it. (Else a
/// worker took it while the agent was busy, and the agent never stopped.)
void blockStopSignals();

/// Binds the socket (a live agent there is an error; a dead one's socket is
/// removed), calls `ready()` once it listens, then serves until it locks.
/// The keyring is wiped when this returns.
Status serveAgent(Keyring keyring, const std::filesystem::path& socketPath, const AgentOptions& options,
                  const std::function<void()>& ready);

} // namespace coffer::agent
