#include "SmallFileWriter.h"

namespace coffer {

SmallFileWriter::SmallFileWriter(int rootFd, std::filesystem::path shownRoot, unsigned threads)
    : m_root(rootFd), m_shown(std::move(shownRoot))
{
    m_threads.start(std::max(threads, 1u), [this](unsigned) { loop(); });
}

Status SmallFileWriter::submit(Task task, std::size_t weight)
{
    std::unique_lock lock(m_threads.mutex());
    // One task may always run, however heavy: it only has to wait for the others.
    m_room.wait(lock, [&] { return m_pending == 0 || m_pending + weight <= kMaxPending || m_error; });
    if (m_error)
        return *m_error;
    m_pending += weight;
    m_queue.emplace_back(std::move(task), weight);
    lock.unlock();
    m_threads.wakeOne();
    return Status::success();
}

Status SmallFileWriter::finish(const JobControl* job)
{
    std::unique_lock lock(m_threads.mutex());
    const auto done = [&] { return (m_queue.empty() && m_busy == 0) || m_error; };
    while (!m_room.wait_for(lock, std::chrono::milliseconds(20), done))
        if (job && job->isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    if (m_error)
        return *m_error;
    return Status::success();
}

void SmallFileWriter::loop()
{
    Context context(m_root, m_shown); // each thread walks on its own
    std::unique_lock lock(m_threads.mutex());
    while (m_threads.wait(lock, [&] { return !m_queue.empty(); })) {
        auto [task, weight] = std::move(m_queue.front());
        m_queue.pop_front();
        ++m_busy;
        lock.unlock();
        Status status = task(context);
        task = nullptr; // what it holds (a pack's bytes) goes now, not at the next task
        lock.lock();
        --m_busy;
        m_pending -= weight;
        if (!status.ok() && !m_error) {
            m_error = status.error();
            for (const auto& dropped : m_queue)
                m_pending -= dropped.second;
            m_queue.clear(); // nothing more is written after a failure
        }
        m_room.notify_all();
    }
}

Result<UniqueFd> SmallFileWriter::Context::createFile(const std::string& path, std::uint16_t mode)
{
    auto parent = m_cursor.parentOf(path);
    COFFER_TRY(parent);
    return createFileAt(*parent, lastComponent(path), mode, m_shown / path);
}

Status SmallFileWriter::Context::writeFile(const std::string& path, std::uint16_t mode, std::int64_t mtimeSeconds,
                                           std::uint32_t mtimeNanoseconds, ByteView bytes)
{
    auto fd = createFile(path, mode);
    COFFER_TRY(fd);
    FdSink sink(fd->get(), m_shown / path);
    COFFER_TRY(sink.write(bytes));
    setFileTime(fd->get(), mtimeSeconds, mtimeNanoseconds);
    return Status::success();
}

} // namespace coffer
