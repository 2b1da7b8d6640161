#include "AgentProtocol.h"

#include "DisplayText.h"

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace coffer::agent {

namespace {

using Clock = std::chrono::steady_clock;

Error protocolError(const std::string& what)
{
    return makeError(ErrorCode::Damaged, "the key agent's reply is malformed: " + what,
                     "run \"coffer lock\" and \"coffer unlock\" again");
}

Status writeAll(int fd, const std::uint8_t* data, std::size_t size)
{
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return makeError(ErrorCode::Io, "the key agent's connection broke");
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return Status::success();
}

/// Exactly `size` bytes before `deadline`.
Status readAll(int fd, std::uint8_t* data, std::size_t size, Clock::time_point deadline)
{
    while (size > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0)
            return makeError(ErrorCode::Io, "the key agent's connection timed out");
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return makeError(ErrorCode::Io, "the key agent's connection timed out");
        const ssize_t n = ::read(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return makeError(ErrorCode::Io, "the key agent's connection closed before a whole message");
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return Status::success();
}

void putU16(crypto::SecureBytes& out, std::size_t v)
{
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void putBytes(crypto::SecureBytes& out, std::string_view s)
{
    putU16(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

/// Reads from a payload; every take checks what is left.
struct Cursor {
    const crypto::SecureBytes& in;
    std::size_t at = 0;
    bool take(std::size_t n) { return in.size() - at >= n; }
    std::optional<std::size_t> u16()
    {
        if (!take(2))
            return std::nullopt;
        const std::size_t v = (std::size_t{in[at]} << 8) | in[at + 1];
        at += 2;
        return v;
    }
    std::optional<std::string> text(std::size_t max)
    {
        const auto n = u16();
        if (!n || *n > max || !take(*n))
            return std::nullopt;
        std::string s(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + *n));
        at += *n;
        return s;
    }
};

} // namespace

Status writeMessage(int fd, const AgentMessage& message)
{
    if (message.payload.size() + 2 > kMaxAgentFrame)
        return makeError(ErrorCode::LimitExceeded, "a key agent message is too large");
    const auto length = static_cast<std::uint32_t>(message.payload.size() + 2);
    crypto::SecureBytes frame{static_cast<std::uint8_t>(length >> 24),
                              static_cast<std::uint8_t>(length >> 16),
                              static_cast<std::uint8_t>(length >> 8),
                              static_cast<std::uint8_t>(length),
                              kAgentProtocolVersion,
                              static_cast<std::uint8_t>(message.op)};
    frame.insert(frame.end(), message.payload.begin(), message.payload.end());
    return writeAll(fd, frame.data(), frame.size());
}

Result<AgentMessage> readMessage(int fd, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    std::uint8_t head[6];
    COFFER_TRY(readAll(fd, head, sizeof head, deadline));
    const std::uint32_t length = (std::uint32_t{head[0]} << 24) | (std::uint32_t{head[1]} << 16) |
                                 (std::uint32_t{head[2]} << 8) | std::uint32_t{head[3]};
    if (length < 2 || length > kMaxAgentFrame)
        return protocolError("a message of " + std::to_string(length) + " bytes");
    if (head[4] != kAgentProtocolVersion)
        return makeError(ErrorCode::UnsupportedVersion,
                         "the key agent speaks protocol version " + std::to_string(head[4]) + ", not 1",
                         "run \"coffer lock\", then \"coffer unlock\" with this Coffer");
    AgentMessage message;
    message.op = static_cast<AgentOp>(head[5]);
    message.payload.resize(length - 2);
    COFFER_TRY(readAll(fd, message.payload.data(), message.payload.size(), deadline));
    return message;
}

crypto::SecureBytes encodeStanza(const crypto::Stanza& stanza)
{
    crypto::SecureBytes out;
    putBytes(out, stanza.type);
    out.push_back(static_cast<std::uint8_t>(stanza.args.size()));
    for (const auto& a : stanza.args)
        putBytes(out, a);
    putU16(out, stanza.body.size());
    out.insert(out.end(), stanza.body.begin(), stanza.body.end());
    return out;
}

Result<crypto::Stanza> decodeStanza(const crypto::SecureBytes& payload)
{
    const auto bad = [] { return makeError(ErrorCode::Damaged, "a malformed stanza was sent to the key agent"); };
    Cursor c{payload};
    crypto::Stanza stanza;
    auto type = c.text(256);
    if (!type || !c.take(1))
        return bad();
    stanza.type = std::move(*type);
    const std::size_t argc = payload[c.at++];
    if (argc > crypto::kMaxStanzaArgs)
        return bad();
    for (std::size_t i = 0; i < argc; ++i) {
        auto arg = c.text(1024);
        if (!arg)
            return bad();
        stanza.args.push_back(std::move(*arg));
    }
    const auto bodySize = c.u16();
    if (!bodySize || *bodySize > crypto::kMaxStanzaBody || payload.size() - c.at != *bodySize)
        return bad();
    stanza.body.assign(payload.begin() + static_cast<std::ptrdiff_t>(c.at), payload.end());
    return stanza;
}

crypto::SecureBytes encodeUnwrapped(const crypto::FileKey& key, const crypto::AudienceTag& audience)
{
    crypto::SecureBytes out(key.data(), key.data() + key.size());
    out.push_back(audience.type);
    putU16(out, audience.value.size());
    out.insert(out.end(), audience.value.begin(), audience.value.end());
    return out;
}

Result<crypto::Unwrapped> decodeUnwrapped(const crypto::SecureBytes& payload)
{
    crypto::FileKey key;
    if (payload.size() < key.size() + 3)
        return protocolError("an opened key is too short");
    std::copy(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(key.size()), key.data());
    Cursor c{payload, key.size()};
    crypto::Unwrapped out;
    out.audience.type = payload[c.at++];
    const auto n = c.u16();
    if (!n || *n > 64 || payload.size() - c.at != *n)
        return protocolError("an opened key's audience has the wrong length");
    out.audience.value.assign(payload.begin() + static_cast<std::ptrdiff_t>(c.at), payload.end());
    out.outcome = crypto::UnwrapOutcome::Opened;
    out.fileKey.emplace(std::move(key));
    return out;
}

AgentMessage failure(const Error& error)
{
    AgentMessage m{AgentOp::Failed, {static_cast<std::uint8_t>(error.code)}};
    const std::string_view text = std::string_view(error.message).substr(0, kMaxAgentErrorText);
    m.payload.insert(m.payload.end(), text.begin(), text.end());
    return m;
}

Error decodeFailure(const crypto::SecureBytes& payload)
{
    if (payload.empty() || payload.size() > kMaxAgentErrorText + 1)
        return protocolError("a failure of the wrong length");
    // Only the codes a stanza or a signature can fail with pass through: the
    // agent cannot make the command report a passphrase or a cancel.
    ErrorCode code = ErrorCode::Internal;
    switch (static_cast<ErrorCode>(payload[0])) {
    case ErrorCode::Damaged:
    case ErrorCode::LimitExceeded:
    case ErrorCode::InvalidArgument:
        code = static_cast<ErrorCode>(payload[0]);
        break;
    default:
        break;
    }
    const std::string text(payload.begin() + 1, payload.end());
    return makeError(code, "the key agent says: " + displayable(text));
}

} // namespace coffer::agent
