// My card: the card text to share, its QR code, the fingerprint to read
// aloud, Copy and Save; and the age address (age1... of the same X25519 key)
// for people who use age; when the identity was last backed up, and "Back up…".
// With several identities, IdentityBar at the top chooses whose card is shown.
#pragma once

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QVBoxLayout;

namespace coffer::ui {

class AppContext;
class BackupDialog;
class IdentityBar;
class QrCodeWidget;

class MyCardDialog : public QDialog {
    Q_OBJECT

public:
    explicit MyCardDialog(AppContext& context, QWidget* parent = nullptr);

    QString cardText() const { return m_card; }
    QString fingerprint() const { return m_fingerprint; }
    QrCodeWidget* qrCode() const { return m_qr; }
    QPushButton* copyButton() const { return m_copy; }
    QPushButton* saveButton() const { return m_save; }
    QString ageAddress() const { return m_ageAddress; }
    QPlainTextEdit* ageAddressField() const { return m_ageField; }
    QPushButton* copyAgeAddressButton() const { return m_copyAge; }
    QPushButton* backupButton() const { return m_backup; }
    IdentityBar* identityBar() const { return m_identities; }
    QString statusText() const;
    /// "Last backup: 5 December 2026" or "Never backed up…".
    QString lastBackupText() const;

public slots:
    void copyCard();
    void saveCard();
    void copyAgeAddress();
    /// Opens "Back up your identity" (one window, raised if open).
    BackupDialog* showBackup();

private:
    void addAgeAddress(QVBoxLayout* layout);
    void refreshLastBackup();
    /// Shows the card of the identity with this fingerprint (the default if none matches).
    void showIdentity(const QString& fingerprint);

    QString m_card;
    QString m_fingerprint;
    QString m_name;
    QString m_ageAddress;
    QPlainTextEdit* m_cardView;
    QrCodeWidget* m_qr;
    QLabel* m_fingerprintLabel;
    QLabel* m_status;
    QPushButton* m_copy;
    QPushButton* m_save;
    QPlainTextEdit* m_ageField;
    QPushButton* m_copyAge;
    QPushButton* m_backup;
    QLabel* m_lastBackup;
    IdentityBar* m_identities;
    AppContext& m_context;
    BackupDialog* m_backupDialog = nullptr;
};

} // namespace coffer::ui
