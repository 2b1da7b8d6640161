#include "SequentialReader.h"

#include "Primitives.h"
#include "Zstd.h"

#include <cstring>

namespace coffer {

SequentialReader::~SequentialReader() = default;

Result<std::unique_ptr<SequentialReader>> SequentialReader::open(ByteSource& input,
                                                                 const crypto::IdentityList& identities)
{
    std::unique_ptr<SequentialReader> r(new SequentialReader);
    COFFER_TRY(r->readHeader(input, identities));
    return r;
}

// The header: read until its MAC line is complete (at most 256 KiB); what
// followed it in the last read is the payload's start.
Status SequentialReader::readHeader(ByteSource& input, const crypto::IdentityList& identities)
{
    Bytes head;
    std::optional<std::size_t> headerEnd;
    while (!(headerEnd = crypto::findHeaderEnd(head)) && head.size() < crypto::kMaxHeaderSize) {
        const std::size_t have = head.size();
        head.resize(have + 4096);
        auto n = input.read(MutableByteView(head).subspan(have));
        COFFER_TRY(n);
        head.resize(have + *n);
        if (*n == 0)
            break;
    }
    auto opened = readAndUnwrapHeader(head, identities);
    COFFER_TRY(opened);
    m_openedBy = opened->openedBy;
    m_rest.emplace(Bytes(head.begin() + static_cast<std::ptrdiff_t>(opened->parsed.length), head.end()), input);
    auto payload = crypto::PayloadReader::create(opened->fileKey.view(), *m_rest);
    COFFER_TRY(payload);
    m_payload.emplace(std::move(*payload));
    m_payloadSource.reader = &*m_payload;
    m_in.emplace(m_payloadSource);
    m_v2 = opened->parsed.header.version == crypto::kFormatV2;
    return Status::success();
}

Result<IndexEntry> SequentialReader::readRecord(JobControl& job)
{
    if (job.isCancelled()) // directories and packed files have no data loop that would notice
        return makeError(ErrorCode::Cancelled, "cancelled");
    if (m_seen.size() >= kMaxEntries) // the index could not list them all (FORMAT.md §8)
        return makeError(ErrorCode::LimitExceeded, "the archive has more than 1,000,000 entries");
    IndexEntry entry;
    entry.offset = m_in->position();
    auto info = readRecordHeader(*m_in);
    COFFER_TRY(info);
    entry.info = std::move(*info);
    if (!entry.isPack())
        COFFER_TRY(m_paths.add(entry.info.path, entry.info.kind == EntryKind::Directory));
    COFFER_TRY(m_packs.add(entry, m_seen.size()));
    return entry;
}

Result<const IndexEntry*> SequentialReader::next(JobControl& job)
{
    if (m_v2)
        return nextV2(job);
    COFFER_TRY(skipData(job));
    while (true) {
        auto magic = m_in->peek(4);
        COFFER_TRY(magic);
        if (magic->size() < 4 || std::memcmp(magic->data(), "CFEN", 4) != 0)
            return nullptr; // the index starts here
        auto entry = readRecord(job);
        COFFER_TRY(entry);
        m_seen.push_back(std::move(*entry));
        IndexEntry& e = m_seen.back();
        if (!e.isPack()) {
            m_pending = e.info.kind == EntryKind::File && e.info.codec != Codec::Packed;
            return &e;
        }
        m_pack.renew(e.info.size); // its content: its members' bytes, at hand when they come
        auto stored = readEntryData(*m_in, e.info, m_pack.sink(), job);
        COFFER_TRY(stored);
        e.storedSize = *stored;
    }
}

Status SequentialReader::readData(const DataSink& sink, JobControl& job)
{
    if (m_v2 && !m_pending)
        return Status::success(); // an empty file: its segment said all there is
    IndexEntry& e = m_seen.back();
    m_pending = false;
    crypto::Sha256 hash;
    const DataSink hashed = [&](ByteView d) -> Status {
        hash.update(d);
        return sink(d);
    };
    auto stored = readEntryData(*m_in, e.info, hashed, job);
    COFFER_TRY(stored);
    e.storedSize = *stored;
    e.sha256 = hash.finish();
    return Status::success();
}

Status SequentialReader::skipData(JobControl& job)
{
    if (!m_pending)
        return Status::success();
    m_pending = false;
    auto stored = readEntryData(*m_in, m_seen.back().info, kDiscard, job);
    COFFER_TRY(stored);
    m_seen.back().storedSize = *stored;
    return Status::success();
}

ByteView SequentialReader::readMember()
{
    if (m_v2) // its pack's hash was checked before it was given out
        return m_pack.member(m_index.entries[m_current]);
    IndexEntry& e = m_seen.back();
    const ByteView bytes = m_pack.member(e);
    e.sha256 = crypto::sha256(bytes);
    return bytes;
}

Result<ArchiveIndex> SequentialReader::finish(JobControl& job)
{
    if (m_v2)
        return finishV2(job);
    COFFER_TRY(skipData(job));
    COFFER_TRY(m_packs.finish());
    auto index = readIndex();
    COFFER_TRY(index);
    index->openedBy = m_openedBy;
    COFFER_TRY(checkAgainstRecords(*index));
    return index;
}

// Index and trailer: the rest of the stream, authenticated to the end.
Result<ArchiveIndex> SequentialReader::readIndex()
{
    const std::uint64_t indexOffset = m_in->position();
    auto tail = readTail(kMaxIndexPlainSize + kTrailerSize);
    COFFER_TRY(tail);
    return decodeTail(*tail, indexOffset);
}

Result<Bytes> SequentialReader::readTail(std::uint64_t limit)
{
    Bytes tail;
    while (true) {
        auto view = m_in->peek();
        COFFER_TRY(view);
        if (view->empty())
            break;
        if (tail.size() + view->size() > limit)
            return makeError(ErrorCode::LimitExceeded, "the archive index is larger than 128 MiB");
        tail.insert(tail.end(), view->begin(), view->end());
        m_in->consume(view->size());
    }
    return tail;
}

Result<ArchiveIndex> SequentialReader::decodeTail(const Bytes& tail, std::uint64_t indexOffset)
{
    if (tail.size() < kTrailerSize)
        return damaged("the archive is too short to hold a trailer");
    auto trailer = decodeTrailer(ByteView(tail).last(kTrailerSize), m_in->position());
    COFFER_TRY(trailer);
    if (trailer->indexOffset != indexOffset)
        return damaged("the index is not where the entries end");
    auto plain = decompressSingleFrame(ByteView(tail).first(tail.size() - kTrailerSize), trailer->indexPlainLength);
    COFFER_TRY(plain);
    if (plain->size() != trailer->indexPlainLength)
        return damaged("the index size does not match the trailer");
    return decodeIndex(*plain, indexOffset);
}

// The index must say exactly what the records said.
Status SequentialReader::checkAgainstRecords(const ArchiveIndex& index) const
{
    if (index.entries.size() != m_seen.size())
        return damaged("the index does not list the entries that were read");
    for (std::size_t i = 0; i < m_seen.size(); ++i) {
        const auto& a = index.entries[i];
        const auto& b = m_seen[i];
        if (!(a.info == b.info) || a.offset != b.offset || a.storedSize != b.storedSize)
            return damaged("the index disagrees with the entry \"" + b.info.path + "\"");
        if (a.sha256 && b.sha256 && *a.sha256 != *b.sha256)
            return damaged("the content of \"" + b.info.path + "\" does not match its hash");
    }
    return Status::success();
}

} // namespace coffer
