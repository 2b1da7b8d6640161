#include "AgentServer.h"

#include "AgentProtocol.h"
#include "AgentSocket.h"
#include "KeyChoice.h"
#include "Signature.h"
#include "age/AgeHeader.h"
#include "age/AgeRecipients.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace coffer::agent {

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::milliseconds kRequestTimeout{5000};

volatile std::sig_atomic_t g_stop = 0;

extern "C" void onStopSignal(int)
{
    g_stop = 1;
}

} // namespace

void blockStopSignals()
{
    sigset_t block;
    sigemptyset(&block);
    for (const int s : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&block, s);
    ::pthread_sigmask(SIG_BLOCK, &block, nullptr);
}

namespace {

/// SIGTERM, SIGINT and SIGHUP are blocked except inside ppoll(), where they
/// end the wait: no request is cut in half, and none is missed.
sigset_t catchStopSignals()
{
    struct sigaction sa {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sigset_t block;
    sigemptyset(&block);
    for (const int s : {SIGTERM, SIGINT, SIGHUP}) {
        ::sigaction(s, &sa, nullptr);
        sigaddset(&block, s);
    }
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t old;
    ::sigprocmask(SIG_BLOCK, &block, &old);
    for (const int s : {SIGTERM, SIGINT, SIGHUP})
        sigdelset(&old, s);
    return old; // what ppoll waits with: the stop signals let through
}

Result<int> listenOn(const fs::path& path)
{
    int err = 0;
    if (auto live = connectSocket(path, &err); live.ok()) {
        ::close(*live);
        return makeError(ErrorCode::InvalidArgument, "the keyring is already unlocked (a key agent is running)",
                         "run \"coffer lock\" first to unlock it again");
    }
    if (err == ECONNREFUSED)
        removeStaleSocket(path); // a killed agent's socket
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.string().size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return makeError(ErrorCode::Io, std::string("cannot make a socket: ") + std::strerror(errno));
    const mode_t oldMask = ::umask(077);
    const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int bindErr = errno;
    ::umask(oldMask);
    if (bound != 0 || ::listen(fd, 16) != 0) {
        ::close(fd);
        return makeError(ErrorCode::Io, "the key agent cannot listen on \"" + path.string() +
                                            "\": " + std::strerror(bound != 0 ? bindErr : errno));
    }
    return fd;
}

/// A Sign request naming its signer: the signature message, then the Ed25519 key.
constexpr std::size_t kSignAsSize = crypto::kSignatureLabel.size() + 1 + 32 + 32;

class Session {
public:
    explicit Session(Keyring keyring)
        : m_keyring(std::move(keyring)), m_identities(m_keyring.decryptionIdentities()),
          m_ageKeys(ageKeysFor(&m_keyring, std::nullopt))
    {}
    bool locked() const { return m_locked; }

    AgentMessage answer(const AgentMessage& request)
    {
        switch (request.op) {
        case AgentOp::Hello: {
            const std::string text = m_keyring.publicText();
            return {AgentOp::Ok, crypto::SecureBytes(text.begin(), text.end())};
        }
        case AgentOp::Unwrap:
            return unwrap(request.payload);
        case AgentOp::Sign:
            return sign(request.payload);
        case AgentOp::UnwrapAge:
            return unwrapAge(request.payload);
        case AgentOp::Lock:
            lock();
            return {AgentOp::Ok, {}};
        default:
            return failure(makeError(ErrorCode::InvalidArgument, "an unknown request"));
        }
    }

    /// Wipes the keys now, before "locked" is answered: once `coffer lock`
    /// returns, no key is left in this process.
    void lock()
    {
        m_locked = true;
        m_identities.clear();
        m_ageKeys = {};
        m_keyring = Keyring();
    }

private:
    AgentMessage unwrap(const crypto::SecureBytes& payload) const
    {
        auto stanza = decodeStanza(payload);
        if (!stanza.ok())
            return failure(stanza.error());
        for (const auto& id : m_identities) {
            auto u = id->unwrap(*stanza);
            if (!u.ok())
                return failure(u.error());
            if (u->outcome == crypto::UnwrapOutcome::Opened && u->fileKey)
                return {AgentOp::Ok, encodeUnwrapped(*u->fileKey, u->audience)};
        }
        return {AgentOp::NotMine, {}};
    }

    /// An age file's X25519 stanza, opened with the held identities' X25519
    /// keys and the age identities (age.md's derivation, not Coffer's).
    AgentMessage unwrapAge(const crypto::SecureBytes& payload) const
    {
        auto stanza = decodeStanza(payload);
        if (!stanza.ok())
            return failure(stanza.error());
        if (stanza->type != crypto::age::kX25519Type)
            return {AgentOp::NotMine, {}};
        const std::vector<crypto::age::AgeStanza> one{{stanza->type, stanza->args, stanza->body}};
        crypto::age::AgeFailure why{};
        if (auto checked = crypto::age::checkStanzas(one, crypto::age::kMaxScryptWorkFactor, why); !checked.ok())
            return failure(checked.error());
        auto key = crypto::age::unwrapFileKey(one, m_ageKeys, why);
        if (!key.ok())
            return key.error().code == ErrorCode::NoKeyMatched ? AgentMessage{AgentOp::NotMine, {}}
                                                               : failure(key.error());
        return {AgentOp::Ok, std::move(*key)};
    }

    AgentMessage sign(const crypto::SecureBytes& payload) const
    {
        // The message alone signs as the default identity; followed by an Ed25519 public
        // key, as the held identity with that key (several identities, AGENT.md).
        const crypto::Signer* signer = m_keyring.signer();
        std::size_t size = payload.size();
        if (size == kSignAsSize) {
            size -= crypto::PublicKey32{}.size();
            signer = nullptr;
            for (const auto& id : m_keyring.identities())
                if (std::equal(payload.begin() + static_cast<std::ptrdiff_t>(size), payload.end(),
                               id.card()->ed25519.begin()))
                    signer = &id;
            if (!signer)
                return failure(makeError(ErrorCode::InvalidArgument, "the agent holds no identity with that key"));
        }
        if (!signer)
            return failure(makeError(ErrorCode::InvalidArgument, "the keyring holds no identity that signs"));
        const crypto::ByteView message(payload.data(), size);
        if (!crypto::isIndexSignatureMessage(message)) // never a signing oracle for other messages
            return failure(makeError(ErrorCode::InvalidArgument, "it signs container indexes only"));
        auto sig = signer->signMessage(message);
        if (!sig.ok())
            return failure(sig.error());
        return {AgentOp::Ok, crypto::SecureBytes(sig->begin(), sig->end())};
    }

    Keyring m_keyring;
    crypto::IdentityList m_identities;
    crypto::age::AgeKeys m_ageKeys; // the same X25519 keys, for age files
    bool m_locked = false;
};

/// The listening socket, closed and its path removed at most once.
class Listener {
public:
    Listener(int fd, fs::path path) : m_fd(fd), m_path(std::move(path)) { ::lstat(m_path.c_str(), &m_bound); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    ~Listener() { close(); }

    int fd() const { return m_fd; }

    void close()
    {
        if (m_fd < 0)
            return;
        // Remove the socket only if it is still the one this agent made, and
        // while it still listens: a client finds no socket (no agent), never a
        // refusing one that it would take for a killed agent's and remove,
        // perhaps just as another `coffer unlock` binds the path again.
        struct stat now {};
        if (::lstat(m_path.c_str(), &now) == 0 && now.st_ino == m_bound.st_ino && now.st_dev == m_bound.st_dev)
            ::unlink(m_path.c_str());
        ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd;
    fs::path m_path;
    struct stat m_bound {};
};

void serveConnection(int fd, Session& session, Listener& listener)
{
    if (!peerIsUs(fd))
        return; // another user: closed at once, not one byte read or written
    auto request = readMessage(fd, kRequestTimeout);
    if (!request.ok())
        return;
    const AgentMessage reply = session.answer(*request);
    if (session.locked())
        listener.close(); // "locked" is answered once no one can reach this agent any more
    (void)writeMessage(fd, reply);
}

} // namespace

Status serveAgent(Keyring keyring, const fs::path& socketPath, const AgentOptions& options,
                  const std::function<void()>& ready)
{
    const sigset_t waitMask = catchStopSignals();
    auto listening = listenOn(socketPath);
    COFFER_TRY(listening);
    Listener listener(*listening, socketPath);
    const int fd = listener.fd();
    {
        Session session(std::move(keyring));
        ready();
        using Clock = std::chrono::steady_clock;
        auto lastUse = Clock::now();
        while (!g_stop && !session.locked()) {
            timespec wait{};
            timespec* timeout = nullptr;
            if (options.idle.count() > 0) {
                const auto left =
                    options.idle - std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - lastUse);
                if (left.count() <= 0)
                    break;
                wait.tv_sec = static_cast<time_t>(left.count() / 1000);
                wait.tv_nsec = static_cast<long>((left.count() % 1000) * 1000000);
                timeout = &wait;
            }
            pollfd p[2] = {{fd, POLLIN, 0}, {options.lockFd, POLLIN, 0}};
            const int n = ::ppoll(p, options.lockFd >= 0 ? 2 : 1, timeout, &waitMask);
            if (n <= 0)
                continue; // a signal (g_stop), or the idle time: checked above
            if (options.lockFd >= 0 && p[1].revents != 0)
                break; // the screen locked (or its watch broke: locking is the safe side)
            if ((p[0].revents & POLLIN) == 0)
                break; // the socket is unusable: lock rather than spin
            const int conn = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn < 0) {
                if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
                    continue;
                break; // the socket is unusable: lock rather than spin
            }
            const bool ours = peerIsUs(conn);
            serveConnection(conn, session, listener);
            ::close(conn);
            if (ours)
                lastUse = Clock::now(); // another user's knocking keeps nothing open
        }
    } // the session's keyring and identities are wiped here
    listener.close();
    return Status::success();
}

} // namespace coffer::agent
