// The key agent's wire protocol (docs/AGENT.md): length-prefixed, versioned
// messages over a UNIX socket, one request and one reply per connection.
// Every frame is checked against hard size limits before it is read; the
// payloads are kept in wiped memory (a reply may carry a file key).
#pragma once

#include "Header.h"
#include "Recipient.h"
#include "Result.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace coffer::agent {

inline constexpr std::uint8_t kAgentProtocolVersion = 1;
/// A frame: u32 big-endian length of what follows (version, op, payload), at most this.
inline constexpr std::size_t kMaxAgentFrame = 64 * 1024;
/// An error's text in a Failed reply.
inline constexpr std::size_t kMaxAgentErrorText = 512;

enum class AgentOp : std::uint8_t {
    // requests
    Hello = 1,     // -> Ok: the public keyring text (Keyring::publicText)
    Unwrap = 2,    // stanza -> Ok: file key + audience, or NotMine
    Sign = 3,      // an index signature message -> Ok: 64-byte signature
    Lock = 4,      // -> the agent wipes its keys and closes its socket, then Ok, then exits
    UnwrapAge = 5, // an age X25519 stanza -> Ok: its 16-byte file key, or NotMine
    // replies
    Ok = 0x80,
    NotMine = 0x81,
    Failed = 0x82, // u8 ErrorCode, then a short text
};

struct AgentMessage {
    AgentOp op = AgentOp::Failed;
    crypto::SecureBytes payload;
};

/// Writes one frame. Io on failure.
Status writeMessage(int fd, const AgentMessage& message);
/// Reads one frame, waiting at most `timeout` in all. A frame over the
/// limit, of another version, cut short or late is an error; nothing beyond
/// the declared length is read.
Result<AgentMessage> readMessage(int fd, std::chrono::milliseconds timeout);

// Payloads. Each decoder checks every length against what is left.
crypto::SecureBytes encodeStanza(const crypto::Stanza& stanza);
Result<crypto::Stanza> decodeStanza(const crypto::SecureBytes& payload);
/// Ok to Unwrap: the 32-byte file key, the audience type, u16 length, the audience value.
crypto::SecureBytes encodeUnwrapped(const crypto::FileKey& key, const crypto::AudienceTag& audience);
Result<crypto::Unwrapped> decodeUnwrapped(const crypto::SecureBytes& payload);
/// Failed: u8 error code, the text (at most kMaxAgentErrorText bytes).
AgentMessage failure(const Error& error);
/// The error a Failed reply carries, its text made safe to show.
Error decodeFailure(const crypto::SecureBytes& payload);

} // namespace coffer::agent
