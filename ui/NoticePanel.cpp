#include "NoticePanel.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMainWindow>
#include <QPainter>
#include <QStyle>
#include <QTimer>

namespace coffer::ui {

NoticePanel::NoticePanel(QWidget* parent) : QFrame(parent), m_icon(new QLabel(this)), m_text(new QLabel(this))
{
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_icon->setAlignment(Qt::AlignTop);
    auto* layout = new QHBoxLayout(this);
    const int margin = fontMetrics().height() / 2;
    layout->setContentsMargins(margin + 4, margin, margin, margin);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    setAccessibleName(tr("Message"));
    hide();
}

QColor NoticePanel::accentColor(Kind kind)
{
    switch (kind) {
    case Kind::Success:
        return QColor(0x2e, 0x9d, 0x52);
    case Kind::Warning:
        return QColor(0xd9, 0x8c, 0x1a);
    case Kind::Error:
        return QColor(0xd1, 0x3c, 0x3c);
    case Kind::Info:
        break;
    }
    return QColor(0x3d, 0x85, 0xc6);
}

void NoticePanel::showMessage(Kind kind, const QString& text)
{
    m_kind = kind;
    m_text->setText(text);
    setAccessibleDescription(text);
    updateIcon();
    show();
    update();
    // A dialog sized before the message appeared grows to show all of it.
    QTimer::singleShot(0, this, [this]() {
        QWidget* w = window();
        if (!w || !w->isVisible() || qobject_cast<QMainWindow*>(w))
            return;
        const int needed = w->hasHeightForWidth() ? w->heightForWidth(w->width()) : w->sizeHint().height();
        if (needed > w->height())
            w->resize(w->width(), needed);
    });
}

void NoticePanel::clearMessage()
{
    m_text->clear();
    hide();
}

QString NoticePanel::text() const
{
    return m_text->text();
}

void NoticePanel::updateIcon()
{
    QStyle::StandardPixmap which = QStyle::SP_MessageBoxInformation;
    if (m_kind == Kind::Warning)
        which = QStyle::SP_MessageBoxWarning;
    else if (m_kind == Kind::Error)
        which = QStyle::SP_MessageBoxCritical;
    else if (m_kind == Kind::Success)
        which = QStyle::SP_DialogApplyButton;
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this) * 3 / 2;
    m_icon->setPixmap(style()->standardIcon(which, nullptr, this).pixmap(size, size));
}

void NoticePanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        updateIcon();
    QFrame::changeEvent(event);
}

void NoticePanel::paintEvent(QPaintEvent* event)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    QColor tint = accentColor(m_kind);
    tint.setAlpha(48);
    const QRectF r = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.setPen(QPen(accentColor(m_kind), 1));
    p.setBrush(tint);
    p.drawRoundedRect(r, 4, 4);
    p.fillRect(QRectF(r.left(), r.top() + 2, 4, r.height() - 4), accentColor(m_kind));
    QFrame::paintEvent(event);
}

} // namespace coffer::ui
