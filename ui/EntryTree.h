// The container window's tree, apart from its Qt model so that the heavy
// work runs off the GUI thread: building it from the index, and working out
// which entries a filter shows and in what order (a container may hold
// 200,000 entries). A built tree is never changed again, so a worker may read
// it while the GUI thread shows it; only the order (an EntryOrder) is swapped.
#pragma once

#include "ArchiveFormat.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

namespace coffer::ui {

class EntryMatcher;

struct EntryNode {
    QString name;
    EntryNode* parent = nullptr;
    bool folder = false;
    std::uint64_t size = 0; // a folder: the sum of its files
    std::int64_t mtime = 0;
    int id = 0;                                       // its place in EntryTree::nodes
    int nameRank = 0;                                 // its place among its siblings by name, folders first
    std::vector<std::unique_ptr<EntryNode>> children; // by name, folders first

    /// Its archive path ("sub/b.txt"), made from the names on the way up: a
    /// node keeps no path of its own (a million nodes would keep ~100 MB).
    QString path() const;
};

struct EntryTree {
    EntryNode root;
    std::vector<EntryNode*> nodes; // every node but the root, by id
    int fileCount = 0;
    std::uint64_t totalBytes = 0;

    /// Builds the tree from the index's '/'-separated paths (a worker may call it).
    static std::shared_ptr<const EntryTree> build(const std::vector<IndexEntry>& entries);
};

/// Builds a tree one entry at a time (as listContainerEntries gives them, a
/// segment at a time: the index is never held whole). A worker may use it.
class EntryTreeBuilder {
public:
    EntryTreeBuilder();
    ~EntryTreeBuilder();
    EntryTreeBuilder(const EntryTreeBuilder&) = delete;
    EntryTreeBuilder& operator=(const EntryTreeBuilder&) = delete;

    void add(const IndexEntry& entry);
    /// The tree, sorted by name and numbered; the builder is spent.
    std::shared_ptr<const EntryTree> finish();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

enum class SortKey { Name, Size, Modified };

/// What a filter and a sort make of a tree: the children each folder shows,
/// in order (by node id; the root's at rootShown).
struct EntryOrder {
    std::vector<std::vector<const EntryNode*>> shown; // by folder id
    std::vector<const EntryNode*> rootShown;
    std::vector<int> rows; // by node id: its row among its parent's shown children, -1 if hidden
    int matches = 0;       // entries whose own name matches (all of them without a filter)

    /// The unfiltered tree by name: what a new window shows first.
    static EntryOrder everything(const EntryTree& tree);
    /// Entries whose name matches, the folders on the way to them, and
    /// everything inside a matching folder; folders stay before files.
    /// A worker may call it.
    static EntryOrder compute(const EntryTree& tree, const EntryMatcher& matcher, SortKey key, bool descending);

    const std::vector<const EntryNode*>& childrenOf(const EntryNode* node, const EntryTree& tree) const
    {
        return node == &tree.root ? rootShown : shown[static_cast<std::size_t>(node->id)];
    }
};

} // namespace coffer::ui
