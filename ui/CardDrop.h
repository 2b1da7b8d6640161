// A card received by a drop or a paste on the contacts window (issue 23):
// card text (coffer1…, or an age key age1…), a small text file holding one
// (a .card file), or a picture of its QR code (QrImage.h). What arrives is hostile: a file over 16 KiB, bytes that
// are not text, no card or several cards are refused with a reason; the one
// card found then goes through AddContactDialog, which shows its fingerprint
// and has the user confirm the name (a name with control characters is not
// offered).
#pragma once

#include <QCoreApplication>
#include <QString>

class QMimeData;

namespace coffer::ui {

struct CardDrop {
    QString card;    // the one card or age key found, as text
    QString problem; // else: why nothing was taken, and what to do
    bool ok() const { return !card.isEmpty(); }
};

class CardDrops {
    Q_DECLARE_TR_FUNCTIONS(CardDrops)

public:
    /// Largest file or text taken: a card is one line of a few hundred bytes.
    static constexpr qint64 kMaxBytes = 16 * 1024;

    /// True if a drop of this data is worth accepting (text or local files).
    static bool mayHoldCard(const QMimeData* mime);
    static CardDrop fromMimeData(const QMimeData* mime);
    static CardDrop fromText(const QString& text);
    static CardDrop fromFile(const QString& path);
};

} // namespace coffer::ui
