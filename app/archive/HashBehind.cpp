#include "HashBehind.h"

namespace coffer {

HashBehind::HashBehind()
{
    m_thread.start(1, [this](unsigned) { loop(); });
}

std::uint64_t HashBehind::post(Job job)
{
    std::uint64_t ticket = 0;
    {
        std::lock_guard lock(m_thread.mutex());
        m_queue.push_back(std::move(job));
        ticket = ++m_posted;
    }
    m_thread.wakeOne();
    return ticket;
}

Status HashBehind::waitFor(std::uint64_t ticket)
{
    std::unique_lock lock(m_thread.mutex());
    m_progress.wait(lock, [&] { return m_done >= ticket || m_error; });
    if (m_error)
        return *m_error;
    return Status::success();
}

Status HashBehind::drain()
{
    std::uint64_t last = 0;
    {
        std::lock_guard lock(m_thread.mutex());
        last = m_posted;
    }
    return waitFor(last);
}

void HashBehind::loop()
{
    std::unique_lock lock(m_thread.mutex());
    while (m_thread.wait(lock, [&] { return !m_queue.empty(); })) {
        Job job = std::move(m_queue.front());
        m_queue.pop_front();
        Status status = Status::success();
        if (!m_error) {
            lock.unlock();
            status = job(m_scratch);
            job = nullptr; // what it holds (a file, a hash) goes here, not under the lock
            lock.lock();
        }
        if (!status.ok() && !m_error)
            m_error = status.error();
        ++m_done;
        m_progress.notify_all();
    }
}

} // namespace coffer
