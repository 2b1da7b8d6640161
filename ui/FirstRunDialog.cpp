#include "FirstRunDialog.h"

#include "AppContext.h"
#include "Background.h"
#include "Backup.h"
#include "ErrorText.h"
#include "ImportKeyPage.h"
#include "MessageBox.h"
#include "NoticePanel.h"
#include "PassphraseFields.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace coffer::ui {

FirstRunDialog::FirstRunDialog(AppContext& context, QWidget* parent)
    : FittedDialog(parent), m_context(context), m_tabs(new QTabWidget), m_name(new QLineEdit),
      m_import(new ImportKeyPage), m_passphrase(new PassphraseFields), m_notice(new NoticePanel),
      m_continue(new QPushButton(tr("&Create my identity")))
{
    setWindowTitle(tr("Welcome to Coffer"));
    setAccessibleName(tr("Welcome to Coffer"));
    auto* heading = new QLabel(tr("Welcome to Coffer"));
    QFont headingFont = heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.4);
    headingFont.setBold(true);
    heading->setFont(headingFont);
    auto* intro = new QLabel(tr("To send and receive encrypted files you need an identity: a pair of keys that "
                                "stays on this computer, in a keyring locked by a passphrase. Others encrypt to "
                                "your card; only your keys open what they send."));
    intro->setWordWrap(true);

    auto* create = new QWidget;
    auto* createForm = new QFormLayout(create);
    m_name->setAccessibleName(tr("Your name"));
    m_name->setPlaceholderText(tr("As others will see it on your card"));
    createForm->addRow(tr("Your &name:"), m_name);
    auto* createNote = new QLabel(tr("Coffer makes two keys for you: one opens what others send you, the other "
                                     "signs what you send. Their public half is your card, which you share."));
    createNote->setWordWrap(true);
    createForm->addRow(createNote);
    m_tabs->addTab(create, tr("C&reate a new identity"));
    m_tabs->addTab(m_import, tr("&Import a key"));
    m_tabs->setAccessibleName(tr("Create or import"));

    auto* passBox = new QGroupBox(tr("Keyring passphrase"));
    auto* passLayout = new QVBoxLayout(passBox);
    auto* passIntro = new QLabel(tr("You type it when Coffer starts. If you forget it, your keys cannot be "
                                    "recovered."));
    passIntro->setWordWrap(true);
    passLayout->addWidget(passIntro);
    passLayout->addWidget(m_passphrase);

    auto* buttons = new QDialogButtonBox;
    buttons->addButton(m_continue, QDialogButtonBox::AcceptRole);
    buttons->addButton(tr("&Quit"), QDialogButtonBox::RejectRole);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addWidget(intro);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(passBox);
    layout->addWidget(m_notice);
    layout->addWidget(buttons);

    connect(m_tabs, &QTabWidget::currentChanged, this, &FirstRunDialog::refreshButton);
    connect(m_tabs, &QTabWidget::currentChanged, this, &FirstRunDialog::fitCurrentTab);
    connect(m_import, &ImportKeyPage::backupLoaded, this, &FirstRunDialog::fitCurrentTab);
    connect(buttons, &QDialogButtonBox::accepted, this, &FirstRunDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(&context.keyring(), &KeyringSession::createFinished, this, &FirstRunDialog::onCreated);
    setMinimumWidth(fontMetrics().averageCharWidth() * 72);
    fitCurrentTab();
    m_name->setFocus();
    m_continue->setDefault(true); // last: a button finds its dialog through parents it has only now
}

void FirstRunDialog::fitCurrentTab()
{
    // A tab widget keeps room for its tallest page, which left the short
    // "Create" page half empty: size it to the page in front instead.
    for (int i = 0; i < m_tabs->count(); ++i) {
        const auto policy = i == m_tabs->currentIndex() ? QSizePolicy::Preferred : QSizePolicy::Ignored;
        m_tabs->widget(i)->setSizePolicy(policy, policy);
        m_tabs->widget(i)->parentWidget()->updateGeometry(); // the tab widget's page stack
    }
    m_tabs->updateGeometry();
    if (isVisible())
        fitHeightToWidth(); // before it is shown, showEvent does
}

QString FirstRunDialog::messageText() const
{
    return m_notice->isHidden() ? QString() : m_notice->text();
}

void FirstRunDialog::refreshButton()
{
    m_continue->setText(m_tabs->currentWidget() == m_import ? tr("&Import my key") : tr("&Create my identity"));
}

void FirstRunDialog::showProblem(const QString& text)
{
    m_notice->showMessage(NoticePanel::Kind::Warning, text);
}

void FirstRunDialog::submit()
{
    if (m_waiting)
        return;
    const bool importing = m_tabs->currentWidget() == m_import;
    const QString name = importing ? m_import->nameForIdentity() : m_name->text().trimmed();
    if (!importing && name.isEmpty())
        return showProblem(tr("Type your name: it is shown on your card so others know whose it is."));
    if (importing && !m_import->hasInput())
        return showProblem(tr("Paste your secret key, or load it from a file."));
    if (!m_passphrase->isAcceptable())
        return showProblem(tr("Choose a keyring passphrase of at least 8 characters and type it the same twice."));
    if (importing && m_import->backupFile())
        return restoreBackup();
    if (!checkContactName(name.toStdString()).ok() && !name.isEmpty())
        return showProblem(tr("Use a shorter name without tabs or control characters."));

    Keyring keyring;
    if (importing) {
        auto ids = m_import->takeIdentities();
        if (!ids.ok())
            return showProblem(QString::fromStdString(ids.error().message));
        for (auto& id : *ids) {
            if (id.canSign()) {
                if (id.name().empty())
                    id.setName(name.toStdString()); // a secret key carries no name; the card shows this one
                keyring.setIdentity(std::move(id));
            } else if (auto st = keyring.addAgeIdentity(std::move(id)); !st.ok()) {
                return showProblem(QString::fromStdString(st.error().message));
            }
        }
        if (!keyring.identity())
            keyring.setIdentity(crypto::SecretIdentity::generate(name.toStdString()));
    } else {
        keyring.setIdentity(crypto::SecretIdentity::generate(name.toStdString()));
    }
    m_creatingNew = !importing;
    setWaiting(true, tr("Saving your keyring…"));
    m_context.keyring().create(std::move(keyring), m_passphrase->takePassphrase());
}

void FirstRunDialog::setWaiting(bool waiting, const QString& message)
{
    m_waiting = waiting;
    m_continue->setEnabled(!waiting);
    if (waiting)
        m_notice->showMessage(NoticePanel::Kind::Info, message);
    else
        m_continue->setDefault(true);
}

/// Opens the loaded backup with its passphrase (Argon2id off the GUI thread),
/// then saves what it holds as the new keyring.
void FirstRunDialog::restoreBackup()
{
    if (m_import->backupPassphraseField()->text().isEmpty())
        return showProblem(tr("Type the passphrase of the backup: the one chosen when the backup was made."));
    const std::filesystem::path file = *m_import->backupFile();
    auto pass = std::make_shared<crypto::SecureString>(m_import->takeBackupPassphrase());
    m_creatingNew = false;
    setWaiting(true, tr("Opening the backup…"));
    runInBackground(
        this, [file, pass]() { return readBackup(file, *pass); },
        [this](Result<Keyring> restored) {
            setWaiting(false);
            if (!restored.ok())
                return m_notice->showMessage(NoticePanel::Kind::Error, ErrorText::describe(restored.error()).text());
            Keyring keyring;
            if (auto merged = mergeRestored(keyring, *restored); !merged.ok())
                return m_notice->showMessage(NoticePanel::Kind::Error, QString::fromStdString(merged.error().message));
            setWaiting(true, tr("Saving your keyring…"));
            m_context.keyring().create(std::move(keyring), m_passphrase->takePassphrase());
        });
}

void FirstRunDialog::onCreated(bool ok, const QString& message)
{
    if (!m_waiting)
        return;
    setWaiting(false);
    if (ok) {
        // Asked once, right after the identity is made: the moment a backup is cheapest.
        if (m_creatingNew &&
            MessageBox::question(this, tr("Back up your identity?"),
                                 tr("Your identity exists only on this computer. If it is lost, nothing sent to "
                                    "you can be opened again. Back it up now (a file or a page to print)?"),
                                 QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes) == QMessageBox::Yes)
            emit backupRequested();
        accept();
        return;
    }
    m_notice->showMessage(NoticePanel::Kind::Error, message);
}

} // namespace coffer::ui
