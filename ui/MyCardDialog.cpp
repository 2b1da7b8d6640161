#include "MyCardDialog.h"

#include "AppContext.h"
#include "BackupDialog.h"
#include "FileDialogs.h"
#include "IdentityBar.h"
#include "KeyringSession.h"
#include "NoticePanel.h"
#include "QrCodeWidget.h"
#include "UntrustedText.h"

#include <QClipboard>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QVBoxLayout>

namespace coffer::ui {

MyCardDialog::MyCardDialog(AppContext& context, QWidget* parent)
    : QDialog(parent), m_cardView(new QPlainTextEdit), m_qr(new QrCodeWidget), m_fingerprintLabel(new QLabel),
      m_status(new QLabel), m_copy(new QPushButton(tr("&Copy card"))), m_save(new QPushButton(tr("&Save…"))),
      m_ageField(new QPlainTextEdit), m_copyAge(new QPushButton(tr("Copy &age address"))),
      m_backup(new QPushButton(tr("&Back up…"))), m_lastBackup(new QLabel), m_identities(new IdentityBar(context)),
      m_context(context)
{
    setWindowTitle(tr("My card — Coffer"));
    setAccessibleName(tr("My card"));
    auto* intro = new QLabel(tr("Share your card with the people who will send you files: copy it into a message, "
                                "save it as a file, or let them scan the QR code. It holds only public keys. "
                                "Then read your fingerprint to them so they can verify it."));
    intro->setWordWrap(true);

    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_cardView->setReadOnly(true);
    m_cardView->setFont(fixed);
    m_cardView->setWordWrapMode(QTextOption::WrapAnywhere);
    m_cardView->setAccessibleName(tr("Your card"));
    m_cardView->setTabChangesFocus(true);
    m_cardView->setMaximumHeight(m_cardView->fontMetrics().height() * 5);

    QFont big = fixed;
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_fingerprintLabel->setFont(big);
    m_fingerprintLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_fingerprintLabel->setAlignment(Qt::AlignCenter);
    auto* fingerprintCaption = new QLabel(tr("Your fingerprint (read it aloud to compare):"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_copy, QDialogButtonBox::ActionRole);
    buttons->addButton(m_save, QDialogButtonBox::ActionRole);
    buttons->addButton(m_backup, QDialogButtonBox::ActionRole);
    m_lastBackup->setTextFormat(Qt::PlainText);
    m_lastBackup->setWordWrap(true);
    m_lastBackup->setAccessibleName(tr("Last backup"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_identities);
    layout->addWidget(intro);
    layout->addWidget(m_cardView);
    auto* qrRow = new QHBoxLayout;
    qrRow->addStretch(1);
    qrRow->addWidget(m_qr, 2);
    qrRow->addStretch(1);
    layout->addLayout(qrRow, 1);
    layout->addWidget(fingerprintCaption);
    layout->addWidget(m_fingerprintLabel);
    addAgeAddress(layout);
    layout->addWidget(m_lastBackup);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    // Tab in the order the buttons are shown, not the order they were made.
    setTabOrder(m_cardView, m_ageField);
    setTabOrder(m_ageField, m_copyAge);
    setTabOrder(m_copyAge, m_copy);
    setTabOrder(m_copy, m_save);
    setTabOrder(m_save, m_backup);
    setTabOrder(m_backup, buttons->button(QDialogButtonBox::Close));

    connect(m_copy, &QPushButton::clicked, this, &MyCardDialog::copyCard);
    connect(m_save, &QPushButton::clicked, this, &MyCardDialog::saveCard);
    connect(m_copyAge, &QPushButton::clicked, this, &MyCardDialog::copyAgeAddress);
    connect(m_backup, &QPushButton::clicked, this, &MyCardDialog::showBackup);
    if (const Keyring* keyring = context.keyring().keyring(); keyring && keyring->isHeld()) {
        // A backup holds the secret keys, which stay in the key agent.
        m_backup->setEnabled(false);
        m_backup->setToolTip(tr("To back up, lock Coffer and unlock it with your passphrase."));
    }
    connect(&context.keyring(), &KeyringSession::keyringChanged, this, &MyCardDialog::refreshLastBackup);
    connect(m_identities, &IdentityBar::currentChanged, this, &MyCardDialog::showIdentity);
    connect(m_identities, &IdentityBar::message, m_status, &QLabel::setText);
    showIdentity(m_identities->currentFingerprint());
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setMinimumWidth(fontMetrics().averageCharWidth() * 70);
    m_copy->setDefault(true); // last: a button finds its dialog through parents it has only now
}

void MyCardDialog::showIdentity(const QString& fingerprint)
{
    const Keyring* keyring = m_context.keyring().keyring();
    std::optional<crypto::ContactCard> shown; // here or held by the key agent; else the default
    if (keyring) {
        const auto cards = keyring->ownCards();
        for (const auto& [card, name] : cards)
            if (QString::fromStdString(card.fingerprint()) == fingerprint)
                shown = card;
        if (!shown && !cards.empty())
            shown = cards.front().first;
    }
    m_card.clear();
    m_fingerprint.clear();
    m_name.clear();
    m_ageAddress.clear();
    if (shown) {
        const crypto::ContactCard card = *shown;
        m_card = QString::fromStdString(card.encode());
        m_fingerprint = QString::fromStdString(card.fingerprint());
        m_name = QString::fromStdString(card.name);
        m_ageAddress = QString::fromStdString(crypto::encodeAgeRecipient(card.x25519));
    }
    m_cardView->setPlainText(m_card);
    m_qr->setText(m_card);
    m_fingerprintLabel->setText(m_fingerprint);
    m_fingerprintLabel->setAccessibleName(tr("Your fingerprint: %1").arg(m_fingerprint));
    m_ageField->setPlainText(m_ageAddress);
    refreshLastBackup();
}

QString MyCardDialog::statusText() const
{
    return m_status->text();
}

QString MyCardDialog::lastBackupText() const
{
    return m_lastBackup->text();
}

void MyCardDialog::refreshLastBackup()
{
    const Keyring* keyring = m_context.keyring().keyring();
    std::int64_t when = keyring ? keyring->lastBackupAt() : 0;
    if (keyring)
        for (std::size_t i = 0; i < keyring->identities().size(); ++i)
            if (QString::fromStdString(keyring->identities()[i].card()->fingerprint()) == m_fingerprint)
                when = keyring->lastBackupAt(i);
    QPalette palette = m_lastBackup->palette();
    if (when > 0) {
        const QDate date = QDateTime::fromSecsSinceEpoch(when).date();
        m_lastBackup->setText(
            tr("Last backup: %1").arg(QLocale(QLocale::English).toString(date, QStringLiteral("d MMMM yyyy"))));
        m_lastBackup->setPalette(QPalette());
        return;
    }
    m_lastBackup->setText(tr("Never backed up. If this computer is lost, so is everything sent to you: "
                             "choose Back up… to keep a copy of your key somewhere safe."));
    palette.setColor(QPalette::WindowText, NoticePanel::accentColor(NoticePanel::Kind::Warning));
    m_lastBackup->setPalette(palette);
}

BackupDialog* MyCardDialog::showBackup()
{
    if (!m_backupDialog) {
        m_backupDialog = new BackupDialog(m_context, this);
        m_backupDialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_backupDialog, &QObject::destroyed, this, [this]() { m_backupDialog = nullptr; });
    }
    m_backupDialog->setIdentity(m_fingerprint); // the identity shown
    m_backupDialog->show();
    m_backupDialog->raise();
    m_backupDialog->activateWindow();
    return m_backupDialog;
}

void MyCardDialog::copyCard()
{
    QGuiApplication::clipboard()->setText(m_card);
    m_status->setText(tr("Your card was copied. Paste it into a message to share it."));
}

/// The same X25519 key as the card, in age's text form (age1...): age users
/// encrypt to it, and Coffer opens what they send with the keyring.
void MyCardDialog::addAgeAddress(QVBoxLayout* layout)
{
    auto* caption = new QLabel(tr("Your age address. People who use age can encrypt to you with it:"));
    caption->setWordWrap(true);
    // Wrapped like the card, so that all of it shows (62 characters).
    m_ageField->setReadOnly(true);
    m_ageField->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_ageField->setWordWrapMode(QTextOption::WrapAnywhere);
    m_ageField->setAccessibleName(tr("Your age address"));
    m_ageField->setTabChangesFocus(true);
    m_ageField->setMaximumHeight(m_ageField->fontMetrics().height() * 3);
    caption->setBuddy(m_ageField);
    auto* row = new QHBoxLayout;
    row->addWidget(m_ageField, 1);
    row->addWidget(m_copyAge);
    layout->addWidget(caption);
    layout->addLayout(row);
}

void MyCardDialog::copyAgeAddress()
{
    QGuiApplication::clipboard()->setText(m_ageAddress);
    m_status->setText(tr("Your age address was copied."));
}

void MyCardDialog::saveCard()
{
    const QString suggested = QDir::home().filePath((m_name.isEmpty() ? tr("my-card") : m_name) + ".txt");
    const QString path =
        FileDialogs::getSaveFileName(this, tr("Save your card"), suggested, tr("Text files (*.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write((m_card + QLatin1Char('\n')).toUtf8()) < 0 || !file.commit()) {
        m_status->setText(tr("Could not save %1. Check the folder and its permissions, then try again.")
                              .arg(QDir::toNativeSeparators(path)));
        return;
    }
    m_status->setText(tr("Saved to %1.").arg(displayable(QDir::toNativeSeparators(path))));
}

} // namespace coffer::ui
