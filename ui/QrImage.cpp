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

QImage QrImages::load(const QString& path, QString& problem)
{
    const QFileInfo info(path);
    if (info.size() > kMaxFileBytes) {
        problem = tr("“%1” is too large a picture to look for a QR code in. Use a smaller photo or a screenshot "
                     "of the code, or type its text instead.")
                      .arg(info.fileName());
        return {};
    }
    QImageReader reader(path);
    reader.setDecideFormatFromContent(true);
    const QSize size = reader.size();
    if (!size.isValid() || static_cast<qint64>(size.width()) * size.height() > kMaxPixels) {
        problem = tr("“%1” is not a picture Coffer can read, or it is far too large. Use a smaller photo or a "
                     "screenshot of the QR code, or type its text instead.")
                      .arg(info.fileName());
        return {};
    }
    QImage image = reader.read();
    if (image.isNull())
        problem = tr("Coffer could not read the picture “%1”: %2").arg(info.fileName(), reader.errorString());
    return image;
}

QrRead QrImages::readFile(const QString& path)
{
    QString problem;
    const QImage image = load(path, problem);
    if (image.isNull())
        return {{}, problem};
    return read(image);
}

QrRead QrImages::read(const QImage& image)
{
    QrRead result;
    if (!scan(image, [&](const char* data, std::size_t size) {
            result.texts << QString::fromUtf8(data, static_cast<qsizetype>(size));
        }))
        result.problem = tr("That picture cannot be read.");
    return result;
}

QrSecretRead QrImages::readSecretFile(const QString& path)
{
    QrSecretRead result;
    QImage image = load(path, result.problem);
    if (image.isNull())
        return result;
    if (!scan(image, [&](const char* data, std::size_t size) { result.texts.emplace_back(data, data + size); }))
        result.problem = tr("That picture cannot be read.");
    image.fill(Qt::white); // the pixels held the key
    return result;
}

bool QrImages::scan(const QImage& image, const std::function<void(const char*, std::size_t)>& found)
{
    if (image.isNull() || static_cast<qint64>(image.width()) * image.height() > kMaxPixels)
        return false;
    QImage gray = image.convertToFormat(QImage::Format_Grayscale8);
    const auto width = static_cast<std::size_t>(gray.width());
    const auto height = static_cast<std::size_t>(gray.height());
    crypto::SecureBytes pixels(width * height); // a paper key's picture is a secret
    for (std::size_t y = 0; y < height; ++y) {
        const uchar* line = gray.constScanLine(static_cast<int>(y));
        std::copy(line, line + width, pixels.begin() + static_cast<std::ptrdiff_t>(y * width));
    }
    gray.fill(0);
    zbar::zbar_image_scanner_t* scanner = zbar::zbar_image_scanner_create();
    zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
    zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
    zbar::zbar_image_t* zimage = zbar::zbar_image_create();
    zbar::zbar_image_set_format(zimage, zbar_fourcc('Y', '8', '0', '0'));
    zbar::zbar_image_set_size(zimage, static_cast<unsigned>(width), static_cast<unsigned>(height));
    zbar::zbar_image_set_data(zimage, pixels.data(), pixels.size(), nullptr);
    if (zbar::zbar_scan_image(scanner, zimage) > 0)
        for (const zbar::zbar_symbol_t* s = zbar::zbar_image_first_symbol(zimage); s; s = zbar::zbar_symbol_next(s))
            found(zbar::zbar_symbol_get_data(s), zbar::zbar_symbol_get_data_length(s));
    zbar::zbar_image_destroy(zimage);
    zbar::zbar_image_scanner_destroy(scanner);
    return true;
}

} // namespace coffer::ui
