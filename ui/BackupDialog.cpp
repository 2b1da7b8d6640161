#include "BackupDialog.h"

#include "AppContext.h"
#include "Background.h"
#include "Backup.h"
#include "ErrorText.h"
#include "FileDialogs.h"
#include "KeyringSession.h"
#include "NoticePanel.h"
#include "PaperBackup.h"
#include "PassphraseFields.h"
#include "PathText.h"
#include "UntrustedText.h"

#include <QCheckBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <memory>

namespace coffer::ui {

BackupDialog::BackupDialog(AppContext& context, QWidget* parent)
    : QDialog(parent), m_context(context), m_passphrase(new PassphraseFields), m_withContacts(new QCheckBox),
      m_save(new QPushButton(tr("&Save backup…"))), m_paper(new QPushButton(tr("&Paper backup…"))),
      m_notice(new NoticePanel)
{
    setWindowTitle(tr("Back up your identity — Coffer"));
    setAccessibleName(tr("Back up your identity"));
    auto* intro = new QLabel(tr("If this computer is lost or its disk fails, a backup is the only way to open "
                                "what was sent to you. Keep it away from this computer: on a USB stick in a "
                                "drawer, or printed on paper."));
    intro->setWordWrap(true);

    auto* fileBox = new QGroupBox(tr("Backup file"));
    auto* fileLayout = new QVBoxLayout(fileBox);
    auto* passIntro = new QLabel(tr("Choose a passphrase for the backup. You need it to restore; it can differ "
                                    "from your keyring passphrase."));
    passIntro->setWordWrap(true);
    const Keyring* keyring = context.keyring().keyring();
    const std::size_t contacts = keyring ? keyring->contacts().size() : 0;
    m_withContacts->setText(tr("Include my contacts (%n contact(s))", nullptr, static_cast<int>(contacts)));
    m_withContacts->setChecked(contacts > 0);
    m_withContacts->setEnabled(contacts > 0);
    fileLayout->addWidget(passIntro);
    fileLayout->addWidget(m_passphrase);
    fileLayout->addWidget(m_withContacts);

    auto* paperNote = new QLabel(tr("A paper backup is a page to print, with your secret key as a QR code and as "
                                    "lines to type. It needs no passphrase: keep it locked away."));
    paperNote->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_paper, QDialogButtonBox::ActionRole);
    buttons->addButton(m_save, QDialogButtonBox::ActionRole);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(fileBox);
    layout->addWidget(paperNote);
    layout->addWidget(m_notice);
    layout->addWidget(buttons);
    connect(m_passphrase, &PassphraseFields::changed, this, [this]() {
        if (!m_busy)
            m_notice->hide(); // an old problem or result no longer applies
    });
    connect(m_save, &QPushButton::clicked, this, &BackupDialog::saveBackup);
    connect(m_paper, &QPushButton::clicked, this, &BackupDialog::savePaper);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setMinimumWidth(fontMetrics().averageCharWidth() * 64);
    m_save->setDefault(true);
}

QString BackupDialog::messageText() const
{
    return m_notice->isHidden() ? QString() : m_notice->text();
}

void BackupDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_save->setEnabled(!busy);
    m_paper->setEnabled(!busy);
}

void BackupDialog::report(bool ok, const QString& message)
{
    m_notice->showMessage(ok ? NoticePanel::Kind::Success : NoticePanel::Kind::Error, message);
    emit finished(ok, message);
}

void BackupDialog::recordBackup()
{
    const auto now = static_cast<std::int64_t>(QDateTime::currentSecsSinceEpoch());
    const std::string fingerprint = m_fingerprint;
    m_context.keyring().update([now, fingerprint](Keyring& k) {
        std::size_t index = 0; // the default, unless another identity was backed up
        for (std::size_t i = 0; i < k.identities().size(); ++i)
            if (k.identities()[i].card()->fingerprint() == fingerprint)
                index = i;
        k.setLastBackupAt(index, now);
        return Status::success();
    });
}

void BackupDialog::saveBackup()
{
    const Keyring* keyring = m_context.keyring().keyring();
    if (m_busy || !keyring || !keyring->identity())
        return;
    if (!m_passphrase->isAcceptable()) {
        m_notice->showMessage(NoticePanel::Kind::Warning,
                              tr("Choose a backup passphrase of at least 8 characters and type it the same twice."));
        return;
    }
    BackupOptions options;
    if (auto kdf = KeyringSession::kdfParamsForTests())
        options.kdf = *kdf;
    options.withContacts = m_withContacts->isChecked();
    const QString suggested = QDir::home().filePath(QString::fromStdString(suggestedBackupName(*keyring, options.now)));
    const QString path = FileDialogs::getSaveFileName(this, tr("Save the backup"), suggested,
                                                      tr("Coffer backups (*.coffer);;All files (*)"));
    if (path.isEmpty())
        return;
    // The save dialog has asked before replacing a file.
    options.overwrite = true;
    auto copy = std::make_shared<Keyring>(keyring->copy(options.withContacts));
    if (!m_fingerprint.empty())
        (void)copy->setDefaultIdentity(m_fingerprint); // writeBackup keeps the default only
    auto pass = std::make_shared<crypto::SecureString>(m_passphrase->takePassphrase());
    setBusy(true);
    m_notice->showMessage(NoticePanel::Kind::Info, tr("Saving the backup…"));
    const std::filesystem::path target = toPath(path);
    runInBackground(
        this, [target, copy, pass, options]() { return writeBackup(target, *copy, *pass, options); },
        [this, path](Status st) {
            setBusy(false);
            if (!st.ok())
                return report(false, ErrorText::describe(st.error()).text());
            recordBackup();
            report(true, tr("Backed up to %1. Keep it away from this computer, and remember its passphrase.")
                             .arg(displayable(QDir::toNativeSeparators(path))));
        });
}

void BackupDialog::savePaper()
{
    const Keyring* keyring = m_context.keyring().keyring();
    if (m_busy || !keyring || !keyring->identity())
        return;
    const QString base = QString::fromStdString(
        suggestedBackupName(*keyring, static_cast<std::int64_t>(QDateTime::currentSecsSinceEpoch())));
    const QString suggested = QDir::home().filePath(
        base.left(base.size() - 7).replace(QLatin1String("coffer-backup"), QLatin1String("coffer-paper-key")) +
        QLatin1String(".pdf"));
    const QString path = FileDialogs::getSaveFileName(this, tr("Save the paper backup"), suggested,
                                                      tr("PDF to print (*.pdf);;PNG image (*.png)"));
    if (path.isEmpty())
        return;
    const auto* chosen = m_fingerprint.empty() ? nullptr : keyring->findIdentity(m_fingerprint);
    const QString error = savePaperBackup(path, chosen ? *chosen : *keyring->identity(), QDate::currentDate());
    if (!error.isEmpty())
        return report(false, error);
    recordBackup();
    report(true, tr("Saved the paper backup to %1. Print it, keep the page locked away, then delete the file.")
                     .arg(displayable(QDir::toNativeSeparators(path))));
}

} // namespace coffer::ui
