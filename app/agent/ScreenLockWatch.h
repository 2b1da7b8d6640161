// The key agent's screen-lock watch (docs/AGENT.md, "Lock"): listens on the
// session D-Bus for the desktop's screen saver saying the screen locked
// (signal ActiveChanged(true) of org.freedesktop.ScreenSaver or
// org.gnome.ScreenSaver) and makes a descriptor readable, which the agent's
// poll loop takes as "lock now". No session bus: no watch, nothing else
// changes. Its own library (coffer_screenlock, Qt D-Bus): only the agent links it.
#pragma once

#include "WorkerThreads.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

class QCoreApplication;
class QEventLoop;

namespace coffer::agent {

/// The session bus's address: DBUS_SESSION_BUS_ADDRESS, else the socket
/// $XDG_RUNTIME_DIR/bus if there is one; empty if neither (never autolaunched).
std::string sessionBusAddress();

class ScreenLockWatch {
public:
    /// Connects to the bus at `address` and subscribes before it returns (so
    /// no lock signal sent afterwards is missed); nullptr if `address` is
    /// empty or the bus cannot be reached within a few seconds.
    static std::unique_ptr<ScreenLockWatch> start(const std::string& address);
    ~ScreenLockWatch();
    ScreenLockWatch(const ScreenLockWatch&) = delete;
    ScreenLockWatch& operator=(const ScreenLockWatch&) = delete;

    /// Readable (one byte per lock signal) once the screen locked.
    int fd() const { return m_pipe[0]; }

private:
    ScreenLockWatch();
    void run(const std::string& address);

    enum class State { Starting, Watching, Failed };
    int m_pipe[2] = {-1, -1};
    std::unique_ptr<QCoreApplication> m_app; // QtDBus wants one; made only if the process has none
    std::mutex m_mutex;
    std::condition_variable m_changed;
    State m_state = State::Starting;
    bool m_stop = false;
    QEventLoop* m_loop = nullptr;
    crypto::WorkerThreads m_thread; // last: joined before the rest goes
};

} // namespace coffer::agent
