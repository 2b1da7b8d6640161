#include "EncryptDialog.h"

#include "AgeSupport.h"
#include "AppContext.h"
#include "Encrypt.h"
#include "EncryptOptions.h"
#include "FileListEditor.h"
#include "FormatChooser.h"
#include "JobOutcomes.h"
#include "JobProgressWidget.h"
#include "JobRunner.h"
#include "MessageBox.h"
#include "NoticePanel.h"
#include "PassphraseFields.h"
#include "PathText.h"
#include "RecipientPicker.h"
#include "Texts.h"
#include "UntrustedText.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace coffer::ui {

EncryptDialog::EncryptDialog(AppContext& context, const QStringList& files, QWidget* parent)
    : QDialog(parent), m_context(context), m_setup(new QWidget), m_files(new FileListEditor),
      m_recipients(new RecipientPicker), m_format(new FormatChooser), m_options(new EncryptOptions),
      m_validation(new NoticePanel), m_encrypt(new QPushButton(tr("&Encrypt"))), m_progress(new JobProgressWidget),
      m_runner(new JobRunner(this))
{
    setWindowTitle(tr("Encrypt — Coffer"));
    setAccessibleName(tr("Encrypt"));
    setAttribute(Qt::WA_DeleteOnClose);

    auto* filesBox = new QGroupBox(tr("Files and folders"));
    (new QVBoxLayout(filesBox))->addWidget(m_files);
    auto* peopleBox = new QGroupBox(tr("Who can open it"));
    (new QVBoxLayout(peopleBox))->addWidget(m_recipients);
    auto* buttons = new QDialogButtonBox;
    buttons->addButton(m_encrypt, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    m_encrypt->setAccessibleName(tr("Encrypt"));

    auto* setupLayout = new QVBoxLayout(m_setup);
    setupLayout->setContentsMargins(0, 0, 0, 0);
    setupLayout->addWidget(filesBox, 2);
    setupLayout->addWidget(peopleBox, 3);
    setupLayout->addWidget(m_format);
    setupLayout->addWidget(m_options);
    setupLayout->addWidget(m_validation);
    setupLayout->addWidget(buttons);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_setup);
    layout->addWidget(m_progress);
    m_progress->hide();

    const Keyring* keyring = context.keyring().keyring();
    m_recipients->setKeyring(keyring);
    const bool canSign = keyring && (keyring->identity() ? keyring->identity()->canSign()
                                                         : keyring->signer() != nullptr); // held by the key agent
    m_options->setDefaults(context.settings().defaultCompression(), context.settings().signByDefault(), canSign);
    if (keyring) {
        QList<QPair<QString, QString>> signers; // here or held by the key agent
        for (const auto& [card, name] : keyring->ownCards())
            signers.append({displayable(name), QString::fromStdString(card.fingerprint())});
        m_options->setSigners(signers);
    }
    m_files->addPaths(files);
    refreshOutput();

    connect(m_files, &FileListEditor::changed, this, &EncryptDialog::refreshOutput);
    connect(m_format, &FormatChooser::changed, this, [this](bool age) {
        m_options->setAgeFormat(age);
        refreshOutput();
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &EncryptDialog::startEncryption);
    connect(buttons, &QDialogButtonBox::rejected, this, &EncryptDialog::reject);
    connect(m_runner, &JobRunner::progressed, m_progress, &JobProgressWidget::setProgress);
    connect(m_runner, &JobRunner::finished, this, &EncryptDialog::onFinished);
    connect(m_progress, &JobProgressWidget::cancelRequested, m_runner, &JobRunner::cancel);
    connect(m_progress, &JobProgressWidget::closeRequested, this, &QDialog::accept);
    resize(sizeHint().expandedTo(QSize(fontMetrics().averageCharWidth() * 80, fontMetrics().height() * 36)));
    m_encrypt->setDefault(true); // last: a button finds its dialog through parents it has only now
}

QString EncryptDialog::defaultOutputFor(const QString& firstInput, const QString& outputFolder)
{
    if (firstInput.isEmpty())
        return QString();
    const QFileInfo info(firstInput);
    const QString name = (info.fileName().isEmpty() ? QStringLiteral("files") : info.fileName()) + ".coffer";
    const QString folder = outputFolder.isEmpty() ? info.absolutePath() : outputFolder;
    return QDir::cleanPath(QDir(folder).filePath(name));
}

void EncryptDialog::refreshOutput()
{
    const QStringList paths = m_files->paths();
    const QString folder = m_context.settings().defaultOutputFolder();
    m_options->suggestOutputPath(m_format->isAge() ? ageOutputFor(paths, folder)
                                                   : defaultOutputFor(paths.value(0), folder));
}

bool EncryptDialog::isRunning() const
{
    return m_runner->isRunning();
}

QString EncryptDialog::validationMessage() const
{
    return m_validation->isHidden() ? QString() : m_validation->text();
}

void EncryptDialog::showValidation(const QString& text)
{
    m_validation->showMessage(NoticePanel::Kind::Warning, text);
}

void EncryptDialog::startEncryption()
{
    if (m_runner->isRunning())
        return;
    auto request = std::make_shared<EncryptRequest>();
    for (const QString& p : m_files->paths())
        request->inputs.push_back(toPath(p));
    request->recipients = m_recipients->checkedRecipients();
    if (request->inputs.empty())
        return showValidation(tr("Add at least one file or folder to encrypt."));
    if (m_options->usePassphrase() && !m_options->passphraseFields()->isAcceptable())
        return showValidation(tr("Type the passphrase twice, the same both times, with at least 8 characters."));
    if (request->recipients.empty() && !m_options->usePassphrase())
        return showValidation(tr("Choose at least one person, or protect it with a passphrase."));
    if (m_options->outputPath().isEmpty())
        return showValidation(tr("Choose where to save the container."));
    if (const QFileInfo out(m_options->outputPath()); !out.absoluteDir().exists())
        return showValidation(tr("The folder %1 does not exist. Choose another place to save the container.")
                                  .arg(QDir::toNativeSeparators(out.absolutePath())));
    if (m_format->isAge())
        return startAgeEncryption();
    if (m_options->usePassphrase()) {
        request->passphrase = m_options->passphraseFields()->takePassphrase();
        if (auto fast = KeyringSession::kdfParamsForTests())
            request->argon2 = *fast;
    }
    request->compression = m_options->compression();
    request->links = m_options->links();
    request->output = toPath(m_options->outputPath());
    // The job signs with its own copy of the identity (or of the key agent's
    // handle): an auto-lock may drop the keyring meanwhile.
    std::shared_ptr<Keyring> signer;
    const Keyring* keyring = m_context.keyring().keyring();
    if (m_options->sign() && keyring && keyring->signer())
        signer = std::make_shared<Keyring>(keyring->copy(false));
    request->signer = signer ? signer->signer() : nullptr;
    if (signer && !m_options->signerFingerprint().isEmpty()) {
        // The identity chosen in "Sign as", or none: never another one in its place.
        auto chosen = signer->signerAs(m_options->signerFingerprint().toStdString());
        if (!chosen.ok()) {
            QMessageBox::warning(this, tr("Sign as"),
                                 tr("The identity chosen to sign is no longer in your keyring. Choose another "
                                    "one under \"Sign as\"."));
            return;
        }
        request->signer = *chosen;
    }

    runEncryption([request, signer](JobControl& job) { return outcomeOf(encryptFiles(*request, job)); });
}

void EncryptDialog::runEncryption(JobRunner::Work work)
{
    m_validation->clearMessage();
    showProgressPage();
    const QStringList inputs = m_files->paths();
    m_progress->begin(inputs.size() == 1 ? tr("Encrypting “%1”…").arg(QFileInfo(inputs.first()).fileName())
                                         : tr("Encrypting %n item(s)…", nullptr, static_cast<int>(inputs.size())));
    m_context.jobStarted();
    m_runner->start(std::move(work));
}

void EncryptDialog::showProgressPage()
{
    m_setup->hide();
    m_progress->show();
    layout()->activate();
    resize(width(), sizeHint().height());
}

void EncryptDialog::onFinished()
{
    m_context.jobEnded();
    const JobOutcome& outcome = m_runner->outcome();
    QString text;
    QString folder;
    QString path;
    if (outcome.ok()) {
        path = toQString(outcome.output);
        folder = QFileInfo(path).absolutePath();
        m_context.settings().addRecentContainer(path);
        text = tr("Encrypted %1 (%2) into %3.")
                   .arg(Texts::files(outcome.files), Texts::size(outcome.bytes),
                        displayable(QDir::toNativeSeparators(path)));
    }
    m_progress->finish(outcome, text, folder, path, path);
    if (m_closeWhenDone)
        QDialog::reject();
}

void EncryptDialog::reject()
{
    if (!m_runner->isRunning()) {
        QDialog::reject();
        return;
    }
    const auto answer = MessageBox::question(this, tr("Stop encrypting?"),
                                             tr("The container is not finished. Stop now? Nothing is left behind."));
    if (answer == QMessageBox::Yes) {
        m_closeWhenDone = true;
        m_runner->cancel();
    }
}

} // namespace coffer::ui
