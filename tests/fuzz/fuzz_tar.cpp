// Fuzz target: the tar reader of .tar.age files (app/age/AgeTar, FORMAT.md
// §13) on arbitrary bytes, as the plaintext of an authenticated age stream
// would hand them over. Whatever it returns must keep the rules it promises:
// every entry's path passes FORMAT.md §5.5 and appears once, no entry lies
// under a file or a skipped link, and a file gives exactly its declared size.
#include "AgeTar.h"
#include "FuzzSupport.h"
#include "PathRules.h"

#include <cstring>
#include <set>

using namespace coffer;

namespace {

struct MemorySource final : crypto::ByteSource {
    MemorySource(const std::uint8_t* d, std::size_t n) : data(d), size(n) {}
    Result<std::size_t> read(crypto::MutableByteView out) override
    {
        const std::size_t n = std::min(out.size(), size - at);
        std::memcpy(out.data(), data + at, n);
        at += n;
        return n;
    }
    const std::uint8_t* data;
    std::size_t size;
    std::size_t at = 0;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    MemorySource source(data, size);
    JobControl job;
    auto reader = TarReader::open(source, job);
    if (!reader.ok())
        return 0;
    std::set<std::string> seen, files;
    while (true) {
        auto entry = (*reader)->next();
        if (!entry.ok() || !*entry)
            break;
        const EntryInfo& info = (*entry)->info;
        FUZZ_CHECK(checkArchivePath(info.path).ok());
        FUZZ_CHECK(seen.insert(info.path).second);
        for (std::size_t slash = info.path.find('/'); slash != std::string::npos;
             slash = info.path.find('/', slash + 1))
            FUZZ_CHECK(!files.count(info.path.substr(0, slash))); // nothing under a file
        if (info.kind != EntryKind::File)
            continue;
        files.insert(info.path);
        std::uint64_t got = 0;
        const auto st = (*reader)->readData([&](ByteView d) {
            got += d.size();
            // A sparse file's holes are written as zeros: a small input may not declare terabytes and pass.
            return got <= (std::uint64_t(1) << 30) ? Status::success()
                                                   : Status(makeError(ErrorCode::LimitExceeded, "fuzz ceiling"));
        });
        if (!st.ok())
            break;
        FUZZ_CHECK(got == info.size);
    }
    (void)(*reader)->drain();
    return 0;
}
