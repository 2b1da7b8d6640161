// The threads of one owner (a pool, a writer, a scan), with what every owner
// needs around them: one lock for the owner's shared state, one signal that
// wakes the threads, and a stop flag. The destructor stops and joins them,
// so an owner declares its WorkerThreads last: the threads end before
// anything they use is destroyed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace coffer::crypto {

class WorkerThreads {
public:
    WorkerThreads() = default;
    ~WorkerThreads() { stop(); }
    WorkerThreads(const WorkerThreads&) = delete;
    WorkerThreads& operator=(const WorkerThreads&) = delete;

    /// Starts `count` threads, each running body(its number). If one cannot be
    /// started, those that were are stopped and joined before the error is thrown.
    void start(unsigned count, const std::function<void(unsigned index)>& body);
    /// Sets the stop flag, wakes every thread and joins them; later calls do nothing.
    void stop();

    /// The lock of the owner's shared state, and of wait().
    std::mutex& mutex() const { return m_mutex; }
    /// True once stop() was called; threads read it without the lock too.
    bool stopping() const { return m_stop.load(std::memory_order_acquire); }
    /// Waits (with `lock` held on mutex()) until `ready()` or stop; false on stop.
    template <typename Ready> bool wait(std::unique_lock<std::mutex>& lock, Ready ready)
    {
        m_wake.wait(lock, [&] { return stopping() || ready(); });
        return !stopping();
    }
    /// Wakes one or every waiting thread (call after changing state under the lock).
    void wakeOne() { m_wake.notify_one(); }
    void wakeAll() { m_wake.notify_all(); }
    unsigned size() const { return m_count; }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::atomic<bool> m_stop{false};
    unsigned m_count = 0;
    std::vector<std::thread> m_threads;
};

} // namespace coffer::crypto
