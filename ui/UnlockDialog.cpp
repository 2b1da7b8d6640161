#include "UnlockDialog.h"

#include "AppContext.h"
#include "NoticePanel.h"
#include "PathText.h"
#include "SecretInput.h"
#include "Settings.h"
#include "SystemKeyring.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace coffer::ui {

UnlockDialog::UnlockDialog(AppContext& context, QWidget* parent)
    : FittedDialog(parent), m_context(context), m_passphrase(new QLineEdit), m_notice(new NoticePanel),
      m_unlock(new QPushButton(tr("&Unlock"))), m_quit(new QPushButton(tr("&Quit")))
{
    setWindowTitle(tr("Unlock — Coffer"));
    setAccessibleName(tr("Unlock Coffer"));
    makeSecretField(m_passphrase);
    m_passphrase->setAccessibleName(tr("Keyring passphrase"));
    m_unlock->setAccessibleName(tr("Unlock"));

    auto* icon = new QLabel;
    const int iconSize = fontMetrics().height() * 3;
    icon->setPixmap(QIcon(QStringLiteral(":/icons/coffer.svg")).pixmap(iconSize, iconSize));
    m_heading = new QLabel(tr("Coffer is locked"));
    QFont headingFont = m_heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.3);
    headingFont.setBold(true);
    m_heading->setFont(headingFont);
    m_intro = new QLabel(tr("Enter the passphrase of your keyring to unlock your keys and contacts."));
    m_intro->setWordWrap(true);

    auto* form = new QFormLayout;
    m_passphraseLabel = new QLabel(tr("&Passphrase:"));
    m_passphraseLabel->setBuddy(m_passphrase);
    form->addRow(m_passphraseLabel, m_passphrase);
    auto* buttons = new QDialogButtonBox;
    buttons->addButton(m_unlock, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_quit, QDialogButtonBox::RejectRole);

    auto* top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    auto* texts = new QVBoxLayout;
    texts->addWidget(m_heading);
    texts->addWidget(m_intro);
    top->addLayout(texts, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(form);
    layout->addWidget(m_notice);
    layout->addStretch(1);
    layout->addWidget(buttons);

    connect(m_unlock, &QPushButton::clicked, this, &UnlockDialog::submit);
    connect(m_quit, &QPushButton::clicked, this, &QDialog::reject);
    connect(&context.keyring(), &KeyringSession::unlockFinished, this, &UnlockDialog::onFinished);
    connect(&context.keyring(), &KeyringSession::unlocked, this, &UnlockDialog::onUnlocked);
    setMinimumWidth(fontMetrics().averageCharWidth() * 72);
    m_passphrase->setFocus();
    m_unlock->setDefault(true); // last: a button finds its dialog through parents it has only now
}

QString UnlockDialog::messageText() const
{
    return m_notice->isHidden() ? QString() : m_notice->text();
}

void UnlockDialog::submit()
{
    if (m_waitingToContinue) {
        accept();
        return;
    }
    if (m_passphrase->text().isEmpty()) {
        m_notice->showMessage(NoticePanel::Kind::Warning, tr("Type your keyring passphrase first."));
        return;
    }
    m_recalling = false; // typed first: a recall still on its way is not used
    setWaiting(true, tr("Unlocking…"));
    crypto::SecureString passphrase = takeSecret(m_passphrase);
    if (remembering())
        m_toRemember = passphrase;
    m_context.keyring().unlock(std::move(passphrase));
}

bool UnlockDialog::remembering() const
{
    return m_context.settings().rememberPassphrase() && !m_context.locations().portable;
}

void UnlockDialog::setWaiting(bool waiting, const QString& info)
{
    m_unlock->setEnabled(!waiting);
    m_unlock->setDefault(true); // disabling a button takes its default status away
    m_passphrase->setEnabled(!waiting);
    if (!info.isEmpty())
        m_notice->showMessage(NoticePanel::Kind::Info, info);
}

void UnlockDialog::tryRemembered()
{
    if (!remembering())
        return;
    // The field stays open meanwhile: the desktop may ask for its own
    // keyring's password first, and the user may rather type.
    m_recalling = true;
    m_notice->showMessage(NoticePanel::Kind::Info, tr("Unlocking with the passphrase your system keyring keeps…"));
    SystemKeyring::recall(
        m_context.keyring().keyringPath(), this, [this](Result<std::optional<crypto::SecureString>> recalled) {
            if (!std::exchange(m_recalling, false))
                return; // the user typed meanwhile
            if (recalled.ok() && recalled->has_value()) {
                m_tryingRemembered = true;
                setWaiting(true);
                m_context.keyring().unlock(std::move(**recalled));
                return;
            }
            if (!recalled.ok())
                m_notice->showMessage(NoticePanel::Kind::Warning,
                                      tr("Coffer could not read your passphrase from the system keyring (%1). "
                                         "Type it here.")
                                          .arg(QString::fromStdString(recalled.error().message)));
            else
                m_notice->hide(); // none kept yet: the next one typed is
        });
}

void UnlockDialog::onFinished(bool ok, const QString& message)
{
    const bool wasRemembered = std::exchange(m_tryingRemembered, false);
    if (ok)
        return; // onUnlocked decides
    setWaiting(false);
    m_passphrase->setFocus();
    m_toRemember.reset();
    if (wasRemembered) {
        // Changed since (or never ours): it goes, and the one typed next is kept.
        SystemKeyring::forget(m_context.keyring().keyringPath(), &m_context.keyring());
        m_notice->showMessage(NoticePanel::Kind::Warning,
                              tr("The passphrase your system keyring kept does not unlock your keyring, so Coffer "
                                 "removed it. Type your passphrase; Coffer keeps the new one."));
        return;
    }
    m_notice->showMessage(NoticePanel::Kind::Error, message);
}

void UnlockDialog::onUnlocked(bool fromBackup)
{
    if (!m_toRemember) {
        proceed(fromBackup, {});
        return;
    }
    // Unlocked with a typed passphrase: kept before going on, so that a
    // failure can still be said here.
    setWaiting(true, tr("Keeping your passphrase in the system keyring…"));
    SystemKeyring::remember(m_context.keyring().keyringPath(), *m_toRemember, this, [this, fromBackup](Status kept) {
        m_toRemember.reset();
        proceed(fromBackup, kept.ok() ? QString()
                                      : tr("Coffer could not keep your passphrase in the system keyring (%1), so "
                                           "it will ask for it next time.")
                                            .arg(QString::fromStdString(kept.error().message)));
    });
}

void UnlockDialog::proceed(bool fromBackup, const QString& warning)
{
    if (!fromBackup && warning.isEmpty()) {
        accept();
        return;
    }
    m_waitingToContinue = true;
    setWaiting(false);
    m_heading->setText(tr("Coffer is unlocked"));
    m_intro->hide();
    m_passphrase->hide();
    m_passphraseLabel->hide();
    m_unlock->setText(tr("&Continue"));
    m_unlock->setFocus();
    QStringList says;
    if (fromBackup)
        says << tr("Your keyring file was damaged, so Coffer opened its backup (%1). Your keys and contacts are "
                   "as they were at the last save before it; the next change saves a repaired keyring.")
                    .arg(toQString(m_context.keyring().keyringPath()) + QStringLiteral(".bak"));
    if (!warning.isEmpty())
        says << warning;
    m_notice->showMessage(NoticePanel::Kind::Warning, says.join(QStringLiteral("\n\n")));
}

void UnlockDialog::explain(const QString& why)
{
    m_notice->showMessage(NoticePanel::Kind::Warning, why);
}

} // namespace coffer::ui
