#include "StallProbe.h"

#if defined(Q_OS_UNIX)
#include <time.h>
#endif
#if defined(Q_OS_LINUX)
#include <QFile>
#endif

namespace coffer::ui {

namespace {

/// CPU time used by the calling thread, in microseconds; -1 where unknown.
qint64 threadCpuUs()
{
#if defined(Q_OS_UNIX) && defined(CLOCK_THREAD_CPUTIME_ID)
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        return static_cast<qint64>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
#endif
    return -1;
}

/// Time the calling thread has spent ready to run but waiting for a CPU, in
/// microseconds (the scheduler's run_delay); -1 where unknown.
qint64 threadRunWaitUs()
{
#if defined(Q_OS_LINUX)
    QFile stat(QStringLiteral("/proc/thread-self/schedstat")); // "run time, run_delay, slices", in ns
    if (stat.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = stat.readAll().simplified().split(' ');
        bool ok = false;
        const qint64 ns = fields.size() >= 2 ? fields.at(1).toLongLong(&ok) : 0;
        if (ok)
            return ns / 1000;
    }
#endif
    return -1;
}

/// CPU time taken from this (virtual) machine by its hypervisor, summed over CPUs, in
/// milliseconds; -1 where unknown.
qint64 machineStealMs()
{
#if defined(Q_OS_LINUX)
    QFile stat(QStringLiteral("/proc/stat")); // "cpu user nice system idle iowait irq softirq steal ..." in 1/100 s
    if (stat.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = stat.readLine().simplified().split(' ');
        bool ok = false;
        const qint64 ticks = fields.size() > 8 && fields.at(0) == "cpu" ? fields.at(8).toLongLong(&ok) : 0;
        if (ok)
            return ticks * 10;
    }
#endif
    return -1;
}

} // namespace

StallProbe::StallProbe(int intervalMs, QObject* parent) : QObject(parent)
{
    m_timer.setInterval(intervalMs);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &StallProbe::tick);
}

void StallProbe::start()
{
    m_maxGapMs = 0;
    m_maxGapAt = 0;
    m_ticks = 0;
    m_maxGapCpuUs = -1;
    m_maxGapWaitUs = -1;
    m_lastCpuUs = threadCpuUs();
    m_lastWaitUs = threadRunWaitUs();
    m_maxGapStealMs = -1;
    m_lastStealMs = machineStealMs();
    m_clock.start();
    m_last = 0;
    m_timer.start();
}

void StallProbe::stop()
{
    tick();
    m_timer.stop();
}

void StallProbe::tick()
{
    const qint64 now = m_clock.elapsed();
    const qint64 cpu = threadCpuUs();
    const qint64 wait = threadRunWaitUs();
    const qint64 steal = machineStealMs();
    if (now - m_last > m_maxGapMs) {
        m_maxGapMs = now - m_last;
        m_maxGapAt = now;
        m_maxGapCpuUs = cpu < 0 || m_lastCpuUs < 0 ? -1 : cpu - m_lastCpuUs;
        m_maxGapWaitUs = wait < 0 || m_lastWaitUs < 0 ? -1 : wait - m_lastWaitUs;
        m_maxGapStealMs = steal < 0 || m_lastStealMs < 0 ? -1 : steal - m_lastStealMs;
    }
    m_last = now;
    m_lastCpuUs = cpu;
    m_lastWaitUs = wait;
    m_lastStealMs = steal;
    ++m_ticks;
}

} // namespace coffer::ui
