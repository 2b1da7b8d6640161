#include "ContainerModel.h"

#include "UntrustedText.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace coffer::ui {

ContainerModel::ContainerModel(QObject* parent) : QAbstractItemModel(parent), m_root(std::make_unique<Node>())
{
    m_root->folder = true;
}

ContainerModel::~ContainerModel() = default;

void ContainerModel::clear()
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_root->folder = true;
    m_fileCount = 0;
    m_totalBytes = 0;
    endResetModel();
}

ContainerModel::Node* ContainerModel::childNamed(Node* parent, const QString& name, bool folder)
{
    for (auto& child : parent->children)
        if (child->name == name)
            return child.get();
    auto node = std::make_unique<Node>();
    node->name = name;
    node->folder = folder;
    node->parent = parent;
    node->path = parent == m_root.get() ? name : parent->path + QLatin1Char('/') + name;
    parent->children.push_back(std::move(node));
    return parent->children.back().get();
}

void ContainerModel::sortAndNumber(Node* node)
{
    std::sort(node->children.begin(), node->children.end(), [](const auto& a, const auto& b) {
        if (a->folder != b->folder)
            return a->folder;
        return QString::localeAwareCompare(a->name, b->name) < 0;
    });
    for (std::size_t i = 0; i < node->children.size(); ++i) {
        node->children[i]->row = static_cast<int>(i);
        sortAndNumber(node->children[i].get());
    }
}

std::uint64_t ContainerModel::sumSizes(Node* node)
{
    if (!node->folder)
        return node->size;
    std::uint64_t sum = 0;
    for (auto& child : node->children)
        sum += sumSizes(child.get());
    node->size = sum;
    return sum;
}

void ContainerModel::setEntries(const std::vector<IndexEntry>& entries)
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_root->folder = true;
    m_fileCount = 0;
    m_totalBytes = 0;
    for (const IndexEntry& e : entries) {
        const QStringList parts = QString::fromStdString(e.info.path).split(QLatin1Char('/'), Qt::SkipEmptyParts);
        Node* node = m_root.get();
        for (qsizetype i = 0; i < parts.size(); ++i) {
            const bool last = i == parts.size() - 1;
            node = childNamed(node, parts[i], !last || e.info.kind == EntryKind::Directory);
        }
        if (node == m_root.get())
            continue;
        node->mtime = e.info.mtimeSeconds;
        if (e.info.kind == EntryKind::File) {
            node->size = e.info.size;
            ++m_fileCount;
            m_totalBytes += e.info.size;
        }
    }
    sortAndNumber(m_root.get());
    sumSizes(m_root.get());
    endResetModel();
}

ContainerModel::Node* ContainerModel::nodeFor(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QModelIndex ContainerModel::index(int row, int column, const QModelIndex& parent) const
{
    Node* p = nodeFor(parent);
    if (row < 0 || column < 0 || column >= ColumnCount || row >= static_cast<int>(p->children.size()))
        return {};
    return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex ContainerModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    Node* p = nodeFor(child)->parent;
    if (!p || p == m_root.get())
        return {};
    return createIndex(p->row, 0, p);
}

int ContainerModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    return static_cast<int>(nodeFor(parent)->children.size());
}

int ContainerModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant ContainerModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* n = nodeFor(index);
    if (role == kPathRole)
        return n->path;
    if (role == Qt::DecorationRole && index.column() == NameColumn)
        return m_icons.icon(n->folder ? QFileIconProvider::Folder : QFileIconProvider::File);
    if (role == Qt::TextAlignmentRole && index.column() == SizeColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return displayable(n->path);
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
    return index.isValid() ? nodeFor(index)->path : QString();
}

QModelIndex ContainerModel::indexOfPath(const QString& path) const
{
    QModelIndex current;
    for (const QString& part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        const Node* n = nodeFor(current);
        auto it = std::find_if(n->children.begin(), n->children.end(),
                               [&](const auto& child) { return child->name == part; });
        if (it == n->children.end())
            return {};
        current = index((*it)->row, 0, current);
    }
    return current;
}

} // namespace coffer::ui
