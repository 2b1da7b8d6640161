// Progress and cancellation for long work (encrypt, extract). The work runs on
// the caller's thread (a worker thread in the GUI); the GUI and CLI only
// display what it reports.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace coffer {

struct Progress {
    std::uint64_t bytesDone = 0;
    std::uint64_t bytesTotal = 0;
    std::uint64_t filesDone = 0;
    std::uint64_t filesTotal = 0;
    std::string currentFile;
};

/// Shared between the worker and whoever shows progress. Thread-safe.
class JobControl {
public:
    using ProgressCallback = std::function<void(const Progress&)>;

    void setProgressCallback(ProgressCallback callback) { m_callback = std::move(callback); }
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

    /// Called by the worker; forwards at most every 50 ms, and always when `force`.
    void report(const Progress& progress, bool force = false);

    void warn(std::string message)
    {
        std::lock_guard lock(m_warningsMutex);
        m_warnings.push_back(std::move(message));
    }
    std::vector<std::string> warnings() const
    {
        std::lock_guard lock(m_warningsMutex);
        return m_warnings;
    }

private:
    std::atomic<bool> m_cancelled{false};
    ProgressCallback m_callback;
    std::chrono::steady_clock::time_point m_lastReport{};
    mutable std::mutex m_warningsMutex; // the scan warns from a thread of its own
    std::vector<std::string> m_warnings;
};

} // namespace coffer
