#include "FileListEditor.h"

#include "FileDialogs.h"

#include <QDir>
#include <QDropEvent>
#include <QFileIconProvider>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QVBoxLayout>

namespace coffer::ui {

FileListEditor::FileListEditor(QWidget* parent)
    : QWidget(parent), m_list(new QListWidget(this)), m_addFiles(new QPushButton(tr("Add &files…"), this)),
      m_addFolder(new QPushButton(tr("Add f&older…"), this)), m_remove(new QPushButton(tr("&Remove"), this))
{
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setAccessibleName(tr("Files to encrypt"));
    m_list->setAcceptDrops(true);
    m_list->viewport()->setAcceptDrops(true);
    m_list->installEventFilter(this);
    m_list->viewport()->installEventFilter(this);
    m_remove->setAccessibleName(tr("Remove the selected files from the list"));

    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_addFiles);
    buttons->addWidget(m_addFolder);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);

    connect(m_addFiles, &QPushButton::clicked, this,
            [this]() { addPaths(FileDialogs::getOpenFileNames(this, tr("Add files to encrypt"))); });
    connect(m_addFolder, &QPushButton::clicked, this, [this]() {
        const QString dir = FileDialogs::getExistingDirectory(this, tr("Add a folder to encrypt"));
        if (!dir.isEmpty())
            addPaths({dir});
    });
    connect(m_remove, &QPushButton::clicked, this, &FileListEditor::removeSelected);
    connect(m_list, &QListWidget::itemSelectionChanged, this,
            [this]() { m_remove->setEnabled(!m_list->selectedItems().isEmpty()); });
    m_remove->setEnabled(false);
}

void FileListEditor::addPaths(const QStringList& paths)
{
    const QStringList existing = this->paths();
    QFileIconProvider icons;
    bool added = false;
    for (const QString& raw : paths) {
        if (raw.isEmpty())
            continue;
        const QString path = QDir::cleanPath(QFileInfo(raw).absoluteFilePath());
        if (existing.contains(path))
            continue;
        const QFileInfo info(path);
        auto* item = new QListWidgetItem(icons.icon(info), QDir::toNativeSeparators(path), m_list);
        item->setData(Qt::UserRole, path);
        item->setToolTip(info.isDir() ? tr("Folder, with everything in it") : QString());
        added = true;
    }
    if (added)
        emit changed();
}

QStringList FileListEditor::paths() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        out << m_list->item(i)->data(Qt::UserRole).toString();
    return out;
}

void FileListEditor::removeSelected()
{
    const auto selected = m_list->selectedItems();
    if (selected.isEmpty())
        return;
    for (QListWidgetItem* item : selected)
        delete item;
    emit changed();
}

bool FileListEditor::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_list && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Delete || key->key() == Qt::Key_Backspace) {
            removeSelected();
            return true;
        }
    }
    if (watched == m_list->viewport() && (event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove)) {
        auto* drag = static_cast<QDropEvent*>(event);
        if (drag->mimeData()->hasUrls()) {
            drag->acceptProposedAction();
            return true;
        }
    }
    if (watched == m_list->viewport() && event->type() == QEvent::Drop) {
        auto* drop = static_cast<QDropEvent*>(event);
        QStringList dropped;
        for (const QUrl& url : drop->mimeData()->urls())
            if (url.isLocalFile())
                dropped << url.toLocalFile();
        addPaths(dropped);
        drop->acceptProposedAction();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace coffer::ui
