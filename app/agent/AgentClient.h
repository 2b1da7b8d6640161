// The key agent's client (docs/AGENT.md): asks a running agent for the
// public keyring, to open stanzas and to sign; every reply is hostile until
// checked. A dead agent's socket is removed; no agent means "ask as before".
#pragma once

#include "AgentProtocol.h"
#include "Keyring.h"

#include <filesystem>
#include <optional>

namespace coffer::agent {

/// One request, one reply, on a fresh connection.
Result<AgentMessage> askAgent(const std::filesystem::path& socket, const AgentMessage& request);

/// What a probe of the agent found.
enum class AgentPresence {
    Absent,    // no socket (or XDG_RUNTIME_DIR unset)
    Stale,     // a socket nobody serves: removed
    Answering, // an agent of ours answered
};
AgentPresence probeAgent(const std::filesystem::path& socket);

/// The keyring as the agent for `keyringPath` holds it (public parts here,
/// secrets there), or nullopt if no agent answers properly (a dead one's
/// socket removed): the caller then unlocks as before.
std::optional<Keyring> keyringFromAgent(const std::filesystem::path& keyringPath);

/// Asks the agent to lock. False if no agent answered.
bool lockAgent(const std::filesystem::path& socket);
/// The same for the agent of the keyring at `keyringPath` (the GUI's Lock).
bool lockAgentOf(const std::filesystem::path& keyringPath);

} // namespace coffer::agent
