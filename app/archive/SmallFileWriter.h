// Writes small files (pack members, FORMAT.md §5.8) on threads of their own,
// so that extraction decrypts the next pack while these threads decompress
// the last ones and the kernel creates their files: with ten thousand files,
// creating them costs as much as everything else together. Work arrives as
// tasks, each with a weight in bytes; submit() waits while kMaxPending bytes
// of work are queued or running, so memory stays flat.
#pragma once

#include "FileIO.h"
#include "Job.h"
#include "StagingFolder.h"
#include "WorkerThreads.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>

namespace coffer {

class SmallFileWriter {
public:
    /// What a task may use, on the thread that runs it.
    class Context {
    public:
        /// Creates the file `path` (relative to the root folder, never replacing
        /// anything) with `bytes`, `mode` (the umask applies) and modification time.
        Status writeFile(const std::string& path, std::uint16_t mode, std::int64_t mtimeSeconds,
                         std::uint32_t mtimeNanoseconds, ByteView bytes);
        /// Creates the file `path` for writing in pieces; the caller sets its time
        /// (setFileTime) and closes it.
        Result<UniqueFd> createFile(const std::string& path, std::uint16_t mode);
        const std::filesystem::path& shownRoot() const { return m_shown; }

    private:
        friend class SmallFileWriter;
        Context(int root, const std::filesystem::path& shown) : m_cursor(root, shown), m_shown(shown) {}
        FolderCursor m_cursor;
        const std::filesystem::path& m_shown;
    };
    using Task = std::function<Status(Context&)>;

    /// Files go into folders under `rootFd`, made as needed (never through a
    /// link); errors name them under `shownRoot`. Destroying it stops after
    /// the tasks in progress; queued ones are dropped (the caller is abandoning
    /// the extraction and removes what was written).
    SmallFileWriter(int rootFd, std::filesystem::path shownRoot, unsigned threads);
    SmallFileWriter(const SmallFileWriter&) = delete;
    SmallFileWriter& operator=(const SmallFileWriter&) = delete;

    /// Queues a task, waiting while too much is pending; reports an earlier task's error.
    Status submit(Task task, std::size_t weight);
    /// Waits until every task ran; reports the first error. Returns Cancelled
    /// as soon as `job` is (within 20 ms): the queue may hold a hundred thousand
    /// files, and a cancelled extraction must not wait for them (issue 17).
    Status finish(const JobControl* job = nullptr);

    static constexpr std::size_t kMaxPending = 8 * 1024 * 1024; // bytes of weight

private:
    void loop();

    int m_root;
    std::filesystem::path m_shown;
    std::condition_variable m_room; // a task ended
    std::deque<std::pair<Task, std::size_t>> m_queue;
    std::size_t m_pending = 0; // weight queued or running
    std::size_t m_busy = 0;    // tasks running
    std::optional<Error> m_error;
    crypto::WorkerThreads m_threads; // last: stop before the state above goes (woken: a task was queued)
};

} // namespace coffer
