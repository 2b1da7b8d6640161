// The progress view shared by encrypt and extract: a bar, speed, time left,
// the current file and Cancel; at the end the result with "Show in folder"
// and "Copy path", or for a container just made "Share…" (ShareButton.h).
#pragma once

#include "Job.h"
#include "JobRunner.h"

#include <QElapsedTimer>
#include <QWidget>

#include <deque>

class QLabel;
class QProgressBar;
class QPushButton;

namespace coffer::ui {

class NoticePanel;
class ShareButton;

/// Speed over the last few seconds, and the time left at that speed.
class SpeedMeter {
public:
    void reset();
    void add(qint64 msecs, std::uint64_t bytes);
    /// Bytes per second; 0 until there is enough to say.
    double bytesPerSecond() const;
    /// Seconds left for `remaining` bytes; negative when unknown.
    double secondsLeft(std::uint64_t remaining) const;

private:
    std::deque<std::pair<qint64, std::uint64_t>> m_samples;
};

class JobProgressWidget : public QWidget {
    Q_OBJECT

public:
    explicit JobProgressWidget(QWidget* parent = nullptr);

    void begin(const QString& title);
    void setProgress(const Progress& progress);
    /// `folder` is shown by "Show in folder"; `path` is copied by "Copy path".
    /// With `shareFile` (a container just made), "Share…" replaces "Show in folder".
    void finish(const JobOutcome& outcome, const QString& successText, const QString& folder, const QString& path,
                const QString& shareFile = {});

    QPushButton* cancelButton() const { return m_cancel; }
    ShareButton* shareButton() const { return m_share; }
    QString resultText() const;

signals:
    void cancelRequested();
    void closeRequested();

private:
    QLabel* m_title;
    QProgressBar* m_bar;
    QLabel* m_detail;
    QLabel* m_current;
    NoticePanel* m_result;
    QPushButton* m_cancel;
    QPushButton* m_showFolder;
    QPushButton* m_copyPath;
    ShareButton* m_share;
    QPushButton* m_close;
    QElapsedTimer m_clock;
    SpeedMeter m_speed;
    qint64 m_lastShown = 0;
    QString m_folder;
    QString m_path;
};

} // namespace coffer::ui
