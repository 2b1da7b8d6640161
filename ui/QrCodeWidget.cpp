#include "QrCodeWidget.h"

#include "QrCode.h"

#include <QPainter>

namespace coffer::ui {

QrCodeWidget::QrCodeWidget(QWidget* parent) : QWidget(parent)
{
    setAccessibleName(tr("QR code of your card"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

bool QrCodeWidget::setText(const QString& text)
{
    const QByteArray utf8 = text.toUtf8(); // public data only: the card
    QrModules qr = encodeQr(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
    m_size = qr.size;
    m_modules = std::move(qr.dark);
    updateGeometry();
    update();
    return m_size > 0;
}

bool QrCodeWidget::isDark(int x, int y) const
{
    if (x < 0 || y < 0 || x >= m_size || y >= m_size)
        return false;
    return m_modules[static_cast<std::size_t>(y) * static_cast<std::size_t>(m_size) + static_cast<std::size_t>(x)];
}

QSize QrCodeWidget::sizeHint() const
{
    const int side = qMax(fontMetrics().height() * 14, (m_size + 2 * kQrQuietZone) * 4);
    return QSize(side, side);
}

QSize QrCodeWidget::minimumSizeHint() const
{
    const int side = (m_size + 2 * kQrQuietZone) * 2;
    return QSize(side, side);
}

void QrCodeWidget::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const int side = qMin(width(), height());
    QrModules qr;
    qr.size = m_size;
    qr.dark = m_modules;
    paintQr(p, QRect((width() - side) / 2, (height() - side) / 2, side, side), qr);
}

} // namespace coffer::ui
