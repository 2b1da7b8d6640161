// A small fixed pool of worker threads for data-parallel loops: payload
// chunks are independent (FORMAT.md §4), so sealing and opening them spreads
// over all cores. run() blocks until every index is done; submit()/wait()
// let the caller overlap its own work (reading, writing) with the workers.
#pragma once

#include "WorkerThreads.h"

#include <condition_variable>
#include <cstddef>
#include <functional>

namespace coffer::crypto {

class WorkerPool {
public:
    /// `threads` 0 means one per hardware thread.
    explicit WorkerPool(unsigned threads = 0);
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    unsigned size() const { return m_threads.size(); }

    /// Calls task(worker, part) for part in [0, parts) on the workers, and returns
    /// at once. `worker` is the worker's number, for per-thread state.
    void submit(std::size_t parts, std::function<void(unsigned worker, std::size_t part)> task);
    /// Waits for the submitted task to finish.
    void wait();
    /// submit() then wait().
    void run(std::size_t parts, std::function<void(unsigned worker, std::size_t part)> task);

    /// One pool shared by the process.
    static WorkerPool& shared();

private:
    void loop(unsigned worker);

    std::condition_variable m_done;
    std::function<void(unsigned, std::size_t)> m_task;
    std::size_t m_parts = 0;
    std::size_t m_next = 0;
    std::size_t m_finished = 0;
    std::size_t m_generation = 0;
    WorkerThreads m_threads; // last: the threads stop before the state above goes
};

} // namespace coffer::crypto
