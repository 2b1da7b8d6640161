#include "AppController.h"

#include "AboutDialog.h"
#include "AgentClient.h"
#include "AppContext.h"
#include "ArmoredContainer.h"
#include "ContactsDialog.h"
#include "ContainerWindow.h"
#include "DropZone.h"
#include "EncryptDialog.h"
#include "ErrorText.h"
#include "FileDialogs.h"
#include "FirstRunDialog.h"
#include "IdleWatcher.h"
#include "JobRunner.h"
#include "MainWindow.h"
#include "MessageBox.h"
#include "MyCardDialog.h"
#include "PathText.h"
#include "SettingsDialog.h"
#include "UnlockDialog.h"

#include <QApplication>
#include <QDir>
#include <QScreen>

namespace coffer::ui {

namespace {

/// Places the main window in the middle of its screen before it is shown.
/// Left to the window manager, it lands where the manager likes (openbox: a
/// corner) and is placed only after it is mapped, so the first-run or
/// unlock dialog, centred on a window whose place Qt does not know yet,
/// opened in the corner too. A window with a known place carries its
/// dialogs to the middle with it.
void centreOnScreen(QWidget* window)
{
    if (window->testAttribute(Qt::WA_Moved) || !window->screen())
        return;
    const QRect screen = window->screen()->availableGeometry();
    window->resize(window->size().boundedTo(screen.size()));
    window->move(screen.center() - window->rect().center());
}

} // namespace

AppController::AppController(AppContext& context, QObject* parent)
    : QObject(parent), m_context(context), m_main(new MainWindow(context)), m_idle(new IdleWatcher(this))
{
    m_main->setAttribute(Qt::WA_DeleteOnClose, false);
    connect(m_main, &MainWindow::encryptRequested, this, [this](const QStringList& f) { openEncryptDialog(f); });
    connect(m_main, &MainWindow::openRequested, this, [this](const QString& p) { openContainer(p); });
    connect(m_main, &MainWindow::openClipboardRequested, this, &AppController::openClipboard);
    connect(m_main, &MainWindow::openTextRequested, this, &AppController::openArmoredText);
    connect(m_main, &MainWindow::contactsRequested, this, &AppController::showContacts);
    connect(m_main, &MainWindow::myCardRequested, this, &AppController::showMyCard);
    connect(m_main, &MainWindow::settingsRequested, this, &AppController::showSettings);
    connect(m_main, &MainWindow::lockRequested, this, &AppController::lock);
    connect(m_main, &MainWindow::aboutRequested, this, &AppController::showAbout);
    connect(m_idle, &IdleWatcher::idle, this, &AppController::onIdle);
    connect(&context.settings(), &Settings::changed, this, &AppController::applySettings);
    m_agentProgram = QCoreApplication::applicationDirPath() + QStringLiteral("/coffer");
    // Unlocked with the passphrase: the key agent takes the keys for other windows and commands.
    connect(&context.keyring(), &KeyringSession::unlockFinished, this, [this](bool ok) {
        if (ok && m_context.settings().keepKeysForOthers())
            m_context.keyring().startAgent(toPath(m_agentProgram));
    });
    // Opened through an agent that has now locked (idle, screen lock, `coffer lock`): so does the window.
    connect(&context.keyring(), &KeyringSession::agentLocked, this, [this]() {
        lockBecause(tr("Coffer locked because the key agent that held your keys has stopped (it stops after a "
                       "while without use, when the screen locks, or when \"coffer lock\" runs). Enter your "
                       "passphrase to unlock."));
    });
}

AppController::~AppController()
{
    delete m_main; // closes the flow windows parented to it
}

void AppController::start(const QStringList& files)
{
    m_pendingFiles += files;
    centreOnScreen(m_main);
    m_main->show();
    // A key agent of this keyring is unlocked (`coffer unlock`, another window): no passphrase.
    if (m_context.keyring().isUnlocked() || m_context.keyring().unlockThroughAgent()) {
        onGateAccepted();
        return;
    }
    showGate();
    // Only when Coffer starts: after a lock (idle, screen, the Lock button) the passphrase is typed.
    if (auto* unlock = qobject_cast<UnlockDialog*>(m_gate.data()))
        unlock->tryRemembered();
}

void AppController::showGate()
{
    if (m_gate)
        return;
    QDialog* gate = nullptr;
    if (m_context.keyring().exists()) {
        gate = new UnlockDialog(m_context, m_main);
    } else {
        auto* firstRun = new FirstRunDialog(m_context, m_main);
        connect(
            firstRun, &FirstRunDialog::backupRequested, this, [this]() { showMyCard()->showBackup(); },
            Qt::QueuedConnection);
        gate = firstRun;
    }
    gate->setAttribute(Qt::WA_DeleteOnClose);
    connect(gate, &QDialog::accepted, this, &AppController::onGateAccepted);
    connect(gate, &QDialog::rejected, qApp, &QApplication::quit, Qt::QueuedConnection);
    m_gate = gate;
    gate->open();
}

void AppController::onGateAccepted()
{
    applySettings();
    const QStringList files = std::exchange(m_pendingFiles, {});
    if (!files.isEmpty())
        handleFiles(files);
}

void AppController::applySettings()
{
    m_idle->setTimeoutMinutes(m_context.settings().autoLockMinutes());
}

void AppController::handleFiles(const QStringList& files)
{
    if (!m_context.keyring().isUnlocked()) {
        m_pendingFiles += files;
        return;
    }
    QStringList containers;
    QStringList toEncrypt;
    DropZone::routePaths(files, &containers, &toEncrypt);
    for (const QString& c : containers)
        openContainer(c);
    if (!toEncrypt.isEmpty())
        openEncryptDialog(toEncrypt);
}

void AppController::track(QWidget* window)
{
    m_flowWindows.removeAll(nullptr);
    m_flowWindows.append(window);
}

EncryptDialog* AppController::openEncryptDialog(const QStringList& files)
{
    QStringList chosen = files;
    if (chosen.isEmpty())
        chosen = FileDialogs::getOpenFileNames(m_main, tr("Choose files to encrypt"), QDir::homePath());
    if (chosen.isEmpty())
        return nullptr;
    auto* dialog = new EncryptDialog(m_context, chosen, m_main);
    track(dialog);
    dialog->show();
    dialog->raise();
    return dialog;
}

ContainerWindow* AppController::openContainer(const QString& path)
{
    QString chosen = path;
    if (chosen.isEmpty())
        chosen = FileDialogs::getOpenFileName(m_main, tr("Open a container"), QDir::homePath(),
                                              tr("Coffer and age files (*.coffer *.age);;All files (*)"));
    if (chosen.isEmpty())
        return nullptr;
    if (isArmoredContainerFile(toPath(chosen))) {
        auto text = readArmoredText(toPath(chosen));
        if (!text.ok()) {
            MessageBox::warning(m_main, tr("Could not open the text"), ErrorText::describe(text.error()).text());
            return nullptr;
        }
        return openArmoredText(QString::fromStdString(*text));
    }
    auto* window = new ContainerWindow(m_context, chosen, m_main);
    connect(window, &ContainerWindow::addContactRequested, this, [this](const QString& card) {
        if (ContactsDialog* contacts = showContacts())
            contacts->addContact(card);
    });
    track(window);
    window->show();
    window->raise();
    return window;
}

template <typename T> T* AppController::showSingle(QPointer<T>& slot)
{
    if (!m_context.keyring().isUnlocked())
        return nullptr;
    if (!slot) {
        slot = new T(m_context, m_main);
        slot->setAttribute(Qt::WA_DeleteOnClose);
        track(slot);
    }
    slot->show();
    slot->raise();
    slot->activateWindow();
    return slot;
}

ContactsDialog* AppController::showContacts()
{
    return showSingle(m_contacts);
}

MyCardDialog* AppController::showMyCard()
{
    return showSingle(m_myCard);
}

SettingsDialog* AppController::showSettings()
{
    return showSingle(m_settings);
}

AboutDialog* AppController::showAbout()
{
    if (!m_about) {
        m_about = new AboutDialog(m_main);
        m_about->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_about->show();
    m_about->raise();
    m_about->activateWindow();
    return m_about;
}

void AppController::onIdle()
{
    if (m_context.runningJobs() > 0 || !m_context.keyring().isUnlocked()) {
        m_idle->poke(); // a job in progress counts as use
        return;
    }
    lock();
}

void AppController::lock()
{
    for (const QPointer<QWidget>& w : std::as_const(m_flowWindows)) {
        if (!w)
            continue;
        if (auto* container = qobject_cast<ContainerWindow*>(w.data()))
            container->dropOpenedCopies(); // without asking: locking must not wait for an answer
        if (runsJob(w))
            continue; // the job keeps its own copies of the keys it needs
        w->close();
    }
    m_idle->setTimeoutMs(0);
    m_context.keyring().lock();
    // The person locked (or walked away): the CLI's key agent locks too.
    agent::lockAgentOf(m_context.keyring().keyringPath());
    showGate();
}

void AppController::lockBecause(const QString& why)
{
    lock();
    if (auto* unlock = qobject_cast<UnlockDialog*>(m_gate.data()))
        unlock->explain(why);
}

} // namespace coffer::ui
