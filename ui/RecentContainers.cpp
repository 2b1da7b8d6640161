#include "RecentContainers.h"

#include "Settings.h"

#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QKeyEvent>
#include <QPainter>

namespace coffer::ui {

RecentContainers::RecentContainers(Settings& settings, QWidget* parent) : QListWidget(parent), m_settings(settings)
{
    setAccessibleName(tr("Recent containers"));
    setAccessibleDescription(tr("Enter opens the container; Delete removes it from this list."));
    setUniformItemSizes(true);
    connect(&settings, &Settings::recentChanged, this, &RecentContainers::refresh);
    connect(this, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { emit openRequested(item->data(Qt::UserRole).toString()); });
    refresh();
}

void RecentContainers::refresh()
{
    clear();
    const QIcon icon(QStringLiteral(":/icons/coffer.svg"));
    for (const QString& path : m_settings.recentContainers()) {
        const QFileInfo info(path);
        auto* item = new QListWidgetItem(
            icon, tr("%1 — in %2").arg(info.fileName(), QDir::toNativeSeparators(info.absolutePath())), this);
        item->setData(Qt::UserRole, path);
        item->setToolTip(QDir::toNativeSeparators(path));
        if (!info.exists()) {
            item->setText(tr("%1 (missing)").arg(item->text()));
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
        }
    }
    if (count() > 0)
        setCurrentRow(0);
}

void RecentContainers::keyPressEvent(QKeyEvent* event)
{
    if ((event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) && currentItem()) {
        m_settings.removeRecentContainer(currentItem()->data(Qt::UserRole).toString());
        return;
    }
    QListWidget::keyPressEvent(event);
}

void RecentContainers::paintEvent(QPaintEvent* event)
{
    QListWidget::paintEvent(event);
    if (count() > 0)
        return;
    QPainter p(viewport());
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(viewport()->rect(), Qt::AlignCenter | Qt::TextWordWrap,
               tr("Containers you open or create appear here."));
}

} // namespace coffer::ui
