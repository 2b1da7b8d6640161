#include "QrCodeWidget.h"

#include <QPainter>

#include <qrencode.h>

namespace coffer::ui {

namespace {

constexpr int kQuietZone = 4; // modules of white around the code (ISO/IEC 18004)

} // namespace

QrCodeWidget::QrCodeWidget(QWidget* parent) : QWidget(parent)
{
    setAccessibleName(tr("QR code of your card"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

bool QrCodeWidget::setText(const QString& text)
{
    m_modules.clear();
    m_size = 0;
    const QByteArray utf8 = text.toUtf8(); // public data only: the card
    QRcode* code = QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (code) {
        m_size = code->width;
        m_modules.resize(static_cast<std::size_t>(m_size) * static_cast<std::size_t>(m_size));
        for (std::size_t i = 0; i < m_modules.size(); ++i)
            m_modules[i] = (code->data[i] & 1) != 0;
        QRcode_free(code);
    }
    updateGeometry();
    update();
    return code != nullptr;
}

bool QrCodeWidget::isDark(int x, int y) const
{
    if (x < 0 || y < 0 || x >= m_size || y >= m_size)
        return false;
    return m_modules[static_cast<std::size_t>(y) * static_cast<std::size_t>(m_size) + static_cast<std::size_t>(x)];
}

QSize QrCodeWidget::sizeHint() const
{
    const int side = qMax(fontMetrics().height() * 14, (m_size + 2 * kQuietZone) * 4);
    return QSize(side, side);
}

QSize QrCodeWidget::minimumSizeHint() const
{
    const int side = (m_size + 2 * kQuietZone) * 2;
    return QSize(side, side);
}

void QrCodeWidget::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const int side = qMin(width(), height());
    const QRect area((width() - side) / 2, (height() - side) / 2, side, side);
    p.fillRect(area, Qt::white);
    if (m_size == 0)
        return;
    const int total = m_size + 2 * kQuietZone;
    // Whole pixels per module keep the edges sharp for cameras.
    const int module = qMax(1, side / total);
    const int offsetX = area.x() + (side - module * total) / 2 + module * kQuietZone;
    const int offsetY = area.y() + (side - module * total) / 2 + module * kQuietZone;
    for (int y = 0; y < m_size; ++y)
        for (int x = 0; x < m_size; ++x)
            if (isDark(x, y))
                p.fillRect(offsetX + x * module, offsetY + y * module, module, module, Qt::black);
}

} // namespace coffer::ui
