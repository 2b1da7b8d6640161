// A `dbus-daemon --session` of a test's own, stopped (by its pid) at the
// end: the screen-lock watch's tests send it signals, and the system-keyring
// tests run gnome-keyring-daemon on it (SecretService.h).
#pragma once

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <sstream>
#include <sys/types.h>

namespace coffer::test {

class PrivateBus {
public:
    PrivateBus()
    {
        std::string out;
        const int code = runCommand("dbus-daemon --session --fork --print-address=1 --print-pid=1", &out);
        EXPECT_EQ(code, 0) << "dbus-daemon is missing (Debian: apt-get install dbus-daemon dbus-bin): " << out;
        std::istringstream lines(out);
        std::string pidText;
        std::getline(lines, m_address);
        std::getline(lines, pidText);
        m_pid = static_cast<pid_t>(std::atoi(pidText.c_str()));
        EXPECT_FALSE(m_address.empty()) << out;
        EXPECT_GT(m_pid, 0) << out;
    }
    ~PrivateBus()
    {
        if (m_pid > 0)
            ::kill(m_pid, SIGTERM);
    }
    PrivateBus(const PrivateBus&) = delete;
    PrivateBus& operator=(const PrivateBus&) = delete;

    const std::string& address() const { return m_address; }

private:
    std::string m_address;
    pid_t m_pid = 0;
};

} // namespace coffer::test
