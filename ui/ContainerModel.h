// A container's contents as a tree (name, size, modified), built from the
// index's '/'-separated paths. Folders are listed before files.
#pragma once

#include "ArchiveFormat.h"

#include <QAbstractItemModel>
#include <QFileIconProvider>

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

    void setEntries(const std::vector<IndexEntry>& entries);
    void clear();
    /// The archive path of an index ("sub/b.txt").
    QString archivePath(const QModelIndex& index) const;
    /// The index of an archive path, or invalid.
    QModelIndex indexOfPath(const QString& path) const;
    int fileCount() const { return m_fileCount; }
    std::uint64_t totalBytes() const { return m_totalBytes; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Node {
        QString name;
        QString path;
        Node* parent = nullptr;
        int row = 0;
        bool folder = false;
        std::uint64_t size = 0; // a folder: the sum of its files
        std::int64_t mtime = 0;
        std::vector<std::unique_ptr<Node>> children;
    };
    Node* nodeFor(const QModelIndex& index) const;
    Node* childNamed(Node* parent, const QString& name, bool folder);
    static void sortAndNumber(Node* node);
    static std::uint64_t sumSizes(Node* node);

    std::unique_ptr<Node> m_root;
    QFileIconProvider m_icons;
    int m_fileCount = 0;
    std::uint64_t m_totalBytes = 0;
};

} // namespace coffer::ui
