#include "PaperBackup.h"

#include "PaperKey.h"
#include "QrCode.h"

#include <QCoreApplication>
#include <QFileDevice>
#include <QFontDatabase>
#include <QLocale>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

namespace coffer::ui {

namespace {

class PaperText {
    Q_DECLARE_TR_FUNCTIONS(PaperBackup)
};

/// Overwrites a QString that held secret text (drawText needs one) before it is freed.
void wipe(QString& s)
{
    if (!s.isEmpty())
        s.fill(QLatin1Char(' '));
    s.clear();
}

} // namespace

void paintPaperBackup(QPainter& p, const QRectF& page, const crypto::SecretIdentity& identity, const QDate& date)
{
    const qreal w = page.width();
    const qreal margin = w * 0.08;
    const QRectF body = page.adjusted(margin, margin, -margin, -margin);
    p.fillRect(page, Qt::white);
    p.setPen(Qt::black);

    QFont serif = QFontDatabase::systemFont(QFontDatabase::GeneralFont);
    QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto sized = [](QFont f, qreal px, bool bold = false) {
        f.setPixelSize(qMax(1, qRound(px)));
        f.setBold(bold);
        return f;
    };
    qreal y = body.top();
    auto paragraph = [&](const QString& text, const QFont& font, qreal gapAfter) {
        p.setFont(font);
        const QRectF box(body.left(), y, body.width(), page.height());
        const QRectF used = p.boundingRect(box, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, text);
        p.drawText(box, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, text);
        y += used.height() + gapAfter;
    };

    const QString name = QString::fromStdString(identity.name());
    const QString when = QLocale(QLocale::English).toString(date, QStringLiteral("d MMMM yyyy"));
    paragraph(PaperText::tr("Coffer paper key"), sized(serif, w / 20, true), w * 0.01);
    paragraph(name.isEmpty() ? PaperText::tr("Made on %1.").arg(when)
                             : PaperText::tr("The key of %1, made on %2.").arg(name, when),
              sized(serif, w / 42), w * 0.02);

    // The notice for whoever finds the page, in a frame.
    const QFont noticeFont = sized(serif, w / 48, true);
    const QString notice = PaperText::tr(
        "This page lets its owner recover their Coffer key. Keep it locked away; anyone holding it can read their "
        "files and sign as them. If you found it, give it back to its owner or destroy it.");
    p.setFont(noticeFont);
    const qreal pad = w * 0.015;
    const QRectF noticeBox(body.left() + pad, y + pad, body.width() - 2 * pad, page.height());
    const QRectF noticeUsed = p.boundingRect(noticeBox, Qt::TextWordWrap, notice);
    p.setPen(QPen(Qt::black, qMax<qreal>(1, w / 400)));
    p.drawRect(QRectF(body.left(), y, body.width(), noticeUsed.height() + 2 * pad));
    p.drawText(noticeBox, Qt::TextWordWrap, notice);
    y += noticeUsed.height() + 2 * pad + w * 0.03;

    // The QR code (the same text as the lines) beside the restore steps.
    crypto::SecureString secretText = paperKeyText(identity);
    const QrModules qr = encodeQr(secretText);
    const qreal qrSide = body.width() * 0.4;
    const bool raster = dynamic_cast<QImage*>(p.device()) != nullptr; // whole pixels per module
    paintQr(p, QRectF(body.left(), y, qrSide, qrSide), qr, raster);
    const QString steps = PaperText::tr(
        "To restore:\n"
        "1. Install Coffer on the new computer.\n"
        "2. On its first start, choose \"Import a key\" and type the lines below, from COFFER-PAPER-KEY-1 to "
        "FINGERPRINT, or load a photo of the QR code.\n"
        "3. Or save the lines in a file and run: coffer id import FILE\n"
        "4. Check that Coffer shows the fingerprint printed below.");
    p.setFont(sized(serif, w / 50));
    const QRectF stepsBox(body.left() + qrSide + w * 0.03, y + w * 0.01, body.width() - qrSide - w * 0.03, qrSide);
    p.drawText(stepsBox, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, steps);
    y += qrSide + w * 0.03;

    // The lines to type, large and fixed-width.
    QString lines = QString::fromUtf8(secretText.data(), static_cast<qsizetype>(secretText.size())).trimmed();
    paragraph(lines, sized(fixed, w / 36), w * 0.03);
    wipe(lines);
    paragraph(PaperText::tr("Each key line ends in a two-letter checksum, so a typo is found on its line. The key "
                            "uses the letters A to Z and the digits 2 to 7 only (O is a letter, never zero); lower "
                            "case is fine. Nothing on this page is secret except the key, but the key is all "
                            "anyone needs."),
              sized(serif, w / 58), 0);
}

QImage paperBackupImage(const crypto::SecretIdentity& identity, const QDate& date, int width)
{
    const int height = qRound(width * 297.0 / 210.0);
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    paintPaperBackup(p, QRectF(0, 0, width, height), identity, date);
    return image;
}

QString savePaperBackup(const QString& path, const crypto::SecretIdentity& identity, const QDate& date)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return PaperText::tr("Could not create %1. Check the folder and its permissions, then try again.").arg(path);
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    bool written = false;
    if (path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive)) {
        QPdfWriter pdf(&file);
        pdf.setPageSize(QPageSize(QPageSize::A4));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(300);
        pdf.setTitle(PaperText::tr("Coffer paper key"));
        pdf.setCreator(QStringLiteral("Coffer"));
        QPainter p(&pdf);
        const QRect area = p.viewport();
        paintPaperBackup(p, QRectF(area), identity, date);
        written = p.end();
    } else {
        QImage image = paperBackupImage(identity, date);
        written = image.save(&file, "PNG");
        image.fill(Qt::white); // the pixels held the key
    }
    if (!written || !file.commit())
        return PaperText::tr("Could not save %1. Check free space and permissions, then try again.").arg(path);
    return {};
}

} // namespace coffer::ui
