// "Browse in file manager" in the container window (issue 21): the container
// mounted read-only in a fresh 0700 folder under $XDG_RUNTIME_DIR/coffer/ and
// opened with the desktop's file manager. It is served by this process
// (MountServer: the keys stay where they already are) and unmounted when the
// window goes, that is when it is closed, when Coffer locks (which closes
// it) and when Coffer quits.
#pragma once

#include "Recipient.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QPushButton;
class QUrl;
class QWidget;

namespace coffer {
class MountServer;
}

namespace coffer::ui {

class MountAction : public QObject {
    Q_OBJECT

public:
    /// The keys to open the container with, asked for when the user clicks.
    using Identities = std::function<std::shared_ptr<crypto::IdentityList>()>;

    /// Makes the action (the window's child) and returns its button, for the window's button row.
    static QPushButton* attach(const QString& container, Identities identities, QWidget* window);
    MountAction(const QString& container, Identities identities, QWidget* window);
    /// Unmounts and removes the folder.
    ~MountAction() override;

    /// Mounts if not mounted yet, then opens the folder.
    void browse();
    void unmount();
    /// The folder mounted on, empty if none.
    QString mountFolder() const { return m_folder; }

    /// Opens a folder in the file manager (QDesktopServices::openUrl); a seam for tests.
    static std::function<void(const QUrl&)>& folderOpener();

private:
    bool mount();

    QString m_container;
    Identities m_identities;
    QWidget* m_window;
    QString m_folder;
    std::unique_ptr<MountServer> m_server;
};

} // namespace coffer::ui
