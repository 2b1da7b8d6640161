// A container's contents as a tree (name, size, modified), built from the
// index's '/'-separated paths (EntryTree). Folders are listed before files.
// A filter and a sort are worked out off the GUI thread and then swapped in
// at once, keeping the selection and the open folders that stay shown.
#pragma once

#include "ArchiveFormat.h"
#include "EntryTree.h"

#include <QAbstractItemModel>
#include <QFileIconProvider>

#include <functional>
#include <memory>
#include <vector>

namespace coffer::ui {

class ContainerModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum Column { NameColumn, SizeColumn, ModifiedColumn, ColumnCount };
    static constexpr int kPathRole = Qt::UserRole + 1; // the full archive path

    explicit ContainerModel(QObject* parent = nullptr);
    ~ContainerModel() override;

    /// False, and the model emptied, if their tree would pass `budget` (EntryTree::build).
    bool setEntries(const std::vector<IndexEntry>& entries, std::size_t budget = EntryTree::kBudget);
    /// A tree built on a worker (EntryTree::build), shown unfiltered by name.
    void setTree(std::shared_ptr<const EntryTree> tree, EntryOrder order);
    void clear();
    /// Shows only what `text` matches (EntryFilter.h); orderChanged() once shown.
    void setFilter(const QString& text);
    QString filter() const { return m_filter; }
    /// Entries whose own name matches the filter, and all entries.
    int matchCount() const { return m_order.matches; }
    int entryCount() const { return m_tree->entryCount(); }
    bool isFolder(const QModelIndex& index) const;
    /// Drag data for these archive paths (set by the window).
    void setDragSource(std::function<QMimeData*(const QStringList& paths)> source) { m_dragSource = std::move(source); }
    /// The archive path of an index ("sub/b.txt").
    QString archivePath(const QModelIndex& index) const;
    /// The index of an archive path, or invalid.
    QModelIndex indexOfPath(const QString& path) const;
    int fileCount() const { return m_tree->fileCount; }
    std::uint64_t totalBytes() const { return m_tree->totalBytes; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    /// Sorts off the GUI thread; orderChanged() once shown.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    Qt::DropActions supportedDragActions() const override { return Qt::CopyAction; }

signals:
    /// A filter or a sort is now shown.
    void orderChanged();

private:
    NodeId nodeFor(const QModelIndex& index) const;
    /// Works out the order for the current filter and sort on a worker.
    void reorder();
    void applyOrder(EntryOrder order);

    std::shared_ptr<const EntryTree> m_tree;
    EntryOrder m_order;
    QString m_filter;
    SortKey m_sortKey = SortKey::Name;
    bool m_descending = false;
    quint64 m_generation = 0; // a newer filter or sort drops older results
    QFileIconProvider m_icons;
    std::function<QMimeData*(const QStringList&)> m_dragSource;
};

} // namespace coffer::ui
