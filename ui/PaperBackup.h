// The paper backup page (KEYRING.md "Paper key"): the paper key as a QR code
// and as its typed lines, the fingerprint, the date and what to do with the
// page, painted on A4 into a PNG (QImage) or a PDF (QPdfWriter).
#pragma once

#include "Keys.h"

#include <QDate>
#include <QImage>
#include <QString>

class QPainter;

namespace coffer::ui {

/// Paints the page into `page` (device units, A4 proportions).
void paintPaperBackup(QPainter& painter, const QRectF& page, const crypto::SecretIdentity& identity, const QDate& date);
/// The page as an image `width` pixels wide (1240: A4 at 150 dpi).
QImage paperBackupImage(const crypto::SecretIdentity& identity, const QDate& date, int width = 1240);
/// Writes the page to `path` (mode 0600): a PDF if it ends in ".pdf", else a PNG.
/// Returns the plain-words error, empty on success.
QString savePaperBackup(const QString& path, const crypto::SecretIdentity& identity, const QDate& date);

} // namespace coffer::ui
