#include "MainWindow.h"

#include "AppContext.h"
#include "DropZone.h"
#include "PathText.h"
#include "RecentContainers.h"
#include "UntrustedText.h"

#include <QDragEnterEvent>
#include <QLabel>
#include <QMimeData>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace coffer::ui {

MainWindow::MainWindow(AppContext& context, QWidget* parent)
    : QMainWindow(parent), m_context(context), m_dropZone(new DropZone),
      m_recent(new RecentContainers(context.settings())), m_identity(new QLabel)
{
    setWindowTitle(tr("Coffer"));
    setAccessibleName(tr("Coffer main window"));
    setAcceptDrops(true);

    auto* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
    toolbar->setAccessibleName(tr("Main toolbar"));
    m_encrypt = addToolAction(QStringLiteral("encrypt"), tr("&Encrypt…"), QKeySequence(tr("Ctrl+E")),
                              tr("Choose files or folders to encrypt"));
    m_open = addToolAction(QStringLiteral("open"), tr("&Open…"), QKeySequence::Open, tr("Open a .coffer container"));
    m_paste = addToolAction(QStringLiteral("open"), tr("&Paste"), QKeySequence(tr("Ctrl+Shift+V")),
                            tr("Open from clipboard: a container copied as text"));
    toolbar->addAction(m_encrypt);
    toolbar->addAction(m_open);
    toolbar->addAction(m_paste);
    toolbar->addSeparator();
    m_contacts = addToolAction(QStringLiteral("contacts"), tr("&Contacts"), QKeySequence(tr("Ctrl+K")),
                               tr("The people you share with, and their cards"));
    m_myCard = addToolAction(QStringLiteral("card"), tr("&My card"), QKeySequence(tr("Ctrl+M")),
                             tr("Your card and fingerprint, to share with others"));
    m_settings = addToolAction(QStringLiteral("settings"), tr("&Settings"), QKeySequence::Preferences,
                               tr("Defaults and auto-lock"));
    m_lock = addToolAction(QStringLiteral("lock"), tr("&Lock"), QKeySequence(tr("Ctrl+L")),
                           tr("Forget the keyring until you unlock it again"));
    for (QAction* a : {m_contacts, m_myCard, m_settings, m_lock})
        toolbar->addAction(a);
    m_about = addToolAction(QStringLiteral("coffer"), tr("&About Coffer"), QKeySequence::HelpContents,
                            tr("Coffer's version and licence"));
    m_about->setIconText(tr("About"));
    auto* spacer = new QWidget;
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(spacer); // About sits apart, at the far end
    toolbar->addAction(m_about);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    auto* recentLabel = new QLabel(tr("&Recent containers"));
    recentLabel->setBuddy(m_recent);
    layout->addWidget(m_dropZone, 3);
    layout->addWidget(recentLabel);
    layout->addWidget(m_recent, 2);
    setCentralWidget(central);

    if (context.locations().portable) {
        auto* portable = new QLabel(tr("Portable mode"));
        portable->setToolTip(tr("Everything Coffer keeps is in %1").arg(toQString(context.locations().dataDir)));
        portable->setAccessibleName(tr("Portable mode: everything is kept beside the program"));
        statusBar()->addPermanentWidget(portable);
    }
    m_identity->setTextFormat(Qt::PlainText);
    statusBar()->addPermanentWidget(m_identity);

    connect(m_encrypt, &QAction::triggered, this, [this]() { emit encryptRequested({}); });
    connect(m_open, &QAction::triggered, this, [this]() { emit openRequested({}); });
    connect(m_paste, &QAction::triggered, this, &MainWindow::openClipboardRequested);
    connect(m_contacts, &QAction::triggered, this, &MainWindow::contactsRequested);
    connect(m_myCard, &QAction::triggered, this, &MainWindow::myCardRequested);
    connect(m_settings, &QAction::triggered, this, &MainWindow::settingsRequested);
    connect(m_lock, &QAction::triggered, this, &MainWindow::lockRequested);
    connect(m_about, &QAction::triggered, this, &MainWindow::aboutRequested);
    connect(m_dropZone, &DropZone::encryptRequested, this, &MainWindow::encryptRequested);
    connect(m_dropZone, &DropZone::openRequested, this, &MainWindow::openRequested);
    connect(m_dropZone, &DropZone::openTextRequested, this, &MainWindow::openTextRequested);
    connect(m_dropZone, &DropZone::activated, this, [this]() { emit encryptRequested({}); });
    connect(m_recent, &RecentContainers::openRequested, this, &MainWindow::openRequested);
    connect(&context.keyring(), &KeyringSession::keyringChanged, this, &MainWindow::refreshIdentity);
    refreshIdentity();
    resize(QSize(fontMetrics().averageCharWidth() * 96, fontMetrics().height() * 34));
    m_dropZone->setFocus();
}

QAction* MainWindow::addToolAction(const QString& icon, const QString& text, const QKeySequence& shortcut,
                                   const QString& tip)
{
    auto* action = new QAction(QIcon(QStringLiteral(":/icons/%1.svg").arg(icon)), text, this);
    action->setShortcut(shortcut);
    const QString keys = shortcut.toString(QKeySequence::NativeText);
    action->setToolTip(keys.isEmpty() ? tip : tr("%1 (%2)").arg(tip, keys));
    action->setStatusTip(tip);
    addAction(action);
    return action;
}

void MainWindow::refreshIdentity()
{
    const Keyring* k = m_context.keyring().keyring();
    const bool unlocked = k != nullptr;
    QString who;
    if (k && k->identity())
        who = displayable(k->identity()->name());
    else if (const auto card = k ? k->ownCard() : std::nullopt) // held by the key agent
        who = displayable(card->name);
    m_identity->setText(!unlocked ? tr("Locked") : who.isEmpty() ? tr("Unlocked") : tr("Unlocked: %1").arg(who));
    m_identity->setAccessibleName(m_identity->text());
    m_contacts->setEnabled(unlocked);
    m_myCard->setEnabled(unlocked && k->ownCard());
    m_lock->setEnabled(unlocked);
}

void MainWindow::paintEvent(QPaintEvent* event)
{
    QMainWindow::paintEvent(event);
    if (!m_painted) {
        m_painted = true;
        QTimer::singleShot(0, this, &MainWindow::firstPainted);
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls() || event->mimeData()->hasText())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    if (m_dropZone->handleMimeData(event->mimeData()))
        event->acceptProposedAction();
}

} // namespace coffer::ui
