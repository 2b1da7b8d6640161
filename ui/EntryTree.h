// The container window's tree, apart from its Qt model so that the heavy
// work runs off the GUI thread: building it from the index, and working out
// which entries a filter shows and in what order (a container may hold a
// million entries). A built tree is never changed again, so a worker may read
// it while the GUI thread shows it; only the order (an EntryOrder) is swapped.
//
// Flat, for memory: a node is 40 bytes in blocks that never move, its name
// UTF-16 in a shared store, its children a slice of one id array. A million
// entries take about 55 MB (docs/WRITER.md §4 "Readers").
#pragma once

#include "ArchiveFormat.h"

#include <QString>
#include <QStringView>

#include <cstdint>
#include <memory>
#include <vector>

namespace coffer::ui {

class EntryMatcher;

/// A node's number: 0 is the root; a folder's number is below its children's.
using NodeId = std::uint32_t;

struct EntryNode {
    std::uint64_t size = 0; // a folder: the sum of its files
    std::int64_t mtime = 0;
    std::uint64_t nameAt = 0;     // where its name starts in the tree's name store
    NodeId parent = 0;            // the root's own: 0
    std::uint32_t nameRank = 0;   // its place among its siblings by name, folders first
    std::uint32_t folderAt = 0;   // a folder: its number among the folders (the root's: 0)
    std::uint16_t nameLength = 0; // UTF-16 units
    bool folder = false;
};

/// Elements in blocks that never move: growing never copies what is there
/// (a vector doubling 40 MB of nodes would briefly need 120).
template <typename T, std::size_t BlockBits = 16> class BlockStore {
public:
    static constexpr std::size_t kBlock = std::size_t(1) << BlockBits;
    std::size_t size() const { return m_size; }
    T& operator[](std::size_t i) { return m_blocks[i >> BlockBits][i & (kBlock - 1)]; }
    const T& operator[](std::size_t i) const { return m_blocks[i >> BlockBits][i & (kBlock - 1)]; }
    /// Room for `n` more, contiguous (within one block): where they start.
    std::size_t grow(std::size_t n)
    {
        if (m_size + n > (m_blocks.size() << BlockBits)) {
            m_size = m_blocks.size() << BlockBits; // a run never straddles two blocks
            m_blocks.push_back(std::make_unique<T[]>(kBlock));
        }
        const std::size_t at = m_size;
        m_size += n;
        return at;
    }

private:
    std::vector<std::unique_ptr<T[]>> m_blocks;
    std::size_t m_size = 0;
};

class EntryTree {
public:
    static constexpr NodeId kRoot = 0;

    /// Memory a tree may take (nodes, names, the builder's folder table): a
    /// million entries with names of 100 characters fit. A hostile index of
    /// two million names (with the folders its paths imply) of 255 bytes
    /// would take a gigabyte; it is refused instead.
    static constexpr std::size_t kBudget = std::size_t(256) << 20;

    /// Builds the tree from the index's '/'-separated paths (a worker may call
    /// it); null if it would take more than `budget` bytes.
    static std::shared_ptr<const EntryTree> build(const std::vector<IndexEntry>& entries, std::size_t budget = kBudget);

    const EntryNode& node(NodeId id) const { return m_nodes[id]; }
    /// Every node with the root: ids run from 0 to nodeCount() - 1.
    NodeId nodeCount() const { return static_cast<NodeId>(m_nodes.size()); }
    /// Files and folders, without the root.
    int entryCount() const { return static_cast<int>(m_nodes.size()) - 1; }
    QStringView name(NodeId id) const;
    /// Its archive path ("sub/b.txt"), made from the names on the way up: a
    /// node keeps no path of its own (a million would keep ~100 MB).
    QString path(NodeId id) const;
    /// A folder's children by name, folders first.
    int childCount(NodeId folder) const { return static_cast<int>(m_spans[node(folder).folderAt].count); }
    NodeId child(NodeId folder, int row) const
    {
        return m_childIds[m_spans[node(folder).folderAt].first + static_cast<std::size_t>(row)];
    }
    /// Where a folder's children sit in one id array (EntryOrder keeps its own beside it).
    std::size_t childStart(NodeId folder) const { return m_spans[node(folder).folderAt].first; }
    std::size_t folderCount() const { return m_spans.size(); }
    std::size_t childSlots() const { return m_childIds.size(); }

    int fileCount = 0;
    std::uint64_t totalBytes = 0;

private:
    friend class EntryTreeBuilder;
    struct Span {
        std::uint32_t first = 0;
        std::uint32_t count = 0;
    };
    BlockStore<EntryNode> m_nodes;
    BlockStore<char16_t, 20> m_names;
    std::vector<NodeId> m_childIds; // each folder's children, one slice per folder
    std::vector<Span> m_spans;      // by folderAt
};

/// Builds a tree one entry at a time (as listContainerEntries gives them, a
/// segment at a time: the index is never held whole). A worker may use it.
class EntryTreeBuilder {
public:
    explicit EntryTreeBuilder(std::size_t budget = EntryTree::kBudget);
    ~EntryTreeBuilder();
    EntryTreeBuilder(const EntryTreeBuilder&) = delete;
    EntryTreeBuilder& operator=(const EntryTreeBuilder&) = delete;

    /// Once the tree would pass its budget, entries are dropped.
    void add(const IndexEntry& entry);
    bool overBudget() const;
    /// The tree, sorted by name (null if it passed its budget); the builder is spent.
    std::shared_ptr<const EntryTree> finish();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

enum class SortKey { Name, Size, Modified };

/// What a filter and a sort make of a tree: the children each folder shows,
/// in order. The tree's own order (everything, by name) keeps nothing.
struct EntryOrder {
    bool natural = true;                   // everything shown, by name: the tree's order
    std::vector<NodeId> shown;             // beside the tree's child ids: each folder's shown children first
    std::vector<std::uint32_t> shownCount; // by folderAt
    std::vector<std::int32_t> rows;        // by node id: its row among its parent's shown, -1 hidden
    int matches = 0;                       // entries whose own name matches (all of them without a filter)

    /// The unfiltered tree by name: what a new window shows first.
    static EntryOrder everything(const EntryTree& tree);
    /// Entries whose name matches, the folders on the way to them, and
    /// everything inside a matching folder; folders stay before files.
    /// A worker may call it.
    static EntryOrder compute(const EntryTree& tree, const EntryMatcher& matcher, SortKey key, bool descending);

    int rowCount(const EntryTree& tree, NodeId folder) const
    {
        return natural ? tree.childCount(folder) : static_cast<int>(shownCount[tree.node(folder).folderAt]);
    }
    NodeId child(const EntryTree& tree, NodeId folder, int row) const
    {
        return natural ? tree.child(folder, row) : shown[tree.childStart(folder) + static_cast<std::size_t>(row)];
    }
    /// Its row among its parent's shown children, -1 if hidden.
    int row(const EntryTree& tree, NodeId id) const
    {
        return natural ? static_cast<int>(tree.node(id).nameRank) : rows[id];
    }
};

} // namespace coffer::ui
