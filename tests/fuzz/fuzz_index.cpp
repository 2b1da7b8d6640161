// Fuzz target: the archive's binary decoders (FORMAT.md §5.1-§5.4) on
// arbitrary bytes: decodeIndex, decodeTrailer, decodeEntryRecordFixed and the
// index frame's zstd decoding. Input layout:
//
//   bytes 0..7   u64 LE: index_offset for decodeIndex, plaintext length for decodeTrailer
//   bytes 8..    the index content (decodeIndex), also read as: a trailer
//                (its first 32 bytes), a record's fixed part (its first 30),
//                and a zstd frame holding an index (decompressSingleFrame)
//
// Whatever decodes must encode back to the same bytes (the archive has one
// encoding per value) and satisfy the rules the decoder promises.
#include "ArchiveFormat.h"
#include "FuzzSupport.h"
#include "PathRules.h"
#include "Zstd.h"

#include <cstring>

using namespace coffer;
using coffer::fuzz::le64;

namespace {

void checkIndex(ByteView plain, std::uint64_t indexOffset)
{
    auto index = decodeIndex(plain, indexOffset);
    if (!index.ok())
        return;
    // One encoding per index: re-encoding gives the same bytes.
    const Bytes again = encodeIndex(*index);
    FUZZ_CHECK(again.size() == plain.size() && std::equal(again.begin(), again.end(), plain.begin()));
    // The promises of §5.4 and §5.5.
    std::uint64_t expected = 0;
    PathSet paths;
    std::uint64_t packLeft = 0; // content of the current pack not yet given to a member (§5.8)
    for (std::size_t i = 0; i < index->entries.size(); ++i) {
        const auto& e = index->entries[i];
        FUZZ_CHECK(e.offset == expected);
        FUZZ_CHECK(e.end() <= indexOffset);
        FUZZ_CHECK(e.sha256.has_value() == index->hasHashes);
        FUZZ_CHECK(e.info.codec != Codec::Stored || e.storedSize == e.info.size);
        if (e.isPack()) {
            FUZZ_CHECK(packLeft == 0);
            FUZZ_CHECK(e.info.path.empty() && e.info.codec == Codec::Zstd);
            FUZZ_CHECK(e.info.size >= 1 && e.info.size <= kMaxPackContent);
            packLeft = e.info.size;
        } else {
            FUZZ_CHECK(checkArchivePath(e.info.path).ok());
            FUZZ_CHECK(paths.add(e.info.path, e.info.kind == EntryKind::Directory).ok());
            if (e.info.kind == EntryKind::Directory)
                FUZZ_CHECK(e.info.size == 0 && e.storedSize == 0 && packLeft == 0);
            if (e.info.codec == Codec::Packed) {
                FUZZ_CHECK(e.info.kind == EntryKind::File && e.storedSize == 0 && e.info.size >= 1);
                FUZZ_CHECK(e.packEntry < i && index->entries[e.packEntry].isPack());
                const auto& pack = index->entries[e.packEntry];
                FUZZ_CHECK(e.packPosition + e.info.size <= pack.info.size);
                FUZZ_CHECK(e.info.size <= packLeft);
                FUZZ_CHECK(e.packPosition == pack.info.size - packLeft);
                packLeft -= e.info.size;
            } else {
                FUZZ_CHECK(packLeft == 0);
            }
        }
        expected = e.end();
    }
    FUZZ_CHECK(packLeft == 0);
    FUZZ_CHECK(expected == indexOffset);
    FUZZ_CHECK(index->recipients.size() <= 1024);
    FUZZ_CHECK(!index->signature || index->hasHashes);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 8)
        return 0;
    const std::uint64_t number = le64(data);
    const ByteView rest(data + 8, size - 8);

    checkIndex(rest, number);

    if (rest.size() >= kTrailerSize) {
        const ByteView bytes = rest.first(kTrailerSize);
        auto trailer = decodeTrailer(bytes, number);
        if (trailer.ok()) {
            const Bytes again = encodeTrailer(*trailer);
            FUZZ_CHECK(std::equal(again.begin(), again.end(), bytes.begin()));
            FUZZ_CHECK(number >= kTrailerSize);
            FUZZ_CHECK(trailer->indexOffset + trailer->indexLength + kTrailerSize == number);
            FUZZ_CHECK(trailer->indexPlainLength <= kMaxIndexPlainSize);
        }
    }

    if (rest.size() >= kEntryFixedSize) {
        const ByteView fixed = rest.first(kEntryFixedSize);
        auto rec = decodeEntryRecordFixed(fixed);
        if (rec.ok()) {
            FUZZ_CHECK(rec->pathLength >= 1 && rec->pathLength <= kMaxPathBytes);
            EntryInfo info = rec->info;
            info.path.assign(rec->pathLength, 'a');
            const Bytes again = encodeEntryRecordHeader(info);
            FUZZ_CHECK(std::equal(fixed.begin(), fixed.end(), again.begin()));
        }
    }

    // The index as stored: one zstd frame (here capped at 1 MiB of content).
    auto plain = decompressSingleFrame(rest, 1 << 20);
    if (plain.ok()) {
        FUZZ_CHECK(plain->size() <= (1u << 20));
        checkIndex(*plain, number);
    }
    return 0;
}
