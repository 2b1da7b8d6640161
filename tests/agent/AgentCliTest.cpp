// The key agent end to end (issue 22, item 3): `coffer unlock` starts it,
// commands then open, sign and look up contacts with no passphrase and give
// what they gave before; it refuses another uid, locks on `coffer lock`, on
// its idle time and on SIGTERM, and a SIGKILLed agent's socket is noticed,
// removed and never trusted. Real processes, a real socket, real Botan.
#include "AgentClient.h"
#include "AgentHarness.h"

#include <sys/wait.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::agent;

namespace {

const std::string kLetter = "Dear Bob, the meeting moved to Thursday.\n";

/// Encrypts a letter for Alice (herself) and Bob, signed, with the passphrase (no agent).
fs::path encryptedLetter(const AgentUser& u)
{
    writeFile(u.root / "letter.txt", kLetter);
    const fs::path out = u.root / "letter.coffer";
    const Outcome r = u.runWithPassphrase("encrypt -r Bob -r " + shellQuote(u.identity.card()->encode()) + " -o " +
                                          q(out) + " " + q(u.root / "letter.txt"));
    EXPECT_EQ(r.code, kExitOk) << r.output;
    return out;
}

/// What `coffer` says when it would have to ask for the keyring passphrase and cannot.
bool askedForPassphrase(const Outcome& r)
{
    return r.code != kExitOk && contains(r.output, "passphrase");
}

/// Files under `dir`, except sockets: what a process could have left on disk.
std::vector<std::string> filesUnder(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& rel : listTree(dir)) {
        struct stat st;
        if (::lstat((dir / rel).c_str(), &st) == 0 && !S_ISSOCK(st.st_mode) && !S_ISDIR(st.st_mode))
            out.push_back(rel);
    }
    return out;
}

} // namespace

TEST(AgentCli, UnlockedCommandsAskNoPassphraseAndGiveTheSameResults)
{
    AgentUser u;
    const fs::path letter = encryptedLetter(u);
    // Without the agent: the passphrase is needed.
    ASSERT_TRUE(askedForPassphrase(u.run("decrypt -o " + q(u.root / "none") + " " + q(letter))));
    const Outcome listedWithPassphrase = u.runWithPassphrase("list " + q(letter));
    ASSERT_EQ(listedWithPassphrase.code, kExitOk) << listedWithPassphrase.output;

    const Outcome unlocked = u.unlock("--idle-timeout 600");
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const pid_t pid = agentPid(u.socket());
    ASSERT_GT(pid, 0);

    const Outcome dec = u.run("decrypt -o " + q(u.root / "out") + " " + q(letter));
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_EQ(readFile(u.root / "out" / "letter.txt"), kLetter);
    EXPECT_TRUE(contains(dec.output, "signed by you")) << dec.output;
    const Outcome listed = u.run("list " + q(letter));
    EXPECT_EQ(listed.code, kExitOk) << listed.output;
    EXPECT_EQ(listed.output, listedWithPassphrase.output);

    // Signed encryption to a contact by name: the agent signs, and the signature verifies.
    const fs::path again = u.root / "again.coffer";
    const Outcome enc = u.run("encrypt -r Bob -r " + shellQuote(u.identity.card()->encode()) + " -o " + q(again) + " " +
                              q(u.root / "letter.txt"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    const Outcome dec2 = u.runWithPassphrase("decrypt -o " + q(u.root / "out2") + " " + q(again));
    ASSERT_EQ(dec2.code, kExitOk) << dec2.output;
    EXPECT_TRUE(contains(dec2.output, "signed by you")) << dec2.output;
    EXPECT_EQ(readFile(u.root / "out2" / "letter.txt"), kLetter);

    const Outcome contacts = u.run("contacts list --no-prompt");
    EXPECT_EQ(contacts.code, kExitOk) << contacts.output;
    EXPECT_TRUE(contains(contacts.output, "Bob\tverified")) << contacts.output;
    const Outcome id = u.run("id show");
    EXPECT_EQ(id.code, kExitOk) << id.output;
    EXPECT_TRUE(contains(id.output, u.identity.card()->encode())) << id.output;
    // The secret key itself is never the agent's to give: export still asks.
    EXPECT_TRUE(askedForPassphrase(u.run("id export")));

    const Outcome lock = u.run("lock");
    EXPECT_EQ(lock.code, kExitOk) << lock.output;
    EXPECT_TRUE(eventually([&] { return !running(pid); })) << "the agent still runs after lock";
    EXPECT_FALSE(fs::exists(u.socket()));
    EXPECT_TRUE(askedForPassphrase(u.run("decrypt -o " + q(u.root / "out3") + " " + q(letter))));
    EXPECT_FALSE(fs::exists(u.root / "out3" / "letter.txt"));
}

TEST(AgentCli, LocksAfterTheIdleTime)
{
    AgentUser u;
    const fs::path letter = encryptedLetter(u);
    const Outcome unlocked = u.unlock("--idle-timeout 1");
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const pid_t pid = agentPid(u.socket());
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(eventually([&] { return !running(pid); })) << "the agent did not lock when idle";
    EXPECT_FALSE(fs::exists(u.socket()));
    EXPECT_TRUE(askedForPassphrase(u.run("list " + q(letter))));
}

TEST(AgentCli, SigtermLocksAndLeavesNothingOnDisk)
{
    AgentUser u;
    const auto before = filesUnder(u.root.path());
    const Outcome unlocked = u.unlock();
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const pid_t pid = agentPid(u.socket());
    ASSERT_GT(pid, 0);
    ASSERT_EQ(::kill(pid, SIGTERM), 0);
    EXPECT_TRUE(eventually([&] { return !running(pid); }));
    EXPECT_FALSE(fs::exists(u.socket())) << "SIGTERM must remove the socket";
    EXPECT_EQ(filesUnder(u.root.path()), before) << "the agent wrote a file";
}

TEST(AgentCli, AfterSigkillTheNextCommandRemovesTheDeadSocketAndAsks)
{
    AgentUser u;
    const fs::path letter = encryptedLetter(u);
    const auto before = filesUnder(u.root.path());
    const Outcome unlocked = u.unlock();
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const fs::path socket = u.socket();
    const pid_t pid = agentPid(socket);
    ASSERT_GT(pid, 0);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    ASSERT_TRUE(eventually([&] { return !running(pid); }));
    EXPECT_TRUE(fs::exists(socket)) << "a killed agent cannot remove its socket";
    EXPECT_EQ(filesUnder(u.root.path()), before) << "key material on disk after SIGKILL";

    // Without a passphrase: asked as before (and the dead socket is gone).
    EXPECT_TRUE(askedForPassphrase(u.run("list " + q(letter))));
    EXPECT_FALSE(fs::exists(socket)) << "the stale socket was not removed";
    // With it: works as before; unlock again works too.
    EXPECT_EQ(u.runWithPassphrase("list " + q(letter)).code, kExitOk);
    const Outcome relock = u.unlock();
    EXPECT_EQ(relock.code, kExitOk) << relock.output;
    EXPECT_EQ(u.run("list " + q(letter)).code, kExitOk);
    EXPECT_EQ(u.run("lock").code, kExitOk);
}

TEST(AgentCli, AnotherUserIsRefusedWithoutAByte)
{
    if (::getuid() != 0)
        GTEST_SKIP() << "needs root to switch to a second user (uid 65534)";
    AgentUser u;
    const Outcome unlocked = u.unlock();
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const fs::path socket = u.socket();
    // Let the second user reach the socket at all: only SO_PEERCRED stands in its way now.
    fs::permissions(u.runtime, fs::perms::owner_all | fs::perms::others_exec);
    fs::permissions(socket.parent_path(), fs::perms::owner_all | fs::perms::others_exec);
    fs::permissions(socket, fs::perms::all);
    fs::permissions(u.root.path(), fs::perms::owner_all | fs::perms::others_exec);

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0)
            ::_exit(10);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
            ::_exit(11);
        // A well-formed Hello: u32 length 2, version 1, op 1.
        const unsigned char hello[] = {0, 0, 0, 2, 1, 1};
        (void)::send(fd, hello, sizeof hello, MSG_NOSIGNAL);
        char reply[64];
        const ssize_t n = ::read(fd, reply, sizeof reply);
        ::_exit(n <= 0 ? 0 : 12); // 0: closed with no reply byte
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10: setuid failed, 11: could not connect, 12: the agent replied";
    // The agent serves its own user still (its folders private again: the client checks them too).
    fs::permissions(u.runtime, fs::perms::owner_all);
    fs::permissions(socket.parent_path(), fs::perms::owner_all);
    EXPECT_EQ(u.run("contacts list --no-prompt").code, kExitOk);
    EXPECT_EQ(u.run("lock").code, kExitOk);
}

TEST(AgentCli, RefusesAnUnsafeFolderAndSaysSoWithoutXdgRuntimeDir)
{
    AgentUser u;
    // A link where the folder should be (another user could point it anywhere).
    fs::create_directories(u.root / "elsewhere");
    fs::create_directory_symlink(u.root / "elsewhere", u.runtime / "coffer");
    const Outcome linked = u.unlock();
    EXPECT_NE(linked.code, kExitOk) << linked.output;
    EXPECT_TRUE(contains(linked.output, "symbolic link")) << linked.output;
    EXPECT_TRUE(fs::is_empty(u.root / "elsewhere"));
    fs::remove(u.runtime / "coffer");
    // A folder open to others.
    fs::create_directory(u.runtime / "coffer");
    fs::permissions(u.runtime / "coffer", fs::perms::owner_all | fs::perms::group_all | fs::perms::others_all);
    const Outcome open = u.unlock();
    EXPECT_NE(open.code, kExitOk) << open.output;
    EXPECT_TRUE(contains(open.output, "open to other users")) << open.output;
    fs::remove(u.runtime / "coffer");

    const Outcome noRuntime = u.run("unlock --keyring-passphrase-file " + q(u.person.passFile), false);
    EXPECT_NE(noRuntime.code, kExitOk) << noRuntime.output;
    EXPECT_TRUE(contains(noRuntime.output, "XDG_RUNTIME_DIR is not set")) << noRuntime.output;
}

TEST(AgentCli, WhenLockAnswersTheAgentHoldsNoKeyAndTakesNoCall)
{
    // A window locks and at once asks whether anything is still unlocked: the
    // answer must be "no", not "for a few more milliseconds".
    AgentUser u;
    for (int round = 0; round < 20; ++round) {
        const Outcome unlocked = u.unlock();
        ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
        ASSERT_GT(agentPid(u.socket()), 0);
        ASSERT_TRUE(coffer::agent::lockAgent(u.socket()));
        ASSERT_EQ(agentPid(u.socket()), 0)
            << "the agent still took a call after it said locked (round " << round << ")";
        ASSERT_FALSE(fs::exists(u.socket()));
    }
}

TEST(AgentCli, AnAgeFileOpensThroughTheAgentWithNoPassphrase)
{
    if (runCommand("command -v age >/dev/null") != 0)
        GTEST_SKIP() << "age is not installed (Debian package \"age\")";
    AgentUser u;
    const fs::path sealed = u.ageFile("letter.txt", kLetter);
    const Outcome unlocked = u.unlock("--idle-timeout 600");
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const Outcome opened = u.run("decrypt -o " + q(u.root / "out") + " " + q(sealed));
    ASSERT_EQ(opened.code, kExitOk) << opened.output;
    EXPECT_EQ(readFile(u.root / "out" / "letter.txt"), kLetter);
    const Outcome listed = u.run("list " + q(sealed));
    EXPECT_EQ(listed.code, kExitOk) << listed.output;

    EXPECT_EQ(u.run("lock").code, kExitOk);
    EXPECT_TRUE(askedForPassphrase(u.run("decrypt -o " + q(u.root / "out2") + " " + q(sealed))));
    EXPECT_FALSE(fs::exists(u.root / "out2" / "letter.txt"));
}
