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

void ContainerModel::setEntries(const std::vector<IndexEntry>& entries)
{
    auto tree = EntryTree::build(entries);
    EntryOrder order = EntryOrder::everything(*tree);
    setTree(std::move(tree), std::move(order));
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
        const EntryNode* n = nodeFor(old);
        const int row = order.rows[static_cast<std::size_t>(n->id)];
        after << (row < 0 ? QModelIndex() : createIndex(row, old.column(), const_cast<EntryNode*>(n)));
    }
    m_order = std::move(order);
    changePersistentIndexList(before, after);
    emit layoutChanged();
    emit orderChanged();
}

bool ContainerModel::isFolder(const QModelIndex& index) const
{
    return index.isValid() && nodeFor(index)->folder;
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

const EntryNode* ContainerModel::nodeFor(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<const EntryNode*>(index.internalPointer()) : &m_tree->root;
}

QModelIndex ContainerModel::index(int row, int column, const QModelIndex& parent) const
{
    const EntryNode* p = nodeFor(parent);
    if (!p->folder)
        return {};
    const auto& shown = m_order.childrenOf(p, *m_tree);
    if (row < 0 || column < 0 || column >= ColumnCount || row >= static_cast<int>(shown.size()))
        return {};
    return createIndex(row, column, const_cast<EntryNode*>(shown[static_cast<std::size_t>(row)]));
}

QModelIndex ContainerModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const EntryNode* p = nodeFor(child)->parent;
    if (!p || p == &m_tree->root)
        return {};
    return createIndex(m_order.rows[static_cast<std::size_t>(p->id)], 0, const_cast<EntryNode*>(p));
}

int ContainerModel::rowCount(const QModelIndex& parent) const
{
    const EntryNode* p = nodeFor(parent);
    if (parent.column() > 0 || !p->folder)
        return 0;
    return static_cast<int>(m_order.childrenOf(p, *m_tree).size());
}

int ContainerModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant ContainerModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const EntryNode* n = nodeFor(index);
    if (role == kPathRole)
        return n->path();
    if (role == Qt::DecorationRole && index.column() == NameColumn)
        return m_icons.icon(n->folder ? QFileIconProvider::Folder : QFileIconProvider::File);
    if (role == Qt::TextAlignmentRole && index.column() == SizeColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return displayable(n->path());
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return displayable(n->name); // the container's text, not ours
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
    return index.isValid() ? nodeFor(index)->path() : QString();
}

QModelIndex ContainerModel::indexOfPath(const QString& path) const
{
    QModelIndex current;
    for (const QString& part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        const auto& shown = m_order.childrenOf(nodeFor(current), *m_tree);
        auto it = std::find_if(shown.begin(), shown.end(), [&](const EntryNode* child) { return child->name == part; });
        if (it == shown.end())
            return {};
        current = index(static_cast<int>(it - shown.begin()), 0, current);
    }
    return current;
}

} // namespace coffer::ui
