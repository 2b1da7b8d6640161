#include "IndexedReader.h"

#include "PackLoader.h"
#include "Primitives.h"
#include "SegmentTable.h"

#include <algorithm>
#include <optional>

namespace coffer {

Status checkHash(const IndexEntry& file, crypto::Sha256& hash)
{
    if (hash.finish() != *file.sha256)
        return damaged("the content of \"" + file.info.path + "\" does not match its hash");
    return Status::success();
}

IndexedReader::IndexedReader(ContainerReader reader, ArchiveIndex index)
    : m_reader(std::move(reader)), m_index(std::move(index))
{}

Result<IndexedReader> IndexedReader::open(const std::filesystem::path& container,
                                          const crypto::IdentityList& identities)
{
    auto reader = ContainerReader::open(container, identities);
    COFFER_TRY(reader);
    auto index = reader->readIndex();
    COFFER_TRY(index);
    return IndexedReader(std::move(*reader), std::move(*index));
}

Result<IndexedReader> IndexedReader::openSegmented(const std::filesystem::path& container,
                                                   const crypto::IdentityList& identities)
{
    auto reader = ContainerReader::open(container, identities);
    COFFER_TRY(reader);
    if (!reader->isSegmented()) {
        auto index = reader->readIndex();
        COFFER_TRY(index);
        return IndexedReader(std::move(*reader), std::move(*index));
    }
    auto walk = reader->openSegments();
    COFFER_TRY(walk);
    ArchiveIndex header = walk->header();
    header.openedBy = reader->header().openedBy;
    IndexedReader opened(std::move(*reader), std::move(header));
    opened.m_walk = std::move(*walk);
    return opened;
}

Status IndexedReader::eachSegment(const std::function<Status()>& each, PathCheck check)
{
    if (!m_walk)
        return each(); // the whole index is at hand
    m_index.entries.clear();
    return m_walk->walk(
        m_index, m_reader.plaintext(),
        [&](ArchiveIndex& segment) {
            const Status done = each();
            segment.entries.clear();
            return done;
        },
        check);
}

const IndexEntry* IndexedReader::find(const std::string& path) const
{
    const auto it = std::find_if(m_index.entries.begin(), m_index.entries.end(),
                                 [&](const IndexEntry& e) { return e.info.path == path; });
    return it == m_index.entries.end() ? nullptr : &*it;
}

Status IndexedReader::readEntry(const IndexEntry& entry, const DataSink& sink, JobControl& job, bool raw)
{
    if (entry.layout == IndexEntry::Layout::None)
        return Status::success(); // format v2: its segment says all there is
    RangeSource range(m_reader, entry.offset, entry.end());
    BufferedSource in(range,
                      static_cast<std::size_t>(std::min<std::uint64_t>(entry.end() - entry.offset, kBufferSize)));
    if (entry.layout == IndexEntry::Layout::Pack) {
        std::uint8_t header[kPackHeaderSize];
        COFFER_TRY(in.readExact(header));
        auto pack = decodePackHeader(header);
        COFFER_TRY(pack);
        if (pack->codec != entry.info.codec || pack->contentSize != entry.info.size)
            return damaged("a pack of small files does not match its segment");
    } else {
        auto info = readRecordHeader(in);
        COFFER_TRY(info);
        if (!(*info == entry.info))
            return damaged("the entry \"" + entry.info.path + "\" does not match the index");
    }
    EntryInfo asStored = entry.info;
    asStored.codec = Codec::Stored;
    asStored.size = entry.storedSize;
    auto stored = readEntryData(in, raw ? asStored : entry.info, sink, job);
    COFFER_TRY(stored);
    auto rest = in.peek();
    COFFER_TRY(rest);
    if (*stored != entry.storedSize || !rest->empty())
        return damaged("the entry \"" + entry.info.path + "\" does not end where the index says");
    return Status::success();
}

Status IndexedReader::checkRecord(const IndexEntry& entry, JobControl& job)
{
    return readEntry(entry, kDiscard, job);
}

Result<Bytes> IndexedReader::loadPack(const IndexEntry& pack, JobControl& job)
{
    if (pack.storedSize > kMaxPackStored)
        return damaged("a pack is larger than 16 MiB compressed can be");
    Bytes stored;
    stored.reserve(static_cast<std::size_t>(pack.storedSize)); // <= 16 MiB and a little
    const DataSink keep = [&](ByteView d) {
        stored.insert(stored.end(), d.begin(), d.end());
        return Status::success();
    };
    COFFER_TRY(readEntry(pack, keep, job, true));
    return stored;
}

// A packed file: its pack decoded, its record checked, and (signed) its hash
// compared, all before a byte of it is given out.
Result<ByteView> IndexedReader::packedBytes(const IndexEntry& file, PackContent& pack, JobControl& job)
{
    const IndexEntry& packEntry = m_index.entries[file.packEntry];
    auto stored = loadPack(packEntry, job);
    COFFER_TRY(stored);
    COFFER_TRY(pack.decode(packEntry, *stored, job));
    COFFER_TRY(checkRecord(file, job));
    const ByteView bytes = pack.member(file);
    if (file.sha256 && crypto::sha256(bytes) != *file.sha256)
        return damaged("the content of \"" + file.info.path + "\" does not match its hash");
    return bytes;
}

Status IndexedReader::readFile(const IndexEntry& file, const DataSink& sink, JobControl& job)
{
    if (file.info.kind != EntryKind::File)
        return makeError(ErrorCode::InvalidArgument, "\"" + file.info.path + "\" is not a file");
    if (file.info.codec == Codec::Packed) {
        PackContent pack;
        auto bytes = packedBytes(file, pack, job);
        COFFER_TRY(bytes);
        return sink(*bytes);
    }
    std::optional<crypto::Sha256> hash;
    if (file.sha256)
        hash.emplace();
    const DataSink hashed = [&](ByteView d) -> Status {
        if (hash)
            hash->update(d);
        return sink(d);
    };
    COFFER_TRY(readEntry(file, hashed, job));
    return hash ? checkHash(file, *hash) : Status::success();
}

Status IndexedReader::readRange(const IndexEntry& file, std::uint64_t offset, MutableByteView out, JobControl& job)
{
    Status status = readRangeOf(file, offset, out, job);
    if (!status.ok())
        std::fill(out.begin(), out.end(), std::uint8_t{0});
    return status;
}

// A stored file's record, checked byte for byte without reading its data.
Status IndexedReader::checkStoredRecord(const IndexEntry& file)
{
    if (file.layout != IndexEntry::Layout::Record)
        return Status::success(); // format v2's empty file: nothing to read
    Bytes record(file.info.recordHeaderSize());
    COFFER_TRY(m_reader.read(file.offset, record));
    if (record != encodeEntryRecordHeader(file.info))
        return damaged("the entry \"" + file.info.path + "\" does not match the index");
    return Status::success();
}

Status IndexedReader::readRangeOf(const IndexEntry& file, std::uint64_t offset, MutableByteView out, JobControl& job)
{
    if (file.info.kind != EntryKind::File)
        return makeError(ErrorCode::InvalidArgument, "\"" + file.info.path + "\" is not a file");
    if (offset > file.info.size || out.size() > file.info.size - offset)
        return makeError(ErrorCode::InvalidArgument, "a read goes past the end of \"" + file.info.path + "\"");
    if (file.info.codec == Codec::Stored) {
        COFFER_TRY(checkStoredRecord(file));
        return m_reader.read(file.dataOffset() + offset, out);
    }
    if (file.info.codec == Codec::Packed) {
        PackContent pack;
        auto bytes = packedBytes(file, pack, job);
        COFFER_TRY(bytes);
        std::copy_n(bytes->begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
        return Status::success();
    }
    // Compressed: decoded from its start (a frame has no seek points), only the range kept.
    std::uint64_t at = 0;
    const std::uint64_t end = offset + out.size();
    const DataSink keep = [&](ByteView d) {
        const std::uint64_t from = std::max(at, offset);
        const std::uint64_t to = std::min(at + d.size(), end);
        if (from < to)
            std::copy_n(d.begin() + static_cast<std::ptrdiff_t>(from - at), to - from,
                        out.begin() + static_cast<std::ptrdiff_t>(from - offset));
        at += d.size();
        return Status::success();
    };
    return readFile(file, keep, job);
}

} // namespace coffer
