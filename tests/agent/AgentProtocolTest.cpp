// The key agent's protocol, hostile both ways (docs/AGENT.md): frames over the
// size limit, of another version, cut short or never sent are refused without
// reading on; payloads whose lengths do not add up are refused; a fake agent's
// bad replies make the client fall back or fail clearly; the real server
// signs index signature messages and nothing else.
#include "AgentClient.h"
#include "AgentHarness.h"
#include "AgentServer.h"
#include "Signature.h"
#include "age/AgeHeader.h"
#include "age/AgeRecipients.h"

#include <future>
#include <sys/socket.h>

using namespace coffer;
using namespace coffer::agent;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

using namespace std::chrono_literals;

struct Pair {
    int fds[2]{-1, -1};
    Pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0); }
    ~Pair()
    {
        for (int fd : fds)
            if (fd >= 0)
                ::close(fd);
    }
    void send(const std::vector<std::uint8_t>& bytes) const
    {
        ASSERT_EQ(::write(fds[0], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }
};

crypto::SecureBytes bytesOf(const std::vector<std::uint8_t>& v)
{
    return crypto::SecureBytes(v.begin(), v.end());
}

} // namespace

TEST(AgentProtocol, RoundTripsAMessage)
{
    Pair p;
    ASSERT_TRUE(writeMessage(p.fds[0], {AgentOp::Sign, bytesOf({1, 2, 3})}).ok());
    auto m = readMessage(p.fds[1], 1000ms);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->op, AgentOp::Sign);
    EXPECT_EQ(m->payload, bytesOf({1, 2, 3}));
}

TEST(AgentProtocol, RefusesAnOversizedFrameWithoutReadingIt)
{
    Pair p;
    p.send({0x7f, 0xff, 0xff, 0xff, 1, 0x80, 'x', 'y'});
    auto m = readMessage(p.fds[1], 1000ms);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, ErrorCode::Damaged);
    char rest[4];
    EXPECT_EQ(::recv(p.fds[1], rest, sizeof rest, MSG_DONTWAIT), 2) << "it read past the refused header";
    // One byte over the limit is refused too.
    const std::uint32_t over = kMaxAgentFrame + 1;
    p.send({static_cast<std::uint8_t>(over >> 24), static_cast<std::uint8_t>(over >> 16),
            static_cast<std::uint8_t>(over >> 8), static_cast<std::uint8_t>(over), 1, 0x80});
    EXPECT_FALSE(readMessage(p.fds[1], 1000ms).ok());
}

TEST(AgentProtocol, RefusesAnotherVersionATooShortFrameAndACutOne)
{
    Pair a;
    a.send({0, 0, 0, 2, 2, 0x80});
    auto v = readMessage(a.fds[1], 1000ms);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, ErrorCode::UnsupportedVersion);

    Pair b;
    b.send({0, 0, 0, 1, 1, 0x80});
    EXPECT_FALSE(readMessage(b.fds[1], 1000ms).ok());

    Pair c;
    c.send({0, 0, 0, 10, 1, 0x80, 1, 2});
    ::close(c.fds[0]);
    c.fds[0] = -1;
    auto cut = readMessage(c.fds[1], 1000ms);
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code, ErrorCode::Io);
}

TEST(AgentProtocol, GivesUpOnAPeerThatSendsNothing)
{
    Pair p;
    p.send({0, 0, 0, 10, 1}); // a header begun, never finished
    auto m = readMessage(p.fds[1], 50ms);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, ErrorCode::Io);
}

TEST(AgentProtocol, StanzaPayloadsAreCheckedLengthByLength)
{
    crypto::Stanza s{"X25519", {"abc"}, crypto::Bytes(48, 7)};
    auto back = decodeStanza(encodeStanza(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);

    auto longer = encodeStanza(s);
    longer.push_back(0);
    EXPECT_FALSE(decodeStanza(longer).ok()) << "a byte after the body";
    auto shorter = encodeStanza(s);
    shorter.pop_back();
    EXPECT_FALSE(decodeStanza(shorter).ok()) << "a body shorter than declared";
    crypto::Stanza many{"X25519", std::vector<std::string>(crypto::kMaxStanzaArgs + 1, "a"), {}};
    EXPECT_FALSE(decodeStanza(encodeStanza(many)).ok()) << "more arguments than a stanza may have";
    EXPECT_FALSE(decodeStanza(bytesOf({0, 200, 'X'})).ok()) << "a type longer than what is left";
}

TEST(AgentProtocol, OpenedKeyRepliesAreCheckedAndFailuresCannotPoseAsPassphraseErrors)
{
    crypto::FileKey key;
    key.data()[0] = 9;
    const crypto::AudienceTag audience{crypto::kAudienceX25519, crypto::Bytes(32, 5)};
    auto good = decodeUnwrapped(encodeUnwrapped(key, audience));
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good->audience, audience);
    EXPECT_EQ(good->fileKey->data()[0], 9);

    auto cut = encodeUnwrapped(key, audience);
    cut.resize(20);
    EXPECT_FALSE(decodeUnwrapped(cut).ok());
    auto extra = encodeUnwrapped(key, audience);
    extra.push_back(1);
    EXPECT_FALSE(decodeUnwrapped(extra).ok());

    const Error posing = decodeFailure(failure(makeError(ErrorCode::WrongPassphrase, "type it again\x1b[2J")).payload);
    EXPECT_EQ(posing.code, ErrorCode::Internal);
    EXPECT_EQ(posing.message.find('\x1b'), std::string::npos) << "terminal escapes passed through";
    EXPECT_EQ(decodeFailure(failure(makeError(ErrorCode::Damaged, "bad stanza")).payload).code, ErrorCode::Damaged);
    EXPECT_EQ(decodeFailure({}).code, ErrorCode::Damaged);
}

namespace {

/// A fake agent on the real socket path: answers each connection with `reply(request)`.
class FakeAgent {
public:
    FakeAgent(const fs::path& socket, std::function<std::vector<std::uint8_t>(const AgentMessage&)> reply)
    {
        ::unlink(socket.c_str()); // the previous fake's
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
        EXPECT_EQ(::bind(m_fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(m_fd, 8), 0);
        m_thread = std::thread([this, reply] {
            for (;;) {
                const int c = ::accept(m_fd, nullptr, nullptr);
                if (c < 0)
                    return;
                auto request = readMessage(c, 2000ms);
                if (request.ok()) {
                    const auto bytes = reply(*request);
                    (void)::send(c, bytes.data(), bytes.size(), MSG_NOSIGNAL);
                }
                ::close(c);
            }
        });
    }
    ~FakeAgent()
    {
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        m_thread.join();
    }

private:
    int m_fd = -1;
    std::thread m_thread;
};

std::vector<std::uint8_t> frame(AgentOp op, const std::string& payload)
{
    const auto n = static_cast<std::uint32_t>(payload.size() + 2);
    std::vector<std::uint8_t> out;
    for (const int shift : {24, 16, 8, 0})
        out.push_back(static_cast<std::uint8_t>(n >> shift));
    out.push_back(1);
    out.push_back(static_cast<std::uint8_t>(op));
    for (const char c : payload)
        out.push_back(static_cast<std::uint8_t>(c));
    return out;
}

struct RuntimeDir {
    TempDir dir;
    fs::path keyring = dir / "data" / "keyring.coffer";
    RuntimeDir()
    {
        fs::permissions(dir.path(), fs::perms::owner_all);
        ::setenv("XDG_RUNTIME_DIR", dir.path().c_str(), 1);
    }
    ~RuntimeDir() { ::unsetenv("XDG_RUNTIME_DIR"); }
    fs::path socket() const
    {
        auto p = agentSocketPath(keyring, true);
        EXPECT_TRUE(p.ok());
        return *p;
    }
};

/// A real agent serving `keyring` on a thread of this process, until it is locked.
class ServedAgent {
public:
    ServedAgent(Keyring keyring, fs::path socket) : m_socket(std::move(socket))
    {
        std::promise<void> ready;
        auto up = ready.get_future();
        m_thread = std::thread([this, held = std::move(keyring), &ready]() mutable {
            const Status st = serveAgent(std::move(held), m_socket, AgentOptions{std::chrono::minutes(1)},
                                         [&] { ready.set_value(); });
            EXPECT_TRUE(st.ok()) << st.error().message;
        });
        up.wait();
    }
    ~ServedAgent()
    {
        if (m_thread.joinable())
            lockAndJoin();
    }
    void lockAndJoin()
    {
        EXPECT_TRUE(lockAgent(m_socket));
        m_thread.join();
    }

private:
    fs::path m_socket;
    std::thread m_thread;
};

} // namespace

TEST(AgentClientHostile, GarbageToHelloMeansNoAgent)
{
    RuntimeDir rt;
    for (const auto& bad : {frame(AgentOp::Failed, ""), frame(AgentOp::Ok, "not a keyring"),
                            frame(AgentOp::Ok, "coffer-keyring 1\ncard\tcoffer1garbage\n"),
                            std::vector<std::uint8_t>{0xff, 0xff, 0xff, 0xff}}) {
        FakeAgent fake(rt.socket(), [&](const AgentMessage&) { return bad; });
        EXPECT_FALSE(keyringFromAgent(rt.keyring).has_value());
    }
}

TEST(AgentClientHostile, AForgedSignatureOrAShortKeyIsAnErrorNotAResult)
{
    RuntimeDir rt;
    const auto me = crypto::SecretIdentity::generate("Me");
    Keyring real;
    real.setIdentity(me.clone());
    const std::string hello = real.publicText();
    FakeAgent fake(rt.socket(), [&](const AgentMessage& m) {
        if (m.op == AgentOp::Hello)
            return frame(AgentOp::Ok, hello);
        if (m.op == AgentOp::Sign)
            return frame(AgentOp::Ok, std::string(64, 'S')); // not a signature by `me`
        return frame(AgentOp::Ok, std::string(10, 'k'));     // an "opened" key of 10 bytes
    });
    auto held = keyringFromAgent(rt.keyring);
    ASSERT_TRUE(held.has_value());
    ASSERT_TRUE(held->isHeld());
    EXPECT_EQ(held->ownCard()->encode(), me.card()->encode());
    const auto message = crypto::indexSignatureMessage(crypto::Bytes{1, 2, 3});
    auto sig = held->signer()->signMessage(message);
    ASSERT_FALSE(sig.ok());
    EXPECT_NE(sig.error().message.find("does not verify"), std::string::npos);
    const auto ids = held->decryptionIdentities();
    ASSERT_EQ(ids.size(), 1u);
    auto opened = ids[0]->unwrap(crypto::Stanza{"X25519", {"a"}, crypto::Bytes(48, 1)});
    EXPECT_FALSE(opened.ok());
    // An age file key must be 16 bytes: 10 is an error, not a key.
    auto ageStanza = crypto::age::wrapX25519(me.card()->x25519, crypto::Bytes(crypto::age::kFileKeySize, 7));
    ASSERT_TRUE(ageStanza.ok());
    auto ageOpened = held->heldAgeUnwrap()(*ageStanza);
    EXPECT_FALSE(ageOpened.ok()) << "a short key was taken as an age file key";
}

TEST(AgentServerSigning, SignsIndexSignatureMessagesAndNothingElse)
{
    RuntimeDir rt;
    const auto me = crypto::SecretIdentity::generate("Me");
    Keyring keyring;
    keyring.setIdentity(me.clone());
    const fs::path socket = rt.socket();
    ServedAgent server(std::move(keyring), socket);
    auto held = keyringFromAgent(rt.keyring);
    ASSERT_TRUE(held.has_value());
    const auto message = crypto::indexSignatureMessage(crypto::Bytes{1, 2, 3});
    auto sig = held->signer()->signMessage(message);
    ASSERT_TRUE(sig.ok()) << sig.error().message;
    EXPECT_TRUE(crypto::ed25519Verify(me.card()->ed25519, message, *sig));
    // Format v2's directory signature message too (docs/FORMAT-v2.md §3.6).
    const auto directory = crypto::directorySignatureMessage(crypto::Bytes{1, 2, 3});
    auto directorySig = held->signer()->signMessage(directory);
    ASSERT_TRUE(directorySig.ok()) << directorySig.error().message;
    EXPECT_TRUE(crypto::ed25519Verify(me.card()->ed25519, directory, *directorySig));

    const std::string other = "transfer 1000 EUR to Mallory";
    auto refused = held->signer()->signMessage(
        crypto::ByteView(reinterpret_cast<const std::uint8_t*>(other.data()), other.size()));
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("indexes only"), std::string::npos) << refused.error().message;
    server.lockAndJoin();
    EXPECT_FALSE(fs::exists(socket));
}

TEST(AgentServerAge, OpensAnAgeStanzaForItsKeysAndNoOneElses)
{
    RuntimeDir rt;
    const auto me = crypto::SecretIdentity::generate("Me");
    const auto stranger = crypto::SecretIdentity::generate("Stranger");
    Keyring keyring;
    keyring.setIdentity(me.clone());
    const fs::path socket = rt.socket();
    ServedAgent server(std::move(keyring), socket);
    auto held = keyringFromAgent(rt.keyring);
    ASSERT_TRUE(held.has_value());
    const crypto::age::HeldAgeUnwrap unwrap = held->heldAgeUnwrap();
    ASSERT_TRUE(unwrap) << "a held keyring gives no way to open age files";

    crypto::Bytes fileKey(crypto::age::kFileKeySize);
    crypto::randomBytes(fileKey);
    auto mine = crypto::age::wrapX25519(me.card()->x25519, fileKey);
    ASSERT_TRUE(mine.ok());
    auto opened = unwrap(*mine);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    ASSERT_TRUE(opened->has_value());
    EXPECT_TRUE(std::equal(fileKey.begin(), fileKey.end(), (*opened)->begin(), (*opened)->end()));

    // The age derivation only: Coffer's own X25519 stanza to the same key is not an age stanza.
    auto theirs = crypto::age::wrapX25519(stranger.card()->x25519, fileKey);
    ASSERT_TRUE(theirs.ok());
    auto notMine = unwrap(*theirs);
    ASSERT_TRUE(notMine.ok()) << notMine.error().message;
    EXPECT_FALSE(notMine->has_value());

    // A malformed stanza (a share that is not 32 bytes) is refused, not tried.
    crypto::age::AgeStanza bad = *mine;
    bad.args = {"AAAA"};
    EXPECT_FALSE(unwrap(bad).ok());

    server.lockAndJoin();
}
