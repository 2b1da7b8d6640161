#include "ArchiveFormat.h"

#include "IndexAudience.h"
#include "PathRules.h"
#include "RecipientKey.h"
#include "Signature.h"

#include <algorithm>
#include <cstring>

namespace coffer {

namespace {

constexpr char kEntryMagic[4] = {'C', 'F', 'E', 'N'};
constexpr char kIndexMagic[4] = {'C', 'F', 'I', 'X'};
constexpr char kTrailerMagic[4] = {'C', 'F', 'T', 'R'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kFlagHashes = 1;
constexpr std::uint32_t kFlagSignature = 2;

class Writer {
public:
    explicit Writer(Bytes& out) : m_out(out) {}
    void raw(const void* p, std::size_t n)
    {
        const auto* b = static_cast<const std::uint8_t*>(p);
        m_out.insert(m_out.end(), b, b + n);
    }
    template <typename T> void le(T v)
    {
        auto u = static_cast<std::make_unsigned_t<T>>(v);
        std::uint8_t bytes[sizeof(T)];
        for (std::size_t i = 0; i < sizeof(T); ++i)
            bytes[i] = static_cast<std::uint8_t>(u >> (8 * i));
        raw(bytes, sizeof(T)); // one append, not one per byte (an index has millions of fields)
    }

private:
    Bytes& m_out;
};

class Reader {
public:
    explicit Reader(ByteView in) : m_in(in) {}
    bool raw(void* p, std::size_t n)
    {
        if (m_in.size() - m_pos < n)
            return false;
        std::memcpy(p, m_in.data() + m_pos, n);
        m_pos += n;
        return true;
    }
    template <typename T> bool le(T& v)
    {
        if (m_in.size() - m_pos < sizeof(T))
            return false;
        std::make_unsigned_t<T> u = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            u |= static_cast<std::make_unsigned_t<T>>(m_in[m_pos + i]) << (8 * i);
        v = static_cast<T>(u);
        m_pos += sizeof(T);
        return true;
    }
    bool string(std::string& s, std::size_t n)
    {
        if (m_in.size() - m_pos < n)
            return false;
        s.assign(reinterpret_cast<const char*>(m_in.data() + m_pos), n);
        m_pos += n;
        return true;
    }
    bool atEnd() const { return m_pos == m_in.size(); }
    std::size_t position() const { return m_pos; }

private:
    ByteView m_in;
    std::size_t m_pos = 0;
};

void writeCommon(Writer& w, const EntryInfo& info)
{
    w.le(static_cast<std::uint8_t>(info.kind));
    w.le(static_cast<std::uint8_t>(info.codec));
    w.le(info.mode);
    w.le(info.mtimeSeconds);
    w.le(info.mtimeNanoseconds);
    w.le(info.size);
}

bool readCommon(Reader& r, EntryInfo& info)
{
    std::uint8_t kind = 0, codec = 0;
    if (!(r.le(kind) && r.le(codec) && r.le(info.mode) && r.le(info.mtimeSeconds) && r.le(info.mtimeNanoseconds) &&
          r.le(info.size)))
        return false;
    info.kind = static_cast<EntryKind>(kind);
    info.codec = static_cast<Codec>(codec);
    return true;
}

// The per-entry checks shared by records and index entries (FORMAT.md §5.4).
Status checkInfo(const EntryInfo& info)
{
    if (info.kind != EntryKind::File && info.kind != EntryKind::Directory && info.kind != EntryKind::Pack)
        return damaged("an entry has an unknown kind");
    if (info.codec != Codec::Stored && info.codec != Codec::Zstd && info.codec != Codec::Packed)
        return damaged("an entry uses an unknown compression method");
    if (info.kind == EntryKind::Pack &&
        (info.codec != Codec::Zstd || info.size == 0 || info.size > kMaxPackContent || info.mode != 0 ||
         info.mtimeSeconds != 0 || info.mtimeNanoseconds != 0 || !info.path.empty()))
        return damaged("a pack entry is malformed");
    if (info.codec == Codec::Packed && (info.kind != EntryKind::File || info.size == 0))
        return damaged("only non-empty files can be packed");
    if ((info.mode & ~0777u) != 0)
        return damaged("an entry has invalid permission bits");
    if (info.mtimeNanoseconds >= 1'000'000'000u)
        return damaged("an entry has an invalid time");
    if (info.kind == EntryKind::Directory && (info.size != 0 || info.codec != Codec::Stored))
        return damaged("a directory entry has content");
    if (info.codec == Codec::Zstd && info.size == 0)
        return damaged("an empty entry claims to be compressed");
    return Status::success();
}

} // namespace

Error damaged(std::string what)
{
    return makeError(ErrorCode::Damaged, "the archive is damaged or was tampered with: " + std::move(what));
}

Bytes encodeEntryRecordHeader(const EntryInfo& info)
{
    Bytes out;
    out.reserve(info.recordHeaderSize());
    Writer w(out);
    w.raw(kEntryMagic, 4);
    writeCommon(w, info);
    w.le(static_cast<std::uint16_t>(info.path.size()));
    w.raw(info.path.data(), info.path.size());
    return out;
}

Result<RecordFixed> decodeEntryRecordFixed(ByteView fixed)
{
    if (fixed.size() != kEntryFixedSize)
        return damaged("an entry record is truncated");
    Reader r(fixed);
    char magic[4];
    RecordFixed rec;
    if (!r.raw(magic, 4) || std::memcmp(magic, kEntryMagic, 4) != 0)
        return damaged("an entry record has a bad magic");
    if (!readCommon(r, rec.info) || !r.le(rec.pathLength))
        return damaged("an entry record is truncated");
    // A pack has no path; every other entry has one.
    if (rec.info.kind == EntryKind::Pack && rec.pathLength != 0)
        return damaged("a pack entry is malformed");
    if (rec.info.kind != EntryKind::Pack && (rec.pathLength == 0 || rec.pathLength > kMaxPathBytes))
        return makeError(ErrorCode::UnsafePath, "an entry has an empty or over-long path");
    COFFER_TRY(checkInfo(rec.info));
    return rec;
}

Bytes encodeIndex(const ArchiveIndex& index)
{
    Bytes out;
    Writer w(out);
    w.raw(kIndexMagic, 4);
    w.le(index.version);
    w.le(static_cast<std::uint32_t>((index.hasHashes ? kFlagHashes : 0) | (index.signature ? kFlagSignature : 0)));
    w.le(static_cast<std::uint32_t>(index.entries.size()));
    for (const auto& e : index.entries) {
        writeCommon(w, e.info);
        w.le(e.storedSize);
        w.le(e.offset);
        w.le(static_cast<std::uint16_t>(e.info.path.size()));
        w.raw(e.info.path.data(), e.info.path.size());
        if (index.hasHashes)
            w.raw(e.sha256->data(), 32);
    }
    encodeAudience(out, index.recipients, index.signature);
    return out;
}

Result<ArchiveIndex> decodeIndex(ByteView plain, std::uint64_t indexOffset)
{
    Reader r(plain);
    char magic[4];
    std::uint32_t version = 0, flags = 0, count = 0;
    if (!r.raw(magic, 4) || std::memcmp(magic, kIndexMagic, 4) != 0)
        return damaged("the index has a bad magic");
    if (!r.le(version) || !r.le(flags) || !r.le(count))
        return damaged("the index is truncated");
    if (version != kIndexVersion1 && version != kIndexVersion2)
        return makeError(ErrorCode::UnsupportedVersion, "the archive index has an unsupported version");
    if (flags & ~(kFlagHashes | kFlagSignature))
        return damaged("the index has unknown flags");
    // A signature binds content through the hashes: no signature without them.
    if ((flags & kFlagSignature) && !(flags & kFlagHashes))
        return damaged("a signed index lacks content hashes");
    if (count > kMaxEntries)
        return makeError(ErrorCode::LimitExceeded, "the archive has more than 1,000,000 entries");
    // Each entry needs at least 43 bytes (42 fixed, a 1-byte path): refuse a
    // count the data cannot hold before reserving memory for it.
    if (count > plain.size() / 43)
        return damaged("the index is truncated");

    ArchiveIndex index;
    index.version = version;
    index.hasHashes = (flags & kFlagHashes) != 0;
    index.entries.reserve(count);
    PathSet paths;
    paths.reserve(count);
    PackTracker packs;
    std::uint64_t expectedOffset = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
        IndexEntry e;
        std::uint16_t pathLength = 0;
        if (!readCommon(r, e.info) || !r.le(e.storedSize) || !r.le(e.offset) || !r.le(pathLength) ||
            !r.string(e.info.path, pathLength))
            return damaged("the index is truncated");
        if (index.hasHashes) {
            crypto::Digest32 d{};
            if (!r.raw(d.data(), d.size()))
                return damaged("the index is truncated");
            e.sha256 = d;
        }
        COFFER_TRY(checkInfo(e.info));
        if (e.info.kind != EntryKind::File && e.sha256 && *e.sha256 != crypto::sha256({}))
            return damaged("a directory or pack entry has a content hash");
        if (e.info.codec == Codec::Packed && e.storedSize != 0)
            return damaged("a packed file has data of its own");
        if (e.info.codec == Codec::Stored && e.storedSize != e.info.size)
            return damaged("a stored entry's length does not match its size");
        if (e.offset != expectedOffset)
            return damaged("index entries overlap or leave gaps");
        if (e.storedSize > indexOffset || e.dataOffset() > indexOffset - e.storedSize)
            return damaged("an index entry points past the end of the entries");
        expectedOffset = e.end();
        if (!e.isPack())
            COFFER_TRY(paths.add(e.info.path, e.info.kind == EntryKind::Directory));
        COFFER_TRY(packs.add(e, index.entries.size()));
        index.entries.push_back(std::move(e));
    }
    COFFER_TRY(packs.finish());
    if (expectedOffset != indexOffset)
        return damaged("the entries do not end where the index begins");
    std::size_t position = r.position();
    auto audience =
        decodeAudience(plain, position, version, (flags & kFlagSignature) != 0, crypto::verifyIndexSignature);
    if (!audience.ok())
        return audience.error();
    index.recipients = std::move(audience->recipients);
    index.signature = audience->signature;
    if (position != plain.size())
        return damaged("the index has trailing bytes");
    return index;
}

Status PackTracker::add(IndexEntry& entry, std::size_t entryIndex)
{
    if (entry.isPack()) {
        if (m_remaining != 0)
            return damaged("a pack starts before the previous one is used up");
        m_pack = entryIndex;
        m_size = m_remaining = entry.info.size;
        return Status::success();
    }
    if (entry.info.codec != Codec::Packed) {
        if (m_remaining != 0)
            return damaged("a pack is followed by an entry that is not in it");
        return Status::success();
    }
    // Members follow their pack directly and use up its content in order.
    if (entry.info.size > m_remaining)
        return damaged("a packed file is larger than what is left of its pack");
    entry.packEntry = m_pack;
    entry.packPosition = m_size - m_remaining;
    m_remaining -= entry.info.size;
    return Status::success();
}

Status PackTracker::finish() const
{
    if (m_remaining != 0)
        return damaged("a pack holds bytes that belong to no file");
    return Status::success();
}

Bytes encodeTrailer(const Trailer& t)
{
    Bytes out;
    Writer w(out);
    w.raw(kTrailerMagic, 4);
    w.le(kVersion);
    w.le(t.indexOffset);
    w.le(t.indexLength);
    w.le(t.indexPlainLength);
    return out;
}

Result<Trailer> decodeTrailer(ByteView bytes, std::uint64_t plaintextLength)
{
    if (bytes.size() != kTrailerSize || plaintextLength < kTrailerSize)
        return damaged("the archive is too short to hold a trailer");
    Reader r(bytes);
    char magic[4];
    std::uint32_t version = 0;
    Trailer t;
    if (!r.raw(magic, 4) || std::memcmp(magic, kTrailerMagic, 4) != 0)
        return damaged("the trailer has a bad magic");
    r.le(version);
    // The header's version line is authenticated: format v2's trailer under
    // "coffer/v1" was put there (FORMAT.md §9 item 28).
    if (version == 2)
        return damaged("the trailer's version does not match the header's");
    if (version != kVersion)
        return makeError(ErrorCode::UnsupportedVersion, "the archive has an unsupported version");
    r.le(t.indexOffset);
    r.le(t.indexLength);
    r.le(t.indexPlainLength);
    const std::uint64_t body = plaintextLength - kTrailerSize;
    if (t.indexLength > body || t.indexOffset != body - t.indexLength)
        return damaged("the trailer does not point at the index");
    if (t.indexPlainLength > kMaxIndexPlainSize || t.indexLength > kMaxIndexPlainSize)
        return makeError(ErrorCode::LimitExceeded, "the archive index is larger than 128 MiB");
    return t;
}

} // namespace coffer
