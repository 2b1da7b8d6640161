// First run: create an identity (name and a keyring passphrase typed twice,
// with a strength hint) or import one (a Coffer secret key or an age
// identity, a paper key or a backup file). The keyring is saved off the GUI
// thread; after a new identity is made, it asks once whether to back it up.
#pragma once

#include "FittedDialog.h"

class QLineEdit;
class QPushButton;
class QTabWidget;

namespace coffer::ui {

class AppContext;
class ImportKeyPage;
class NoticePanel;
class PassphraseFields;

class FirstRunDialog : public FittedDialog {
    Q_OBJECT

public:
    explicit FirstRunDialog(AppContext& context, QWidget* parent = nullptr);

    QTabWidget* tabs() const { return m_tabs; }
    QLineEdit* nameField() const { return m_name; }
    ImportKeyPage* importPage() const { return m_import; }
    PassphraseFields* passphraseFields() const { return m_passphrase; }
    QPushButton* continueButton() const { return m_continue; }
    QString messageText() const;

public slots:
    void submit();

signals:
    /// A new identity was made and the user chose to back it up now.
    void backupRequested();

private:
    void refreshButton();
    void fitCurrentTab();
    void onCreated(bool ok, const QString& message);
    void showProblem(const QString& text);
    void restoreBackup();
    void setWaiting(bool waiting, const QString& message = {});

    AppContext& m_context;
    QTabWidget* m_tabs;
    QLineEdit* m_name;
    ImportKeyPage* m_import;
    PassphraseFields* m_passphrase;
    NoticePanel* m_notice;
    QPushButton* m_continue;
    bool m_waiting = false;
    bool m_creatingNew = false;
};

} // namespace coffer::ui
