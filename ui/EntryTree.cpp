#include "EntryTree.h"

#include "EntryFilter.h"

#include <QCollator>
#include <QHash>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>

namespace coffer::ui {

namespace {

EntryNode* addNode(EntryNode* parent, const QString& path, qsizetype slash, bool folder)
{
    auto node = std::make_unique<EntryNode>();
    node->name = slash < 0 ? path : path.mid(slash + 1);
    node->folder = folder;
    node->parent = parent;
    parent->children.push_back(std::move(node));
    return parent->children.back().get();
}

/// Folders by path, made (with the folders above them) when first named.
/// Only folders are looked up: the index names each path once (FORMAT.md
/// §5.5), so a file is simply added to its folder.
class FolderMap {
public:
    explicit FolderMap(EntryTree& tree) : m_tree(tree) {}

    EntryNode* folder(const QString& path)
    {
        if (path.isEmpty())
            return &m_tree.root;
        if (EntryNode* found = m_byPath.value(path))
            return found;
        const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
        EntryNode* node = addNode(folder(slash < 0 ? QString() : path.left(slash)), path, slash, true);
        m_byPath.insert(path, node);
        return node;
    }
    /// The folder that holds `path`: usually the one before (entries come folder by folder).
    EntryNode* parentOf(const QString& path, qsizetype slash)
    {
        const QStringView parent = slash < 0 ? QStringView() : QStringView(path).left(slash);
        if (!m_last || parent != QStringView(m_lastPath)) {
            m_lastPath = parent.toString();
            m_last = folder(m_lastPath);
        }
        return m_last;
    }
    qsizetype size() const { return m_byPath.size(); }

private:
    EntryTree& m_tree;
    QHash<QString, EntryNode*> m_byPath;
    QString m_lastPath;
    EntryNode* m_last = nullptr;
};

/// "a//b/" as "a/b": the index's paths are checked already (FORMAT.md §5.5);
/// this only keeps the tree's own bookkeeping simple.
QString cleanPath(const std::string& path)
{
    QString p = QString::fromStdString(path);
    if (p.startsWith(QLatin1Char('/')) || p.endsWith(QLatin1Char('/')) || p.contains(QLatin1String("//")))
        p = p.split(QLatin1Char('/'), Qt::SkipEmptyParts).join(QLatin1Char('/'));
    return p;
}

/// One folder's children by name, folders first (not the folders below it).
void sortChildren(EntryNode& node)
{
    thread_local QCollator collator = []() {
        QCollator c; // the user's language; an instance is not shared between threads
        c.setCaseSensitivity(Qt::CaseInsensitive);
        return c;
    }();
    std::sort(node.children.begin(), node.children.end(), [](const auto& a, const auto& b) {
        if (a->folder != b->folder)
            return a->folder;
        return collator.compare(a->name, b->name) < 0;
    });
    for (std::size_t i = 0; i < node.children.size(); ++i)
        node.children[i]->nameRank = static_cast<int>(i);
}

void collectFolders(EntryNode& node, std::vector<EntryNode*>& out)
{
    out.push_back(&node);
    for (auto& child : node.children)
        if (child->folder)
            collectFolders(*child, out);
}

/// Every folder's children sorted, the folders shared out between the cores:
/// comparing 200,000 names by the user's collation is most of building a tree.
void sortByName(EntryNode& root)
{
    std::vector<EntryNode*> folders;
    collectFolders(root, folders);
    QtConcurrent::blockingMap(folders, [](EntryNode* folder) { sortChildren(*folder); });
}

std::uint64_t sumSizes(EntryNode& node)
{
    if (!node.folder)
        return node.size;
    std::uint64_t sum = 0;
    for (auto& child : node.children)
        sum += sumSizes(*child);
    node.size = sum;
    return sum;
}

void number(EntryTree& tree, EntryNode& node)
{
    for (auto& child : node.children) {
        child->id = static_cast<int>(tree.nodes.size());
        tree.nodes.push_back(child.get());
        number(tree, *child);
    }
}

/// Folders first whatever the order; then the key, then the name.
bool before(const EntryNode* a, const EntryNode* b, SortKey key, bool descending)
{
    if (a->folder != b->folder)
        return a->folder;
    auto ordered = [descending](auto x, auto y) { return descending ? y < x : x < y; };
    if (key == SortKey::Size && a->size != b->size)
        return ordered(a->size, b->size);
    if (key == SortKey::Modified && a->mtime != b->mtime)
        return ordered(a->mtime, b->mtime);
    return key == SortKey::Name ? ordered(a->nameRank, b->nameRank) : a->nameRank < b->nameRank;
}

} // namespace

QString EntryNode::path() const
{
    std::vector<const EntryNode*> up;
    for (const EntryNode* n = this; n && n->parent; n = n->parent)
        up.push_back(n);
    QString p;
    for (auto it = up.rbegin(); it != up.rend(); ++it) {
        if (!p.isEmpty())
            p += QLatin1Char('/');
        p += (*it)->name;
    }
    return p;
}

struct EntryTreeBuilder::State {
    std::shared_ptr<EntryTree> tree = std::make_shared<EntryTree>();
    FolderMap folders{*tree};
    std::size_t added = 0;
};

EntryTreeBuilder::EntryTreeBuilder() : m_state(std::make_unique<State>())
{
    m_state->tree->root.folder = true;
}

EntryTreeBuilder::~EntryTreeBuilder() = default;

void EntryTreeBuilder::add(const IndexEntry& e)
{
    const QString path = cleanPath(e.info.path);
    if (e.isPack() || path.isEmpty())
        return;
    EntryTree& tree = *m_state->tree;
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    EntryNode* node = e.info.kind == EntryKind::Directory
                          ? m_state->folders.folder(path)
                          : addNode(m_state->folders.parentOf(path, slash), path, slash, false);
    node->mtime = e.info.mtimeSeconds;
    if (e.info.kind == EntryKind::File) {
        node->size = e.info.size;
        ++tree.fileCount;
        tree.totalBytes += e.info.size;
    }
    ++m_state->added;
}

std::shared_ptr<const EntryTree> EntryTreeBuilder::finish()
{
    EntryTree& tree = *m_state->tree;
    sortByName(tree.root);
    sumSizes(tree.root);
    tree.nodes.reserve(m_state->added);
    number(tree, tree.root);
    return std::move(m_state->tree);
}

std::shared_ptr<const EntryTree> EntryTree::build(const std::vector<IndexEntry>& entries)
{
    EntryTreeBuilder builder;
    for (const IndexEntry& e : entries)
        builder.add(e);
    return builder.finish();
}

EntryOrder EntryOrder::everything(const EntryTree& tree)
{
    return compute(tree, EntryMatcher(QString()), SortKey::Name, false);
}

EntryOrder EntryOrder::compute(const EntryTree& tree, const EntryMatcher& matcher, SortKey key, bool descending)
{
    EntryOrder order;
    order.shown.resize(tree.nodes.size());
    order.rows.assign(tree.nodes.size(), -1);
    // Ids number the tree parents first: walking them forwards knows each
    // folder's answer before its children's, backwards each child's first.
    std::vector<char> covered(tree.nodes.size()), visible(tree.nodes.size());
    for (const EntryNode* n : tree.nodes) { // a match, or inside a matching folder
        const bool match = matcher.matches(*n);
        order.matches += match ? 1 : 0;
        covered[static_cast<std::size_t>(n->id)] =
            match || (n->parent != &tree.root && covered[static_cast<std::size_t>(n->parent->id)]);
    }
    for (auto it = tree.nodes.rbegin(); it != tree.nodes.rend(); ++it) {
        bool show = covered[static_cast<std::size_t>((*it)->id)] != 0;
        for (const auto& child : (*it)->children)
            show = show || visible[static_cast<std::size_t>(child->id)] != 0;
        visible[static_cast<std::size_t>((*it)->id)] = show;
    }
    auto fill = [&](const EntryNode& folder, std::vector<const EntryNode*>& out) {
        for (const auto& child : folder.children)
            if (visible[static_cast<std::size_t>(child->id)])
                out.push_back(child.get());
        if (key != SortKey::Name || descending)
            std::stable_sort(out.begin(), out.end(),
                             [&](const EntryNode* a, const EntryNode* b) { return before(a, b, key, descending); });
        for (std::size_t i = 0; i < out.size(); ++i)
            order.rows[static_cast<std::size_t>(out[i]->id)] = static_cast<int>(i);
    };
    fill(tree.root, order.rootShown);
    for (const EntryNode* n : tree.nodes)
        if (n->folder && visible[static_cast<std::size_t>(n->id)])
            fill(*n, order.shown[static_cast<std::size_t>(n->id)]);
    return order;
}

} // namespace coffer::ui
