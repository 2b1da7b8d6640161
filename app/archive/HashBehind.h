// The content hashes of a signed container (FORMAT.md §5.7) made on a thread
// of their own, so that SHA-256 runs alongside reading, compressing and
// sealing instead of in line with them (WRITER.md §3): a compressed big
// file's frames, read again, and the ends of hashes. Jobs run one after
// another, in the order posted (a SHA-256 is computed in order). The first
// failing job's error is kept: later jobs are skipped and every wait
// reports it.
#pragma once

#include "FileIO.h"
#include "WorkerThreads.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

namespace coffer {

class HashBehind {
public:
    /// A job; `scratch` is the thread's own buffer, for reading a file again.
    using Job = std::function<Status(Bytes& scratch)>;

    HashBehind();
    /// Stops after the job in progress; queued jobs are dropped.
    ~HashBehind() = default;
    HashBehind(const HashBehind&) = delete;
    HashBehind& operator=(const HashBehind&) = delete;

    /// Queues `job`; returns its ticket (1, 2, ...).
    std::uint64_t post(Job job);
    /// Waits until the job with this ticket (and all before it) has run;
    /// ticket 0 returns at once. Reports the first error of any job so far.
    Status waitFor(std::uint64_t ticket);
    /// Waits for every queued job.
    Status drain();

private:
    void loop();

    std::condition_variable m_progress;
    std::deque<Job> m_queue;
    std::uint64_t m_posted = 0;
    std::uint64_t m_done = 0;
    std::optional<Error> m_error;
    Bytes m_scratch;                // the jobs' buffer (used on the thread only)
    crypto::WorkerThreads m_thread; // last: stops before the state above goes
};

} // namespace coffer
