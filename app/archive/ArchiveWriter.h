// Writes the archive (FORMAT.md §5) into the payload stream: one record per
// entry, each file as a sequence of independent zstd frames or raw bytes,
// then the compressed index and the trailer.
#pragma once

#include "ArchiveFormat.h"
#include "DirectoryFormat.h"
#include "FileIO.h"
#include "HashBehind.h"
#include "Header.h"
#include "InputScan.h"
#include "Job.h"
#include "Keys.h"
#include "PackCompressor.h"
#include "PayloadStream.h"
#include "Zstd.h"

#include <functional>
#include <memory>
#include <optional>

namespace coffer {

enum class Compression { Auto, Off, Max };

class ArchiveWriter {
public:
    ArchiveWriter(crypto::PayloadWriter& payload, Compression compression, JobControl& job);
    ~ArchiveWriter();
    ArchiveWriter(const ArchiveWriter&) = delete;
    ArchiveWriter& operator=(const ArchiveWriter&) = delete;

    /// The archive's format (FORMAT.md §5; the header's version line must
    /// say the same): crypto::kFormatV1 (the default) or kFormatV2. Call
    /// before writing.
    void setFormat(std::uint8_t format) { m_format = format; }

    /// Sign the index with this identity; turns on per-entry SHA-256 (FORMAT.md
    /// §5.7), big files' on a thread of their own (HashBehind). Call before writing.
    void setSigner(const crypto::Signer* signer);

    /// Streams the entries as the scan finds them; files are re-opened and
    /// must not change meanwhile. Returns the scan's error if it failed.
    Status writeEntries(ScanStream& scan);
    /// A file whose bytes are in memory, stored without compression (so secret
    /// bytes pass only through the payload's wiped buffers).
    Status writeMemoryFile(const EntryInfo& info, ByteView data);
    /// Index and trailer; call once after the entries.
    Status finish(const std::vector<IndexRecipient>& recipients);

private:
    Status writeDirectory(const EntryInfo& info);
    bool wantsCompression(const EntryInfo& info) const;
    int level() const;
    void report(bool force = false);
    /// A small file that is not compressed (empty, or of a compressed format).
    Status writeStoredFile(const SourceEntry& entry);
    /// Queues a pack (or a file alone); if all threads are busy, waits for
    /// the oldest in flight and writes it once the new one is queued.
    Status submitPack(PackCompressor& packs, std::unique_ptr<PackCompressor::Pack> pack);
    /// Waits for the oldest pack in flight and writes it.
    Status writeNextPack(PackCompressor& packs);
    Status writeMadePack(PackCompressor& packs, std::unique_ptr<PackCompressor::Pack> pack);
    /// Copies `size` more bytes of `fd` into the payload without a copy of our own;
    /// with `hash`, hashes them there as they arrive, before they are sealed.
    Status putFromFile(int fd, const std::string& source, std::uint64_t size, crypto::Sha256* hash);
    /// Queues the end of `hash`: its digest goes into the index entry that is
    /// pushed next (collectHashes() puts it there).
    void finishHashLater(std::shared_ptr<crypto::Sha256> hash);
    /// Waits for the hash thread and fills in the digests it made.
    Status collectHashes();
    /// A file of `info.size` bytes stored raw, read from `fd` (at its start).
    Status writeStoredFrom(const SourceEntry& entry, int fd, EntryInfo info);
    /// Whether compressing the big file open at the start of `fd` pays (SourceFile.h).
    Result<bool> probe(const SourceEntry& entry, int fd);
    /// A file over 4 MiB (as scanned): stored, or compressed in frames made
    /// by the pack threads; `lastEntry`: nothing follows it in the input.
    Status writeBigFile(PackCompressor& packs, unsigned threads, const EntryRef& entry, bool lastEntry);
    Status writeMadeFrame(PackCompressor& packs, std::unique_ptr<PackCompressor::Pack> frame);
    /// A folder, or a small file that is not compressed: written now, or
    /// after the big file whose frames are being written.
    Status writeUnpacked(const EntryRef& entry);
    Status writeGrownFile(const SourceEntry& entry, int fd, EntryInfo info);
    Status put(ByteView data);
    bool v2() const { return m_format == crypto::kFormatV2; }
    /// What goes before an entry's data: its record (v1, and v2's non-empty
    /// files that are not in a pack), or nothing (v2's folders and empty
    /// files: their segment describes them). Sets `entry.offset` and layout.
    Status putRecordOf(IndexEntry& entry);
    /// Adds a finished entry; in v2, closes a segment when enough wait (FORMAT.md §5.9).
    Status pushEntry(IndexEntry entry);
    /// v2: a pack (its header and frame, then its segment).
    Status writePackV2(PackCompressor& packs, std::unique_ptr<PackCompressor::Pack> pack);
    /// v2: the entries since the last segment, as a segment (FORMAT.md §5.5), and
    /// then forgets them (their hashes collected first).
    Status closeSegment();
    /// v2: the last segment, the directory and the trailer.
    Status finishV2(const std::vector<IndexRecipient>& recipients);
    /// The signature block's signature over `plain` (all but its last 64 bytes).
    Status signInPlace(Bytes& plain, bool v2Label);

    std::uint8_t m_format = crypto::kFormatV1;
    std::vector<SegmentRow> m_rows;     // v2: the segments written
    std::uint64_t m_entriesWritten = 0; // v2: entries in those segments
    std::size_t m_nonMembers = 0;       // v2: entries since the last segment that are not in a pack
    std::size_t m_pendingPaths = 0;     // v2: and the bytes of their paths
    crypto::PayloadWriter& m_payload;
    Compression m_compression;
    JobControl& m_job;
    ArchiveIndex m_index;
    std::uint64_t m_offset = 0;
    Progress m_progress;
    bool m_totalsKnown = false;                // the scan has ended
    std::unique_ptr<ZstdFrameStream> m_probe;  // does a big file compress? (made for the first)
    std::unique_ptr<ZstdFrameStream> m_stream; // frames of a file that grew (writeGrownFile)
    struct BigFile {                           // the one whose frames are being written
        IndexEntry entry;
        std::uint64_t dataStart;
        std::shared_ptr<crypto::Sha256> hash; // updated on the hash thread
    };
    std::optional<BigFile> m_bigFile;
    std::vector<EntryRef> m_deferred; // met while m_bigFile was being written
    Bytes m_piece;                    // what files are read into
    const crypto::Signer* m_signer = nullptr;
    struct LaterHash { // a digest the hash thread makes, and its index entry
        std::size_t entry;
        std::shared_ptr<crypto::Digest32> digest;
    };
    std::vector<LaterHash> m_laterHashes;
    // Last: its thread stops before anything its jobs use goes.
    std::unique_ptr<HashBehind> m_hasher;
};

/// True for names whose content is already compressed (jpg, zip, mp4...).
bool looksCompressed(const std::string& fileName);

} // namespace coffer
