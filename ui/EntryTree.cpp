#include "EntryTree.h"

#include "EntryFilter.h"

#include <QCollator>
#include <QHashFunctions>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <numeric>

namespace coffer::ui {

namespace {

/// "a//b/" as "a/b": the index's paths are checked already (FORMAT.md §5.5);
/// this only keeps the tree's own bookkeeping simple.
QString cleanPath(const std::string& path)
{
    QString p = QString::fromStdString(path);
    if (p.startsWith(QLatin1Char('/')) || p.endsWith(QLatin1Char('/')) || p.contains(QLatin1String("//")))
        p = p.split(QLatin1Char('/'), Qt::SkipEmptyParts).join(QLatin1Char('/'));
    return p;
}

/// Folders first whatever the order; then the key, then the name.
bool before(const EntryNode& a, const EntryNode& b, SortKey key, bool descending)
{
    if (a.folder != b.folder)
        return a.folder;
    auto ordered = [descending](auto x, auto y) { return descending ? y < x : x < y; };
    if (key == SortKey::Size && a.size != b.size)
        return ordered(a.size, b.size);
    if (key == SortKey::Modified && a.mtime != b.mtime)
        return ordered(a.mtime, b.mtime);
    return key == SortKey::Name ? ordered(a.nameRank, b.nameRank) : a.nameRank < b.nameRank;
}

} // namespace

QStringView EntryTree::name(NodeId id) const
{
    const EntryNode& n = node(id);
    return n.nameLength == 0 ? QStringView() : QStringView(&m_names[n.nameAt], n.nameLength);
}

QString EntryTree::path(NodeId id) const
{
    std::vector<NodeId> up;
    for (NodeId n = id; n != kRoot; n = node(n).parent)
        up.push_back(n);
    QString p;
    for (auto it = up.rbegin(); it != up.rend(); ++it) {
        if (!p.isEmpty())
            p += QLatin1Char('/');
        p += name(*it);
    }
    return p;
}

struct EntryTreeBuilder::State {
    explicit State(std::size_t most) : budget(most) {}

    std::shared_ptr<EntryTree> tree = std::make_shared<EntryTree>();
    // Folders by parent and name, to find one again: their ids in an open
    // table, compared through the tree's own names. Keyed by path instead, a
    // hostile index of deep, distinct folders made the table keep every
    // folder's whole path: 4,000 paths of 4096 bytes took 276 MiB to build,
    // 38 MiB now (ui_entry_tree_test).
    std::vector<NodeId> folderSlots = std::vector<NodeId>(1024, kNoFolder);
    std::size_t folderCount = 0;
    QString lastParent; // entries come folder by folder: the last one asked for
    NodeId lastParentId = EntryTree::kRoot;
    bool haveLast = false;
    // What the tree will take once finished (its nodes, names, child ids and
    // order rows) and this table: past the budget, nothing more is added.
    std::size_t bytes = 0;
    std::size_t budget;

    static constexpr NodeId kNoFolder = EntryTree::kRoot; // the root is nobody's child
    // A node: itself, its child id, and in an order its row and shown slot
    // and a visibility byte (EntryOrder::compute).
    static constexpr std::size_t kNodeBytes = sizeof(EntryNode) + 3 * sizeof(NodeId) + 1;
    static constexpr std::size_t kFolderBytes = sizeof(EntryTree::Span) + 3 * sizeof(std::uint32_t);

    bool overBudget() const { return bytes > budget; }

    NodeId addNode(NodeId parent, QStringView name, bool folder)
    {
        EntryTree& t = *tree;
        const auto id = static_cast<NodeId>(t.m_nodes.grow(1));
        EntryNode& n = t.m_nodes[id];
        n.parent = parent;
        n.folder = folder;
        // A name is at most 255 bytes (checkArchivePath), so far under 65,536 units.
        n.nameLength = static_cast<std::uint16_t>(std::min<qsizetype>(name.size(), UINT16_MAX));
        if (n.nameLength > 0) {
            n.nameAt = t.m_names.grow(n.nameLength);
            std::copy_n(name.utf16(), n.nameLength, &t.m_names[n.nameAt]);
        }
        bytes += kNodeBytes + n.nameLength * sizeof(char16_t);
        if (folder) {
            n.folderAt = static_cast<std::uint32_t>(t.m_spans.size());
            t.m_spans.push_back({});
            bytes += kFolderBytes;
        }
        if (id != EntryTree::kRoot)
            ++t.m_spans[t.m_nodes[parent].folderAt].count;
        return id;
    }

    std::size_t slotOf(NodeId parent, QStringView name) const
    {
        const std::size_t mask = folderSlots.size() - 1;
        // Seeded per process (QHashSeed): an index cannot aim its names at one
        // slot. The parent goes into the seed: one name in many folders (every
        // "src") spreads over the table too.
        const std::size_t seed = QHashSeed::globalSeed() ^ (std::size_t(parent) * 0x9E3779B97F4A7C15u);
        for (std::size_t i = qHash(name, seed) & mask;; i = (i + 1) & mask) {
            const NodeId id = folderSlots[i];
            if (id == kNoFolder || (tree->node(id).parent == parent && tree->name(id) == name))
                return i;
        }
    }

    NodeId childFolder(NodeId parent, QStringView name)
    {
        std::size_t slot = slotOf(parent, name);
        if (folderSlots[slot] != kNoFolder)
            return folderSlots[slot];
        const NodeId id = addNode(parent, name, true);
        if (2 * (folderCount + 1) > folderSlots.size()) { // at most half full
            std::vector<NodeId> old(folderSlots.size() * 2, kNoFolder);
            old.swap(folderSlots);
            // Every table counted as it comes: twice the last, more than the
            // old and new one held together here.
            bytes += folderSlots.size() * sizeof(NodeId);
            for (const NodeId f : old)
                if (f != kNoFolder)
                    folderSlots[slotOf(tree->node(f).parent, tree->name(f))] = f;
            slot = slotOf(parent, name);
        }
        folderSlots[slot] = id;
        ++folderCount;
        return id;
    }

    /// The folder at `path` ("" is the root), made with the folders above it
    /// when first named.
    NodeId folder(QStringView path)
    {
        NodeId at = EntryTree::kRoot;
        for (qsizetype start = 0; start < path.size();) {
            qsizetype slash = path.indexOf(QLatin1Char('/'), start);
            if (slash < 0)
                slash = path.size();
            at = childFolder(at, path.mid(start, slash - start));
            start = slash + 1;
        }
        return at;
    }

    NodeId parentOf(const QString& path, qsizetype slash)
    {
        const QStringView parent = slash < 0 ? QStringView() : QStringView(path).left(slash);
        if (!haveLast || parent != QStringView(lastParent)) {
            lastParent = parent.toString();
            lastParentId = folder(lastParent);
            haveLast = true;
        }
        return lastParentId;
    }
};

EntryTreeBuilder::EntryTreeBuilder(std::size_t budget) : m_state(std::make_unique<State>(budget))
{
    m_state->addNode(EntryTree::kRoot, QStringView(), true);
}

EntryTreeBuilder::~EntryTreeBuilder() = default;

bool EntryTreeBuilder::overBudget() const
{
    return m_state->overBudget();
}

void EntryTreeBuilder::add(const IndexEntry& e)
{
    if (m_state->overBudget())
        return;
    const QString path = cleanPath(e.info.path);
    if (e.isPack() || path.isEmpty())
        return;
    EntryTree& tree = *m_state->tree;
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    const NodeId id = e.info.kind == EntryKind::Directory
                          ? m_state->folder(path)
                          : m_state->addNode(m_state->parentOf(path, slash), QStringView(path).mid(slash + 1), false);
    EntryNode& n = tree.m_nodes[id];
    n.mtime = e.info.mtimeSeconds;
    if (e.info.kind == EntryKind::File) {
        n.size = e.info.size;
        ++tree.fileCount;
        tree.totalBytes += e.info.size;
    }
}

std::shared_ptr<const EntryTree> EntryTreeBuilder::finish()
{
    if (m_state->overBudget())
        return nullptr;
    m_state->folderSlots = {};
    EntryTree& tree = *m_state->tree;
    // Each folder's slice of the child ids, filled in id order.
    std::vector<std::uint32_t> filled(tree.m_spans.size());
    std::uint32_t first = 0;
    for (auto& span : tree.m_spans) {
        span.first = first;
        first += span.count;
    }
    tree.m_childIds.resize(first);
    for (NodeId id = 1; id < tree.nodeCount(); ++id) {
        const std::uint32_t f = tree.node(tree.node(id).parent).folderAt;
        tree.m_childIds[tree.m_spans[f].first + filled[f]++] = id;
    }
    // Each slice by name, folders first, the folders shared out between the
    // cores: comparing a million names by the user's collation is most of building.
    std::vector<std::uint32_t> folders(tree.m_spans.size());
    std::iota(folders.begin(), folders.end(), 0u);
    QtConcurrent::blockingMap(folders, [&tree](std::uint32_t f) {
        thread_local QCollator collator = []() {
            QCollator c; // the user's language; an instance is not shared between threads
            c.setCaseSensitivity(Qt::CaseInsensitive);
            return c;
        }();
        const auto begin = tree.m_childIds.begin() + tree.m_spans[f].first;
        const auto end = begin + tree.m_spans[f].count;
        std::sort(begin, end, [&](NodeId a, NodeId b) {
            const EntryNode& x = tree.node(a);
            const EntryNode& y = tree.node(b);
            if (x.folder != y.folder)
                return x.folder;
            return collator.compare(tree.name(a), tree.name(b)) < 0;
        });
        for (auto it = begin; it != end; ++it)
            tree.m_nodes[*it].nameRank = static_cast<std::uint32_t>(it - begin);
    });
    // A folder's size: its files' sum. Children come after their folder, so
    // going backwards finishes each folder before its own parent adds it.
    for (NodeId id = tree.nodeCount() - 1; id > 0; --id)
        tree.m_nodes[tree.node(id).parent].size += tree.node(id).size;
    return std::move(m_state->tree);
}

std::shared_ptr<const EntryTree> EntryTree::build(const std::vector<IndexEntry>& entries, std::size_t budget)
{
    EntryTreeBuilder builder(budget);
    for (const IndexEntry& e : entries)
        builder.add(e);
    return builder.finish();
}

EntryOrder EntryOrder::everything(const EntryTree& tree)
{
    EntryOrder order;
    order.matches = tree.entryCount();
    return order;
}

EntryOrder EntryOrder::compute(const EntryTree& tree, const EntryMatcher& matcher, SortKey key, bool descending)
{
    if (matcher.isEmpty() && key == SortKey::Name && !descending)
        return everything(tree);
    EntryOrder order;
    order.natural = false;
    const std::size_t n = tree.nodeCount();
    // Ids number the tree parents first: walking them forwards knows each
    // folder's answer before its children's, backwards each child's first.
    std::vector<char> visible(n);
    for (NodeId id = 1; id < n; ++id) { // a match, or inside a matching folder
        const bool match = matcher.matches(tree, id);
        order.matches += match ? 1 : 0;
        const NodeId parent = tree.node(id).parent;
        visible[id] = match || (parent != EntryTree::kRoot && visible[parent] == 2) ? 2 : 0;
    }
    for (NodeId id = static_cast<NodeId>(n) - 1; id > 0; --id) // the folders on the way to what shows
        if (visible[id] != 0 && visible[tree.node(id).parent] == 0)
            visible[tree.node(id).parent] = 1;
    order.shown.assign(tree.childSlots(), EntryTree::kRoot);
    order.shownCount.assign(tree.folderCount(), 0);
    order.rows.assign(n, -1);
    for (NodeId folder = 0; folder < n; ++folder) {
        const EntryNode& f = tree.node(folder);
        if (!f.folder || (folder != EntryTree::kRoot && visible[folder] == 0))
            continue;
        const auto begin = order.shown.begin() + static_cast<std::ptrdiff_t>(tree.childStart(folder));
        auto end = begin;
        for (int i = 0; i < tree.childCount(folder); ++i)
            if (const NodeId c = tree.child(folder, i); visible[c] != 0)
                *end++ = c;
        if (key != SortKey::Name || descending)
            std::stable_sort(begin, end,
                             [&](NodeId a, NodeId b) { return before(tree.node(a), tree.node(b), key, descending); });
        order.shownCount[f.folderAt] = static_cast<std::uint32_t>(end - begin);
        for (auto it = begin; it != end; ++it)
            order.rows[*it] = static_cast<std::int32_t>(it - begin);
    }
    return order;
}

} // namespace coffer::ui
