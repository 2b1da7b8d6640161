// A card's QR code read from an image (issue 23: a photo or a screenshot of
// someone's My card, dropped on the contacts window), with zbar. The image is
// hostile: a file over 20 MiB or a picture over 40 megapixels is refused
// before it is decoded (no decompression bomb), and what the code says is
// only text, taken through CardDrops like typed text.
#pragma once

#include <QCoreApplication>
#include <QImage>
#include <QStringList>

namespace coffer::ui {

struct QrRead {
    QStringList texts; // every QR code found, as text
    QString problem;   // set when the image could not be read at all
};

class QrImages {
    Q_DECLARE_TR_FUNCTIONS(QrImages)

public:
    static constexpr qint64 kMaxFileBytes = 20 * 1024 * 1024;
    static constexpr qint64 kMaxPixels = 40'000'000;

    /// True if the file's content is an image format Qt reads (whatever its name).
    static bool isImageFile(const QString& path);
    static QrRead readFile(const QString& path);
    static QrRead read(const QImage& image);
};

} // namespace coffer::ui
