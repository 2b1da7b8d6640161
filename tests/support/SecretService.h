// A real Secret Service of the test's own: a private dbus-daemon and a
// gnome-keyring-daemon on it, whose login keyring (unlocked) lives in a
// temporary home, never the user's. Qt and libsecret connect to the session
// bus once per process, so a test program makes one of these for all its
// tests (a gtest Environment) and sets DBUS_SESSION_BUS_ADDRESS before
// anything connects. The daemon leaves when its bus does.
//
// `gnome-keyring-daemon --unlock` returns before the daemon owns its name on
// the bus and before its login collection is there (seen: about one start
// in three), so the constructor waits for both: a test that asked earlier
// would find no collection to keep anything in.
#pragma once

#include "PrivateBus.h"

#include <chrono>
#include <thread>

namespace coffer::test {

class SecretService {
public:
    SecretService()
    {
        ::setenv("DBUS_SESSION_BUS_ADDRESS", m_bus.address().c_str(), 1);
        const std::string home = m_home.path().string();
        std::string out;
        const int started = runCommand(
            "env HOME=" + shellQuote(home) + " XDG_DATA_HOME=" + shellQuote(home + "/data") +
                " XDG_RUNTIME_DIR= sh -c 'printf coffer-test | gnome-keyring-daemon --unlock --components=secrets'",
            &out);
        EXPECT_EQ(started, 0) << "gnome-keyring-daemon is missing (Debian: apt-get install gnome-keyring): " << out;
        EXPECT_TRUE(loginCollectionUnlocked(std::chrono::seconds(20)))
            << "gnome-keyring-daemon did not show an unlocked login collection within 20 s";
    }

    /// Whether the login collection is on the bus and unlocked, asking until `limit` has passed.
    bool loginCollectionUnlocked(std::chrono::milliseconds limit) const
    {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            std::string out;
            const int code = runCommand("dbus-send --bus=" + shellQuote(m_bus.address()) +
                                            " --print-reply --dest=org.freedesktop.secrets"
                                            " /org/freedesktop/secrets/collection/login"
                                            " org.freedesktop.DBus.Properties.Get"
                                            " string:org.freedesktop.Secret.Collection string:Locked 2>&1",
                                        &out);
            if (code == 0 && out.find("boolean false") != std::string::npos)
                return true;
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    const std::string& busAddress() const { return m_bus.address(); }
    ~SecretService() { ::unsetenv("DBUS_SESSION_BUS_ADDRESS"); } // then the bus stops; the daemon follows it
    SecretService(const SecretService&) = delete;
    SecretService& operator=(const SecretService&) = delete;

private:
    TempDir m_home;
    PrivateBus m_bus;
};

} // namespace coffer::test
