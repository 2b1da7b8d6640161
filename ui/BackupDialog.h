// My card → "Back up…": a backup file (the identity, and the contacts if
// chosen, in a container under a passphrase chosen here, typed twice with the
// strength shown; KEYRING.md "Backups") and "Paper backup…" (a PDF or PNG
// page, PaperBackup). Argon2id runs off the GUI thread; each backup made is
// recorded in the keyring as "Last backup".
#pragma once

#include <QDialog>

class QCheckBox;
class QPushButton;

namespace coffer::ui {

class AppContext;
class NoticePanel;
class PassphraseFields;

class BackupDialog : public QDialog {
    Q_OBJECT

public:
    explicit BackupDialog(AppContext& context, QWidget* parent = nullptr);

    PassphraseFields* passphraseFields() const { return m_passphrase; }
    QCheckBox* withContactsBox() const { return m_withContacts; }
    QPushButton* saveButton() const { return m_save; }
    QPushButton* paperButton() const { return m_paper; }
    QString messageText() const;
    bool isBusy() const { return m_busy; }
    /// Backs up the identity with this fingerprint (several identities); empty: the default.
    void setIdentity(const QString& fingerprint) { m_fingerprint = fingerprint.toStdString(); }

public slots:
    /// Asks where (FileDialogs), then writes the backup file in the background.
    void saveBackup();
    /// Asks where (FileDialogs), then writes the paper page (.pdf or .png).
    void savePaper();

signals:
    /// A backup file or page was written (ok), or not; `message` says which.
    void finished(bool ok, const QString& message);

private:
    void setBusy(bool busy);
    void recordBackup();
    void report(bool ok, const QString& message);

    AppContext& m_context;
    PassphraseFields* m_passphrase;
    QCheckBox* m_withContacts;
    QPushButton* m_save;
    QPushButton* m_paper;
    NoticePanel* m_notice;
    std::string m_fingerprint; // the identity to back up; empty: the default
    bool m_busy = false;
};

} // namespace coffer::ui
