#include "MountReader.h"

#include "Primitives.h"

#include <algorithm>

namespace coffer {

MountReader::MountReader(IndexedReader reader)
    : m_reader(std::move(reader)), m_checked(m_reader.index().entries.size(), false)
{}

Status MountReader::prepare(std::size_t entry)
{
    const IndexEntry& file = index().entries[entry];
    if (m_checked[entry] || !index().signature || !file.sha256 || file.info.codec == Codec::Packed)
        return Status::success();                         // a packed file's hash is checked with its pack (readPacked)
    COFFER_TRY(m_reader.readFile(file, kDiscard, m_job)); // compares the hash at its end
    m_checked[entry] = true;
    return Status::success();
}

Status MountReader::read(std::size_t entry, std::uint64_t offset, MutableByteView out)
{
    Status status = readOf(entry, offset, out);
    if (!status.ok())
        std::fill(out.begin(), out.end(), std::uint8_t{0});
    return status;
}

Status MountReader::readOf(std::size_t entry, std::uint64_t offset, MutableByteView out)
{
    const IndexEntry& file = index().entries[entry];
    if (file.info.kind != EntryKind::File || offset > file.info.size || out.size() > file.info.size - offset)
        return makeError(ErrorCode::InvalidArgument, "a read goes past the end of \"" + file.info.path + "\"");
    if (out.empty())
        return Status::success();
    COFFER_TRY(prepare(entry));
    switch (file.info.codec) {
    case Codec::Stored:
        return readStored(entry, offset, out);
    case Codec::Packed:
        return readPacked(entry, offset, out);
    case Codec::Zstd:
        return m_cursors.get(m_reader.container(), file).read(offset, out);
    }
    return damaged("an entry has an unknown codec");
}

// A stored file: its record checked against the index once, then only the
// chunks that cover the range. (IndexedReader::readRange would check the
// record at every read: a jump back to the record's chunk that would end
// the reader's read-ahead, each 128 KiB read starting again at one chunk.)
Status MountReader::readStored(std::size_t entry, std::uint64_t offset, MutableByteView out)
{
    const IndexEntry& file = index().entries[entry];
    if (!m_checked[entry] && file.layout == IndexEntry::Layout::Record) {
        Bytes record(file.info.recordHeaderSize());
        COFFER_TRY(m_reader.container().read(file.offset, record));
        if (record != encodeEntryRecordHeader(file.info))
            return damaged("the entry \"" + file.info.path + "\" does not match the index");
        m_checked[entry] = true;
    }
    return m_reader.container().read(file.dataOffset() + offset, out);
}

// A packed file: its pack decoded (and kept), its record checked against the
// index and (signed) its hash compared, once, before a byte of it is given out.
Status MountReader::readPacked(std::size_t entry, std::uint64_t offset, MutableByteView out)
{
    const IndexEntry& file = index().entries[entry];
    auto pack = m_packs.get(m_reader, file.packEntry, m_job);
    COFFER_TRY(pack);
    const ByteView bytes = (*pack)->member(file);
    if (!m_checked[entry]) {
        COFFER_TRY(m_reader.checkRecord(file, m_job));
        if (file.sha256 && crypto::sha256(bytes) != *file.sha256)
            return damaged("the content of \"" + file.info.path + "\" does not match its hash");
        m_checked[entry] = true;
    }
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
    return Status::success();
}

} // namespace coffer
