#include "MountServer.h"

#include <chrono>
#include <csignal>
#include <thread>

namespace coffer {

namespace {

// The loop waits in read() on /dev/fuse: a signal without SA_RESTART makes
// that read fail with EINTR, and the loop then sees it was asked to exit.
constexpr int kWakeSignal = SIGUSR2;

void installWakeHandler()
{
    static const bool installed = [] {
        struct sigaction sa {};
        sa.sa_handler = [](int) {};
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0; // no SA_RESTART
        return ::sigaction(kWakeSignal, &sa, nullptr) == 0;
    }();
    (void)installed;
}

} // namespace

MountServer::MountServer(IndexedReader reader) : m_reader(std::move(reader)), m_tree(MountTree::build(m_reader.index()))
{}

Result<std::unique_ptr<MountServer>> MountServer::start(IndexedReader reader, const std::filesystem::path& dir,
                                                        std::time_t created)
{
    installWakeHandler();
    std::unique_ptr<MountServer> server(new MountServer(std::move(reader)));
    server->m_dir = dir;
    auto mount = FuseMount::mount(server->m_reader, server->m_tree, dir, created);
    COFFER_TRY(mount);
    server->m_mount = std::move(*mount);
    MountServer* s = server.get();
    server->m_threads.start(1, [s](unsigned) {
        s->m_loopThread = ::pthread_self();
        s->m_loopStarted = true;
        s->m_mount->loop();
        s->m_loopEnded = true;
    });
    return server;
}

MountServer::~MountServer()
{
    stop();
}

void MountServer::stop()
{
    if (!m_mount)
        return;
    m_mount->requestExit();
    m_mount->unmount();
    // Woken until it has ended: a signal that came just before its read() is not lost.
    while (!m_loopEnded) {
        if (m_loopStarted)
            ::pthread_kill(m_loopThread, kWakeSignal);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    m_threads.stop();
    m_mount.reset(); // closes /dev/fuse; the reader (and its keys) go with this object
}

} // namespace coffer
