#include "DropZone.h"

#include "AgeSupport.h"
#include "ArmoredContainer.h"
#include "PathText.h"

#include <QDragEnterEvent>
#include <QFileInfo>
#include <QIcon>
#include <QKeyEvent>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QUrl>

namespace coffer::ui {

namespace {

QStringList localPaths(const QMimeData* mime)
{
    QStringList paths;
    if (!mime || !mime->hasUrls())
        return paths;
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    return paths;
}

// Dropped text that is not a list of files (a selection from a mail or a chat).
bool holdsText(const QMimeData* mime)
{
    return mime && !mime->hasUrls() && mime->hasText();
}

} // namespace

DropZone::DropZone(QWidget* parent) : QFrame(parent)
{
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::PointingHandCursor);
    setAccessibleName(tr("Drop zone"));
    setAccessibleDescription(
        tr("Drop files or folders to encrypt; drop a .coffer or .age file, or text copied from Coffer, to "
           "open it. Press Enter to choose files to encrypt."));
    setToolTip(tr("Drop files here, or press Enter to choose them"));
}

bool DropZone::isContainerPath(const QString& path)
{
    const QFileInfo info(path);
    return (!info.isDir() && info.suffix().compare(QLatin1String("coffer"), Qt::CaseInsensitive) == 0) ||
           isAgePath(path) || (info.isFile() && isArmoredContainerFile(toPath(path)));
}

void DropZone::routePaths(const QStringList& paths, QStringList* containers, QStringList* toEncrypt)
{
    for (const QString& p : paths)
        (isContainerPath(p) ? containers : toEncrypt)->append(p);
}

void DropZone::handlePaths(const QStringList& paths)
{
    QStringList containers;
    QStringList toEncrypt;
    routePaths(paths, &containers, &toEncrypt);
    for (const QString& c : containers)
        emit openRequested(c);
    if (!toEncrypt.isEmpty())
        emit encryptRequested(toEncrypt);
}

QSize DropZone::sizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 64, fontMetrics().height() * 14);
}

QSize DropZone::minimumSizeHint() const
{
    return QSize(fontMetrics().averageCharWidth() * 40, fontMetrics().height() * 8);
}

bool DropZone::handleMimeData(const QMimeData* mime)
{
    if (holdsText(mime)) {
        emit openTextRequested(mime->text());
        return true;
    }
    const QStringList paths = localPaths(mime);
    if (paths.isEmpty())
        return false;
    handlePaths(paths);
    return true;
}

void DropZone::dragEnterEvent(QDragEnterEvent* event)
{
    if (localPaths(event->mimeData()).isEmpty() && !holdsText(event->mimeData()))
        return event->ignore();
    event->acceptProposedAction();
    m_hovered = true;
    update();
}

void DropZone::dragMoveEvent(QDragMoveEvent* event)
{
    if (!localPaths(event->mimeData()).isEmpty() || holdsText(event->mimeData()))
        event->acceptProposedAction();
}

void DropZone::dragLeaveEvent(QDragLeaveEvent*)
{
    m_hovered = false;
    update();
}

void DropZone::dropEvent(QDropEvent* event)
{
    m_hovered = false;
    update();
    if (!handleMimeData(event->mimeData()))
        return event->ignore();
    event->acceptProposedAction();
}

void DropZone::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter || event->key() == Qt::Key_Space) {
        emit activated();
        return;
    }
    QFrame::keyPressEvent(event);
}

void DropZone::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && rect().contains(event->position().toPoint()))
        emit activated();
}

void DropZone::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const qreal margin = fontMetrics().height() * 0.5;
    const QRectF area = QRectF(rect()).adjusted(margin, margin, -margin, -margin);
    QColor border = m_hovered || hasFocus() ? pal.color(QPalette::Highlight) : pal.color(QPalette::Mid);
    QColor fill = pal.color(QPalette::Highlight);
    fill.setAlpha(m_hovered ? 40 : 12);
    QPen pen(border, m_hovered || hasFocus() ? 3 : 2, Qt::DashLine);
    pen.setDashPattern({6, 4});
    p.setPen(pen);
    p.setBrush(fill);
    const qreal radius = fontMetrics().height() * 0.8;
    p.drawRoundedRect(area, radius, radius);

    const int iconSize = qMin(fontMetrics().height() * 4, static_cast<int>(area.height() / 3));
    const QIcon icon(QStringLiteral(":/icons/drop.svg"));
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    const QFontMetrics bigMetrics(big);
    const qreal lineGap = fontMetrics().height() * 0.5;
    const qreal block = iconSize + lineGap + bigMetrics.height() + fontMetrics().height() * 2.2;
    qreal y = area.center().y() - block / 2;
    icon.paint(&p,
               QRect(static_cast<int>(area.center().x() - iconSize / 2.0), static_cast<int>(y), iconSize, iconSize));
    y += iconSize + lineGap;
    p.setPen(pal.color(QPalette::WindowText));
    p.setFont(big);
    p.drawText(QRectF(area.left(), y, area.width(), bigMetrics.height()), Qt::AlignCenter,
               tr("Drop files or folders to encrypt"));
    y += bigMetrics.height();
    p.setFont(font());
    p.drawText(QRectF(area.left(), y, area.width(), fontMetrics().height() * 1.2), Qt::AlignCenter,
               tr("drop a .coffer or .age file, or text copied from Coffer, to open it"));
    y += fontMetrics().height() * 1.2;
    QColor hint = pal.color(QPalette::PlaceholderText);
    p.setPen(hint);
    p.drawText(QRectF(area.left(), y, area.width(), fontMetrics().height() * 1.2), Qt::AlignCenter,
               hasFocus() ? tr("or press Enter to choose files") : tr("or click to choose files"));
}

} // namespace coffer::ui
