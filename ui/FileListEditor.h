// The files and folders to encrypt: a list with Add files…, Add folder… and
// Remove (also the Delete key, and drops onto the list).
#pragma once

#include <QStringList>
#include <QWidget>

class QListWidget;
class QPushButton;

namespace coffer::ui {

class FileListEditor : public QWidget {
    Q_OBJECT

public:
    explicit FileListEditor(QWidget* parent = nullptr);

    /// Adds paths not in the list yet.
    void addPaths(const QStringList& paths);
    QStringList paths() const;
    QListWidget* list() const { return m_list; }

signals:
    void changed();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void removeSelected();

    QListWidget* m_list;
    QPushButton* m_addFiles;
    QPushButton* m_addFolder;
    QPushButton* m_remove;
};

} // namespace coffer::ui
