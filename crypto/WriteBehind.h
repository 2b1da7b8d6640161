// Writes sealed batches to a ByteSink on a thread of its own, in order, so
// that writing (a page-cache copy that costs as much as sealing on tmpfs)
// overlaps reading and sealing. The caller keeps each posted buffer intact
// until waitFor() says it was written. The first error is kept and reported;
// later posts are dropped.
#pragma once

#include "ByteStream.h"
#include "WorkerThreads.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

namespace coffer::crypto {

class WriteBehind {
public:
    /// Destroying it stops after the write in progress; queued writes are
    /// dropped (the caller is abandoning its output).
    explicit WriteBehind(ByteSink& sink);
    WriteBehind(const WriteBehind&) = delete;
    WriteBehind& operator=(const WriteBehind&) = delete;

    /// Queues `data`; returns its ticket (1, 2, ...). `prepare`, if given,
    /// runs on the writer thread just before `data` is written (sealing it in
    /// place, say); its error is reported like a write's.
    std::uint64_t post(ByteView data, std::function<Status()> prepare = {});
    /// Waits until the write with this ticket (and all before it) is done;
    /// ticket 0 returns at once. Reports the first error of any write so far.
    Status waitFor(std::uint64_t ticket);
    /// Waits for every queued write.
    Status flush() { return waitFor(m_posted); }

private:
    void loop();

    ByteSink& m_sink;
    std::condition_variable m_progress;
    struct Item {
        ByteView data;
        std::function<Status()> prepare;
    };
    std::deque<Item> m_queue;
    std::uint64_t m_posted = 0;
    std::uint64_t m_done = 0;
    std::optional<Error> m_error;
    WorkerThreads m_thread; // last: stops before the state above goes
};

} // namespace coffer::crypto
