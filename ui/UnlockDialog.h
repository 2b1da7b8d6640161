// Asks for the keyring passphrase. A wrong passphrase is said inside the
// dialog, and the user simply tries again; a keyring read from its backup is
// said there too before going on.
#pragma once

#include "FittedDialog.h"

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

private:
    void submit();
    void onFinished(bool ok, const QString& message);
    void onUnlocked(bool fromBackup);

    AppContext& m_context;
    QLineEdit* m_passphrase;
    NoticePanel* m_notice;
    QPushButton* m_unlock;
    QPushButton* m_quit;
    bool m_waitingToContinue = false;
};

} // namespace coffer::ui
