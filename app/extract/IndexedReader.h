// Random access to the entries of a container file (FORMAT.md §5.3-5.8): the
// index is read and checked when opening; then any entry's content, whole or
// a range, is read by decrypting only the chunks that cover it
// (ContainerReader), each chunk authenticated before a byte of it is given
// out, and checked against the index (its record, where it ends, its hash).
// Extraction from a file, the keyring and a mounted container read through it.
#pragma once

#include "ContainerReader.h"
#include "EntryReader.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace coffer {

class PackContent;

class IndexedReader {
public:
    static Result<IndexedReader> open(const std::filesystem::path& container, const crypto::IdentityList& identities);
    /// Opens a container to go through its entries one segment at a time
    /// (eachSegment()), in the memory of one segment: a format v2 container's
    /// directory is read and verified now, index() has no entries yet. A v1
    /// container's index is read whole, as open() does (one segment).
    static Result<IndexedReader> openSegmented(const std::filesystem::path& container,
                                               const crypto::IdentityList& identities);
    /// Calls `each` once per segment, in order, with index().entries holding
    /// that segment's entries only (read and checked again on every call).
    Status eachSegment(const std::function<Status()>& each, PathCheck check = PathCheck::AgainstAllBefore);

    /// A format v2 container opened with openSegmented(): walked a segment at a time.
    bool isSegmented() const { return m_walk.has_value(); }
    const ArchiveIndex& index() const { return m_index; }
    /// Moves the index out (a summary keeps it): the last call on this reader.
    ArchiveIndex takeIndex() { return std::move(m_index); }
    /// The entry with this path (not a pack), or null.
    const IndexEntry* find(const std::string& path) const;
    /// The container under the index: a mount decodes compressed files through it (MountCache.h).
    ContainerReader& container() { return m_reader; }

    /// A file's whole content to `sink`. Signed containers: its hash can only
    /// be compared at its end, after its bytes went to `sink`; a packed file's
    /// bytes are all at hand first, so its hash is compared before.
    Status readFile(const IndexEntry& file, const DataSink& sink, JobControl& job);
    /// out.size() bytes of a file's content from `offset`: a stored file
    /// decrypts only the chunks that cover them; a compressed one is decoded
    /// from its start, a packed one from its pack (whose hash is checked).
    /// On failure `out` is zeroed: nothing unauthenticated is given out.
    Status readRange(const IndexEntry& file, std::uint64_t offset, MutableByteView out, JobControl& job);
    /// Reads an entry's record and checks it against the index: for a folder
    /// or a packed file, whose bytes are elsewhere, all there is to read.
    Status checkRecord(const IndexEntry& entry, JobControl& job);
    /// A pack's stored (compressed) bytes, authenticated and checked against
    /// the index; decodePack (PackLoader.h) turns them into its content.
    Result<Bytes> loadPack(const IndexEntry& pack, JobControl& job);

private:
    IndexedReader(ContainerReader reader, ArchiveIndex index);
    /// Reads a record and its data, checked against the index; `raw`: the
    /// stored bytes as they are (a pack's, decoded later).
    Status readEntry(const IndexEntry& entry, const DataSink& sink, JobControl& job, bool raw = false);
    Status readRangeOf(const IndexEntry& file, std::uint64_t offset, MutableByteView out, JobControl& job);
    Status checkStoredRecord(const IndexEntry& file);
    Result<ByteView> packedBytes(const IndexEntry& file, PackContent& pack, JobControl& job);

    ContainerReader m_reader;
    ArchiveIndex m_index;
    std::optional<SegmentWalk> m_walk; // openSegmented() on format v2
};

/// "... does not match its hash": a file whose content is not what the signed index says.
Status checkHash(const IndexEntry& file, crypto::Sha256& hash);

} // namespace coffer
