// Reading a container front to back from a stream (standard input; FORMAT.md
// §4, §5.3-5.8), where nothing can be read twice and the index comes last:
// the header is unwrapped, then the entry records come one by one with their
// data, each checked as it comes (paths, packs, the entry limit); finish()
// reads the index and trailer to the authenticated end and checks that they
// say exactly what the records said. The reader writes nothing: whoever
// pulls from it keeps every byte staged until finish() succeeded.
#pragma once

#include "ContainerReader.h"
#include "EntryReader.h"
#include "PackLoader.h"
#include "PathRules.h"
#include "PayloadStream.h"
#include "SegmentIndex.h"

#include <memory>
#include <optional>
#include <vector>

namespace coffer {

class SequentialReader {
public:
    /// Reads the header from `input` up to its MAC line (at most 256 KiB) and
    /// unwraps the file key; `input` must outlive the reader.
    static Result<std::unique_ptr<SequentialReader>> open(ByteSource& input, const crypto::IdentityList& identities);
    SequentialReader(const SequentialReader&) = delete;
    SequentialReader& operator=(const SequentialReader&) = delete;
    ~SequentialReader();

    /// The next file or folder record, or null where the index starts. Packs
    /// are read on the way (their members' bytes are then at hand); what was
    /// not read of the previous entry is skipped. Valid until the next call.
    Result<const IndexEntry*> next(JobControl& job);
    /// The current file's data (stored or compressed) to `sink`, hashed for
    /// finish() to compare with the index.
    Status readData(const DataSink& sink, JobControl& job);
    /// The current packed file's bytes, from its pack; hashed likewise.
    ByteView readMember();
    /// Reads the index and trailer to the end and checks them against every record read.
    /// Format v2: the index comes back without its entries (they were given out segment by segment).
    Result<ArchiveIndex> finish(JobControl& job);

private:
    SequentialReader() = default;
    Status readHeader(ByteSource& input, const crypto::IdentityList& identities);
    Status skipData(JobControl& job);
    Result<IndexEntry> readRecord(JobControl& job);
    Result<ArchiveIndex> readIndex();
    Status checkAgainstRecords(const ArchiveIndex& index) const;
    /// Everything after the entries, to the authenticated end (at most `limit` bytes).
    Result<Bytes> readTail(std::uint64_t limit);
    Result<ArchiveIndex> decodeTail(const Bytes& tail, std::uint64_t indexOffset);

    // Format v2 (SequentialReaderV2.cpp): records come first in a region, then
    // at most one pack, then the segment that names them all; folders, empty
    // files and packed files are given out once their segment is checked.
    Result<const IndexEntry*> nextV2(JobControl& job);
    Status readPackV2(JobControl& job);
    Status readSegmentV2();
    Result<ArchiveIndex> finishV2(JobControl& job);

    struct PayloadSource final : ByteSource {
        Result<std::size_t> read(MutableByteView b) override { return reader->read(b); }
        crypto::PayloadReader* reader = nullptr;
    };
    std::optional<ChainSource> m_rest; // what followed the header, then the input
    std::optional<crypto::PayloadReader> m_payload;
    PayloadSource m_payloadSource;
    std::optional<BufferedSource> m_in;
    std::optional<IndexRecipient> m_openedBy;

    std::vector<IndexEntry> m_seen; // every record so far, packs included, as the index must list them
    PathSet m_paths;
    PackTracker m_packs;
    PackContent m_pack;     // the latest pack's content
    bool m_pending = false; // the current entry's data is still to be read

    bool m_v2 = false;
    ArchiveIndex m_index;              // v2: the entries of the segment being given out
    std::uint64_t m_entriesBefore = 0; // v2: those of the segments before it
    std::vector<SegmentRow> m_rows;    // v2: the segments read, as the directory must list them
    std::optional<bool> m_hashes;      // v2: whether the segments carry hashes (all alike)
    std::uint64_t m_regionStart = 0;   // v2: where the current region began
    struct SeenPack {
        std::uint64_t offset = 0;
        PackHeader header;
        std::uint64_t stored = 0;
    };
    std::optional<SeenPack> m_seenPack; // v2: the current region's pack
    std::size_t m_give = 0;             // v2: the next entry of m_index to give out
    std::size_t m_current = 0;          // v2: the one given out last
};

} // namespace coffer
