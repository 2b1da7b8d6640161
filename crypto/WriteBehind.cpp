#include "WriteBehind.h"

namespace coffer::crypto {

WriteBehind::WriteBehind(ByteSink& sink) : m_sink(sink), m_thread([this] { loop(); }) {}

WriteBehind::~WriteBehind()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

std::uint64_t WriteBehind::post(ByteView data)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(data);
        ++m_posted;
    }
    m_wake.notify_one();
    return m_posted;
}

Status WriteBehind::waitFor(std::uint64_t ticket)
{
    std::unique_lock lock(m_mutex);
    m_progress.wait(lock, [&] { return m_done >= ticket || m_error; });
    if (m_error)
        return *m_error;
    return Status::success();
}

void WriteBehind::loop()
{
    std::unique_lock lock(m_mutex);
    while (true) {
        m_wake.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_stop)
            return;
        const ByteView data = m_queue.front();
        m_queue.pop_front();
        Status status = Status::success();
        if (!m_error) {
            lock.unlock();
            status = m_sink.write(data);
            lock.lock();
        }
        if (!status.ok() && !m_error)
            m_error = status.error();
        ++m_done;
        m_progress.notify_all();
    }
}

} // namespace coffer::crypto
