#include "QrCode.h"

#include <QPainter>

#include <qrencode.h>

#include <cmath>
#include <string>

namespace coffer::ui {

bool QrModules::isDark(int x, int y) const
{
    if (x < 0 || y < 0 || x >= size || y >= size)
        return false;
    return dark[static_cast<std::size_t>(y) * static_cast<std::size_t>(size) + static_cast<std::size_t>(x)];
}

QrModules encodeQr(std::string_view utf8)
{
    QrModules qr;
    // QRcode_encodeData takes the bytes as they are: no NUL-terminated copy of a secret.
    QRcode* code = QRcode_encodeData(static_cast<int>(utf8.size()), reinterpret_cast<const unsigned char*>(utf8.data()),
                                     0, QR_ECLEVEL_M);
    if (!code)
        return qr;
    qr.size = code->width;
    qr.dark.resize(static_cast<std::size_t>(qr.size) * static_cast<std::size_t>(qr.size));
    for (std::size_t i = 0; i < qr.dark.size(); ++i)
        qr.dark[i] = (code->data[i] & 1) != 0;
    QRcode_free(code);
    return qr;
}

void paintQr(QPainter& p, const QRectF& area, const QrModules& qr, bool snap)
{
    p.fillRect(area, Qt::white);
    if (qr.size == 0)
        return;
    const int total = qr.size + 2 * kQrQuietZone;
    const qreal side = qMin(area.width(), area.height());
    // Whole pixels per module keep the edges sharp for cameras.
    const qreal module = snap ? qMax<qreal>(1, std::floor(side / total)) : side / total;
    const qreal offsetX = area.x() + (area.width() - module * total) / 2 + module * kQrQuietZone;
    const qreal offsetY = area.y() + (area.height() - module * total) / 2 + module * kQrQuietZone;
    for (int y = 0; y < qr.size; ++y)
        for (int x = 0; x < qr.size; ++x)
            if (qr.isDark(x, y))
                p.fillRect(QRectF(offsetX + x * module, offsetY + y * module, module, module), Qt::black);
}

} // namespace coffer::ui
