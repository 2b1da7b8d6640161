// The folder tree a mounted container shows (issue 21): built once at mount
// from the index, so that a lookup is a hash probe, not a scan of up to a
// million entries (IndexedReader::find is linear). The index's paths were
// checked when it was decoded (FORMAT.md §5.5: safe, unique, no file above
// another entry); parents the index does not list are shown as folders.
#pragma once

#include "ArchiveFormat.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace coffer {

struct MountNode {
    static constexpr std::size_t kNoEntry = std::numeric_limits<std::size_t>::max();
    std::string name;             // the last component; empty for the root
    std::size_t entry = kNoEntry; // in ArchiveIndex::entries; none for the root and implied folders
    bool isFolder = true;
    std::vector<std::uint32_t> children; // node numbers
};

class MountTree {
public:
    /// Node 0 is the root.
    static MountTree build(const ArchiveIndex& index);

    /// The node at `path` ("/" or "/a/b", as FUSE names it), or null.
    const MountNode* lookup(std::string_view path) const;
    const MountNode& node(std::size_t number) const { return m_nodes[number]; }
    std::size_t numberOf(const MountNode& node) const { return static_cast<std::size_t>(&node - m_nodes.data()); }
    std::size_t size() const { return m_nodes.size(); }

private:
    /// The node of folder `path` ("" for the root), made (and its parents) if missing.
    std::uint32_t folder(std::string_view path);
    std::uint32_t add(std::string_view path, std::size_t entry, bool isFolder);

    struct Hash { // probes with string_views, without building strings
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::vector<MountNode> m_nodes;
    std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> m_byPath;
};

} // namespace coffer
