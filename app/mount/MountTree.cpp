#include "MountTree.h"

namespace coffer {

MountTree MountTree::build(const ArchiveIndex& index)
{
    MountTree tree;
    tree.m_nodes.emplace_back(); // the root
    tree.m_byPath.reserve(index.entries.size() + 1);
    tree.m_byPath.emplace("", 0);
    for (std::size_t i = 0; i < index.entries.size(); ++i) {
        const IndexEntry& e = index.entries[i];
        if (e.isPack())
            continue; // storage, not a file (§5.8)
        const bool isFolder = e.info.kind == EntryKind::Directory;
        if (auto it = tree.m_byPath.find(e.info.path); it != tree.m_byPath.end())
            tree.m_nodes[it->second].entry = i; // a folder first implied by an entry inside it
        else
            tree.add(e.info.path, i, isFolder);
    }
    return tree;
}

std::uint32_t MountTree::folder(std::string_view path)
{
    if (auto it = m_byPath.find(path); it != m_byPath.end())
        return it->second;
    return add(path, MountNode::kNoEntry, true);
}

std::uint32_t MountTree::add(std::string_view path, std::size_t entry, bool isFolder)
{
    const std::size_t slash = path.rfind('/');
    const std::uint32_t parent = folder(slash == std::string_view::npos ? std::string_view() : path.substr(0, slash));
    const auto number = static_cast<std::uint32_t>(m_nodes.size());
    MountNode node;
    node.name = std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
    node.entry = entry;
    node.isFolder = isFolder;
    m_nodes.push_back(std::move(node));
    m_nodes[parent].children.push_back(number);
    m_byPath.emplace(std::string(path), number);
    return number;
}

const MountNode* MountTree::lookup(std::string_view path) const
{
    if (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    const auto it = m_byPath.find(path);
    return it == m_byPath.end() ? nullptr : &m_nodes[it->second];
}

} // namespace coffer
