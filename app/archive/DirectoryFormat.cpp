// Format v2's directory and trailer (docs/FORMAT-v2.md §3.6, §3.7).
#include "DirectoryFormat.h"

#include "IndexAudience.h"
#include "SegmentTable.h"
#include "Signature.h"
#include "Varint.h"

#include <cassert>
#include <cstring>

namespace coffer {

namespace {

constexpr char kDirectoryMagic[4] = {'C', 'F', 'I', 'X'};
constexpr char kTrailerMagic[4] = {'C', 'F', 'T', 'R'};
constexpr std::uint32_t kFlagHashes = 1;
constexpr std::uint32_t kFlagSignature = 2;
constexpr std::size_t kRowSize = 20;
constexpr std::size_t kHashedRowSize = kRowSize + 32;
// "segment_count <= floor(P / 20)" (§3.6): the smallest a row can be.
constexpr std::size_t kMinBytesPerSegment = 20;

template <typename T> void putLe(Bytes& out, T v)
{
    for (std::size_t i = 0; i < sizeof(T); ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

} // namespace

Bytes encodeDirectory(const Directory& d)
{
    assert(!d.signature || d.hashes);
    assert(d.rows.size() <= kMaxSegments);
    std::uint64_t entries = 0;
    for (const auto& row : d.rows)
        entries += row.entryCount;
    assert(entries <= kMaxEntries);
    Bytes out(kDirectoryMagic, kDirectoryMagic + 4);
    out.reserve(kDirectoryFixedSize + d.rows.size() * (d.hashes ? kHashedRowSize : kRowSize) + 4 +
                d.recipients.size() * 33 + kSignatureBlockSize);
    putLe(out, kDirectoryVersion);
    putLe(out, (d.hashes ? kFlagHashes : 0) | (d.signature ? kFlagSignature : 0));
    putLe(out, static_cast<std::uint32_t>(d.rows.size()));
    putLe(out, static_cast<std::uint32_t>(entries));
    for (const auto& row : d.rows) {
        putLe(out, row.offset);
        putLe(out, row.storedLength);
        putLe(out, row.plainLength);
        putLe(out, row.entryCount);
        if (d.hashes) {
            assert(row.sha256);
            out.insert(out.end(), row.sha256->begin(), row.sha256->end());
        }
    }
    encodeAudience(out, d.recipients, d.signature);
    return out;
}

Result<Directory> decodeDirectory(ByteView plain)
{
    if (plain.size() > kMaxDirectoryPlain)
        return makeError(ErrorCode::LimitExceeded, "the archive index is larger than 64 MiB");
    varint::Cursor c(plain);
    ByteView magic;
    std::uint32_t version = 0, flags = 0, segments = 0, entries = 0;
    if (!c.bytes(magic, 4) || std::memcmp(magic.data(), kDirectoryMagic, 4) != 0)
        return damaged("the index has a bad magic");
    if (!c.u32le(version) || !c.u32le(flags) || !c.u32le(segments) || !c.u32le(entries))
        return damaged("the index is truncated");
    if (version != kDirectoryVersion)
        return makeError(ErrorCode::UnsupportedVersion, "the archive index has an unsupported version");
    if (flags & ~(kFlagHashes | kFlagSignature))
        return damaged("the index has unknown flags");
    // A signature binds content through the hashes: no signature without them.
    if ((flags & kFlagSignature) && !(flags & kFlagHashes))
        return damaged("a signed index lacks content hashes");
    if (segments > kMaxSegments)
        return makeError(ErrorCode::LimitExceeded, "the archive has more than 1,048,576 segments");
    if (segments > plain.size() / kMinBytesPerSegment)
        return damaged("the index counts more segments than it holds");
    if (entries > kMaxEntries)
        return makeError(ErrorCode::LimitExceeded, "the archive has more than 1,000,000 entries");
    Directory d;
    d.hashes = (flags & kFlagHashes) != 0;
    const std::size_t rowSize = d.hashes ? kHashedRowSize : kRowSize;
    if (segments > c.left() / rowSize)
        return damaged("the index is truncated");
    d.rows.resize(segments);
    std::uint64_t sum = 0;
    std::uint64_t nextFree = 0; // where the previous segment ends
    for (auto& row : d.rows) {
        c.u64le(row.offset);
        c.u32le(row.storedLength);
        c.u32le(row.plainLength);
        c.u32le(row.entryCount);
        if (d.hashes) {
            ByteView digest;
            c.bytes(digest, 32);
            row.sha256.emplace();
            std::copy(digest.begin(), digest.end(), row.sha256->begin());
        }
        if (row.storedLength == 0 || row.plainLength == 0 || row.entryCount == 0)
            return damaged("the index names an empty segment");
        if (row.storedLength > kMaxSegmentStored || row.plainLength > kMaxSegmentPlain ||
            row.entryCount > kMaxSegmentEntries)
            return makeError(ErrorCode::LimitExceeded, "a segment of the archive is larger than allowed");
        if (row.offset < nextFree)
            return damaged("the index's segments overlap or are out of order");
        if (row.offset > ~std::uint64_t(0) - kSegmentHeaderSize - row.storedLength)
            return damaged("a segment lies beyond the end of the archive");
        nextFree = row.offset + kSegmentHeaderSize + row.storedLength;
        sum += row.entryCount;
    }
    if (sum != entries)
        return damaged("the index's entry count does not match its segments");
    std::size_t position = c.position();
    auto audience =
        decodeAudience(plain, position, version, (flags & kFlagSignature) != 0, crypto::verifyDirectorySignature);
    if (!audience.ok())
        return audience.error();
    d.recipients = std::move(audience->recipients);
    d.signature = audience->signature;
    if (position != plain.size())
        return damaged("the index has trailing bytes");
    return d;
}

Bytes encodeTrailerV2(const Trailer& t)
{
    Bytes out(kTrailerMagic, kTrailerMagic + 4);
    putLe(out, kTrailerVersion2);
    putLe(out, t.indexOffset);
    putLe(out, t.indexLength);
    putLe(out, t.indexPlainLength);
    return out;
}

Result<Trailer> decodeTrailerV2(ByteView bytes, std::uint64_t plaintextLength)
{
    if (bytes.size() != kTrailerSize || plaintextLength < kTrailerSize)
        return damaged("the archive is too short to hold a trailer");
    varint::Cursor c(bytes);
    ByteView magic;
    std::uint32_t version = 0;
    Trailer t;
    if (!c.bytes(magic, 4) || std::memcmp(magic.data(), kTrailerMagic, 4) != 0)
        return damaged("the trailer has a bad magic");
    c.u32le(version);
    // The header's version line is authenticated: a trailer of another
    // version under "coffer/v2" was put there (§3.7).
    if (version != kTrailerVersion2)
        return damaged("the trailer's version does not match the header's");
    c.u64le(t.indexOffset);
    c.u64le(t.indexLength);
    c.u64le(t.indexPlainLength);
    const std::uint64_t body = plaintextLength - kTrailerSize;
    if (t.indexLength > body || t.indexOffset != body - t.indexLength)
        return damaged("the trailer does not point at the index");
    if (t.indexPlainLength > kMaxDirectoryPlain || t.indexLength > kMaxDirectoryPlain)
        return makeError(ErrorCode::LimitExceeded, "the archive index is larger than 64 MiB");
    return t;
}

} // namespace coffer
