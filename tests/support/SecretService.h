// A real Secret Service of the test's own: a private dbus-daemon and a
// gnome-keyring-daemon on it, whose login keyring (unlocked) lives in a
// temporary home, never the user's. Qt and libsecret connect to the session
// bus once per process, so a test program makes one of these for all its
// tests (a gtest Environment) and sets DBUS_SESSION_BUS_ADDRESS before
// anything connects. The daemon leaves when its bus does.
#pragma once

#include "PrivateBus.h"

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
    }
    ~SecretService() { ::unsetenv("DBUS_SESSION_BUS_ADDRESS"); } // then the bus stops; the daemon follows it
    SecretService(const SecretService&) = delete;
    SecretService& operator=(const SecretService&) = delete;

private:
    TempDir m_home;
    PrivateBus m_bus;
};

} // namespace coffer::test
