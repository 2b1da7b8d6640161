#include "IdleWatcher.h"

#include <QCoreApplication>
#include <QEvent>

namespace coffer::ui {

IdleWatcher::IdleWatcher(QObject* parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &IdleWatcher::idle);
    QCoreApplication::instance()->installEventFilter(this);
}

IdleWatcher::~IdleWatcher()
{
    if (QCoreApplication::instance())
        QCoreApplication::instance()->removeEventFilter(this);
}

void IdleWatcher::setTimeoutMinutes(int minutes)
{
    setTimeoutMs(minutes > 0 ? minutes * 60 * 1000 : 0);
}

void IdleWatcher::setTimeoutMs(int ms)
{
    m_timeoutMs = ms;
    poke();
}

void IdleWatcher::poke()
{
    if (m_timeoutMs > 0)
        m_timer.start(m_timeoutMs);
    else
        m_timer.stop();
}

bool IdleWatcher::eventFilter(QObject* watched, QEvent* event)
{
    switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
    case QEvent::DragEnter:
        // Restarting a running timer costs little; input comes in bursts of a few dozen per second at most.
        if (m_timeoutMs > 0)
            m_timer.start(m_timeoutMs);
        break;
    default:
        break;
    }
    return QObject::eventFilter(watched, event);
}

} // namespace coffer::ui
