#include "ContainerModel.h"

#include "Background.h"
#include "EntryFilter.h"
#include "UntrustedText.h"

#include <QDateTime>
#include <QLocale>
#include <QMimeData>

#include <algorithm>

namespace coffer::ui {

ContainerModel::ContainerModel(QObject* parent)
    : QAbstractItemModel(parent), m_tree(EntryTree::build({})), m_order(EntryOrder::everything(*m_tree))
{}

ContainerModel::~ContainerModel() = default;

void ContainerModel::clear()
{
    setEntries({});
}

bool ContainerModel::setEntries(const std::vector<IndexEntry>& entries, std::size_t budget)
{
    auto tree = EntryTree::build(entries, budget);
    const bool built = tree != nullptr;
    if (!built)
        tree = EntryTree::build({});
    EntryOrder order = EntryOrder::everything(*tree);
    setTree(std::move(tree), std::move(order));
    return built;
}

void ContainerModel::setTree(std::shared_ptr<const EntryTree> tree, EntryOrder order)
{
    beginResetModel();
    ++m_generation;
    m_tree = std::move(tree);
    m_order = std::move(order);
    endResetModel();
    if (!m_filter.isEmpty() || m_sortKey != SortKey::Name || m_descending)
        reorder(); // a listing again (a passphrase given) keeps the filter and the sort
}

void ContainerModel::setFilter(const QString& text)
{
    m_filter = text;
    reorder();
}

void ContainerModel::sort(int column, Qt::SortOrder order)
{
    const SortKey key = column == SizeColumn       ? SortKey::Size
                        : column == ModifiedColumn ? SortKey::Modified
                                                   : SortKey::Name;
    if (key == m_sortKey && (order == Qt::DescendingOrder) == m_descending)
        return;
    m_sortKey = key;
    m_descending = order == Qt::DescendingOrder;
    reorder();
}

void ContainerModel::reorder()
{
    const quint64 generation = ++m_generation;
    // The tree is never changed once built: the worker reads it while the view does.
    runInBackground(
        this,
        [tree = m_tree, text = m_filter, key = m_sortKey, descending = m_descending]() {
            return EntryOrder::compute(*tree, EntryMatcher(text), key, descending);
        },
        [this, generation](EntryOrder order) {
            if (generation == m_generation)
                applyOrder(std::move(order));
        });
}

void ContainerModel::applyOrder(EntryOrder order)
{
    emit layoutAboutToBeChanged();
    const QModelIndexList before = persistentIndexList();
    QModelIndexList after;
    after.reserve(before.size());
    for (const QModelIndex& old : before) {
        const NodeId n = nodeFor(old);
        const int row = order.row(*m_tree, n);
        after << (row < 0 ? QModelIndex() : createIndex(row, old.column(), quintptr(n)));
    }
    m_order = std::move(order);
    changePersistentIndexList(before, after);
    emit layoutChanged();
    emit orderChanged();
}

bool ContainerModel::isFolder(const QModelIndex& index) const
{
    return index.isValid() && m_tree->node(nodeFor(index)).folder;
}

Qt::ItemFlags ContainerModel::flags(const QModelIndex& index) const
{
    return QAbstractItemModel::flags(index) | (index.isValid() ? Qt::ItemIsDragEnabled : Qt::NoItemFlags);
}

QStringList ContainerModel::mimeTypes() const
{
    return {QStringLiteral("text/uri-list")};
}

QMimeData* ContainerModel::mimeData(const QModelIndexList& indexes) const
{
    QStringList paths;
    for (const QModelIndex& index : indexes)
        if (index.column() == NameColumn)
            paths << archivePath(index);
    return m_dragSource && !paths.isEmpty() ? m_dragSource(paths) : nullptr;
}

NodeId ContainerModel::nodeFor(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<NodeId>(index.internalId()) : EntryTree::kRoot;
}

QModelIndex ContainerModel::index(int row, int column, const QModelIndex& parent) const
{
    const NodeId p = nodeFor(parent);
    if (!m_tree->node(p).folder)
        return {};
    if (row < 0 || column < 0 || column >= ColumnCount || row >= m_order.rowCount(*m_tree, p))
        return {};
    return createIndex(row, column, quintptr(m_order.child(*m_tree, p, row)));
}

QModelIndex ContainerModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const NodeId p = m_tree->node(nodeFor(child)).parent;
    if (p == EntryTree::kRoot)
        return {};
    return createIndex(m_order.row(*m_tree, p), 0, quintptr(p));
}

int ContainerModel::rowCount(const QModelIndex& parent) const
{
    const NodeId p = nodeFor(parent);
    if (parent.column() > 0 || !m_tree->node(p).folder)
        return 0;
    return m_order.rowCount(*m_tree, p);
}

int ContainerModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant ContainerModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const NodeId id = nodeFor(index);
    const EntryNode* n = &m_tree->node(id);
    if (role == kPathRole)
        return m_tree->path(id);
    if (role == Qt::DecorationRole && index.column() == NameColumn)
        return m_icons.icon(n->folder ? QFileIconProvider::Folder : QFileIconProvider::File);
    if (role == Qt::TextAlignmentRole && index.column() == SizeColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return displayable(m_tree->path(id));
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return displayable(m_tree->name(id).toString()); // the container's text, not ours
    case SizeColumn:
        return QLocale().formattedDataSize(static_cast<qint64>(n->size), 1, QLocale::DataSizeIecFormat);
    case ModifiedColumn:
        if (n->mtime == 0)
            return QString();
        return QLocale().toString(QDateTime::fromSecsSinceEpoch(n->mtime), QLocale::ShortFormat);
    default:
        return {};
    }
}

QVariant ContainerModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case SizeColumn:
        return tr("Size");
    case ModifiedColumn:
        return tr("Modified");
    default:
        return {};
    }
}

QString ContainerModel::archivePath(const QModelIndex& index) const
{
    return index.isValid() ? m_tree->path(nodeFor(index)) : QString();
}

QModelIndex ContainerModel::indexOfPath(const QString& path) const
{
    QModelIndex current;
    for (const QString& part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        const NodeId folder = nodeFor(current);
        if (!m_tree->node(folder).folder)
            return {};
        const int rows = m_order.rowCount(*m_tree, folder);
        int row = 0;
        while (row < rows && m_tree->name(m_order.child(*m_tree, folder, row)) != part)
            ++row;
        if (row == rows)
            return {};
        current = index(row, 0, current);
    }
    return current;
}

} // namespace coffer::ui
