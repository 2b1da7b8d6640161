// ArchiveWriter's format v2 (FORMAT.md §5): packs without member records,
// a segment table after each pack, and the directory of segments at the end.
// Entries wait in m_index.entries only until their segment is written, so
// the writer's memory does not grow with the number of files.
#include "ArchiveWriter.h"

#include "SegmentTable.h"
#include "Signature.h"
#include "Zstd.h"

#include <algorithm>

namespace coffer {

namespace {

// Segment tables and the directory at the pack threads' level (FORMAT-v2.md
// §4: level 9 saves 0.3 byte per file for twice the time).
constexpr int kTableLevel = 3;
// A segment closes after this many entries that are not in a pack, or this
// many bytes of their paths (FORMAT.md §5.10): its table stays under 16 MiB.
constexpr std::size_t kSegmentPending = 65536;
constexpr std::size_t kSegmentPendingPaths = 4 * 1024 * 1024;
// Times far outside what a file system keeps are brought within ±2^62
// seconds: consecutive times then differ by less than 2^63, as the table's
// deltas need (§5.9).
constexpr std::int64_t kTimeBound = std::int64_t(1) << 62;

SegmentEntry segmentEntry(IndexEntry& e, bool hashes)
{
    SegmentEntry s;
    s.path = std::move(e.info.path);
    s.mode = e.info.mode;
    s.mtimeSeconds = std::clamp(e.info.mtimeSeconds, -kTimeBound, kTimeBound);
    s.mtimeNanoseconds = e.info.mtimeNanoseconds;
    if (e.info.kind == EntryKind::Directory) {
        s.kind = SegmentKind::Directory;
    } else if (e.info.codec == Codec::Packed) {
        s.kind = SegmentKind::Member;
        s.size = e.info.size;
    } else if (e.info.size == 0) {
        s.kind = SegmentKind::EmptyFile;
    } else {
        s.kind = SegmentKind::Record;
        s.size = e.info.size;
        s.stored = e.storedSize;
        if (hashes)
            s.sha256 = e.sha256;
    }
    return s;
}

} // namespace

Status ArchiveWriter::putRecordOf(IndexEntry& entry)
{
    entry.offset = m_offset;
    if (v2()) // the record says what its segment will
        entry.info.mtimeSeconds = std::clamp(entry.info.mtimeSeconds, -kTimeBound, kTimeBound);
    if (v2() && (entry.info.kind == EntryKind::Directory || entry.info.size == 0)) {
        entry.layout = IndexEntry::Layout::None;
        return Status::success();
    }
    return put(encodeEntryRecordHeader(entry.info));
}

Status ArchiveWriter::pushEntry(IndexEntry entry)
{
    m_pendingPaths += entry.info.path.size();
    m_index.entries.push_back(std::move(entry));
    if (v2() && (++m_nonMembers >= kSegmentPending || m_pendingPaths >= kSegmentPendingPaths) && !m_bigFile)
        return closeSegment();
    return Status::success();
}

Status ArchiveWriter::writePackV2(PackCompressor& packs, std::unique_ptr<PackCompressor::Pack> pack)
{
    // The pack's header and frame, then at once its segment: the entries
    // written since the last one, and the members (FORMAT.md §5.3).
    std::uint64_t content = 0;
    for (const IndexEntry& e : pack->entries)
        content += e.info.size;
    IndexEntry packEntry;
    packEntry.info.kind = EntryKind::Pack;
    packEntry.info.codec = pack->stored ? Codec::Stored : Codec::Zstd;
    packEntry.info.mode = 0;
    packEntry.info.size = content;
    packEntry.storedSize = pack->frame.size();
    packEntry.offset = m_offset;
    packEntry.layout = IndexEntry::Layout::Pack;
    if (m_signer) // one member made alone carries its own hash: the pack's content
        packEntry.sha256 = pack->contentHash ? pack->contentHash : pack->entries.front().sha256;
    COFFER_TRY(put(encodePackHeader({packEntry.info.codec, static_cast<std::uint32_t>(content)})));
    COFFER_TRY(put(pack->frame));
    m_index.entries.push_back(std::move(packEntry));
    for (IndexEntry& ie : pack->entries) {
        ie.info.codec = Codec::Packed;
        ie.offset = m_offset;
        ie.storedSize = 0;
        ie.layout = IndexEntry::Layout::None;
        ie.sha256.reset();
        m_progress.bytesDone += ie.info.size;
        m_progress.currentFile = ie.info.path;
        m_index.entries.push_back(std::move(ie));
    }
    m_progress.filesDone += pack->entries.size();
    report();
    packs.recycle(std::move(pack->frame));
    return closeSegment();
}

Status ArchiveWriter::closeSegment()
{
    if (m_index.entries.empty())
        return Status::success();
    COFFER_TRY(collectHashes()); // the records' hashes go into the table
    SegmentTable table;
    table.hashes = m_signer != nullptr;
    table.entries.reserve(m_index.entries.size());
    for (IndexEntry& e : m_index.entries) {
        if (e.isPack()) {
            table.packCodec = e.info.codec;
            table.packStored = e.storedSize;
            if (table.hashes)
                table.packSha256 = *e.sha256;
        } else {
            table.entries.push_back(segmentEntry(e, table.hashes));
        }
    }
    m_index.entries.clear();
    m_nonMembers = 0;
    m_pendingPaths = 0;
    m_entriesWritten += table.entries.size();
    // Never write what readers must refuse (FORMAT.md §8): said early, not after the last file.
    if (m_entriesWritten > kMaxEntries)
        return makeError(ErrorCode::LimitExceeded, "a container holds at most 1,000,000 files and folders");
    const Bytes plain = encodeSegmentTable(table);
    Bytes compressed;
    ZstdCompressor compressor(kTableLevel);
    COFFER_TRY(compressor.compress(plain, compressed));
    SegmentRow row;
    row.offset = m_offset;
    row.storedLength = static_cast<std::uint32_t>(compressed.size());
    row.plainLength = static_cast<std::uint32_t>(plain.size());
    row.entryCount = static_cast<std::uint32_t>(table.entries.size());
    if (table.hashes)
        row.sha256 = crypto::sha256(plain);
    COFFER_TRY(put(encodeSegmentHeader(row.storedLength)));
    COFFER_TRY(put(compressed));
    m_rows.push_back(row);
    return Status::success();
}

Status ArchiveWriter::signInPlace(Bytes& plain, bool v2Label)
{
    // Everything before the signature itself is signed, the signer's keys included.
    const ByteView signedPart = ByteView(plain).first(plain.size() - crypto::kEd25519SignatureSize);
    const auto sig = m_signer->signMessage(v2Label ? crypto::directorySignatureMessage(signedPart)
                                                   : crypto::indexSignatureMessage(signedPart));
    COFFER_TRY(sig);
    std::copy(sig->begin(), sig->end(), plain.end() - crypto::kEd25519SignatureSize);
    return Status::success();
}

Status ArchiveWriter::finishV2(const std::vector<IndexRecipient>& recipients)
{
    COFFER_TRY(closeSegment());
    Directory directory;
    directory.hashes = m_signer != nullptr;
    directory.rows = std::move(m_rows);
    directory.recipients = recipients;
    if (m_signer) {
        const auto card = m_signer->card();
        if (!card)
            return makeError(ErrorCode::InvalidArgument, "an age identity cannot sign");
        directory.signature = IndexSignature{card->x25519, card->ed25519, {}};
    }
    Bytes plain = encodeDirectory(directory);
    if (m_signer)
        COFFER_TRY(signInPlace(plain, true));
    if (plain.size() > kMaxDirectoryPlain)
        return makeError(ErrorCode::LimitExceeded, "the list of files is too large for one container");
    Bytes compressed;
    ZstdCompressor compressor(kTableLevel);
    COFFER_TRY(compressor.compress(plain, compressed));
    const Trailer trailer{m_offset, compressed.size(), plain.size()};
    COFFER_TRY(put(compressed));
    return put(encodeTrailerV2(trailer));
}

} // namespace coffer
