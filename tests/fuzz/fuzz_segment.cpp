// Fuzz target: format v2's binary decoders (docs/FORMAT-v2.md §3.2, §3.5-§3.7)
// on arbitrary bytes: decodeSegmentTable, decodeDirectory, decodeTrailerV2,
// the pack and segment headers, and a table or directory inside a zstd frame.
// Input layout:
//
//   bytes 0..7   u64 LE: the plaintext length for decodeTrailerV2
//   byte  8      bit 0: the directory's hash flag that decodeSegmentTable expects
//   bytes 9..    a segment table and a directory (the same bytes), also read as
//                a trailer (its first 32), a pack header (9), a segment header
//                (8), and a zstd frame holding a table or a directory
//
// What decodes must encode back (the directory, trailer and headers to the
// same bytes; a table to bytes that decode to the same table: a writer may
// share less than the longest prefix) and keep the rules the decoder promises.
#include "DirectoryFormat.h"
#include "FuzzSupport.h"
#include "PathRules.h"
#include "SegmentTable.h"
#include "Zstd.h"

#include <algorithm>

using namespace coffer;
using coffer::fuzz::le64;

namespace {

void checkTable(ByteView plain, bool hashes)
{
    auto table = decodeSegmentTable(plain, hashes);
    if (!table.ok())
        return;
    const auto& entries = table->entries;
    FUZZ_CHECK(table->hashes == hashes);
    FUZZ_CHECK(!entries.empty() && entries.size() <= kMaxSegmentEntries);
    std::size_t members = 0;
    std::uint64_t memberBytes = 0;
    for (const auto& e : entries) {
        FUZZ_CHECK(checkArchivePath(e.path).ok());
        FUZZ_CHECK(e.mode <= 0777 && e.mtimeNanoseconds < 1'000'000'000u);
        FUZZ_CHECK(e.sha256.has_value() == (hashes && e.kind == SegmentKind::Record));
        switch (e.kind) {
        case SegmentKind::Directory:
        case SegmentKind::EmptyFile:
            FUZZ_CHECK(e.size == 0 && e.stored == 0);
            break;
        case SegmentKind::Member:
            FUZZ_CHECK(e.size >= 1 && e.size <= kMaxPackContent && e.stored == 0);
            ++members;
            memberBytes += e.size;
            break;
        case SegmentKind::Record:
            FUZZ_CHECK(e.size >= 1 && e.size <= kMaxRecordSize && e.stored >= 1);
            break;
        default:
            FUZZ_CHECK(false);
        }
    }
    FUZZ_CHECK((members != 0) == table->packCodec.has_value());
    FUZZ_CHECK(members <= kMaxPackMembers && memberBytes <= kMaxPackContent);
    if (table->packCodec == Codec::Stored)
        FUZZ_CHECK(table->packStored == memberBytes);
    // Encoding gives a table that decodes to the same, and is a fixed point.
    const Bytes again = encodeSegmentTable(*table);
    auto back = decodeSegmentTable(again, hashes);
    FUZZ_CHECK(back.ok() && *back == *table);
    FUZZ_CHECK(encodeSegmentTable(*back) == again);
    FUZZ_CHECK(again.size() <= plain.size()); // the longest prefixes, no needless ns column
}

void checkDirectory(ByteView plain)
{
    auto d = decodeDirectory(plain);
    if (!d.ok())
        return;
    const Bytes again = encodeDirectory(*d);
    FUZZ_CHECK(again.size() == plain.size() && std::equal(again.begin(), again.end(), plain.begin()));
    FUZZ_CHECK(!d->signature || d->hashes);
    FUZZ_CHECK(d->rows.size() <= kMaxSegments && d->recipients.size() <= 1024);
    std::uint64_t entries = 0, next = 0;
    for (const auto& row : d->rows) {
        FUZZ_CHECK(row.sha256.has_value() == d->hashes);
        FUZZ_CHECK(row.offset >= next);
        FUZZ_CHECK(row.storedLength >= 1 && row.storedLength <= kMaxSegmentStored);
        FUZZ_CHECK(row.plainLength >= 1 && row.plainLength <= kMaxSegmentPlain);
        FUZZ_CHECK(row.entryCount >= 1 && row.entryCount <= kMaxSegmentEntries);
        next = row.offset + kSegmentHeaderSize + row.storedLength;
        FUZZ_CHECK(next > row.offset); // no wrap
        entries += row.entryCount;
    }
    FUZZ_CHECK(entries <= kMaxEntries);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 9)
        return 0;
    const std::uint64_t number = le64(data);
    const bool hashes = (data[8] & 1) != 0;
    const ByteView rest(data + 9, size - 9);

    checkTable(rest, hashes);
    checkDirectory(rest);

    if (rest.size() >= kTrailerSize) {
        const ByteView bytes = rest.first(kTrailerSize);
        auto trailer = decodeTrailerV2(bytes, number);
        if (trailer.ok()) {
            const Bytes again = encodeTrailerV2(*trailer);
            FUZZ_CHECK(std::equal(again.begin(), again.end(), bytes.begin()));
            FUZZ_CHECK(trailer->indexOffset + trailer->indexLength + kTrailerSize == number);
            FUZZ_CHECK(trailer->indexPlainLength <= kMaxDirectoryPlain);
        }
        FUZZ_CHECK(!(trailer.ok() && decodeTrailer(bytes, number).ok())); // never both versions
    }
    if (rest.size() >= kPackHeaderSize) {
        const ByteView bytes = rest.first(kPackHeaderSize);
        auto pack = decodePackHeader(bytes);
        if (pack.ok()) {
            const Bytes again = encodePackHeader(*pack);
            FUZZ_CHECK(std::equal(again.begin(), again.end(), bytes.begin()));
            FUZZ_CHECK(pack->contentSize >= 1 && pack->contentSize <= kMaxPackContent);
        }
    }
    if (rest.size() >= kSegmentHeaderSize) {
        const ByteView bytes = rest.first(kSegmentHeaderSize);
        auto stored = decodeSegmentHeader(bytes);
        if (stored.ok()) {
            const Bytes again = encodeSegmentHeader(*stored);
            FUZZ_CHECK(std::equal(again.begin(), again.end(), bytes.begin()));
            FUZZ_CHECK(*stored >= 1 && *stored <= kMaxSegmentStored);
        }
    }

    // As stored: one zstd frame (here capped at 1 MiB of content).
    auto plain = decompressSingleFrame(rest, 1 << 20);
    if (plain.ok()) {
        checkTable(*plain, hashes);
        checkDirectory(*plain);
    }
    return 0;
}
