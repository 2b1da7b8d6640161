#include "ImportKeyPage.h"

#include "Backup.h"
#include "FileDialogs.h"
#include "KeyChoice.h"
#include "PaperKey.h"
#include "PathText.h"
#include "QrImage.h"
#include "SecretInput.h"
#include "UntrustedText.h"

#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace coffer::ui {

ImportKeyPage::ImportKeyPage(QWidget* parent)
    : QWidget(parent), m_text(new QPlainTextEdit), m_load(new QPushButton(tr("&Load from file…"))),
      m_loaded(new QLabel), m_name(new QLineEdit), m_backupPassLabel(new QLabel(tr("Backup &passphrase:"))),
      m_backupPass(new QLineEdit)
{
    makeSecretField(m_backupPass);
    m_backupPass->setAccessibleName(tr("Backup passphrase"));
    m_backupPassLabel->setBuddy(m_backupPass);
    m_backupPassLabel->hide();
    m_backupPass->hide();
    m_text->setUndoRedoEnabled(false);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setPlaceholderText(tr("COFFER-SECRET-KEY-1…, AGE-SECRET-KEY-1… or the lines of a paper key"));
    m_text->setAccessibleName(tr("Secret key to import"));
    m_text->setTabChangesFocus(true);
    m_text->setContextMenuPolicy(Qt::NoContextMenu);
    m_text->setMaximumHeight(m_text->fontMetrics().height() * 5);
    m_name->setAccessibleName(tr("Your name"));
    m_name->setPlaceholderText(tr("As others will see it on your card"));
    m_loaded->setTextFormat(Qt::PlainText);
    m_loaded->setWordWrap(true);
    m_loaded->hide();

    auto* intro = new QLabel(tr("Paste your secret key or the lines of your paper key, or load the file that "
                                "holds it, your backup file or a photo of your paper key's QR code. A Coffer secret "
                                "key becomes your identity; an age "
                                "identity lets you open containers sent to it, and Coffer makes a new identity "
                                "beside it to sign and share a card."));
    intro->setWordWrap(true);
    auto* warning = new QLabel(tr("Never send your secret key to anyone."));
    warning->setWordWrap(true);
    auto* loadRow = new QHBoxLayout;
    loadRow->addWidget(m_loaded, 1);
    loadRow->addStretch(0);
    loadRow->addWidget(m_load);
    auto* form = new QFormLayout;
    form->addRow(m_backupPassLabel, m_backupPass);
    form->addRow(tr("Your &name:"), m_name);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_text);
    layout->addLayout(loadRow);
    layout->addWidget(warning);
    layout->addLayout(form);
    layout->addStretch(1);

    connect(m_text, &QPlainTextEdit::textChanged, this, &ImportKeyPage::changed);
    connect(m_load, &QPushButton::clicked, this, [this]() {
        const QString path =
            FileDialogs::getOpenFileName(this, tr("Load a secret key or a backup"), QString(),
                                         tr("Keys, backups and photos of a paper key (*.txt *.key *.coffer *.png "
                                            "*.jpg *.jpeg);;All files (*)"));
        if (!path.isEmpty())
            loadFile(path);
    });
}

/// The paper key in a photo or scan of its page's QR code, or why none was found.
Result<crypto::SecureString> ImportKeyPage::readQrPhoto(const QString& path)
{
    QrSecretRead qr = QrImages::readSecretFile(path);
    if (!qr.problem.isEmpty())
        return makeError(ErrorCode::InvalidArgument, qr.problem.toStdString());
    for (auto& text : qr.texts)
        if (looksLikePaperKey(text))
            return std::move(text);
    return makeError(ErrorCode::InvalidArgument,
                     tr("Coffer found no paper key's QR code in “%1”. Take a sharper photo with the whole code in "
                        "it, or type the lines printed below the code.")
                         .arg(displayable(QFileInfo(path).fileName()))
                         .toStdString());
}

void ImportKeyPage::loadFile(const QString& path)
{
    if (QrImages::isImageFile(path)) {
        auto secret = readQrPhoto(path);
        if (!secret.ok()) {
            m_loaded->setText(QString::fromStdString(secret.error().message));
            m_loaded->show();
            return;
        }
        takeFileSecret(std::move(*secret),
                       tr("Paper key read from the QR code in %1.").arg(displayable(QFileInfo(path).fileName())));
        return;
    }
    if (looksLikeContainer(toPath(path))) {
        // A backup: its passphrase opens it when the user continues.
        m_backupFile = toPath(path);
        m_fileSecret.reset();
        m_text->clear();
        m_text->setEnabled(false);
        m_backupPassLabel->show();
        m_backupPass->show();
        m_backupPass->setFocus();
        m_name->setEnabled(false); // the backup's card carries its name
        m_loaded->setText(
            tr("Backup loaded from %1. Type its passphrase below.").arg(displayable(QFileInfo(path).fileName())));
        m_loaded->show();
        emit changed();
        emit backupLoaded();
        return;
    }
    auto secret = readSecretFile(toPath(path));
    if (!secret.ok()) {
        m_loaded->setText(tr("Could not read %1. Check the file and its permissions.").arg(path));
        m_loaded->show();
        return;
    }
    takeFileSecret(std::move(*secret), tr("Key loaded from %1.").arg(displayable(QFileInfo(path).fileName())));
}

void ImportKeyPage::takeFileSecret(crypto::SecureString secret, const QString& loaded)
{
    m_fileSecret = std::move(secret);
    m_backupFile.reset();
    m_backupPassLabel->hide();
    m_backupPass->hide();
    m_name->setEnabled(true);
    m_text->clear();
    m_text->setEnabled(false);
    m_loaded->setText(loaded);
    m_loaded->show();
    emit changed();
}

int ImportKeyPage::heightForWidth(int width) const
{
    return isHidden() ? 0 : QWidget::heightForWidth(width);
}

bool ImportKeyPage::hasInput() const
{
    return m_backupFile.has_value() || m_fileSecret.has_value() || !m_text->toPlainText().trimmed().isEmpty();
}

QString ImportKeyPage::loadedText() const
{
    return m_loaded->isHidden() ? QString() : m_loaded->text();
}

QString ImportKeyPage::nameForIdentity() const
{
    return m_name->text().trimmed();
}

crypto::SecureString ImportKeyPage::takeBackupPassphrase()
{
    return takeSecret(m_backupPass);
}

/// The paper key's error (which line to check) in the GUI's words.
QString ImportKeyPage::paperKeyProblem(const Error& error)
{
    QString text = QString::fromStdString(error.message);
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    return tr("%1. Compare what you typed with the printed page, then try again.").arg(text);
}

Result<std::vector<crypto::SecretIdentity>> ImportKeyPage::takeIdentities()
{
    crypto::SecureString text = m_fileSecret ? std::move(*m_fileSecret) : takeSecret(m_text);
    m_fileSecret.reset();
    m_text->setEnabled(true);
    m_loaded->hide();
    if (looksLikePaperKey(text)) {
        auto id = parsePaperKey(text);
        if (!id.ok())
            return makeError(ErrorCode::InvalidArgument, paperKeyProblem(id.error()).toStdString());
        std::vector<crypto::SecretIdentity> one;
        one.push_back(std::move(*id));
        return one;
    }
    auto ids = crypto::parseIdentityFile(text);
    if (!ids.ok() || ids->empty())
        return makeError(ErrorCode::InvalidArgument,
                         tr("That is not a Coffer secret key or an age identity. Copy the whole line that starts "
                            "with COFFER-SECRET-KEY-1 or AGE-SECRET-KEY-1, and paste it again.")
                             .toStdString());
    int signing = 0;
    for (const auto& id : *ids)
        signing += id.canSign() ? 1 : 0;
    if (signing > 1)
        return makeError(
            ErrorCode::InvalidArgument,
            tr("That holds more than one Coffer secret key; Coffer keeps one. Import one of them.").toStdString());
    return ids;
}

} // namespace coffer::ui
