#include "MountAction.h"

#include "ErrorText.h"
#include "IndexedReader.h"
#include "MessageBox.h"
#include "MountFs.h"
#include "MountServer.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QPushButton>
#include <QStandardPaths>
#include <QUrl>

#include <sys/stat.h>
#include <unistd.h>

namespace coffer::ui {

namespace {

/// $XDG_RUNTIME_DIR/coffer (memory-backed on most desktops, the user's alone),
/// made 0700; empty if it cannot be made ours.
QString mountBase()
{
    const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (runtime.isEmpty())
        return {};
    const QByteArray base = QFile::encodeName(runtime + QStringLiteral("/coffer"));
    ::mkdir(base.constData(), 0700);
    struct stat st;
    // Not a link, ours, and no one else's to enter.
    if (::lstat(base.constData(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid() ||
        (st.st_mode & 077) != 0)
        return {};
    return QFile::decodeName(base);
}

/// A fresh empty folder for one mount, named after the container (mkdtemp: never one that exists).
QString freshFolder(const QString& container)
{
    const QString base = mountBase();
    if (base.isEmpty())
        return {};
    QString name = QFileInfo(container).completeBaseName().left(64);
    name.replace(QLatin1Char('/'), QLatin1Char('_'));
    QByteArray pattern = QFile::encodeName(base + QLatin1Char('/') + name + QStringLiteral("-XXXXXX"));
    if (!::mkdtemp(pattern.data()))
        return {};
    return QFile::decodeName(pattern);
}

} // namespace

std::function<void(const QUrl&)>& MountAction::folderOpener()
{
    static std::function<void(const QUrl&)> opener = [](const QUrl& url) { QDesktopServices::openUrl(url); };
    return opener;
}

QPushButton* MountAction::attach(const QString& container, Identities identities, QWidget* window)
{
    auto* action = new MountAction(container, std::move(identities), window);
    auto* button = new QPushButton(tr("&Browse in file manager"), window);
    button->setAccessibleName(tr("Show the container as a read-only folder in the file manager"));
    connect(button, &QPushButton::clicked, action, &MountAction::browse);
    return button;
}

MountAction::MountAction(const QString& container, Identities identities, QWidget* window)
    : QObject(window), m_container(container), m_identities(std::move(identities)), m_window(window)
{}

MountAction::~MountAction()
{
    unmount();
}

void MountAction::browse()
{
    if (!m_server && !mount())
        return;
    folderOpener()(QUrl::fromLocalFile(m_folder));
}

// On the GUI thread: the keys (the keyring's, or a passphrase already
// checked by the listing) open the container quickly.
bool MountAction::mount()
{
    const auto fail = [&](const Error& error) {
        MessageBox::warning(m_window, tr("Cannot browse the container"), ErrorText::describe(error).text());
        unmount();
        return false;
    };
    if (const Status fuse = checkFuseAvailable(); !fuse.ok())
        return fail(fuse.error());
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    auto reader = IndexedReader::open(QFile::encodeName(m_container).toStdString(), *m_identities());
    QGuiApplication::restoreOverrideCursor();
    if (!reader.ok())
        return fail(reader.error());
    m_folder = freshFolder(m_container);
    if (m_folder.isEmpty())
        return fail(makeError(ErrorCode::Io, "could not make a private folder to mount on"));
    auto server = MountServer::start(std::move(*reader), QFile::encodeName(m_folder).toStdString(),
                                     QFileInfo(m_container).lastModified().toSecsSinceEpoch());
    if (!server.ok())
        return fail(server.error());
    m_server = std::move(*server);
    return true;
}

void MountAction::unmount()
{
    m_server.reset(); // stops at once, even with the file manager inside; the keys go with it
    if (!m_folder.isEmpty())
        QDir().rmdir(m_folder);
    m_folder.clear();
}

} // namespace coffer::ui
