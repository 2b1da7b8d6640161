// First run, "Import a key": a Coffer secret key or an age identity, pasted
// or read from a file; a paper key's text, pasted or read from a file; or a
// backup file (KEYRING.md "Backups") with its passphrase; or a photo or scan
// of the paper key's QR code (zbar, through QrImages). The text goes
// straight into wiped memory.
#pragma once

#include "Keys.h"

#include <QWidget>

#include <filesystem>
#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace coffer::ui {

class ImportKeyPage : public QWidget {
    Q_OBJECT

public:
    explicit ImportKeyPage(QWidget* parent = nullptr);

    bool hasInput() const;
    /// Parses what was pasted or loaded (and clears it). One Coffer key and/or age identities.
    Result<std::vector<crypto::SecretIdentity>> takeIdentities();
    /// The name on the card: of the imported Coffer key, or of the new identity made beside age keys.
    QString nameForIdentity() const;
    QPlainTextEdit* keyField() const { return m_text; }
    QLineEdit* nameField() const { return m_name; }
    /// What the page says about the file loaded (or why it was not).
    QString loadedText() const;
    /// The backup file loaded instead of a key, if any.
    std::optional<std::filesystem::path> backupFile() const { return m_backupFile; }
    QLineEdit* backupPassphraseField() const { return m_backupPass; }
    /// Takes the backup's passphrase (and clears the field).
    crypto::SecureString takeBackupPassphrase();
    /// Reads a key file, a paper key, a photo of its QR code or a backup file (as "Load from file…" does).
    void loadFile(const QString& path);
    /// None while another tab is shown, so the first-run dialog fits the tab in front.
    int heightForWidth(int width) const override;

signals:
    void changed();
    /// A backup file was loaded: the page grew a passphrase row.
    void backupLoaded();

private:
    static QString paperKeyProblem(const Error& error);
    static Result<crypto::SecureString> readQrPhoto(const QString& path);
    void takeFileSecret(crypto::SecureString secret, const QString& loaded);

    QPlainTextEdit* m_text;
    QPushButton* m_load;
    QLabel* m_loaded;
    QLineEdit* m_name;
    QLabel* m_backupPassLabel;
    QLineEdit* m_backupPass;
    std::optional<crypto::SecureString> m_fileSecret;
    std::optional<std::filesystem::path> m_backupFile;
};

} // namespace coffer::ui
