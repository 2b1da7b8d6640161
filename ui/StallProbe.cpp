#include "StallProbe.h"

namespace coffer::ui {

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
    if (now - m_last > m_maxGapMs) {
        m_maxGapMs = now - m_last;
        m_maxGapAt = now;
    }
    m_last = now;
    ++m_ticks;
}

} // namespace coffer::ui
