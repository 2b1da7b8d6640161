// Fuzz target: format v2's index (FORMAT.md §5.3-§5.10) through
// readSegmentedIndex over an in-memory plaintext: the trailer, the directory,
// every segment's table and the records' headers, read through a PlainReader
// over the fuzz input (no encryption: this is what the readers see after it).
// Seeds: the plaintexts of Coffer's own v2 containers (make-seeds.sh), also
// kept in regressions/archive_v2/.
//
// What is accepted must keep what readSegmentedIndex promises the extractors:
// every record and pack lies inside the entries (before the directory)
// without overlap; each packed file lies inside its pack's content; a
// stored pack's length is its content's; paths are safe and unique; at most
// 1,000,000 entries; a signed index has hashes.
#include "FuzzSupport.h"
#include "PathRules.h"
#include "SegmentIndex.h"

#include <algorithm>
#include <cstring>
#include <set>

using namespace coffer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const ByteView plain(data, size);
    const PlainReader read = [plain](std::uint64_t offset, crypto::MutableByteView out) -> Status {
        if (offset > plain.size() || plain.size() - offset < out.size())
            return makeError(ErrorCode::Damaged, "read past the end of the plaintext");
        if (!out.empty())
            std::memcpy(out.data(), plain.data() + offset, out.size());
        return Status::success();
    };
    auto index = readSegmentedIndex(size, read);
    if (!index.ok())
        return 0;
    FUZZ_CHECK(index->format == 2);
    FUZZ_CHECK(size >= kTrailerSize);
    const std::uint64_t entriesEnd = size - kTrailerSize; // the directory lies after every item
    FUZZ_CHECK(!index->signature || index->hasHashes);
    std::uint64_t files = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> items; // [offset, end) of records and packs
    std::set<std::string> paths;
    for (const IndexEntry& e : index->entries) {
        if (e.isPack()) {
            FUZZ_CHECK(e.layout == IndexEntry::Layout::Pack);
            FUZZ_CHECK(e.info.size >= 1 && e.info.size <= kMaxPackContent);
            FUZZ_CHECK(e.info.codec == Codec::Stored || e.info.codec == Codec::Zstd);
            FUZZ_CHECK(e.info.codec != Codec::Stored || e.storedSize == e.info.size);
            FUZZ_CHECK(!index->hasHashes || e.sha256.has_value());
        } else {
            ++files;
            FUZZ_CHECK(checkArchivePath(e.info.path).ok());
            FUZZ_CHECK(paths.insert(e.info.path).second);
        }
        if (e.info.codec == Codec::Packed) {
            FUZZ_CHECK(e.packEntry < index->entries.size());
            const IndexEntry& pack = index->entries[e.packEntry];
            FUZZ_CHECK(pack.isPack());
            FUZZ_CHECK(e.info.size >= 1 && e.packPosition <= pack.info.size &&
                       pack.info.size - e.packPosition >= e.info.size);
        }
        if (e.layout == IndexEntry::Layout::None)
            continue;
        // A record or a pack: inside the entries (no overlap: checked below).
        FUZZ_CHECK(e.offset <= entriesEnd && entriesEnd - e.offset >= e.headerSize());
        FUZZ_CHECK(entriesEnd - e.dataOffset() >= e.storedSize);
        items.emplace_back(e.offset, e.end());
        if (e.layout == IndexEntry::Layout::Record) {
            FUZZ_CHECK(e.info.kind == EntryKind::File && e.info.size >= 1);
            FUZZ_CHECK(e.info.codec == Codec::Stored || e.info.codec == Codec::Zstd);
            FUZZ_CHECK(e.info.codec != Codec::Stored || e.storedSize == e.info.size);
            FUZZ_CHECK(!index->hasHashes || e.sha256.has_value());
        }
    }
    FUZZ_CHECK(files <= kMaxEntries);
    std::sort(items.begin(), items.end());
    for (std::size_t i = 1; i < items.size(); ++i)
        FUZZ_CHECK(items[i].first >= items[i - 1].second);
    return 0;
}
