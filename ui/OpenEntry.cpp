#include "OpenEntry.h"

#include "AppContext.h"
#include "Background.h"
#include "ErrorText.h"
#include "FileDialogs.h"
#include "MessageBox.h"
#include "PathText.h"
#include "UntrustedText.h"

#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMimeData>
#include <QPointer>
#include <QSaveFile>

namespace coffer::ui {

namespace {

EntryOpener::Launcher& launcherSeam()
{
    static EntryOpener::Launcher launcher;
    return launcher;
}

bool launch(const QString& path)
{
    if (launcherSeam())
        return launcherSeam()(path);
    return QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

/// text/uri-list produced when a drop target first asks for it: only then
/// are the entries extracted (and authenticated), once.
class LazyUriList : public QMimeData {
public:
    explicit LazyUriList(std::function<QList<QUrl>()> produce) : m_produce(std::move(produce)) {}

    QStringList formats() const override { return {QStringLiteral("text/uri-list")}; }
    bool hasFormat(const QString& mimeType) const override { return mimeType == QLatin1String("text/uri-list"); }

protected:
    QVariant retrieveData(const QString& mimeType, QMetaType type) const override
    {
        if (mimeType != QLatin1String("text/uri-list"))
            return {};
        if (!m_urls) {
            m_urls = m_produce ? m_produce() : QList<QUrl>();
            m_produce = nullptr;
        }
        if (type.id() == QMetaType::QByteArray || type.id() == QMetaType::QString) {
            QByteArray list;
            for (const QUrl& url : *m_urls)
                list += url.toEncoded() + "\r\n";
            return list;
        }
        QVariantList urls;
        for (const QUrl& url : *m_urls)
            urls << url;
        return urls;
    }

private:
    mutable std::function<QList<QUrl>()> m_produce;
    mutable std::optional<QList<QUrl>> m_urls;
};

} // namespace

EntryOpener::EntryOpener(AppContext& context, const QString& container, QObject* parent)
    : QObject(parent), m_context(context), m_container(container)
{}

EntryOpener::~EntryOpener() = default;

void EntryOpener::setLauncher(Launcher launcher)
{
    launcherSeam() = std::move(launcher);
}

QString EntryOpener::folder() const
{
    return m_copies ? toQString(m_copies->folder()) : QString();
}

OpenCopies* EntryOpener::copies()
{
    if (m_copies)
        return &*m_copies;
    auto made = OpenCopies::create(openCopiesBase(m_context.locations()));
    if (!made.ok()) {
        emit failed(ErrorText::describe(made.error()).text());
        return nullptr;
    }
    m_copies.emplace(std::move(*made));
    return &*m_copies;
}

void EntryOpener::open(const QString& archivePath, Identities identities)
{
    OpenCopies* c = copies();
    if (!c)
        return;
    const std::filesystem::path slot = c->nextSlot();
    const std::filesystem::path container = toPath(m_container);
    const std::string entry = archivePath.toStdString();
    runInBackground(
        this,
        [container, identities, entry, slot]() -> Result<CopySnapshot> {
            JobControl job;
            COFFER_TRY(extractCopy(container, *identities, {entry}, slot, job));
            return snapshotOf(slot / entry);
        },
        [this](Result<CopySnapshot> copy) {
            if (!copy.ok() || !m_copies) {
                emit failed(copy.ok() ? QString() : ErrorText::describe(copy.error()).text());
                return;
            }
            const QString path = toQString(copy->path);
            m_copies->remember(std::move(*copy));
            if (!launch(path))
                emit failed(
                    tr("No application on this computer opens %1.").arg(displayable(QFileInfo(path).fileName())));
            else
                emit opened(path);
        });
}

QList<QUrl> EntryOpener::extractNow(const QStringList& archivePaths, const Identities& identities)
{
    OpenCopies* c = copies();
    if (!c)
        return {};
    const std::filesystem::path slot = c->nextSlot();
    std::vector<std::string> only;
    for (const QString& p : archivePaths)
        only.push_back(p.toStdString());
    JobControl job;
    auto done = extractCopy(toPath(m_container), *identities, only, slot, job);
    if (!done.ok()) {
        emit failed(ErrorText::describe(done.error()).text());
        return {}; // nothing unauthenticated is named to the drop target
    }
    QList<QUrl> urls;
    for (const std::string& p : only)
        urls << QUrl::fromLocalFile(toQString(slot / p));
    return urls;
}

QMimeData* EntryOpener::dragData(const QStringList& archivePaths, Identities identities)
{
    QPointer<EntryOpener> self(this);
    return new LazyUriList([self, archivePaths, identities]() {
        return self ? self->extractNow(archivePaths, identities) : QList<QUrl>();
    });
}

bool EntryOpener::confirmDiscard(QWidget* parent)
{
    if (!m_copies)
        return true;
    for (const std::filesystem::path& changed : m_copies->changedCopies()) {
        const QString path = toQString(changed);
        const QString name = displayable(QFileInfo(path).fileName());
        const auto answer = MessageBox::question(
            parent, tr("Save your changes to %1?").arg(name),
            tr("%1 was changed in another application. Changes are not saved into the container, and the copy "
               "is removed when this window closes. Save a copy somewhere else?")
                .arg(name),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Cancel)
            return false;
        if (answer == QMessageBox::Save)
            saveCopyAs(parent, path);
    }
    return true;
}

void EntryOpener::saveCopyAs(QWidget* parent, const QString& path)
{
    const QString target =
        FileDialogs::getSaveFileName(parent, tr("Save a copy as…"), QDir::home().filePath(QFileInfo(path).fileName()));
    if (target.isEmpty())
        return;
    QFile source(path);
    QSaveFile out(target); // the chosen name appears only once the copy is whole
    if (source.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly)) {
        while (!source.atEnd() && out.error() == QFileDevice::NoError)
            out.write(source.read(1 << 20));
        if (source.error() == QFileDevice::NoError && out.commit())
            return;
    }
    out.cancelWriting();
    MessageBox::warning(parent, tr("Not saved"),
                        tr("The copy could not be saved as %1. Choose another folder.")
                            .arg(displayable(QDir::toNativeSeparators(target))));
}

void EntryOpener::discard()
{
    m_copies.reset(); // removes the folder
}

} // namespace coffer::ui
