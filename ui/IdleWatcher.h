// Auto-lock: emits idle() after a stretch without keyboard or mouse input in
// any Coffer window.
#pragma once

#include <QObject>
#include <QTimer>

namespace coffer::ui {

class IdleWatcher : public QObject {
    Q_OBJECT

public:
    explicit IdleWatcher(QObject* parent = nullptr);
    ~IdleWatcher() override;

    /// 0 turns auto-lock off.
    void setTimeoutMinutes(int minutes);
    /// For tests: a short timeout in milliseconds.
    void setTimeoutMs(int ms);
    int timeoutMs() const { return m_timeoutMs; }
    /// Starts counting again from now.
    void poke();

signals:
    void idle();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QTimer m_timer;
    int m_timeoutMs = 0;
};

} // namespace coffer::ui
