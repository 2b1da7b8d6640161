// A card's QR code read from an image (issue 23: a photo or a screenshot of
// someone's My card, dropped on the contacts window), with zbar. The image is
// hostile: a file over 20 MiB or a picture over 40 megapixels is refused
// before it is decoded (no decompression bomb), and what the code says is
// only text, taken through CardDrops like typed text. A paper key's QR code
// (ImportKeyPage) is read the same way into wiped memory (readSecretFile).
#pragma once

#include "Keys.h"

#include <QCoreApplication>
#include <QImage>
#include <QStringList>

#include <functional>
#include <vector>

namespace coffer::ui {

struct QrRead {
    QStringList texts; // every QR code found, as text
    QString problem;   // set when the image could not be read at all
};

/// QR codes that hold a secret: their bytes go straight into wiped memory.
struct QrSecretRead {
    std::vector<crypto::SecureString> texts;
    QString problem;
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
    /// As readFile(), for a photo of a paper key: no QString ever holds what the codes say.
    static QrSecretRead readSecretFile(const QString& path);

private:
    /// The image, checked against the size limits, or why it cannot be read.
    static QImage load(const QString& path, QString& problem);
    /// Calls `found` with each QR code's bytes; false if the image cannot be scanned.
    static bool scan(const QImage& image, const std::function<void(const char*, std::size_t)>& found);
};

} // namespace coffer::ui
