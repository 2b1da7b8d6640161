// SequentialReader's format v2 (FORMAT.md §5.10, "sequential reading"): a
// region's records are given out as they come (their paths checked at once),
// its pack is read into memory, and its segment is then checked against both
// (the same SegmentAppender the indexed reader uses, fed with what was read)
// before the segment's folders, empty files and packed files are given out.
// The directory at the end must list exactly the segments read.
#include "SequentialReader.h"

#include "Primitives.h"
#include "Zstd.h"

#include <cstring>

namespace coffer {

namespace {

bool startsWith(ByteView v, const char (&magic)[5])
{
    return v.size() >= 4 && std::memcmp(v.data(), magic, 4) == 0;
}

} // namespace

Result<const IndexEntry*> SequentialReader::nextV2(JobControl& job)
{
    COFFER_TRY(skipData(job));
    while (true) {
        if (m_give < m_index.entries.size()) {
            m_current = m_give++;
            const IndexEntry& e = m_index.entries[m_current];
            if (e.isPack() || e.layout == IndexEntry::Layout::Record)
                continue; // a pack is no entry; a record was given out as it came
            return &e;
        }
        if (job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        auto magic = m_in->peek(4);
        COFFER_TRY(magic);
        if (startsWith(*magic, "CFEN")) {
            if (m_seenPack)
                return damaged("a file's record follows a pack in the same region");
            if (m_entriesBefore + m_index.entries.size() + m_seen.size() >= kMaxEntries)
                return makeError(ErrorCode::LimitExceeded, "the archive has more than 1,000,000 entries");
            IndexEntry entry;
            entry.offset = m_in->position();
            auto info = readRecordHeader(*m_in);
            COFFER_TRY(info);
            entry.info = std::move(*info);
            // Only a file's record, compressed or not, and never an empty one (§5.2).
            if (entry.info.kind != EntryKind::File || entry.info.size == 0 ||
                (entry.info.codec != Codec::Stored && entry.info.codec != Codec::Zstd))
                return damaged("a record in format v2 is not a file's");
            // Its data goes to the staging folder before its segment comes: its
            // path is checked now (duplicates with the segment).
            COFFER_TRY(checkArchivePath(entry.info.path));
            m_seen.push_back(std::move(entry));
            m_pending = true;
            return &m_seen.back();
        }
        if (startsWith(*magic, "CFPK")) {
            COFFER_TRY(readPackV2(job));
            continue;
        }
        if (startsWith(*magic, "CFSG")) {
            COFFER_TRY(readSegmentV2());
            continue;
        }
        // Anything else is the directory, which may come only after a segment.
        if (!m_seen.empty() || m_seenPack)
            return damaged("the last files are not listed by a segment");
        return nullptr;
    }
}

Status SequentialReader::readPackV2(JobControl& job)
{
    if (m_seenPack)
        return damaged("a region holds two packs");
    SeenPack seen;
    seen.offset = m_in->position();
    std::uint8_t header[kPackHeaderSize];
    COFFER_TRY(m_in->readExact(header));
    auto decoded = decodePackHeader(header);
    COFFER_TRY(decoded);
    seen.header = *decoded;
    EntryInfo info;
    info.kind = EntryKind::Pack;
    info.codec = decoded->codec;
    info.mode = 0;
    info.size = decoded->contentSize;
    info.path = "a pack";
    m_pack.renew(info.size);
    auto stored = readEntryData(*m_in, info, m_pack.sink(), job);
    COFFER_TRY(stored);
    seen.stored = *stored;
    m_seenPack = seen;
    return Status::success();
}

Status SequentialReader::readSegmentV2()
{
    const std::uint64_t offset = m_in->position();
    std::uint8_t header[kSegmentHeaderSize];
    COFFER_TRY(m_in->readExact(header));
    auto storedLength = decodeSegmentHeader(header);
    COFFER_TRY(storedLength);
    Bytes frame(*storedLength);
    COFFER_TRY(m_in->readExact(frame));
    auto plain = decompressSingleFrame(frame, kMaxSegmentPlain);
    COFFER_TRY(plain);
    // Whether tables carry hashes: the directory says so at the end; until
    // then every table must say what the first one said.
    const bool hashes = plain->size() >= 8 && ((*plain)[4] & 2) != 0;
    if (m_hashes && *m_hashes != hashes)
        return damaged("the segments disagree on whether they carry hashes");
    m_hashes = hashes;
    auto table = decodeSegmentTable(*plain, hashes);
    COFFER_TRY(table);

    SegmentRow row;
    row.offset = offset;
    row.storedLength = *storedLength;
    row.plainLength = static_cast<std::uint32_t>(plain->size());
    row.entryCount = static_cast<std::uint32_t>(table->entries.size());
    if (hashes)
        row.sha256 = crypto::sha256(*plain);

    // The records of this region were read at these places: the segment must
    // derive the same places from its lengths, and say what they said.
    const PlainReader recordAt = [&](std::uint64_t at, crypto::MutableByteView out) -> Status {
        for (const IndexEntry& r : m_seen)
            if (r.offset == at && out.size() == r.info.recordHeaderSize()) {
                const Bytes bytes = encodeEntryRecordHeader(r.info);
                std::copy(bytes.begin(), bytes.end(), out.begin());
                return Status::success();
            }
        return damaged("a segment does not match the records before it");
    };
    // Every entry of the segment before was given out: only one segment's
    // entries are held (the paths of all are in m_paths, as hashes).
    m_entriesBefore += m_index.entries.size();
    m_index.entries.clear();
    m_give = 0;
    m_index.hasHashes = hashes;
    const std::size_t first = 0;
    SegmentAppender appender(m_index, &m_paths);
    COFFER_TRY(appender.append(std::move(*table), m_regionStart, offset, recordAt));
    if (m_entriesBefore + m_index.entries.size() > kMaxEntries + m_rows.size() + 1)
        return makeError(ErrorCode::LimitExceeded, "the archive has more than 1,000,000 entries");

    std::size_t record = 0;
    bool pack = false;
    for (std::size_t i = first; i < m_index.entries.size(); ++i) {
        const IndexEntry& e = m_index.entries[i];
        if (e.isPack()) {
            pack = true;
            if (!m_seenPack || m_seenPack->offset != e.offset || m_seenPack->stored != e.storedSize ||
                m_seenPack->header.codec != e.info.codec || m_seenPack->header.contentSize != e.info.size)
                return damaged("a segment does not match the pack before it");
            if (e.sha256 && crypto::sha256(m_pack.content()) != *e.sha256)
                return damaged("the content of a pack of small files does not match its hash");
        } else if (e.layout == IndexEntry::Layout::Record) {
            // The same record, in order (recordAt found it by its place); its
            // data was as long as said and, if it was read, had this hash.
            const IndexEntry& r = m_seen[record++];
            if (r.offset != e.offset || !(r.info == e.info) || r.storedSize != e.storedSize)
                return damaged("the segment disagrees with the entry \"" + r.info.path + "\"");
            if (e.sha256 && r.sha256 && *e.sha256 != *r.sha256)
                return damaged("the content of \"" + r.info.path + "\" does not match its hash");
        }
    }
    if (record != m_seen.size() || pack != m_seenPack.has_value())
        return damaged("a segment does not match the data before it");
    m_seen.clear();
    m_seenPack.reset();
    m_rows.push_back(row);
    m_regionStart = m_in->position();
    m_give = first;
    return Status::success();
}

Result<ArchiveIndex> SequentialReader::finishV2(JobControl& job)
{
    COFFER_TRY(skipData(job));
    if (!m_seen.empty() || m_seenPack)
        return damaged("the last files are not listed by a segment");
    const std::uint64_t directoryOffset = m_in->position();
    auto tail = readTail(kMaxDirectoryPlain + kTrailerSize);
    COFFER_TRY(tail);
    if (tail->size() < kTrailerSize)
        return damaged("the archive is too short to hold a trailer");
    auto trailer = decodeTrailerV2(ByteView(*tail).last(kTrailerSize), m_in->position());
    COFFER_TRY(trailer);
    if (trailer->indexOffset != directoryOffset)
        return damaged("the directory is not where the entries end");
    auto plain = decompressSingleFrame(ByteView(*tail).first(tail->size() - kTrailerSize), trailer->indexPlainLength);
    COFFER_TRY(plain);
    if (plain->size() != trailer->indexPlainLength)
        return damaged("the directory's size does not match the trailer");
    auto directory = decodeDirectory(*plain);
    COFFER_TRY(directory);
    if (directory->rows != m_rows || (m_hashes && *m_hashes != directory->hashes))
        return damaged("the directory does not list the segments that were read");
    ArchiveIndex index = std::move(m_index);
    index.entries.clear(); // the last segment's only: a stream's entries are not kept
    index.format = 2;
    index.hasHashes = directory->hashes;
    index.version = directory->signature ? kIndexVersion2 : kIndexVersion1;
    index.recipients = std::move(directory->recipients);
    index.signature = directory->signature;
    index.openedBy = m_openedBy;
    return index;
}

} // namespace coffer
