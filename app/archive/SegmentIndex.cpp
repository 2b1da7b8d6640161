#include "SegmentIndex.h"

#include "Primitives.h"
#include "Zstd.h"

#include <cstring>

namespace coffer {

namespace {

IndexEntry entryOf(SegmentEntry& s)
{
    IndexEntry e;
    e.info.path = std::move(s.path);
    e.info.mode = s.mode;
    e.info.mtimeSeconds = s.mtimeSeconds;
    e.info.mtimeNanoseconds = s.mtimeNanoseconds;
    e.info.codec = Codec::Stored;
    e.layout = IndexEntry::Layout::None;
    return e;
}

// A record's header, read at its derived place, must say what the table says;
// it alone says whether the data is compressed (codec 0 or 1, FORMAT.md §5.2).
Status checkRecord(IndexEntry& e, const SegmentEntry& s, const PlainReader& read)
{
    Bytes record(kEntryFixedSize + e.info.path.size());
    COFFER_TRY(read(e.offset, record));
    auto fixed = decodeEntryRecordFixed(ByteView(record).first(kEntryFixedSize));
    COFFER_TRY(fixed);
    const EntryInfo& r = fixed->info;
    if (r.kind != EntryKind::File || (r.codec != Codec::Stored && r.codec != Codec::Zstd))
        return damaged("a record in format v2 is not a file's");
    if (fixed->pathLength != e.info.path.size() ||
        std::memcmp(record.data() + kEntryFixedSize, e.info.path.data(), e.info.path.size()) != 0 || r.size != s.size ||
        r.mode != s.mode || r.mtimeSeconds != s.mtimeSeconds || r.mtimeNanoseconds != s.mtimeNanoseconds)
        return damaged("the entry \"" + e.info.path + "\" does not match its segment");
    if (r.codec == Codec::Stored && s.stored != s.size)
        return damaged("a stored entry's length does not match its size");
    e.info.kind = EntryKind::File;
    e.info.codec = r.codec;
    e.info.size = r.size;
    return Status::success();
}

} // namespace

Status SegmentAppender::append(SegmentTable table, std::uint64_t regionStart, std::uint64_t segmentOffset,
                               const PlainReader& read)
{
    if (regionStart > segmentOffset)
        return damaged("the segments overlap");
    const bool hashes = m_index.hasHashes;
    const crypto::Digest32 emptyHash = crypto::sha256({});
    std::optional<std::size_t> packAt;
    if (table.packCodec) {
        IndexEntry pack;
        pack.info.kind = EntryKind::Pack;
        pack.info.codec = *table.packCodec;
        pack.info.mode = 0;
        pack.storedSize = table.packStored;
        pack.layout = IndexEntry::Layout::Pack;
        if (hashes)
            pack.sha256 = table.packSha256;
        packAt = m_index.entries.size();
        m_index.entries.push_back(std::move(pack));
    }
    // The region: the records, in table order, then the pack (FORMAT.md §5.9).
    std::uint64_t at = regionStart;
    std::uint64_t members = 0;
    for (SegmentEntry& s : table.entries) {
        IndexEntry e = entryOf(s);
        COFFER_TRY(m_paths ? m_paths->add(e.info.path, s.kind == SegmentKind::Directory)
                           : checkArchivePath(e.info.path));
        switch (s.kind) {
        case SegmentKind::Directory:
            e.info.kind = EntryKind::Directory;
            break;
        case SegmentKind::EmptyFile:
            e.info.kind = EntryKind::File;
            break;
        case SegmentKind::Member:
            if (!packAt)
                return damaged("a packed file has no pack");
            e.info.kind = EntryKind::File;
            e.info.codec = Codec::Packed;
            e.info.size = s.size;
            e.packEntry = *packAt;
            e.packPosition = members;
            members += s.size;
            if (members > kMaxPackContent)
                return damaged("a pack's files are larger than the pack can be");
            break;
        case SegmentKind::Record: {
            const std::uint64_t header = kEntryFixedSize + e.info.path.size();
            if (segmentOffset - at < header || segmentOffset - at - header < s.stored)
                return damaged("a segment's data does not add up");
            e.offset = at;
            e.layout = IndexEntry::Layout::Record;
            COFFER_TRY(checkRecord(e, s, read));
            e.storedSize = s.stored;
            if (hashes)
                e.sha256 = s.sha256;
            at += header + s.stored;
            break;
        }
        }
        if (hashes && !e.sha256 && e.info.codec != Codec::Packed)
            e.sha256 = emptyHash; // a folder's or an empty file's: what v1 says of them
        m_index.entries.push_back(std::move(e));
    }
    if (packAt) {
        IndexEntry& pack = m_index.entries[*packAt];
        if (members == 0)
            return damaged("a pack holds bytes that belong to no file");
        pack.info.size = members; // its header must say the same (checked when it is read)
        pack.offset = at;
        if (segmentOffset - at < kPackHeaderSize || segmentOffset - at - kPackHeaderSize < pack.storedSize)
            return damaged("a segment's data does not add up");
        if (pack.info.codec == Codec::Stored && pack.storedSize != members)
            return damaged("a stored pack's length does not match its files");
        at += kPackHeaderSize + pack.storedSize;
    }
    if (at != segmentOffset)
        return damaged("a segment's data does not add up");
    return Status::success();
}

Result<SegmentTable> readSegment(const SegmentRow& row, bool hashes, const PlainReader& read, SegmentPin* pin)
{
    Bytes head(kSegmentHeaderSize);
    COFFER_TRY(read(row.offset, head));
    auto stored = decodeSegmentHeader(head);
    COFFER_TRY(stored);
    if (*stored != row.storedLength)
        return damaged("a segment is not what the directory says");
    if (row.plainLength == 0 || row.plainLength > kMaxSegmentPlain)
        return damaged("a segment's table has an impossible size");
    Bytes frame(row.storedLength);
    COFFER_TRY(read(row.offset + kSegmentHeaderSize, frame));
    auto plain = decompressSingleFrame(frame, row.plainLength);
    COFFER_TRY(plain);
    if (plain->size() != row.plainLength)
        return damaged("a segment is not what the directory says");
    if (hashes && (!row.sha256 || crypto::sha256(*plain) != *row.sha256))
        return damaged("a segment does not match its hash");
    if (pin && pin->expected && crypto::sha256(*plain) != *pin->expected)
        return damaged("the container changed while Coffer read it");
    if (pin && pin->seen)
        *pin->seen = crypto::sha256(*plain);
    auto table = decodeSegmentTable(*plain, hashes);
    COFFER_TRY(table);
    if (table->entries.size() != row.entryCount)
        return damaged("a segment is not what the directory says");
    return table;
}

Result<FinalFrame> readFinalFrame(std::uint64_t length, const PlainReader& read, TrailerDecoder decode,
                                  const char* sizeMismatch)
{
    if (length < kTrailerSize)
        return damaged("the archive is too short to hold a trailer");
    Bytes trailerBytes(kTrailerSize);
    COFFER_TRY(read(length - kTrailerSize, trailerBytes));
    auto trailer = decode(trailerBytes, length);
    COFFER_TRY(trailer);
    // The decoder bounded both lengths (FORMAT.md §5.3) before this allocates.
    Bytes compressed(static_cast<std::size_t>(trailer->indexLength));
    COFFER_TRY(read(trailer->indexOffset, compressed));
    auto plain = decompressSingleFrame(compressed, trailer->indexPlainLength);
    COFFER_TRY(plain);
    Bytes().swap(compressed); // gone before the entries are decoded: the peak is what a listing costs
    if (plain->size() != trailer->indexPlainLength)
        return damaged(sizeMismatch);
    return FinalFrame{*trailer, std::move(*plain)};
}

SegmentWalk::SegmentWalk(Trailer trailer, Directory directory) : m_trailer(trailer), m_rows(std::move(directory.rows))
{
    m_header.format = 2;
    m_header.hasHashes = directory.hashes;
    m_header.version = directory.signature ? kIndexVersion2 : kIndexVersion1;
    m_header.recipients = std::move(directory.recipients);
    m_header.signature = directory.signature;
    for (const SegmentRow& row : m_rows)
        m_entryCount += row.entryCount;
}

Result<SegmentWalk> SegmentWalk::open(std::uint64_t length, const PlainReader& read)
{
    auto last = readFinalFrame(length, read, decodeTrailerV2, "the directory's size does not match the trailer");
    COFFER_TRY(last);
    auto directory = decodeDirectory(last->plain);
    COFFER_TRY(directory);
    return SegmentWalk(last->trailer, std::move(*directory));
}

Status SegmentWalk::walk(ArchiveIndex& into, const PlainReader& read, const std::function<Status(ArchiveIndex&)>& done,
                         PathCheck check) const
{
    into.format = m_header.format;
    into.hasHashes = m_header.hasHashes;
    into.version = m_header.version;
    into.recipients = m_header.recipients;
    into.signature = m_header.signature;
    PathSet paths;
    const bool checkSet = check == PathCheck::AgainstAllBefore;
    if (checkSet)
        paths.reserve(static_cast<std::size_t>(m_entryCount));
    // Without hashes in the directory (an unsigned container) nothing else
    // pins a segment between two reads: whoever knows the file key could
    // rewrite it in place. The first read notes each segment's digest; a
    // read without the path set takes only those same segments.
    if (!into.hasHashes && checkSet)
        m_pins.assign(m_rows.size(), crypto::Digest32{});
    if (!into.hasHashes && !checkSet && m_pins.size() != m_rows.size())
        return makeError(ErrorCode::Internal, "a walk without the path check comes after one with it");
    SegmentAppender appender(into, checkSet ? &paths : nullptr);
    std::uint64_t regionStart = 0;
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        const SegmentRow& row = m_rows[i];
        if (row.offset < regionStart || row.offset > m_trailer.indexOffset ||
            m_trailer.indexOffset - row.offset < kSegmentHeaderSize + std::uint64_t(row.storedLength))
            return damaged("the directory points outside the entries");
        SegmentPin pin;
        if (!into.hasHashes && checkSet)
            pin.seen = &m_pins[i];
        else if (!into.hasHashes)
            pin.expected = &m_pins[i];
        auto table = readSegment(row, into.hasHashes, read, &pin);
        COFFER_TRY(table);
        COFFER_TRY(appender.append(std::move(*table), regionStart, row.offset, read));
        regionStart = row.offset + kSegmentHeaderSize + row.storedLength;
        COFFER_TRY(done(into));
    }
    if (regionStart != m_trailer.indexOffset)
        return damaged("the entries do not end where the directory begins");
    return Status::success();
}

Result<ArchiveIndex> readSegmentedIndex(std::uint64_t length, const PlainReader& read)
{
    auto walk = SegmentWalk::open(length, read);
    COFFER_TRY(walk);
    ArchiveIndex index;
    index.entries.reserve(static_cast<std::size_t>(walk->entryCount() + walk->segmentCount()));
    COFFER_TRY(walk->walk(index, read, [](ArchiveIndex&) { return Status::success(); }));
    return index;
}

} // namespace coffer
