#include "UnlockDialog.h"

#include "AppContext.h"
#include "NoticePanel.h"
#include "PathText.h"
#include "SecretInput.h"

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
    auto* heading = new QLabel(tr("Coffer is locked"));
    QFont headingFont = heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.3);
    headingFont.setBold(true);
    heading->setFont(headingFont);
    auto* intro = new QLabel(tr("Enter the passphrase of your keyring to unlock your keys and contacts."));
    intro->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("&Passphrase:"), m_passphrase);
    auto* buttons = new QDialogButtonBox;
    buttons->addButton(m_unlock, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_quit, QDialogButtonBox::RejectRole);

    auto* top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    auto* texts = new QVBoxLayout;
    texts->addWidget(heading);
    texts->addWidget(intro);
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
    m_unlock->setEnabled(false);
    m_passphrase->setEnabled(false);
    m_notice->showMessage(NoticePanel::Kind::Info, tr("Unlocking…"));
    m_context.keyring().unlock(takeSecret(m_passphrase));
}

void UnlockDialog::onFinished(bool ok, const QString& message)
{
    m_unlock->setEnabled(true);
    m_unlock->setDefault(true); // disabling a button takes its default status away
    m_passphrase->setEnabled(true);
    if (ok)
        return; // onUnlocked decides
    m_notice->showMessage(NoticePanel::Kind::Error, message);
    m_passphrase->setFocus();
}

void UnlockDialog::onUnlocked(bool fromBackup)
{
    if (!fromBackup) {
        accept();
        return;
    }
    m_waitingToContinue = true;
    m_passphrase->hide();
    m_unlock->setText(tr("&Continue"));
    m_unlock->setFocus();
    m_notice->showMessage(NoticePanel::Kind::Warning,
                          tr("Your keyring file was damaged, so Coffer opened its backup (%1). Your keys and "
                             "contacts are as they were at the last save before it; the next change saves a "
                             "repaired keyring.")
                              .arg(toQString(m_context.keyring().keyringPath()) + QStringLiteral(".bak")));
}

void UnlockDialog::explain(const QString& why)
{
    m_notice->showMessage(NoticePanel::Kind::Warning, why);
}

} // namespace coffer::ui
