#include "JobProgressWidget.h"

#include "ErrorText.h"
#include "NoticePanel.h"
#include "ShareButton.h"
#include "Texts.h"
#include "UntrustedText.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace coffer::ui {

namespace {

constexpr qint64 kSpeedWindowMs = 3000;
constexpr qint64 kRepaintIntervalMs = 200;

} // namespace

void SpeedMeter::reset()
{
    m_samples.clear();
}

void SpeedMeter::add(qint64 msecs, std::uint64_t bytes)
{
    m_samples.emplace_back(msecs, bytes);
    while (m_samples.size() > 2 && m_samples.back().first - m_samples[1].first >= kSpeedWindowMs)
        m_samples.pop_front();
}

double SpeedMeter::bytesPerSecond() const
{
    if (m_samples.size() < 2)
        return 0;
    const auto& [t0, b0] = m_samples.front();
    const auto& [t1, b1] = m_samples.back();
    if (t1 - t0 < 200 || b1 < b0)
        return 0;
    return static_cast<double>(b1 - b0) * 1000.0 / static_cast<double>(t1 - t0);
}

double SpeedMeter::secondsLeft(std::uint64_t remaining) const
{
    const double speed = bytesPerSecond();
    return speed > 0 ? static_cast<double>(remaining) / speed : -1;
}

JobProgressWidget::JobProgressWidget(QWidget* parent)
    : QWidget(parent), m_title(new QLabel(this)), m_bar(new QProgressBar(this)), m_detail(new QLabel(this)),
      m_current(new QLabel(this)), m_result(new NoticePanel(this)), m_cancel(new QPushButton(tr("&Cancel"), this)),
      m_showFolder(new QPushButton(tr("&Show in folder"), this)), m_copyPath(new QPushButton(tr("Copy &path"), this)),
      m_share(new ShareButton(this)), m_close(new QPushButton(tr("C&lose"), this))
{
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::PlainText);
    m_bar->setRange(0, 1000);
    m_bar->setAccessibleName(tr("Progress"));
    m_detail->setAccessibleName(tr("Speed and time left"));
    m_current->setAccessibleName(tr("Current file"));
    m_current->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_current->setTextFormat(Qt::PlainText);
    m_cancel->setAccessibleName(tr("Cancel the job"));

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    for (QPushButton* b : {static_cast<QPushButton*>(m_share), m_showFolder, m_copyPath, m_cancel, m_close})
        buttons->addWidget(b);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_bar);
    layout->addWidget(m_detail);
    layout->addWidget(m_current);
    layout->addWidget(m_result);
    layout->addLayout(buttons);

    connect(m_cancel, &QPushButton::clicked, this, [this]() {
        m_cancel->setEnabled(false);
        m_detail->setText(tr("Cancelling…"));
        emit cancelRequested();
    });
    connect(m_close, &QPushButton::clicked, this, &JobProgressWidget::closeRequested);
    connect(m_showFolder, &QPushButton::clicked, this,
            [this]() { QDesktopServices::openUrl(QUrl::fromLocalFile(m_folder)); });
    connect(m_copyPath, &QPushButton::clicked, this, [this]() { QGuiApplication::clipboard()->setText(m_path); });
    connect(m_share, &ShareButton::reported, this, [this](bool ok, const QString& text) {
        m_result->showMessage(ok ? NoticePanel::Kind::Success : NoticePanel::Kind::Error, text);
    });
}

void JobProgressWidget::begin(const QString& title)
{
    m_title->setText(title);
    m_bar->setRange(0, 1000);
    m_bar->setValue(0);
    m_detail->setText(tr("Starting…"));
    m_current->clear();
    m_detail->show();
    m_current->show();
    m_result->clearMessage();
    m_cancel->setEnabled(true);
    m_cancel->show();
    m_showFolder->hide();
    m_copyPath->hide();
    m_share->hide();
    m_close->hide();
    m_speed.reset();
    m_clock.start();
    m_lastShown = -kRepaintIntervalMs;
    m_speed.add(0, 0);
    m_cancel->setFocus();
}

void JobProgressWidget::setProgress(const Progress& progress)
{
    // Five repaints a second read smoothly and keep the window system's share of the CPU small.
    const qint64 now = m_clock.elapsed();
    m_speed.add(now, progress.bytesDone);
    if (now - m_lastShown < kRepaintIntervalMs)
        return;
    m_lastShown = now;
    // Totals of 0: not known yet (a big tree still being looked through).
    const bool totalsKnown = progress.bytesTotal > 0 || progress.filesTotal > 0;
    m_bar->setRange(0, totalsKnown ? 1000 : 0); // 0..0: a busy bar
    if (progress.bytesTotal > 0)
        m_bar->setValue(static_cast<int>(1000.0 * static_cast<double>(progress.bytesDone) /
                                         static_cast<double>(progress.bytesTotal)));
    if (!m_cancel->isEnabled())
        return; // keep saying "Cancelling…"
    const QString file = displayable(progress.currentFile);
    if (!totalsKnown) {
        QStringList parts;
        parts << tr("%1 so far").arg(Texts::size(progress.bytesDone));
        if (const double speed = m_speed.bytesPerSecond(); speed > 0)
            parts << tr("%1 MiB/s").arg(speed / (1024.0 * 1024.0), 0, 'f', 1);
        m_detail->setText(parts.join(QStringLiteral(" — ")));
        const QString line = tr("File %1: %2").arg(progress.filesDone + 1).arg(file);
        m_current->setText(m_current->fontMetrics().elidedText(line, Qt::ElideMiddle, qMax(m_current->width(), 200)));
        m_current->setToolTip(file);
        return;
    }
    QStringList parts;
    parts << tr("%1 of %2").arg(Texts::size(progress.bytesDone), Texts::size(progress.bytesTotal));
    if (const double speed = m_speed.bytesPerSecond(); speed > 0) {
        parts << tr("%1 MiB/s").arg(speed / (1024.0 * 1024.0), 0, 'f', 1);
        const std::uint64_t remaining =
            progress.bytesTotal > progress.bytesDone ? progress.bytesTotal - progress.bytesDone : 0;
        parts << Texts::timeLeft(m_speed.secondsLeft(remaining));
    }
    m_detail->setText(parts.join(QStringLiteral(" — ")));
    const QString line = tr("File %1 of %2: %3").arg(progress.filesDone + 1).arg(progress.filesTotal).arg(file);
    m_current->setText(m_current->fontMetrics().elidedText(line, Qt::ElideMiddle, qMax(m_current->width(), 200)));
    m_current->setToolTip(file);
}

void JobProgressWidget::finish(const JobOutcome& outcome, const QString& successText, const QString& folder,
                               const QString& path, const QString& shareFile)
{
    m_folder = folder;
    m_path = path;
    m_bar->setRange(0, 1000); // busy no more, whatever the totals were
    m_cancel->hide();
    m_close->show();
    m_current->hide();
    m_detail->hide();
    m_title->setText(outcome.ok() ? tr("Done") : outcome.cancelled() ? tr("Cancelled") : tr("It did not work"));
    if (outcome.ok()) {
        m_bar->setValue(1000);
        QString text = successText;
        for (const auto& w : outcome.warnings)
            text += QLatin1Char('\n') + tr("Note: %1").arg(displayable(w)); // warnings quote paths
        m_result->showMessage(NoticePanel::Kind::Success, text);
        m_share->setFile(shareFile);
        m_share->setVisible(!shareFile.isEmpty());
        m_showFolder->setVisible(!folder.isEmpty() && shareFile.isEmpty());
        m_copyPath->setVisible(!path.isEmpty());
        (m_share->isVisible() ? m_share : m_showFolder->isVisible() ? m_showFolder : m_close)->setFocus();
    } else {
        const UserMessage m = ErrorText::describe(*outcome.error);
        m_result->showMessage(outcome.cancelled() ? NoticePanel::Kind::Info : NoticePanel::Kind::Error, m.text());
        m_close->setFocus();
    }
    m_close->setDefault(true);
}

QString JobProgressWidget::resultText() const
{
    return m_result->text();
}

} // namespace coffer::ui
