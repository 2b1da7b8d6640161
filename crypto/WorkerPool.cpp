#include "WorkerPool.h"

namespace coffer::crypto {

WorkerPool::WorkerPool(unsigned threads)
{
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < threads; ++i)
        m_threads.emplace_back([this, i] { loop(i); });
}

WorkerPool::~WorkerPool()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (auto& t : m_threads)
        t.join();
}

WorkerPool& WorkerPool::shared()
{
    static WorkerPool pool;
    return pool;
}

void WorkerPool::submit(std::size_t parts, std::function<void(unsigned, std::size_t)> task)
{
    {
        std::unique_lock lock(m_mutex);
        // One task at a time: finish the previous one first.
        m_done.wait(lock, [this] { return m_finished == m_parts; });
        m_task = std::move(task);
        m_parts = parts;
        m_next = 0;
        m_finished = 0;
        ++m_generation;
    }
    m_wake.notify_all();
}

void WorkerPool::wait()
{
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [this] { return m_finished == m_parts; });
}

void WorkerPool::run(std::size_t parts, std::function<void(unsigned, std::size_t)> task)
{
    submit(parts, std::move(task));
    wait();
}

void WorkerPool::loop(unsigned worker)
{
    std::size_t seen = 0;
    std::unique_lock lock(m_mutex);
    while (true) {
        m_wake.wait(lock, [&] { return m_stop || (m_generation != seen && m_next < m_parts); });
        if (m_stop)
            return;
        while (m_next < m_parts) {
            const std::size_t part = m_next++;
            auto& task = m_task;
            lock.unlock();
            task(worker, part);
            lock.lock();
            if (++m_finished == m_parts)
                m_done.notify_all();
        }
        seen = m_generation;
    }
}

} // namespace coffer::crypto
