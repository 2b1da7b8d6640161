#include "WorkerThreads.h"

namespace coffer::crypto {

void WorkerThreads::start(unsigned count, const std::function<void(unsigned)>& body)
{
    try {
        m_threads.reserve(m_threads.size() + count);
        for (unsigned i = 0; i < count; ++i)
            m_threads.emplace_back(body, i);
    } catch (...) { // no thread left running (or joinable) when the owner's constructor fails
        stop();
        throw;
    }
    m_count = static_cast<unsigned>(m_threads.size());
}

void WorkerThreads::stop()
{
    {
        // Under the lock: a thread between its check and its wait still sees it.
        std::lock_guard lock(m_mutex);
        m_stop.store(true, std::memory_order_release);
    }
    m_wake.notify_all();
    for (auto& t : m_threads)
        t.join();
    m_threads.clear();
}

} // namespace coffer::crypto
