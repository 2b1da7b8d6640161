#include "VerifyContactDialog.h"

#include "UntrustedText.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace coffer::ui {

QString VerifyContactDialog::digitsOf(const QString& text)
{
    QString digits;
    for (QChar c : text)
        if (c.isDigit())
            digits += c;
    return digits;
}

VerifyContactDialog::VerifyContactDialog(const QString& savedName, const QString& fingerprint, QWidget* parent)
    : FittedDialog(parent), m_fingerprint(fingerprint), m_heard(new QLineEdit), m_comparison(new QLabel),
      m_same(new QCheckBox(tr("&They read me the same digits"))), m_verify(new QPushButton(tr("&Mark verified")))
{
    const QString name = displayable(savedName); // shown in plain-text labels only
    setWindowTitle(tr("Verify %1 — Coffer").arg(name));
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto* intro = new QLabel(tr("Call %1 or meet them. Ask them to open Coffer, choose My card, and read their "
                                "fingerprint aloud. Compare it with the fingerprint of the card you have. If every "
                                "digit is the same, the card is really theirs.")
                                 .arg(name));
    intro->setTextFormat(Qt::PlainText);
    intro->setWordWrap(true);

    auto* theirs = new QGroupBox(tr("As %1 reads it").arg(name));
    auto* theirsLayout = new QVBoxLayout(theirs);
    m_heard->setFont(fixed);
    m_heard->setPlaceholderText(tr("Type the digits you hear (optional)"));
    m_heard->setAccessibleName(tr("The fingerprint as they read it"));
    theirsLayout->addWidget(m_heard);
    theirsLayout->addStretch(1);

    auto* card = new QGroupBox(tr("On the card you have"));
    auto* cardLayout = new QVBoxLayout(card);
    auto* cardFingerprint = new QLabel(fingerprint);
    cardFingerprint->setTextFormat(Qt::PlainText);
    QFont big = fixed;
    big.setPointSizeF(big.pointSizeF() * 1.2);
    cardFingerprint->setFont(big);
    cardFingerprint->setWordWrap(true);
    cardFingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    cardFingerprint->setAccessibleName(tr("The fingerprint of the card: %1").arg(fingerprint));
    cardLayout->addWidget(cardFingerprint);
    cardLayout->addStretch(1);

    auto* sideBySide = new QHBoxLayout;
    sideBySide->addWidget(theirs, 1);
    sideBySide->addWidget(card, 1);
    m_comparison->setTextFormat(Qt::PlainText);
    m_comparison->setWordWrap(true);
    m_verify->setEnabled(false);

    auto* buttons = new QDialogButtonBox;
    buttons->addButton(m_verify, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(sideBySide);
    layout->addWidget(m_comparison);
    layout->addWidget(m_same);
    layout->addWidget(buttons);

    connect(m_heard, &QLineEdit::textChanged, this, &VerifyContactDialog::compare);
    connect(m_same, &QCheckBox::toggled, m_verify, &QPushButton::setEnabled);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setMinimumWidth(fontMetrics().averageCharWidth() * 80);
    m_heard->setFocus();
    m_verify->setDefault(true); // last: a button finds its dialog through parents it has only now
}

void VerifyContactDialog::compare()
{
    const QString heard = digitsOf(m_heard->text());
    const QString expected = digitsOf(m_fingerprint);
    if (heard.isEmpty())
        m_comparison->clear();
    else if (heard == expected)
        m_comparison->setText(tr("Same digits: the card is theirs."));
    else if (expected.startsWith(heard))
        m_comparison->setText(tr("So far the same (%1 of %2 digits).").arg(heard.size()).arg(expected.size()));
    else
        m_comparison->setText(tr("Different digits: do not mark them verified. The card may not be theirs; ask "
                                 "them to send it again."));
}

QString VerifyContactDialog::comparisonText() const
{
    return m_comparison->text();
}

} // namespace coffer::ui
