#include "FileDialogs.h"

#include <QFileDialog>
#include <QList>

#include <optional>

namespace coffer::ui {

namespace {

struct SeamState {
    QList<QStringList> queue;
    bool testMode = false;
};

SeamState& seam()
{
    static SeamState state;
    return state;
}

/// The queued answer, if a test set one (or an empty one in test mode).
std::optional<QStringList> takeQueued()
{
    if (!seam().queue.isEmpty())
        return seam().queue.takeFirst();
    if (seam().testMode)
        return QStringList();
    return std::nullopt;
}

QString firstOf(const QStringList& list)
{
    return list.isEmpty() ? QString() : list.first();
}

} // namespace

void FileDialogs::setNextResult(const QString& path)
{
    seam().queue.append(path.isEmpty() ? QStringList() : QStringList{path});
}

void FileDialogs::setNextResults(const QStringList& paths)
{
    seam().queue.append(paths);
}

void FileDialogs::setTestMode(bool on)
{
    seam().testMode = on;
}

int FileDialogs::pendingResults()
{
    return static_cast<int>(seam().queue.size());
}

QStringList FileDialogs::getOpenFileNames(QWidget* parent, const QString& caption, const QString& dir,
                                          const QString& filter)
{
    if (auto queued = takeQueued())
        return *queued;
    return QFileDialog::getOpenFileNames(parent, caption, dir, filter);
}

QString FileDialogs::getOpenFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter)
{
    if (auto queued = takeQueued())
        return firstOf(*queued);
    return QFileDialog::getOpenFileName(parent, caption, dir, filter);
}

QString FileDialogs::getSaveFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter)
{
    if (auto queued = takeQueued())
        return firstOf(*queued);
    return QFileDialog::getSaveFileName(parent, caption, dir, filter);
}

QString FileDialogs::getExistingDirectory(QWidget* parent, const QString& caption, const QString& dir)
{
    if (auto queued = takeQueued())
        return firstOf(*queued);
    return QFileDialog::getExistingDirectory(parent, caption, dir);
}

} // namespace coffer::ui
