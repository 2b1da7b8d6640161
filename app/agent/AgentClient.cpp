#include "AgentClient.h"

#include "AgentSocket.h"
#include "Signature.h"
#include "age/AgeHeader.h"
#include "age/AgeRecipients.h"

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer::agent {

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::milliseconds kReplyTimeout{10000};

Error unexpected()
{
    return makeError(ErrorCode::Damaged, "the key agent gave an unexpected reply",
                     "run \"coffer lock\" and \"coffer unlock\" again");
}

/// Asks the agent to open `stanza` (`op`: Unwrap or UnwrapAge): its Ok
/// payload, or nullopt when none of its keys opens it.
Result<std::optional<crypto::SecureBytes>> askToOpen(const fs::path& socket, AgentOp op, const crypto::Stanza& stanza)
{
    auto reply = askAgent(socket, {op, encodeStanza(stanza)});
    if (!reply.ok())
        return makeError(reply.error().code, reply.error().message,
                         "run the command again: without the agent it asks for the keyring passphrase");
    switch (reply->op) {
    case AgentOp::NotMine:
        if (!reply->payload.empty())
            return unexpected();
        return std::optional<crypto::SecureBytes>();
    case AgentOp::Ok:
        return std::optional<crypto::SecureBytes>(std::move(reply->payload));
    case AgentOp::Failed:
        return decodeFailure(reply->payload);
    default:
        return unexpected();
    }
}

/// Opens stanzas through the agent: the secret stays there, the file key comes back.
class AgentIdentity final : public crypto::Identity {
public:
    explicit AgentIdentity(fs::path socket) : m_socket(std::move(socket)) {}
    Result<crypto::Unwrapped> unwrap(const crypto::Stanza& stanza) const override
    {
        auto opened = askToOpen(m_socket, AgentOp::Unwrap, stanza);
        COFFER_TRY(opened);
        if (!*opened)
            return crypto::Unwrapped{};
        return decodeUnwrapped(**opened);
    }

private:
    fs::path m_socket;
};

/// Signs through the agent as one held identity: the default (the message alone, as
/// before several identities) or another (its Ed25519 key after the message).
class AgentSigner final : public crypto::Signer {
public:
    AgentSigner(fs::path socket, crypto::ContactCard card, bool isDefault)
        : m_socket(std::move(socket)), m_card(std::move(card)), m_default(isDefault)
    {}
    std::optional<crypto::ContactCard> card() const override { return m_card; }
    Result<crypto::Signature64> signMessage(crypto::ByteView message) const override
    {
        crypto::SecureBytes request(message.begin(), message.end());
        if (!m_default)
            request.insert(request.end(), m_card.ed25519.begin(), m_card.ed25519.end());
        auto reply = askAgent(m_socket, {AgentOp::Sign, std::move(request)});
        COFFER_TRY(reply);
        if (reply->op == AgentOp::Failed)
            return decodeFailure(reply->payload);
        crypto::Signature64 sig{};
        if (reply->op != AgentOp::Ok || reply->payload.size() != sig.size())
            return unexpected();
        std::copy(reply->payload.begin(), reply->payload.end(), sig.begin());
        // A signature that does not verify is never written into a container.
        if (!crypto::ed25519Verify(m_card.ed25519, message, sig))
            return makeError(ErrorCode::Damaged, "the key agent's signature does not verify",
                             "run \"coffer lock\" and \"coffer unlock\" again");
        return sig;
    }

private:
    fs::path m_socket;
    crypto::ContactCard m_card;
    bool m_default;
};

class AgentKeys final : public HeldKeys {
public:
    /// `cards`: the held identities' cards, the default first.
    AgentKeys(fs::path socket, const std::vector<crypto::ContactCard>& cards) : m_socket(std::move(socket))
    {
        for (std::size_t i = 0; i < cards.size(); ++i)
            m_signers.push_back(std::make_unique<AgentSigner>(m_socket, cards[i], i == 0));
    }
    std::optional<crypto::ContactCard> card() const override
    {
        return m_signers.empty() ? std::nullopt : m_signers.front()->card();
    }
    Result<crypto::Signature64> signMessage(crypto::ByteView message) const override
    {
        if (m_signers.empty())
            return makeError(ErrorCode::InvalidArgument, "the keyring holds no identity that signs");
        return m_signers.front()->signMessage(message);
    }
    const crypto::Signer* signerAs(const crypto::PublicKey32& ed25519) const override
    {
        for (const auto& s : m_signers)
            if (s->card()->ed25519 == ed25519)
                return s.get();
        return nullptr;
    }
    crypto::IdentityList identities() const override
    {
        crypto::IdentityList list;
        list.push_back(std::make_unique<AgentIdentity>(m_socket));
        return list;
    }
    crypto::age::HeldAgeUnwrap ageUnwrap() const override
    {
        return [socket = m_socket](const crypto::age::AgeStanza& s) -> Result<std::optional<crypto::SecureBytes>> {
            auto opened = askToOpen(socket, AgentOp::UnwrapAge, {s.type, s.args, s.body});
            COFFER_TRY(opened);
            if (*opened && (*opened)->size() != crypto::age::kFileKeySize)
                return unexpected();
            return opened;
        };
    }

private:
    fs::path m_socket;
    std::vector<std::unique_ptr<AgentSigner>> m_signers;
};

} // namespace

Result<AgentMessage> askAgent(const fs::path& socket, const AgentMessage& request)
{
    auto fd = connectSocket(socket);
    COFFER_TRY(fd);
    auto reply = [&]() -> Result<AgentMessage> {
        COFFER_TRY(writeMessage(*fd, request));
        return readMessage(*fd, kReplyTimeout);
    }();
    ::close(*fd);
    return reply;
}

AgentPresence probeAgent(const fs::path& socket)
{
    int err = 0;
    auto fd = connectSocket(socket, &err);
    if (fd.ok()) {
        ::close(*fd);
        return AgentPresence::Answering;
    }
    struct stat st;
    if (err == ECONNREFUSED && ::lstat(socket.c_str(), &st) == 0) {
        removeStaleSocket(socket); // the agent was killed: never trusted, gone
        return AgentPresence::Stale;
    }
    return AgentPresence::Absent;
}

std::optional<Keyring> keyringFromAgent(const fs::path& keyringPath)
{
    auto socket = agentSocketPath(keyringPath, false);
    if (!socket.ok() || probeAgent(*socket) != AgentPresence::Answering)
        return std::nullopt;
    auto reply = askAgent(*socket, {AgentOp::Hello, {}});
    if (!reply.ok() || reply->op != AgentOp::Ok)
        return std::nullopt;
    const std::string text(reply->payload.begin(), reply->payload.end());
    // Each own card (the default first), on a "card" line with its name after a tab.
    std::vector<crypto::ContactCard> cards;
    for (std::size_t at = 0; (at = text.find("\ncard\t", at)) != std::string::npos; ++at) {
        const auto start = at + 6;
        const std::string line = text.substr(start, text.find('\n', start) - start);
        auto decoded = crypto::ContactCard::decode(line.substr(0, line.find('\t')));
        if (!decoded.ok())
            return std::nullopt; // an unreadable card: not an agent we trust
        for (const auto& c : cards)
            if (c.ed25519 == decoded->ed25519 || c.x25519 == decoded->x25519)
                return std::nullopt; // the same key twice
        cards.push_back(std::move(*decoded));
    }
    auto keyring = Keyring::fromPublicText(text, std::make_shared<AgentKeys>(*socket, cards));
    if (!keyring.ok())
        return std::nullopt;
    return std::move(*keyring);
}

bool lockAgent(const fs::path& socket)
{
    if (probeAgent(socket) != AgentPresence::Answering)
        return false;
    auto reply = askAgent(socket, {AgentOp::Lock, {}});
    return reply.ok() && reply->op == AgentOp::Ok;
}

bool lockAgentOf(const fs::path& keyringPath)
{
    auto socket = agentSocketPath(keyringPath, false);
    return socket.ok() && lockAgent(*socket);
}

} // namespace coffer::agent
