#include "WorkerPool.h"

namespace coffer::crypto {

WorkerPool::WorkerPool(unsigned threads)
{
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    m_threads.start(threads, [this](unsigned worker) { loop(worker); });
}

WorkerPool& WorkerPool::shared()
{
    static WorkerPool pool;
    return pool;
}

void WorkerPool::submit(std::size_t parts, std::function<void(unsigned, std::size_t)> task)
{
    {
        std::unique_lock lock(m_threads.mutex());
        // One task at a time: finish the previous one first.
        m_done.wait(lock, [this] { return m_finished == m_parts; });
        m_task = std::move(task);
        m_parts = parts;
        m_next = 0;
        m_finished = 0;
        ++m_generation;
    }
    // Only as many workers as there are parts: a worker woken for nothing
    // still takes a turn on a core the others need.
    if (parts >= size())
        m_threads.wakeAll();
    else
        for (std::size_t i = 0; i < parts; ++i)
            m_threads.wakeOne();
}

void WorkerPool::wait()
{
    std::unique_lock lock(m_threads.mutex());
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
    std::unique_lock lock(m_threads.mutex());
    while (m_threads.wait(lock, [&] { return m_generation != seen && m_next < m_parts; })) {
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
