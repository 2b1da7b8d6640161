// "Share…" (issue 23): a button with a menu for a container that was just
// made or is open: attach it to a new e-mail (xdg-email --attach, which
// Thunderbird and Evolution honour), copy it to the clipboard as a file (it
// pastes into file managers and chat apps), copy a small one as armored text
// (FORMAT.md §14) that pastes into any message, and show it in its folder.
#pragma once

#include <QPushButton>

#include <functional>

class QAction;
class QMenu;
class QMimeData;
class QUrl;

namespace coffer::ui {

class ShareButton : public QPushButton {
    Q_OBJECT

public:
    explicit ShareButton(QWidget* parent = nullptr);

    /// The file to share; "Copy as text" is offered only for a Coffer
    /// container of 64 KiB or less.
    void setFile(const QString& path);
    QString file() const { return m_path; }

    QAction* emailAction() const { return m_email; }
    QAction* copyFileAction() const { return m_copyFile; }
    QAction* copyTextAction() const { return m_copyText; }
    QAction* showFolderAction() const { return m_showFolder; }

    void attachToEmail();
    void copyFile();
    void copyAsText();
    void showInFolder();

    /// The clipboard form of a file: text/uri-list and GNOME's copied-files list.
    static QMimeData* fileMimeData(const QString& path);

    // Seams for tests.
    /// Starts a program without waiting (QProcess::startDetached); false if it could not start.
    using Launcher = std::function<bool(const QString& program, const QStringList& arguments)>;
    static Launcher& launcher();
    /// Opens a folder in the file manager (QDesktopServices::openUrl).
    static std::function<void(const QUrl&)>& folderOpener();

signals:
    /// What happened, for the window's notice area (`ok` false: a failure).
    void reported(bool ok, const QString& text);

private:
    QString m_path;
    QMenu* m_menu;
    QAction* m_email;
    QAction* m_copyFile;
    QAction* m_copyText;
    QAction* m_showFolder;
};

} // namespace coffer::ui
