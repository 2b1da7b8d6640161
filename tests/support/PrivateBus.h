// A session dbus-daemon of a test's own, stopped (by its pid) at the end:
// the screen-lock watch's tests send it signals, and the system-keyring tests
// run gnome-keyring-daemon on it (SecretService.h). It starts no service by
// itself: `dbus-daemon --session` would, for a name nobody owns yet, run the
// user's own gnome-keyring-daemon (from /usr/share/dbus-1/services) with the
// user's HOME, so a test that asked a moment too early would reach the
// user's real keyring. The configuration below lists no service folder.
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
        const auto config = m_dir / "bus.conf";
        writeFile(config, "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                          " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                          "<busconfig>\n"
                          "  <type>session</type>\n"
                          "  <listen>unix:dir=" +
                              m_dir.path().string() +
                              "</listen>\n"
                              "  <auth>EXTERNAL</auth>\n"
                              "  <policy context=\"default\">\n"
                              "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                              "    <allow eavesdrop=\"true\"/>\n"
                              "    <allow own=\"*\"/>\n"
                              "  </policy>\n"
                              "</busconfig>\n");
        std::string out;
        const int code = runCommand("dbus-daemon --config-file=" + shellQuote(config.string()) +
                                        " --fork --print-address=1 --print-pid=1",
                                    &out);
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
    TempDir m_dir;
    std::string m_address;
    pid_t m_pid = 0;
};

} // namespace coffer::test
