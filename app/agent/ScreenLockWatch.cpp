// The key agent's screen-lock watch (docs/AGENT.md, "Lock"): a thread of its
// own runs a Qt event loop with a private connection to the session bus and
// turns ActiveChanged(true) into a byte on a pipe. Any process of the user can
// send that signal (SECURITY.md, "The key agent"): all it can do is lock.
#include "ScreenLockWatch.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QEventLoop>
#include <QObject>
#include <QString>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer::agent {

namespace {

/// Receives the signal in the watch's thread; writes one byte per lock.
class LockSignalReceiver : public QObject {
    Q_OBJECT
public:
    explicit LockSignalReceiver(int fd) : m_fd(fd) {}
public slots:
    void activeChanged(bool active)
    {
        if (!active)
            return; // the screen came back: nothing to do
        const char byte = 'L';
        ssize_t n;
        do
            n = ::write(m_fd, &byte, 1);
        while (n < 0 && errno == EINTR);
    }

private:
    int m_fd;
};

/// Both interfaces say the same: ActiveChanged(bool), from any path
/// (/org/freedesktop/ScreenSaver, /ScreenSaver on KDE, /org/gnome/ScreenSaver).
const char* const kInterfaces[] = {"org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"};

int g_argc = 1;
char g_arg0[] = "coffer";
char* g_argv[] = {g_arg0, nullptr};

} // namespace

std::string sessionBusAddress()
{
    if (const char* a = std::getenv("DBUS_SESSION_BUS_ADDRESS"); a && *a)
        return a;
    if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run && *run == '/') {
        const std::string bus = std::string(run) + "/bus";
        struct stat st {};
        if (::lstat(bus.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == ::getuid())
            return "unix:path=" + bus;
    }
    return {};
}

ScreenLockWatch::ScreenLockWatch() = default;

std::unique_ptr<ScreenLockWatch> ScreenLockWatch::start(const std::string& address)
{
    if (address.empty())
        return nullptr;
    std::unique_ptr<ScreenLockWatch> watch(new ScreenLockWatch());
    if (::pipe2(watch->m_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return nullptr;
    if (!QCoreApplication::instance())
        watch->m_app = std::make_unique<QCoreApplication>(g_argc, g_argv);
    // The thread (and Qt's D-Bus thread, which it starts) take no signal:
    // SIGTERM and the like stay with the thread that waits for them.
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &old);
    try {
        watch->m_thread.start(1, [w = watch.get(), address](unsigned) { w->run(address); });
    } catch (...) {
        ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
        return nullptr;
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    std::unique_lock lock(watch->m_mutex);
    const bool decided =
        watch->m_changed.wait_for(lock, std::chrono::seconds(5), [&] { return watch->m_state != State::Starting; });
    if (!decided || watch->m_state != State::Watching)
        return nullptr; // the destructor stops the thread
    return watch;
}

void ScreenLockWatch::run(const std::string& address)
{
    QEventLoop loop;
    LockSignalReceiver receiver(m_pipe[1]);
    const QString name = QStringLiteral("coffer-screen-lock-%1").arg(reinterpret_cast<quintptr>(this));
    bool watching = false;
    {
        QDBusConnection bus = QDBusConnection::connectToBus(QString::fromStdString(address), name);
        watching = bus.isConnected();
        for (const char* interface : kInterfaces)
            watching = watching && bus.connect(QString(), QString(), QString::fromLatin1(interface),
                                               QStringLiteral("ActiveChanged"), &receiver, SLOT(activeChanged(bool)));
        if (watching) {
            // A round trip: the bus has taken the subscriptions above before it answers.
            const QDBusMessage ping = QDBusMessage::createMethodCall(
                QStringLiteral("org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
                QStringLiteral("org.freedesktop.DBus.Peer"), QStringLiteral("Ping"));
            watching = bus.call(ping, QDBus::Block, 5000).type() == QDBusMessage::ReplyMessage;
        }
    }
    bool serve = false;
    {
        std::lock_guard lock(m_mutex);
        m_state = watching ? State::Watching : State::Failed;
        serve = watching && !m_stop;
        if (serve)
            m_loop = &loop; // from here on, the destructor quits it
    }
    m_changed.notify_all();
    if (serve)
        loop.exec();
    {
        std::lock_guard lock(m_mutex);
        m_loop = nullptr;
    }
    QDBusConnection::disconnectFromBus(name);
}

ScreenLockWatch::~ScreenLockWatch()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        if (m_loop)
            QMetaObject::invokeMethod(m_loop, &QEventLoop::quit, Qt::QueuedConnection);
    }
    m_thread.stop();
    for (int& fd : m_pipe)
        if (fd >= 0)
            ::close(fd);
}

} // namespace coffer::agent

#include "ScreenLockWatch.moc"
