// Runs the GUI's flows: the main window first, then first run or unlock,
// then files from the command line or drops; auto-lock after idle time; one
// window per flow (Encrypt, Open, Contacts, My card, Settings, About).
#pragma once

#include <QDialog>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

namespace coffer::ui {

class AboutDialog;
class AppContext;
class ContactsDialog;
class ContainerWindow;
class EncryptDialog;
class IdleWatcher;
class MainWindow;
class MyCardDialog;
class SettingsDialog;

class AppController : public QObject {
    Q_OBJECT

public:
    explicit AppController(AppContext& context, QObject* parent = nullptr);
    ~AppController() override;

    MainWindow* mainWindow() const { return m_main; }
    IdleWatcher* idleWatcher() const { return m_idle; }
    /// The first-run or unlock dialog while it is shown.
    QDialog* gateDialog() const { return m_gate; }

    /// Shows the main window, then asks for an identity or the passphrase
    /// (unless already unlocked), then handles `files`.
    void start(const QStringList& files = {});
    /// .coffer files open, other paths go to one Encrypt dialog; waits for unlock.
    void handleFiles(const QStringList& files);

    /// Empty `files`: ask which. Null if the user chose none.
    EncryptDialog* openEncryptDialog(const QStringList& files);
    /// Empty `path`: ask which. Null if the user chose none.
    ContainerWindow* openContainer(const QString& path);
    /// A container copied as text (AppControllerShare.cpp): decoded into a
    /// private folder (removed when its window closes) and opened. Null,
    /// after a message that says what to do, if the text is not one.
    ContainerWindow* openArmoredText(const QString& text);
    /// openArmoredText() of the clipboard's text.
    ContainerWindow* openClipboard();
    ContactsDialog* showContacts();
    MyCardDialog* showMyCard();
    SettingsDialog* showSettings();
    /// Also while locked: it shows nothing from the keyring.
    AboutDialog* showAbout();
    /// Drops the keyring, closes the windows that show its data, asks to unlock.
    void lock();
    /// lock(), then says in the unlock dialog why it was asked again.
    void lockBecause(const QString& why);
    /// A window that shows the keyring's data: lock() closes it, unless it runs a job.
    void track(QWidget* window);
    /// The `coffer` command that starts the key agent after a passphrase
    /// unlock (default: the one beside this program). Tests: their build's.
    void setAgentProgram(const QString& program) { m_agentProgram = program; }

private:
    void showGate();
    void onGateAccepted();
    void onIdle();
    void applySettings();
    template <typename T> T* showSingle(QPointer<T>& slot);

    AppContext& m_context;
    MainWindow* m_main;
    IdleWatcher* m_idle;
    QPointer<QDialog> m_gate;
    QStringList m_pendingFiles;
    QList<QPointer<QWidget>> m_flowWindows;
    QPointer<ContactsDialog> m_contacts;
    QPointer<MyCardDialog> m_myCard;
    QPointer<SettingsDialog> m_settings;
    QPointer<AboutDialog> m_about;
    QString m_agentProgram;
};

} // namespace coffer::ui
