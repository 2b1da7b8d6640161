#include "CardDrop.h"

#include "QrImage.h"
#include "RecipientKey.h"
#include "UntrustedText.h"

#include <QFile>
#include <QFileInfo>
#include <QMimeData>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QUrl>

namespace coffer::ui {

namespace {

bool isCardWord(const QString& word)
{
    const QString lower = word.toLower();
    return lower.startsWith(QLatin1String("coffer1")) || lower.startsWith(QLatin1String("age1"));
}

} // namespace

bool CardDrops::mayHoldCard(const QMimeData* mime)
{
    if (!mime)
        return false;
    if (mime->hasUrls())
        for (const QUrl& url : mime->urls())
            if (url.isLocalFile())
                return true;
    return mime->hasText();
}

CardDrop CardDrops::fromText(const QString& text)
{
    if (text.size() > kMaxBytes)
        return {{},
                tr("That text is too long to be a card. A card is one line starting with coffer1: copy just "
                   "that line.")};
    QStringList cards;
    for (const QString& word : text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts))
        if (isCardWord(word))
            cards << word;
    if (cards.isEmpty())
        return {{},
                tr("No card was found there. A card is one line starting with coffer1 (an age key starts "
                   "with age1); ask them for it (in Coffer: My card).")};
    if (cards.size() > 1)
        return {{},
                tr("That holds %n card(s). Add one contact at a time: drop or paste each card on its own.", nullptr,
                   static_cast<int>(cards.size()))};
    // Checked here too (AddContactDialog checks again), so a card that can never be
    // added, such as one whose name holds control characters, is refused with its reason.
    auto parsed = crypto::parseRecipientKey(cards.front().toStdString());
    if (!parsed.ok())
        return {{},
                tr("That card cannot be added: %1. Ask them to send their card again (in Coffer: My card).")
                    .arg(displayable(parsed.error().message))};
    return {cards.front(), {}};
}

CardDrop CardDrops::fromFile(const QString& path)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return {{}, tr("“%1” is not a file. Drop a card file, or the card's text.").arg(info.fileName())};
    if (QrImages::isImageFile(path)) {
        const QrRead qr = QrImages::readFile(path);
        if (!qr.problem.isEmpty())
            return {{}, qr.problem};
        if (qr.texts.isEmpty())
            return {{},
                    tr("No QR code was found in “%1”. Use a sharp picture of their card's QR code (in Coffer: "
                       "My card), or ask for the card as text.")
                        .arg(info.fileName())};
        return fromText(qr.texts.join(QLatin1Char('\n')));
    }
    if (info.size() > kMaxBytes)
        return {{},
                tr("“%1” is too large to be a card (a card file is one line of text). Drop the card file "
                   "they sent you.")
                    .arg(info.fileName())};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {{}, tr("Coffer could not read “%1”: %2").arg(info.fileName(), file.errorString())};
    const QByteArray bytes = file.read(kMaxBytes + 1);
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = utf8.decode(bytes);
    if (utf8.hasError() || bytes.contains('\0'))
        return {{},
                tr("“%1” is not a card: it is not text. A card file holds one line starting with coffer1.")
                    .arg(info.fileName())};
    return fromText(text);
}

CardDrop CardDrops::fromMimeData(const QMimeData* mime)
{
    if (!mime)
        return {{}, tr("Nothing was dropped.")};
    QStringList files;
    if (mime->hasUrls())
        for (const QUrl& url : mime->urls())
            if (url.isLocalFile())
                files << url.toLocalFile();
    if (files.size() > 1)
        return {{}, tr("Drop one card file at a time.")};
    if (files.size() == 1)
        return fromFile(files.front());
    if (mime->hasText())
        return fromText(mime->text());
    return {{}, tr("Drop a card file, or the card's text.")};
}

} // namespace coffer::ui
