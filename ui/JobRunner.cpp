#include "JobRunner.h"

#include "BackgroundPriority.h"

#include <QFutureWatcher>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <exception>

namespace coffer::ui {

namespace {

/// Jobs get their own pool, so a long encryption never delays a listing or a keyring save.
QThreadPool& jobPool()
{
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool;
        p->setMaxThreadCount(8);
        return p;
    }();
    return *pool;
}

} // namespace

JobRunner::JobRunner(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<coffer::Progress>();
}

JobRunner::~JobRunner()
{
    if (m_running) {
        m_job->cancel();
        m_future.waitForFinished();
    }
}

void JobRunner::start(Work work)
{
    if (m_running)
        return;
    m_running = true;
    m_outcome = {};
    m_job = std::make_shared<JobControl>();
    m_result = std::make_shared<JobOutcome>();
    m_job->setProgressCallback([this](const Progress& progress) {
        // Worker thread: hand a copy to the GUI thread. The destructor waits for
        // the worker, so `this` is alive whenever this runs.
        QMetaObject::invokeMethod(
            this,
            [this, progress]() {
                if (m_running)
                    emit progressed(progress);
            },
            Qt::QueuedConnection);
    });
    auto* watcher = new QFutureWatcher<void>(this);
    connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher]() {
        watcher->deleteLater();
        m_outcome = std::move(*m_result);
        m_running = false;
        emit finished(m_outcome.ok());
    });
    auto job = m_job;
    auto result = m_result;
    m_future = QtConcurrent::run(&jobPool(), [job, result, work = std::move(work)]() {
        lowerCurrentThreadPriority();
        try {
            *result = work(*job);
        } catch (const std::exception& e) {
            result->error = makeError(ErrorCode::Internal, e.what());
        } catch (...) {
            result->error = makeError(ErrorCode::Internal, "unexpected failure");
        }
        job->setProgressCallback({}); // nothing more is posted once the result is set
    });
    watcher->setFuture(m_future);
}

bool runsJob(const QObject* window)
{
    const auto runners = window->findChildren<JobRunner*>();
    return std::any_of(runners.begin(), runners.end(), [](const JobRunner* r) { return r->isRunning(); });
}

void JobRunner::cancel()
{
    if (m_running && m_job)
        m_job->cancel();
}

} // namespace coffer::ui
