// File choosers behind a seam: tests queue the next answers, so nothing
// modal is shown and no test blocks on a native dialog.
#pragma once

#include <QStringList>
#include <QWidget>

namespace coffer::ui {

class FileDialogs {
public:
    static QStringList getOpenFileNames(QWidget* parent, const QString& caption, const QString& dir = {},
                                        const QString& filter = {});
    static QString getOpenFileName(QWidget* parent, const QString& caption, const QString& dir = {},
                                   const QString& filter = {});
    static QString getSaveFileName(QWidget* parent, const QString& caption, const QString& dir = {},
                                   const QString& filter = {});
    static QString getExistingDirectory(QWidget* parent, const QString& caption, const QString& dir = {});

    // Seams for tests: each call takes the oldest queued answer (an empty
    // list means the user cancelled).
    static void setNextResult(const QString& path);
    static void setNextResults(const QStringList& paths);
    /// In test mode an unanswered call returns "cancelled" instead of showing a dialog.
    static void setTestMode(bool on);
    static int pendingResults();
};

} // namespace coffer::ui
