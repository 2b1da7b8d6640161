// A real Secret Service of the test's own: a private dbus-daemon and a
// gnome-keyring-daemon on it, whose login keyring (unlocked) lives in a
// temporary home, never the user's. Qt and libsecret connect to the session
// bus once per process, so a test program makes one of these for all its
// tests (a gtest Environment) and sets DBUS_SESSION_BUS_ADDRESS before
// anything connects. The daemon leaves when its bus does.
#pragma once

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <sstream>
#include <sys/types.h>

namespace coffer::test {

class SecretService {
public:
    SecretService()
    {
        std::string out;
        const int code = runCommand("dbus-daemon --session --fork --print-address=1 --print-pid=1", &out);
        EXPECT_EQ(code, 0) << "dbus-daemon is missing (Debian: apt-get install dbus-daemon): " << out;
        std::istringstream lines(out);
        std::string pidText;
        std::getline(lines, m_address);
        std::getline(lines, pidText);
        m_busPid = static_cast<pid_t>(std::atoi(pidText.c_str()));
        ::setenv("DBUS_SESSION_BUS_ADDRESS", m_address.c_str(), 1);
        const std::string home = m_home.path().string();
        const int started = runCommand(
            "env HOME=" + shellQuote(home) + " XDG_DATA_HOME=" + shellQuote(home + "/data") +
                " XDG_RUNTIME_DIR= sh -c 'printf coffer-test | gnome-keyring-daemon --unlock --components=secrets'",
            &out);
        EXPECT_EQ(started, 0) << "gnome-keyring-daemon is missing (Debian: apt-get install gnome-keyring): " << out;
    }
    ~SecretService()
    {
        if (m_busPid > 0)
            ::kill(m_busPid, SIGTERM); // the keyring daemon follows its bus
        ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
    }
    SecretService(const SecretService&) = delete;
    SecretService& operator=(const SecretService&) = delete;

    const std::string& address() const { return m_address; }

private:
    TempDir m_home;
    std::string m_address;
    pid_t m_busPid = 0;
};

} // namespace coffer::test
