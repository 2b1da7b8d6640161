// Opening a container's file with the desktop's application, and dragging
// entries out (SECURITY.md "Opened copies"): each is first extracted, whole
// and authenticated, into the window's private folder (app's OpenCopies);
// only then is its path handed to another program. The folder goes when the
// window closes or Coffer locks; if another program changed a copy, closing
// says the change is not in the container and offers to save a copy.
#pragma once

#include "OpenCopies.h"
#include "Recipient.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QMimeData;
class QWidget;

namespace coffer::ui {

class AppContext;

class EntryOpener : public QObject {
    Q_OBJECT

public:
    using Identities = std::shared_ptr<crypto::IdentityList>;
    /// Hands a file to the desktop's default application; true if it took it.
    using Launcher = std::function<bool(const QString& path)>;

    EntryOpener(AppContext& context, const QString& container, QObject* parent = nullptr);
    ~EntryOpener() override;

    /// Extracts `archivePath` (a file) off the GUI thread, then launches it.
    void open(const QString& archivePath, Identities identities);
    /// Drag data whose text/uri-list names copies extracted when a drop
    /// target first asks for them; an empty list if they cannot be (damage).
    QMimeData* dragData(const QStringList& archivePaths, Identities identities);

    /// The private folder, empty before the first copy.
    QString folder() const;
    /// Asks about copies another program changed: false if the user chose to
    /// keep the window open.
    bool confirmDiscard(QWidget* parent);
    /// Removes every copy now (close, lock, quit).
    void discard();

    /// Seam for tests: replaces QDesktopServices::openUrl (null: the default).
    static void setLauncher(Launcher launcher);

signals:
    void opened(const QString& path);
    void failed(const QString& message);

private:
    /// The window's private folder, made on first use; null on failure (said by failed()).
    OpenCopies* copies();
    /// Extracts on the GUI thread, for a drop target waiting for its data.
    QList<QUrl> extractNow(const QStringList& archivePaths, const Identities& identities);
    void saveCopyAs(QWidget* parent, const QString& path);

    AppContext& m_context;
    QString m_container;
    std::optional<OpenCopies> m_copies;
};

} // namespace coffer::ui
