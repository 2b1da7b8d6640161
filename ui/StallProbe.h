// Measures how responsive the GUI thread stays: a 10 ms timer records the
// longest gap between its ticks. A long gap means the event loop stalled.
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

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_maxGapMs = 0;
    qint64 m_maxGapAt = 0;
    qint64 m_ticks = 0;
};

} // namespace coffer::ui
