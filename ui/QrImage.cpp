#include "QrImage.h"

#include <QFileInfo>
#include <QImageReader>

#include <vector>

// zbar.h brings its C++ wrappers too, which are not warning-free; only the C API is used.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
#include <zbar.h>
#pragma GCC diagnostic pop

namespace coffer::ui {

bool QrImages::isImageFile(const QString& path)
{
    QImageReader reader(path);
    reader.setDecideFormatFromContent(true);
    return reader.canRead();
}

QrRead QrImages::readFile(const QString& path)
{
    const QFileInfo info(path);
    if (info.size() > kMaxFileBytes)
        return {{},
                tr("“%1” is too large a picture to look for a card in. Use a screenshot of their card's QR "
                   "code, or ask for the card as text.")
                    .arg(info.fileName())};
    QImageReader reader(path);
    reader.setDecideFormatFromContent(true);
    const QSize size = reader.size();
    if (!size.isValid() || static_cast<qint64>(size.width()) * size.height() > kMaxPixels)
        return {{},
                tr("“%1” is not a picture Coffer can read, or it is far too large. Use a screenshot of their "
                   "card's QR code, or ask for the card as text.")
                    .arg(info.fileName())};
    const QImage image = reader.read();
    if (image.isNull())
        return {{}, tr("Coffer could not read the picture “%1”: %2").arg(info.fileName(), reader.errorString())};
    return read(image);
}

QrRead QrImages::read(const QImage& image)
{
    if (image.isNull() || static_cast<qint64>(image.width()) * image.height() > kMaxPixels)
        return {{}, tr("That picture cannot be read.")};
    const QImage gray = image.convertToFormat(QImage::Format_Grayscale8);
    const auto width = static_cast<std::size_t>(gray.width());
    const auto height = static_cast<std::size_t>(gray.height());
    std::vector<unsigned char> pixels(width * height);
    for (std::size_t y = 0; y < height; ++y) {
        const uchar* line = gray.constScanLine(static_cast<int>(y));
        std::copy(line, line + width, pixels.begin() + static_cast<std::ptrdiff_t>(y * width));
    }
    zbar::zbar_image_scanner_t* scanner = zbar::zbar_image_scanner_create();
    zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
    zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
    zbar::zbar_image_t* zimage = zbar::zbar_image_create();
    zbar::zbar_image_set_format(zimage, zbar_fourcc('Y', '8', '0', '0'));
    zbar::zbar_image_set_size(zimage, static_cast<unsigned>(width), static_cast<unsigned>(height));
    zbar::zbar_image_set_data(zimage, pixels.data(), pixels.size(), nullptr);
    QrRead result;
    if (zbar::zbar_scan_image(scanner, zimage) > 0)
        for (const zbar::zbar_symbol_t* s = zbar::zbar_image_first_symbol(zimage); s; s = zbar::zbar_symbol_next(s))
            result.texts << QString::fromUtf8(zbar::zbar_symbol_get_data(s),
                                              static_cast<qsizetype>(zbar::zbar_symbol_get_data_length(s)));
    zbar::zbar_image_destroy(zimage);
    zbar::zbar_image_scanner_destroy(scanner);
    return result;
}

} // namespace coffer::ui
