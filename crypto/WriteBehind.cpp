#include "WriteBehind.h"

namespace coffer::crypto {

WriteBehind::WriteBehind(ByteSink& sink) : m_sink(sink)
{
    m_thread.start(1, [this](unsigned) { loop(); });
}

std::uint64_t WriteBehind::post(ByteView data, std::function<Status()> prepare)
{
    {
        std::lock_guard lock(m_thread.mutex());
        m_queue.push_back({data, std::move(prepare)});
        ++m_posted;
    }
    m_thread.wakeOne();
    return m_posted;
}

Status WriteBehind::waitFor(std::uint64_t ticket)
{
    std::unique_lock lock(m_thread.mutex());
    m_progress.wait(lock, [&] { return m_done >= ticket || m_error; });
    if (m_error)
        return *m_error;
    return Status::success();
}

void WriteBehind::loop()
{
    std::unique_lock lock(m_thread.mutex());
    while (m_thread.wait(lock, [&] { return !m_queue.empty(); })) {
        Item item = std::move(m_queue.front());
        m_queue.pop_front();
        Status status = Status::success();
        if (!m_error) {
            lock.unlock();
            if (item.prepare)
                status = item.prepare();
            if (status.ok())
                status = m_sink.write(item.data);
            lock.lock();
        }
        if (!status.ok() && !m_error)
            m_error = status.error();
        ++m_done;
        m_progress.notify_all();
    }
}

} // namespace coffer::crypto
