// Runs one encrypt or extract job on a worker thread, so the window stays
// responsive. Progress comes back on the GUI thread (the app/ callback runs
// on the worker, at most every 50 ms, and is re-posted here).
#pragma once

#include "Job.h"
#include "Result.h"

#include <QFuture>
#include <QObject>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

namespace coffer::ui {

struct JobOutcome {
    std::optional<Error> error;
    std::filesystem::path output; // the container written, or the extraction folder
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    std::vector<std::string> warnings;

    bool ok() const { return !error; }
    bool cancelled() const { return error && error->code == ErrorCode::Cancelled; }
};

class JobRunner : public QObject {
    Q_OBJECT

public:
    /// Runs on the worker thread: capture only what outlives the job (by value).
    using Work = std::function<JobOutcome(JobControl&)>;

    explicit JobRunner(QObject* parent = nullptr);
    /// Cancels a running job and waits for it, so the worker never outlives us.
    ~JobRunner() override;

    void start(Work work);
    void cancel();
    bool isRunning() const { return m_running; }
    const JobOutcome& outcome() const { return m_outcome; }

signals:
    void progressed(const coffer::Progress& progress);
    void finished(bool ok);

private:
    std::shared_ptr<JobControl> m_job;
    std::shared_ptr<JobOutcome> m_result;
    QFuture<void> m_future;
    JobOutcome m_outcome;
    bool m_running = false;
};

/// True while a JobRunner owned by `window` (or by any object inside it) runs:
/// the window is busy, and the lock leaves it open (the job holds its own keys).
/// Every job window is busy this way without being named anywhere.
bool runsJob(const QObject* window);

} // namespace coffer::ui

Q_DECLARE_METATYPE(coffer::Progress)
