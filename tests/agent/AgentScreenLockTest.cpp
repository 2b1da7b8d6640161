// The key agent locks when the desktop's screen locks (issue 22, item 3;
// docs/AGENT.md "Lock"): a private, real dbus-daemon; the signal sent with
// dbus-send as a screen saver sends it; the watch itself and the real
// `coffer unlock` agent, which wipes its keys, removes its socket and exits on
// ActiveChanged(true), and goes on serving on ActiveChanged(false).
#include "AgentHarness.h"
#include "PrivateBus.h"
#include "ScreenLockWatch.h"

#include <poll.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::agent;

namespace {

/// A private session bus (tests/support/PrivateBus.h) that speaks as a screen saver.
struct ScreenSaverBus : PrivateBus {
    /// ActiveChanged(`active`) as a screen saver of interface `interface` sends it on `path`.
    void screenSaverSays(bool active, const std::string& interface = "org.freedesktop.ScreenSaver",
                         const std::string& path = "/org/freedesktop/ScreenSaver") const
    {
        std::string out;
        const int code =
            runCommand("DBUS_SESSION_BUS_ADDRESS=" + shellQuote(address()) + " dbus-send --session --type=signal " +
                           path + " " + interface + ".ActiveChanged boolean:" + (active ? "true" : "false"),
                       &out);
        EXPECT_EQ(code, 0) << "dbus-send is missing (Debian: apt-get install dbus-bin): " << out;
    }
};

/// Sets DBUS_SESSION_BUS_ADDRESS for the processes this test starts, then unsets it.
struct SessionBusEnv {
    explicit SessionBusEnv(const std::string& address) { ::setenv("DBUS_SESSION_BUS_ADDRESS", address.c_str(), 1); }
    ~SessionBusEnv() { ::unsetenv("DBUS_SESSION_BUS_ADDRESS"); }
};

/// Every byte the watch has written so far (it is non-blocking).
std::size_t drain(int fd)
{
    std::size_t total = 0;
    char buf[64];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        total += static_cast<std::size_t>(n);
    return total;
}

bool readableWithin(int fd, std::chrono::seconds limit)
{
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(limit).count())) == 1;
}

} // namespace

TEST(ScreenLockWatch, LockSignalsOfBothScreenSaversWakeItAndActiveFalseDoesNot)
{
    ScreenSaverBus bus;
    auto watch = coffer::agent::ScreenLockWatch::start(bus.address());
    ASSERT_TRUE(watch) << "the watch did not connect to " << bus.address();

    // The screen came back, then locked: one byte. The bus delivers in order,
    // so by the time the lock's byte is there, the first signal was handled.
    bus.screenSaverSays(false);
    bus.screenSaverSays(true);
    ASSERT_TRUE(readableWithin(watch->fd(), std::chrono::seconds(20)));
    EXPECT_EQ(drain(watch->fd()), 1u);

    // GNOME's interface, on its own path, counts the same.
    bus.screenSaverSays(false, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver");
    bus.screenSaverSays(true, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver");
    ASSERT_TRUE(readableWithin(watch->fd(), std::chrono::seconds(20)));
    EXPECT_EQ(drain(watch->fd()), 1u);

    // Another interface with the same member name is not a screen saver.
    bus.screenSaverSays(true, "org.example.NotAScreenSaver", "/org/freedesktop/ScreenSaver");
    bus.screenSaverSays(true);
    ASSERT_TRUE(readableWithin(watch->fd(), std::chrono::seconds(20)));
    EXPECT_EQ(drain(watch->fd()), 1u);
}

TEST(ScreenLockWatch, NoSessionBusMeansNoWatch)
{
    EXPECT_FALSE(coffer::agent::ScreenLockWatch::start(""));
    TempDir dir;
    EXPECT_FALSE(coffer::agent::ScreenLockWatch::start("unix:path=" + (dir.path() / "no-bus").string()));
    // Without DBUS_SESSION_BUS_ADDRESS and without $XDG_RUNTIME_DIR/bus, nothing is autolaunched.
    ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
    ::setenv("XDG_RUNTIME_DIR", dir.path().c_str(), 1);
    EXPECT_EQ(coffer::agent::sessionBusAddress(), "");
    ::unsetenv("XDG_RUNTIME_DIR");
}

TEST(AgentScreenLock, TheAgentLocksWhenTheScreenLocksAndNotWhenItUnlocks)
{
    ScreenSaverBus bus;
    const SessionBusEnv env(bus.address());
    AgentUser u;
    const Outcome unlocked = u.unlock("--idle-timeout 600");
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const fs::path socket = u.socket();
    const pid_t pid = agentPid(socket);
    ASSERT_GT(pid, 0);

    // The screen saver going away keeps the keys: a command still gets them.
    bus.screenSaverSays(false);
    bus.screenSaverSays(false, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver");
    const Outcome contacts = u.run("contacts list --names-only");
    EXPECT_EQ(contacts.code, kExitOk) << contacts.output;
    EXPECT_TRUE(contains(contacts.output, "Bob")) << contacts.output;
    EXPECT_EQ(agentPid(socket), pid);

    // The screen locks: the agent wipes its keys, removes its socket and exits.
    bus.screenSaverSays(true);
    EXPECT_TRUE(eventually([&] { return !fs::exists(fs::symlink_status(socket)) && !running(pid); }));
    const Outcome after = u.run("contacts list --names-only");
    EXPECT_NE(after.code, kExitOk) << "still unlocked after the screen locked: " << after.output;
}

TEST(AgentScreenLock, WithoutASessionBusTheAgentRunsAsBefore)
{
    TempDir nowhere;
    const SessionBusEnv env("unix:path=" + (nowhere.path() / "no-bus").string());
    AgentUser u;
    const Outcome unlocked = u.unlock("--idle-timeout 600");
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const Outcome contacts = u.run("contacts list --names-only");
    EXPECT_EQ(contacts.code, kExitOk) << contacts.output;
    EXPECT_TRUE(contains(contacts.output, "Bob")) << contacts.output;
    EXPECT_EQ(u.run("lock").code, kExitOk);
}
