// Hostile input beyond the core list (issue 8, item 4), through the real
// readers: the file reader and, where a pipe can carry the input, the stream
// reader. Each refusal is checked for the class FORMAT.md names and for an
// untouched sandbox. The item each test covers:
//   7  DeepPaths.*                  1,000 levels, paths of exactly 4096 bytes (extracted;
//                                   no temporary left after a failure or --force), 4097
//   8  MillionEntries.*             a million empty files: listing, --only, memory, count limit
//   9  Normalisation.*              NFC and NFD names extract side by side, nothing overwritten
//   10 WindowsNames.*               CON, aux.txt, NUL.tar.gz, "name." ... are ordinary on Linux;
//                                   Coffer has no Windows name mapping to unit-test
#include "HostileBeyond.h"

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::beyond;
using crypto::Stanza;

// --- 7. Deeply nested paths (FORMAT.md §5.5: 1 to 4096 bytes) ---

namespace {

/// Opens `rel` under `root` one component at a time, as the extractor does:
/// the absolute path of something this deep is longer than PATH_MAX.
UniqueFd openDeep(const fs::path& root, const std::string& rel, int lastFlags)
{
    UniqueFd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for (std::size_t start = 0; dir.valid();) {
        const auto slash = rel.find('/', start);
        const std::string part = rel.substr(start, slash - start);
        if (slash == std::string::npos)
            return UniqueFd(::openat(dir.get(), part.c_str(), lastFlags | O_NOFOLLOW | O_CLOEXEC));
        dir = UniqueFd(::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        start = slash + 1;
    }
    return dir;
}

std::string readDeep(const fs::path& root, const std::string& rel)
{
    const UniqueFd fd = openDeep(root, rel, O_RDONLY);
    std::string out;
    char buf[4096];
    for (ssize_t n; fd.valid() && (n = ::read(fd.get(), buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    return fd.valid() ? out : "(missing)";
}

/// The names in the folder `rel` under `root`, sorted, "." and ".." left out.
std::vector<std::string> namesInDeep(const fs::path& root, const std::string& rel)
{
    std::vector<std::string> names;
    UniqueFd fd = openDeep(root, rel.substr(0, rel.size() - 1), O_RDONLY | O_DIRECTORY);
    DIR* dir = fd.valid() ? ::fdopendir(fd.release()) : nullptr;
    while (const dirent* e = dir ? ::readdir(dir) : nullptr)
        if (std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..")
            names.emplace_back(e->d_name);
    if (dir)
        ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

/// "d/d/.../d/" `levels` times, then `leaf`.
std::string nested(std::size_t levels, const std::string& leaf)
{
    std::string path;
    for (std::size_t i = 0; i < levels; ++i)
        path += "d/";
    return path + leaf;
}

/// Empties the destination at the end of a deep test, even one an assertion stopped.
struct ClearOnExit {
    fs::path dest;
    ~ClearOnExit() { clearDestination(dest); }
};

} // namespace

TEST(DeepPaths, AThousandLevelsWithAFolderEntryAtEachExtract)
{
    // The readers and the extractor walk paths in loops, one openat per
    // component; nothing recurses per level.
    ExtractScene scene;
    ClearOnExit clear{scene.dest};
    HostileArchive archive;
    std::string dir = "d";
    archive.directory(dir, 0750);
    for (int level = 2; level <= 1000; ++level)
        archive.directory(dir += "/d", 0750);
    const std::string file = dir + "/deep.txt";
    archive.file(file, "a thousand levels down");
    scene.write(archive);
    const mode_t mask = ::umask(0);
    ::umask(mask);
    expectExtractedByBoth(scene, identitiesOf(scene.identity), [&](const fs::path& dest) {
        EXPECT_EQ(readDeep(dest, file), "a thousand levels down");
        const UniqueFd deepest = openDeep(dest, dir, O_RDONLY | O_DIRECTORY);
        struct stat st {};
        ASSERT_TRUE(deepest.valid() && ::fstat(deepest.get(), &st) == 0);
        EXPECT_EQ(st.st_mode & 0777, 0750u & ~mask);
    });
}

TEST(DeepPaths, PathsOfExactly4096BytesExtract)
{
    ExtractScene scene;
    ClearOnExit clear{scene.dest};
    const std::string folder = nested(2047, "dd"), file = nested(2047, "ff"); // 2048 levels
    ASSERT_EQ(folder.size(), 4096u);
    ASSERT_EQ(file.size(), 4096u);
    HostileArchive archive;
    archive.directory(folder);
    archive.file(file, "at the limit");
    scene.write(archive);
    expectExtractedByBoth(scene, identitiesOf(scene.identity), [&](const fs::path& dest) {
        EXPECT_EQ(readDeep(dest, file), "at the limit");
        EXPECT_TRUE(openDeep(dest, folder, O_RDONLY | O_DIRECTORY).valid());
    });
}

TEST(DeepPaths, RefusesAPathOf4097BytesAsUnsafe)
{
    ExtractScene scene;
    for (const bool folder : {false, true}) {
        HostileArchive archive;
        archive.file("fine.txt", "harmless");
        if (folder)
            archive.directory(nested(2047, "ddd"));
        else
            archive.file(nested(2047, "fff"), "one byte too deep");
        scene.expectRefused(archive, ErrorCode::UnsafePath);
    }
}

TEST(DeepPaths, FailedAndForcedDeepExtractionsLeaveNoTemporaryBehind)
{
    // A deep file's temporary name, and with --force the name the user's file
    // waits under until the end, are longer than PATH_MAX from the
    // destination: cleaning up must still find them. (snapshotTree cannot walk this deep; the checks
    // below look through descriptors.)
    ExtractScene scene;
    ClearOnExit clear{scene.dest};
    const std::string parent = nested(2047, ""), file = parent + "ff"; // 4096 bytes
    const auto archiveWith = [&](std::string_view content, bool failLater) {
        HostileArchive archive;
        archive.hashes = true;
        archive.file(file, content);
        if (failLater)
            archive.file("later.txt", "content").indexSha256 = crypto::sha256(bytesOf("other content"));
        return archive;
    };
    const auto extract = [&](ReaderMode mode, bool overwrite) {
        ExtractRequest request;
        request.destination = scene.dest;
        request.overwrite = overwrite;
        JobControl job;
        return extractWith(mode, scene.container, request, identitiesOf(scene.identity), job);
    };
    const auto topLevel = [&] {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(scene.dest))
            names.push_back(entry.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    };
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        scene.write(archiveWith("deep", true));
        auto result = extract(mode, false);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::Damaged) << result.error().message;
        EXPECT_EQ(topLevel(), std::vector<std::string>{"marker.txt"}) << "the deep folders were left behind";
        clearDestination(scene.dest);

        scene.write(archiveWith("the user's", false));
        ASSERT_TRUE(extract(mode, false).ok());
        scene.write(archiveWith("replacement", true));
        result = extract(mode, true);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(readDeep(scene.dest, file), "the user's");
        EXPECT_EQ(namesInDeep(scene.dest, parent), std::vector<std::string>{"ff"});
        EXPECT_EQ(topLevel(), (std::vector<std::string>{"d", "marker.txt"}));

        scene.write(archiveWith("replacement", false));
        result = extract(mode, true);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readDeep(scene.dest, file), "replacement");
        EXPECT_EQ(namesInDeep(scene.dest, parent), std::vector<std::string>{"ff"});
        clearDestination(scene.dest);
    }
}

// --- 8. A million entries (FORMAT.md §5.2: up to 1,000,000) ---
//
// Extracting a million files means a million creates, chmods, utimes and
// renames: minutes of file-system work on a shared two-core machine, too slow
// for the suite. So the container is built whole and listed whole; both
// readers extract three files and one folder of 1,000 with --only (the stream
// reader still reads and checks all million records, and the index); peak
// memory is measured; and the entry-count limit is checked on an index of
// this size.

namespace {

constexpr std::uint32_t kMillion = 1'000'000;

std::string millionPath(std::uint32_t i)
{
    char name[16];
    std::snprintf(name, sizeof name, "d%03u/%03u", i / 1000, i % 1000);
    return name;
}

/// `records` empty files "d000/000" ... (a million: "d999/999"); the index claims `claimedCount` entries.
void writeMillionContainer(const fs::path& path, const crypto::SecretIdentity& identity,
                           std::uint32_t claimedCount = kMillion, std::uint32_t recordCount = kMillion)
{
    ArchiveIndex index;
    index.entries.reserve(recordCount);
    Bytes records;
    records.reserve(std::size_t{recordCount} * 38);
    for (std::uint32_t i = 0; i < recordCount; ++i) {
        IndexEntry e;
        e.info.path = millionPath(i);
        e.info.mtimeSeconds = 1'600'000'000;
        e.offset = records.size();
        const Bytes record = encodeEntryRecordHeader(e.info);
        records.insert(records.end(), record.begin(), record.end());
        index.entries.push_back(std::move(e));
    }
    Bytes plain = encodeIndex(index);
    index = {};
    setLe(plain, 12, claimedCount, 4); // entry_count (§5.2)
    const Bytes frame = zstdFrame(plain);
    const Bytes trailer = encodeTrailer(Trailer{records.size(), frame.size(), plain.size()});

    crypto::RecipientList recipients;
    recipients.push_back(identity.makeRecipient());
    auto sealed = crypto::sealHeader(recipients);
    FileSink sink(path);
    (void)sink.write(crypto::asBytes(sealed.value().text));
    auto payload = crypto::PayloadWriter::create(sealed->fileKey.view(), sink);
    for (const ByteView part : {ByteView(records), ByteView(frame), ByteView(trailer)})
        if (!payload.value().write(part).ok())
            throw std::runtime_error("writeMillionContainer: payload");
    if (!payload->finish().ok())
        throw std::runtime_error("writeMillionContainer: finish");
}

// The bound is for the real build. Under AddressSanitizer every allocation
// carries redzones and freed memory waits in a quarantine (256 MiB by
// default), so the peak says more about ASan than about Coffer: the bound is
// raised by that much there, and the work itself is still checked.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kMaxPeakMiB = 300 + 512;
#else
constexpr double kMaxPeakMiB = 300;
#endif

class MillionEntries : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        scene = new ExtractScene;
        const auto start = Clock::now();
        writeMillionContainer(scene->container, scene->identity);
        std::printf("[ million  ] built in %.1f s, %.1f MB\n", secondsSince(start),
                    static_cast<double>(fs::file_size(scene->container)) / 1e6);
    }
    static void TearDownTestSuite() { delete scene; }
    static ExtractScene* scene;
};
ExtractScene* MillionEntries::scene = nullptr;

} // namespace

TEST_F(MillionEntries, AreListedWholeInBoundedMemory)
{
    std::optional<Result<Listing>> listing;
    const auto start = Clock::now();
    const double mib = peakMiBDuring([&] { listing = listContainer(scene->container, identitiesOf(scene->identity)); });
    std::printf("[ million  ] listing: %.1f s, peak +%.0f MiB\n", secondsSince(start), mib);
    ASSERT_TRUE(listing->ok()) << listing->error().message;
    const auto& entries = (*listing)->index.entries;
    ASSERT_EQ(entries.size(), kMillion);
    EXPECT_EQ(entries.front().info.path, "d000/000");
    EXPECT_EQ(entries.back().info.path, "d999/999");
    EXPECT_EQ(entries.back().offset, (kMillion - 1) * 38u);
    EXPECT_LT(mib, kMaxPeakMiB);
}

TEST_F(MillionEntries, BothReadersExtractAFewWithOnlyInBoundedMemory)
{
    const std::vector<std::string> only{"d000/000", "d499/500", "d999/999", "d123"};
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractRequest request;
        request.destination = scene->dest;
        request.only = only;
        JobControl job;
        std::optional<Result<ExtractSummary>> result;
        const auto start = Clock::now();
        const double mib = peakMiBDuring(
            [&] { result = extractWith(mode, scene->container, request, identitiesOf(scene->identity), job); });
        std::printf("[ million  ] %s, --only: %.1f s, peak +%.0f MiB\n", readerName(mode), secondsSince(start), mib);
        ASSERT_TRUE(result->ok()) << result->error().message;
        EXPECT_EQ((*result)->files, 1003u);
        const auto tree = listTree(scene->dest);
        EXPECT_EQ(tree.size(), 1 + 4 + 1003u) << "marker, four folders, 1003 files";
        EXPECT_TRUE(fs::is_regular_file(scene->dest / "d499/500"));
        EXPECT_TRUE(fs::is_regular_file(scene->dest / "d123/999"));
        EXPECT_FALSE(fs::exists(scene->dest / "d500"));
        // On a pipe the index comes last: until it can be compared with the
        // records, the reader keeps what they said (every entry and the path
        // set a second time), so its peak is about twice the file reader's.
        EXPECT_LT(mib, mode == ReaderMode::File ? kMaxPeakMiB : 2 * kMaxPeakMiB);
        clearDestination(scene->dest);
    }
}

TEST_F(MillionEntries, AnIndexClaimingMoreEntriesIsRefused)
{
    const fs::path path = scene->root / "claims.coffer";
    // A million is the limit (FORMAT.md §8); more is refused from the count,
    // before anything is reserved, and the pipe reader counts the records too.
    struct Case {
        std::uint32_t count;
        std::uint32_t records;
        ErrorCode code;
    };
    for (const Case c :
         {Case{10'000'001, kMillion, ErrorCode::LimitExceeded}, Case{kMillion + 1, kMillion, ErrorCode::LimitExceeded},
          Case{kMillion + 1, kMillion + 1, ErrorCode::LimitExceeded},
          Case{kMillion, kMillion - 1, ErrorCode::Damaged}}) {
        SCOPED_TRACE(std::to_string(c.count) + " claimed, " + std::to_string(c.records) + " records");
        writeMillionContainer(path, scene->identity, c.count, c.records);
        const auto listing = listContainer(path, identitiesOf(scene->identity));
        ASSERT_FALSE(listing.ok());
        EXPECT_EQ(listing.error().code, c.code) << listing.error().message;
        const auto before = snapshotTree(scene->root.path());
        for (const ReaderMode mode : kBothReaders) {
            SCOPED_TRACE(readerName(mode));
            ExtractRequest request;
            request.destination = scene->dest;
            request.only = {"d000/000"};
            JobControl job;
            const auto result = extractWith(mode, path, request, identitiesOf(scene->identity), job);
            ASSERT_FALSE(result.ok());
            EXPECT_EQ(result.error().code, c.code) << result.error().message;
            EXPECT_EQ(snapshotTree(scene->root.path()), before);
        }
    }
    fs::remove(path);
}

// --- 9. Unicode normalisation (FORMAT.md §5.5: duplicates are exact) ---

TEST(Normalisation, NfcAndNfdNamesExtractSideBySideAndOverwriteNothing)
{
    ExtractScene scene;
    const std::string nfc = "caf\xc3\xa9.txt", nfd = "cafe\xcc\x81.txt";
    HostileArchive archive;
    archive.file(nfc, "composed");
    archive.file(nfd, "decomposed");
    archive.file("\xc3\xa9/inner.txt", "in the NFC folder");
    archive.file("e\xcc\x81/inner.txt", "in the NFD folder");
    scene.write(archive);
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        writeFile(scene.dest / nfc, "the user's own"); // already there: kept, the entry gets a free name
        const auto result = scene.extract(mode);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readFile(scene.dest / nfc), "the user's own");
        EXPECT_EQ(readFile(scene.dest / "caf\xc3\xa9 (2).txt"), "composed");
        EXPECT_EQ(readFile(scene.dest / nfd), "decomposed");
        EXPECT_EQ(readFile(scene.dest / "\xc3\xa9/inner.txt"), "in the NFC folder");
        EXPECT_EQ(readFile(scene.dest / "e\xcc\x81/inner.txt"), "in the NFD folder");
        EXPECT_EQ(listTree(scene.dest).size(), 8u) << "marker, 3 files, 2 folders, 2 inner files";
        clearDestination(scene.dest);
    }
}

// --- 10. Names Windows reserves (FORMAT.md §5.6) ---

TEST(WindowsNames, ReservedDeviceNamesAndTrailingDotsAreOrdinaryNamesOnLinux)
{
    // FORMAT.md §5.6 asks a Windows extractor to refuse these as unsafe paths.
    // Coffer has no such rule yet: nothing in app/ (PathRules, ExtractTarget)
    // maps or refuses device names, trailing dots or spaces, or ':' streams,
    // so there is no function to unit-test here. On Linux they are ordinary.
    const std::vector<std::string> names{
        "CON",   "aux.txt", "NUL.tar.gz",     "COM1",           "lpt9.log",        "name.",
        "name ", "CONIN$",  "notes.txt:hide", "AUX/inside.txt", "dir./inside.txt", "dir /inside.txt"};
    ExtractScene scene;
    HostileArchive archive;
    for (const auto& name : names)
        archive.file(name, "content of " + name);
    scene.write(archive);
    expectExtractedByBoth(scene, identitiesOf(scene.identity), [&](const fs::path& dest) {
        for (const auto& name : names)
            EXPECT_EQ(readFile(dest / name), "content of " + name) << name;
        EXPECT_EQ(listTree(dest).size(), 1 + names.size() + 3) << "marker, the files, three folders";
    });
}
