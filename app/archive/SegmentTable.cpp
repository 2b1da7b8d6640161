// Format v2's segment table and item headers (docs/FORMAT-v2.md §3.2, §3.5,
// §3.12): every rule local to one table is checked here, counts before
// anything is reserved.
#include "SegmentTable.h"

#include "PathRules.h"
#include "Varint.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace coffer {

namespace {

constexpr char kSegmentMagic[4] = {'C', 'F', 'S', 'G'};
constexpr char kPackMagic[4] = {'C', 'F', 'P', 'K'};
constexpr std::uint32_t kFlagNanoseconds = 1;
constexpr std::uint32_t kFlagHashes = 2;
constexpr std::uint8_t kNoPack = 0xFF;
// The fewest bytes an entry takes in the columns: kind, prefix, suffix_len,
// mode and mtime (one byte each; the suffix may be empty).
constexpr std::size_t kMinEntryBytes = 5;

void putU32(Bytes& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

bool hasData(SegmentKind k)
{
    return k == SegmentKind::Member || k == SegmentKind::Record;
}

Error truncated()
{
    return damaged("a segment table is truncated");
}

} // namespace

Bytes encodeSegmentTable(const SegmentTable& table)
{
    const auto& entries = table.entries;
    assert(!entries.empty() && entries.size() <= kMaxSegmentEntries);
    const bool ns = std::any_of(entries.begin(), entries.end(), [](const auto& e) { return e.mtimeNanoseconds != 0; });
    std::size_t records = 0, pathBytes = 0;
    for (const auto& e : entries) {
        records += e.kind == SegmentKind::Record;
        pathBytes += e.path.size();
    }
    Bytes out(kSegmentMagic, kSegmentMagic + 4);
    out.reserve(32 + pathBytes + entries.size() * 24 + (table.hashes ? 32 * (records + 1) : 0));
    putU32(out, (ns ? kFlagNanoseconds : 0) | (table.hashes ? kFlagHashes : 0));
    varint::put(out, entries.size());
    varint::put(out, records);
    out.push_back(table.packCodec ? static_cast<std::uint8_t>(*table.packCodec) : kNoPack);
    if (table.packCodec)
        varint::put(out, table.packStored);
    for (const auto& e : entries)
        out.push_back(static_cast<std::uint8_t>(e.kind));
    // Front coding: the longest prefix shared with the previous path.
    std::vector<std::uint32_t> prefix(entries.size());
    for (std::size_t i = 1; i < entries.size(); ++i) {
        const std::string& a = entries[i - 1].path;
        const std::string& b = entries[i].path;
        const std::size_t most = std::min(a.size(), b.size());
        prefix[i] = static_cast<std::uint32_t>(std::mismatch(a.begin(), a.begin() + most, b.begin()).first - a.begin());
    }
    for (std::size_t i = 0; i < entries.size(); ++i)
        varint::put(out, prefix[i]);
    for (std::size_t i = 0; i < entries.size(); ++i)
        varint::put(out, entries[i].path.size() - prefix[i]);
    for (std::size_t i = 0; i < entries.size(); ++i)
        out.insert(out.end(), entries[i].path.begin() + prefix[i], entries[i].path.end());
    for (const auto& e : entries)
        varint::put(out, e.mode);
    std::int64_t previous = 0;
    for (const auto& e : entries) {
        std::int64_t delta = 0;
        [[maybe_unused]] const bool overflow = __builtin_sub_overflow(e.mtimeSeconds, previous, &delta);
        assert(!overflow);
        varint::putZigzag(out, delta);
        previous = e.mtimeSeconds;
    }
    if (ns)
        for (const auto& e : entries)
            varint::put(out, e.mtimeNanoseconds);
    for (const auto& e : entries)
        if (hasData(e.kind))
            varint::put(out, e.size);
    for (const auto& e : entries)
        if (e.kind == SegmentKind::Record)
            varint::put(out, e.stored);
    if (table.hashes) {
        if (table.packCodec)
            out.insert(out.end(), table.packSha256.begin(), table.packSha256.end());
        for (const auto& e : entries)
            if (e.kind == SegmentKind::Record) {
                assert(e.sha256);
                out.insert(out.end(), e.sha256->begin(), e.sha256->end());
            }
    }
    return out;
}

Result<SegmentTable> decodeSegmentTable(ByteView plain, bool expectHashes)
{
    if (plain.size() > kMaxSegmentPlain)
        return makeError(ErrorCode::LimitExceeded, "a segment table is larger than 16 MiB");
    varint::Cursor c(plain);
    ByteView magic;
    std::uint32_t flags = 0;
    if (!c.bytes(magic, 4) || std::memcmp(magic.data(), kSegmentMagic, 4) != 0)
        return damaged("a segment table has a bad magic");
    if (!c.u32le(flags))
        return truncated();
    if (flags & ~(kFlagNanoseconds | kFlagHashes))
        return damaged("a segment table has unknown flags");
    SegmentTable table;
    table.hashes = (flags & kFlagHashes) != 0;
    if (table.hashes != expectHashes)
        return damaged("a segment table's content hashes disagree with the index");
    std::uint64_t n = 0, r = 0;
    std::uint8_t codec = 0;
    if (!c.u64(n) || !c.u64(r) || !c.byte(codec))
        return damaged("a segment table has a malformed count");
    if (n == 0)
        return damaged("a segment table has no entries");
    if (n > kMaxSegmentEntries)
        return makeError(ErrorCode::LimitExceeded, "a segment table has more than 131,072 entries");
    if (r > n)
        return damaged("a segment table counts more records than entries");
    if (codec != kNoPack && codec != static_cast<std::uint8_t>(Codec::Stored) &&
        codec != static_cast<std::uint8_t>(Codec::Zstd))
        return damaged("a segment's pack uses an unknown compression method");
    if (codec != kNoPack) {
        table.packCodec = static_cast<Codec>(codec);
        if (!c.u64(table.packStored))
            return truncated();
        if (table.packStored == 0)
            return damaged("a segment's pack is empty");
    }
    // Refuse a count the bytes cannot hold before reserving for it.
    if (n > c.left() / kMinEntryBytes)
        return truncated();
    const auto count = static_cast<std::size_t>(n);
    table.entries.resize(count);
    auto& entries = table.entries;

    ByteView kinds;
    if (!c.bytes(kinds, count))
        return truncated();
    std::size_t records = 0, members = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (kinds[i] > static_cast<std::uint8_t>(SegmentKind::Record))
            return damaged("a segment table has an entry of unknown kind");
        entries[i].kind = static_cast<SegmentKind>(kinds[i]);
        records += entries[i].kind == SegmentKind::Record;
        members += entries[i].kind == SegmentKind::Member;
    }
    if (records != r)
        return damaged("a segment table's record count does not match its entries");
    if (members != 0 && !table.packCodec)
        return damaged("a segment names packed files but has no pack");
    if (members == 0 && table.packCodec)
        return damaged("a segment's pack holds bytes that belong to no file");
    if (members > kMaxPackMembers)
        return damaged("a pack has more than 65,536 files");

    // Front-coded paths: prefix column, suffix lengths, then the suffixes.
    std::vector<std::uint32_t> prefix(count), suffix(count);
    std::size_t previousLength = 0, suffixBytes = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t p = 0;
        if (!c.u64(p))
            return truncated();
        if (p > kMaxPathBytes)
            return damaged("a segment table's path prefix is longer than the previous path");
        prefix[i] = static_cast<std::uint32_t>(p);
    }
    for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t s = 0;
        if (!c.u64(s))
            return truncated();
        if (s > kMaxPathBytes || prefix[i] + s == 0 || prefix[i] + s > kMaxPathBytes)
            return makeError(ErrorCode::UnsafePath, "an entry has an empty or over-long path");
        suffix[i] = static_cast<std::uint32_t>(s);
        suffixBytes += s;
    }
    ByteView suffixes;
    if (!c.bytes(suffixes, suffixBytes))
        return truncated();
    std::size_t at = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (prefix[i] > previousLength)
            return damaged("a segment table's path prefix is longer than the previous path");
        std::string& path = entries[i].path;
        path.reserve(prefix[i] + suffix[i]);
        if (i > 0)
            path.assign(entries[i - 1].path, 0, prefix[i]);
        path.append(reinterpret_cast<const char*>(suffixes.data() + at), suffix[i]);
        at += suffix[i];
        COFFER_TRY(checkArchivePath(path));
        previousLength = path.size();
    }

    for (auto& e : entries) {
        std::uint64_t mode = 0;
        if (!c.u64(mode))
            return truncated();
        if (mode > 0777)
            return damaged("an entry has invalid permission bits");
        e.mode = static_cast<std::uint16_t>(mode);
    }
    std::int64_t mtime = 0;
    for (auto& e : entries) {
        std::int64_t delta = 0;
        if (!c.zigzag(delta))
            return truncated();
        if (__builtin_add_overflow(mtime, delta, &mtime))
            return damaged("an entry has an invalid time");
        e.mtimeSeconds = mtime;
    }
    if (flags & kFlagNanoseconds)
        for (auto& e : entries) {
            std::uint64_t ns = 0;
            if (!c.u64(ns))
                return truncated();
            if (ns >= 1'000'000'000u)
                return damaged("an entry has an invalid time");
            e.mtimeNanoseconds = static_cast<std::uint32_t>(ns);
        }
    std::uint64_t memberBytes = 0;
    for (auto& e : entries) {
        if (!hasData(e.kind))
            continue;
        if (!c.u64(e.size))
            return truncated();
        if (e.size == 0)
            return damaged("a file with content has size 0");
        if (e.kind == SegmentKind::Member && e.size > kMaxPackContent)
            return damaged("a packed file is larger than a pack");
        if (e.kind == SegmentKind::Record && e.size > kMaxRecordSize)
            return damaged("a file's size is out of range");
        if (e.kind == SegmentKind::Member)
            memberBytes += e.size;
    }
    if (memberBytes > kMaxPackContent)
        return damaged("a pack's files add up to more than 16 MiB");
    if (table.packCodec == Codec::Stored && table.packStored != memberBytes)
        return damaged("a stored pack's length does not match its files");
    for (auto& e : entries) {
        if (e.kind != SegmentKind::Record)
            continue;
        if (!c.u64(e.stored))
            return truncated();
        if (e.stored == 0 || e.stored > kMaxRecordSize)
            return damaged("a file's stored length is out of range");
    }
    if (table.hashes) {
        ByteView digest;
        if (table.packCodec) {
            if (!c.bytes(digest, 32))
                return truncated();
            std::copy(digest.begin(), digest.end(), table.packSha256.begin());
        }
        for (auto& e : entries) {
            if (e.kind != SegmentKind::Record)
                continue;
            if (!c.bytes(digest, 32))
                return truncated();
            e.sha256.emplace();
            std::copy(digest.begin(), digest.end(), e.sha256->begin());
        }
    }
    if (c.left() != 0)
        return damaged("a segment table has trailing bytes");
    return table;
}

Bytes encodePackHeader(const PackHeader& h)
{
    Bytes out(kPackMagic, kPackMagic + 4);
    out.push_back(static_cast<std::uint8_t>(h.codec));
    putU32(out, h.contentSize);
    return out;
}

Result<PackHeader> decodePackHeader(ByteView bytes)
{
    varint::Cursor c(bytes);
    ByteView magic;
    std::uint8_t codec = 0;
    PackHeader h;
    if (bytes.size() != kPackHeaderSize || !c.bytes(magic, 4) || std::memcmp(magic.data(), kPackMagic, 4) != 0)
        return damaged("a pack has a bad magic");
    c.byte(codec);
    c.u32le(h.contentSize);
    if (codec != static_cast<std::uint8_t>(Codec::Stored) && codec != static_cast<std::uint8_t>(Codec::Zstd))
        return damaged("a pack uses an unknown compression method");
    h.codec = static_cast<Codec>(codec);
    if (h.contentSize == 0 || h.contentSize > kMaxPackContent)
        return damaged("a pack's size is out of range");
    return h;
}

Bytes encodeSegmentHeader(std::uint32_t storedLength)
{
    Bytes out(kSegmentMagic, kSegmentMagic + 4);
    putU32(out, storedLength);
    return out;
}

Result<std::uint32_t> decodeSegmentHeader(ByteView bytes)
{
    varint::Cursor c(bytes);
    ByteView magic;
    std::uint32_t stored = 0;
    if (bytes.size() != kSegmentHeaderSize || !c.bytes(magic, 4) || std::memcmp(magic.data(), kSegmentMagic, 4) != 0)
        return damaged("a segment has a bad magic");
    c.u32le(stored);
    if (stored == 0)
        return damaged("a segment is empty");
    if (stored > kMaxSegmentStored)
        return makeError(ErrorCode::LimitExceeded, "a segment is larger than 32 MiB");
    return stored;
}

} // namespace coffer
