// The lines `coffer list` prints, kept until they can be sorted by path:
// "path\0line" records in blocks of 1 MiB and pointers to them, so a million
// entries cost some tens of MiB (no string or entry of its own per line).
#pragma once

#include "ArchiveFormat.h"

#include <cstddef>
#include <memory>
#include <vector>

namespace coffer::cli {

class ListingLines {
public:
    explicit ListingLines(bool longFormat) : m_long(longFormat) {}

    /// One file or folder (a pack is the caller's to leave out).
    void add(const IndexEntry& e);
    /// By path, as people read a folder; storage order is the writer's business.
    void print();

private:
    static constexpr std::size_t kBlock = 1 << 20;
    bool m_long;
    std::vector<std::unique_ptr<char[]>> m_blocks;
    char* m_next = nullptr; // where the next record goes in the last block
    std::size_t m_room = 0; // and the bytes left there
    std::vector<const char*> m_starts;
};

} // namespace coffer::cli
