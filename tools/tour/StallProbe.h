// Measures how responsive the GUI thread stays: a 10 ms timer records the
// longest gap between its ticks. A long gap means the event loop stalled;
// the GUI thread's CPU time during that gap, and (on Linux) its time spent
// ready but waiting for a CPU and the time a hypervisor took the virtual CPUs
// away ("steal"), tell whose fault it was: our code running, or a busy
// machine not running the thread.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace coffer::ui {

class StallProbe : public QObject {
    Q_OBJECT

public:
    explicit StallProbe(int intervalMs = 10, QObject* parent = nullptr);

    void start();
    void stop();
    /// The longest time between two ticks since start(), in milliseconds.
    qint64 maxGapMs() const { return m_maxGapMs; }
    qint64 ticks() const { return m_ticks; }
    /// When the longest gap ended, in milliseconds after start().
    qint64 maxGapAtMs() const { return m_maxGapAt; }
    /// CPU time the GUI thread itself used during the longest gap (-1 where unknown).
    qint64 maxGapCpuMs() const { return m_maxGapCpuUs < 0 ? -1 : m_maxGapCpuUs / 1000; }
    /// Time the GUI thread was ready to run but had no CPU during the longest gap (-1 where unknown).
    qint64 maxGapWaitMs() const { return m_maxGapWaitUs < 0 ? -1 : m_maxGapWaitUs / 1000; }
    /// CPU time the hypervisor took from this virtual machine during the longest gap, summed over its
    /// CPUs (10 ms resolution; -1 where unknown).
    qint64 maxGapStealMs() const { return m_maxGapStealMs; }

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_maxGapMs = 0;
    qint64 m_maxGapAt = 0;
    qint64 m_lastCpuUs = 0;
    qint64 m_maxGapCpuUs = -1;
    qint64 m_lastWaitUs = 0;
    qint64 m_maxGapWaitUs = -1;
    qint64 m_lastStealMs = 0;
    qint64 m_maxGapStealMs = -1;
    qint64 m_ticks = 0;
};

} // namespace coffer::ui
