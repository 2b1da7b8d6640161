// The recently opened or created containers, newest first. Enter or a double
// click opens one; Delete removes it from the list (not from the disk).
#pragma once

#include <QListWidget>

namespace coffer::ui {

class Settings;

class RecentContainers : public QListWidget {
    Q_OBJECT

public:
    explicit RecentContainers(Settings& settings, QWidget* parent = nullptr);

    void refresh();

signals:
    void openRequested(const QString& path);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    Settings& m_settings;
};

} // namespace coffer::ui
