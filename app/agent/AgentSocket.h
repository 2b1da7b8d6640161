// Where the key agent listens (docs/AGENT.md): a UNIX socket in
// $XDG_RUNTIME_DIR/coffer/, a folder that must be ours, a real folder (no
// link) and closed to everyone else; one socket per keyring file, so that a
// portable or test keyring never meets the agent of another.
#pragma once

#include "Result.h"

#include <filesystem>

namespace coffer::agent {

/// The socket's path for the keyring at `keyringPath`. With `create`, the
/// folder is made (0700) if missing. Refuses a folder that is a link, not
/// ours, or open to others, and says so when XDG_RUNTIME_DIR is not set.
Result<std::filesystem::path> agentSocketPath(const std::filesystem::path& keyringPath, bool create);

/// A connected stream socket to `path`, or the errno of the failure.
Result<int> connectSocket(const std::filesystem::path& path, int* err = nullptr);

/// True if `uid` of the peer on `fd` (SO_PEERCRED) is ours.
bool peerIsUs(int fd);

/// Removes `path` if it is a socket of ours (a dead agent's); nothing else.
void removeStaleSocket(const std::filesystem::path& path);

} // namespace coffer::agent
