#include "ShareButton.h"

#include "ArmoredContainer.h"
#include "ErrorText.h"
#include "Header.h"
#include "MessageBox.h"
#include "PathText.h"
#include "UntrustedText.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMenu>
#include <QMimeData>
#include <QProcess>
#include <QStandardPaths>
#include <QUrl>

namespace coffer::ui {

ShareButton::ShareButton(QWidget* parent)
    : QPushButton(tr("Sha&re…"), parent), m_menu(new QMenu(this)), m_email(m_menu->addAction(tr("Attach to &e-mail…"))),
      m_copyFile(m_menu->addAction(tr("Copy &file"))), m_copyText(m_menu->addAction(tr("Copy as &text"))),
      m_showFolder(m_menu->addAction(tr("&Show in folder")))
{
    setAccessibleName(tr("Share the container"));
    setToolTip(tr("Send the container: attach it to an e-mail, copy it, or show it in its folder"));
    m_menu->setToolTipsVisible(true);
    m_email->setToolTip(tr("Opens a new e-mail in your mail program with the container attached"));
    m_copyFile->setToolTip(tr("Paste it into a file manager, a chat or a mail program"));
    m_showFolder->setToolTip(tr("Opens the folder that holds the container"));
    setMenu(m_menu);
    connect(m_email, &QAction::triggered, this, &ShareButton::attachToEmail);
    connect(m_copyFile, &QAction::triggered, this, &ShareButton::copyFile);
    connect(m_copyText, &QAction::triggered, this, &ShareButton::copyAsText);
    connect(m_showFolder, &QAction::triggered, this, &ShareButton::showInFolder);
}

void ShareButton::setFile(const QString& path)
{
    m_path = path;
    const QFileInfo info(path);
    const bool small = info.isFile() && info.size() <= static_cast<qint64>(kMaxArmoredContainer);
    QFile file(path);
    const QByteArray start = file.open(QIODevice::ReadOnly) ? file.read(16) : QByteArray();
    const bool coffer = crypto::startsWithVersionLine(std::string_view(start.constData(), std::size_t(start.size())));
    m_copyText->setEnabled(small && coffer);
    m_copyText->setToolTip(!coffer  ? tr("Only a Coffer container can be copied as text; attach this file instead")
                           : !small ? tr("Only a container of 64 KiB or less can be copied as text")
                                    : tr("Paste it into any message; the recipient opens it with Coffer's "
                                         "\"Open from clipboard\""));
}

ShareButton::Launcher& ShareButton::launcher()
{
    static Launcher run = [](const QString& program, const QStringList& arguments) {
        if (QStandardPaths::findExecutable(program).isEmpty())
            return false;
        return QProcess::startDetached(program, arguments);
    };
    return run;
}

std::function<void(const QUrl&)>& ShareButton::folderOpener()
{
    static std::function<void(const QUrl&)> open = [](const QUrl& url) { QDesktopServices::openUrl(url); };
    return open;
}

void ShareButton::attachToEmail()
{
    const QString native = QFileInfo(m_path).absoluteFilePath();
    if (launcher()(QStringLiteral("xdg-email"), {QStringLiteral("--attach"), native}))
        return;
    MessageBox::warning(window(), tr("No e-mail program started"),
                        tr("Coffer could not start your e-mail program (it uses xdg-email, from the xdg-utils "
                           "package).\n\nAttach the container by hand: it is %1.")
                            .arg(displayable(native)));
}

QMimeData* ShareButton::fileMimeData(const QString& path)
{
    const QUrl url = QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath());
    auto* mime = new QMimeData;
    mime->setUrls({url});
    mime->setData(QStringLiteral("x-special/gnome-copied-files"), "copy\n" + url.toEncoded());
    return mime;
}

void ShareButton::copyFile()
{
    QGuiApplication::clipboard()->setMimeData(fileMimeData(m_path));
    emit reported(true, tr("Copied %1. Paste it into a file manager, a chat or a mail program.")
                            .arg(displayable(QFileInfo(m_path).fileName())));
}

void ShareButton::copyAsText()
{
    auto text = armorContainer(toPath(m_path));
    if (!text.ok()) {
        emit reported(false, ErrorText::describe(text.error()).text());
        return;
    }
    QGuiApplication::clipboard()->setText(QString::fromStdString(*text));
    emit reported(true, tr("Copied %1 as text. Paste it into a message; the recipient opens it with Coffer's "
                           "\"Open from clipboard\" (Ctrl+Shift+V).")
                            .arg(displayable(QFileInfo(m_path).fileName())));
}

void ShareButton::showInFolder()
{
    folderOpener()(QUrl::fromLocalFile(QFileInfo(m_path).absolutePath()));
}

} // namespace coffer::ui
