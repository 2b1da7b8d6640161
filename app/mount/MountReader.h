// Reads for a mounted container (issue 21): ranges of files, served from the
// index and the chunks they need, each chunk authenticated before a byte of
// it is given out (IndexedReader, ContainerReader). One thread at a time.
#pragma once

#include "IndexedReader.h"
#include "Job.h"
#include "MountCache.h"

#include <vector>

namespace coffer {

class MountReader {
public:
    explicit MountReader(IndexedReader reader);

    const ArchiveIndex& index() const { return m_reader.index(); }
    /// Before a file is first opened. In a signed container its whole content
    /// is read once and compared with the signed hash (FORMAT.md §5.7), so
    /// that no read gives out bytes the sender did not sign; elsewhere the
    /// chunks' authentication is all there is, and nothing is read here.
    Status prepare(std::size_t entry);
    /// out.size() bytes of file `entry` from `offset` (within its size). On
    /// failure `out` is zeroed: nothing unauthenticated is given out.
    Status read(std::size_t entry, std::uint64_t offset, MutableByteView out);

private:
    Status readOf(std::size_t entry, std::uint64_t offset, MutableByteView out);
    Status readStored(std::size_t entry, std::uint64_t offset, MutableByteView out);
    Status readPacked(std::size_t entry, std::uint64_t offset, MutableByteView out);

    IndexedReader m_reader;
    PackCache m_packs;
    CursorCache m_cursors;
    JobControl m_job; // never cancelled: a read is short, and unmount waits for it
    /// Per entry: its record (stored, packed) or its signed hash was checked.
    std::vector<bool> m_checked;
};

} // namespace coffer
