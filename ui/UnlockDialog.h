// Asks for the keyring passphrase. A wrong passphrase is said inside the
// dialog, and the user simply tries again; a keyring read from its backup is
// said there too before going on. With "Remember the keyring passphrase" on,
// Coffer's start first tries the passphrase the system keyring keeps, and a
// typed one that unlocks is kept there (docs/SECURITY.md).
#pragma once

#include "FittedDialog.h"
#include "SecureMemory.h"

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace coffer::ui {

class AppContext;
class NoticePanel;

class UnlockDialog : public FittedDialog {
    Q_OBJECT

public:
    explicit UnlockDialog(AppContext& context, QWidget* parent = nullptr);

    QLineEdit* passphraseField() const { return m_passphrase; }
    QPushButton* unlockButton() const { return m_unlock; }
    QString messageText() const;
    /// Why the passphrase is asked again (the app locked on its own).
    void explain(const QString& why);
    /// Unlocks with the passphrase the system keyring keeps, if the user
    /// chose to remember it; else (or if it fails) the field is there to type.
    void tryRemembered();

private:
    void submit();
    void onFinished(bool ok, const QString& message);
    void onUnlocked(bool fromBackup);
    void proceed(bool fromBackup, const QString& warning);
    bool remembering() const;
    void setWaiting(bool waiting, const QString& info = {});

    AppContext& m_context;
    QLineEdit* m_passphrase;
    QLabel* m_passphraseLabel;
    QLabel* m_heading;
    QLabel* m_intro;
    NoticePanel* m_notice;
    QPushButton* m_unlock;
    QPushButton* m_quit;
    bool m_waitingToContinue = false;
    bool m_recalling = false;                         // the system keyring is being asked
    bool m_tryingRemembered = false;                  // its passphrase is being tried
    std::optional<crypto::SecureString> m_toRemember; // typed, kept once it has unlocked
};

} // namespace coffer::ui
