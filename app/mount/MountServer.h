// A container mounted by this process and served on a thread of its own (the
// GUI's "Browse in file manager", issue 21): the keys stay where they already
// are, and go when the server does.
#pragma once

#include "IndexedReader.h"
#include "MountFs.h"
#include "WorkerThreads.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <pthread.h>

namespace coffer {

class MountServer {
public:
    /// Mounts at `dir` (an empty folder) and serves it until stopped.
    static Result<std::unique_ptr<MountServer>> start(IndexedReader reader, const std::filesystem::path& dir,
                                                      std::time_t created);
    /// stop().
    ~MountServer();
    MountServer(const MountServer&) = delete;
    MountServer& operator=(const MountServer&) = delete;

    const std::filesystem::path& dir() const { return m_dir; }
    /// Unmounts at once, even with files open in the folder (a file manager
    /// showing it): the folder is detached, the connection ended, open files
    /// fail from then on; returns once the thread has ended.
    void stop();

private:
    explicit MountServer(IndexedReader reader);

    std::filesystem::path m_dir;
    MountReader m_reader;
    MountTree m_tree;
    std::unique_ptr<FuseMount> m_mount;
    std::atomic<bool> m_loopStarted{false};
    std::atomic<bool> m_loopEnded{false};
    pthread_t m_loopThread{};        // set before m_loopStarted
    crypto::WorkerThreads m_threads; // last: its thread ends before what it uses goes
};

} // namespace coffer
