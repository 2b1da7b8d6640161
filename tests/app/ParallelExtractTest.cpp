// Parallel extraction of packs (FORMAT.md §5.8; issue #7): the file reader
// hands each decrypted pack to the target's writer threads, which decompress
// it, check each member's hash and write it; the stream reader decompresses
// packs itself and hands members to the same threads in batches. Both must
// give back every byte, mode and time of thousands of small files spread over
// several packs, and refuse every corruption -- a damaged chunk, a wrong hash,
// a cancel, a failing write on a writer thread -- as the sequential path does:
// with the right error and the destination exactly as it was, with no staging
// folder left behind.
#include "ContainerReader.h"
#include "ExtractHarness.h"
#include "SampleTree.h"
#include "StagingFolder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <set>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr int kFolders = 6;                  // in/d00 .. in/d05
constexpr int kSubfolders = 5;               // dNN/sub0 .. sub4
constexpr int kFilesPerSub = 100;            // 3,000 small files in all
constexpr std::size_t kWide = 48 * 1024;     // in/d05/sub4/wide-N.txt: larger than every other file
constexpr rlim_t kFileSizeLimit = 32 * 1024; // between the two: only the wide files hit it
constexpr unsigned kModes[] = {0644, 0600, 0640, 0444, 0755, 0604};

/// Text that compresses, but not to nothing: words, numbers and punctuation
/// drawn by a fixed generator.
std::string prose(std::size_t size, std::uint64_t seed)
{
    static const char* const kWords[] = {
        "coffer", "frame",   "pack",   "zstd",  "window", "job",    "chunk",  "index",   "entry",  "record",  "nonce",
        "tag",    "writer",  "thread", "stage", "folder", "member", "hash",   "decrypt", "stream", "cipher",  "payload",
        "header", "trailer", "signed", "queue", "weight", "batch",  "cancel", "finish",  "place",  "rollback"};
    std::string out;
    out.reserve(size + 32);
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    while (out.size() < size) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out += kWords[x % 32];
        switch ((x >> 8) % 16) {
        case 0:
            out += ' ' + std::to_string((x >> 16) % 1000000) + ' ';
            break;
        case 1:
            out += ".\n";
            break;
        case 2:
            out += ", ";
            break;
        default:
            out += ' ';
        }
    }
    out.resize(size);
    return out;
}

void setTimeAndMode(const fs::path& p, std::int64_t seconds, long nanoseconds, unsigned mode)
{
    const struct timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(seconds), nanoseconds}};
    ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << p;
    ASSERT_EQ(::chmod(p.c_str(), mode), 0) << p;
}

std::string folderName(int d)
{
    char name[8];
    std::snprintf(name, sizeof name, "d%02d", d);
    return name;
}

/// The source tree, built once for the suite: in/dNN/subK/fNNN.txt of 6-22 KiB
/// each (~42 MiB, so at least three packs of 16 MiB), with in every dNN an
/// empty file and an already-compressed name (stored, written by the calling
/// thread between packs), five wide files at the very end, varied modes and
/// nanosecond times on files and folders.
struct Shared {
    TempDir dir;
    fs::path in = dir / "in";
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate();
    fs::path signedContainer;          // signed: the index has a SHA-256 per entry
    fs::path unsignedContainer;        // no hashes
    std::vector<std::string> expected; // describeTree(in)
    ArchiveIndex index;                // of the signed container
    std::vector<std::size_t> packs;    // index positions of the pack entries
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    bool ready = false;
};

Shared* shared = nullptr;

void buildTree(Shared& s)
{
    std::uint64_t n = 0;
    for (int d = 0; d < kFolders; ++d) {
        const fs::path top = s.in / folderName(d);
        for (int k = 0; k < kSubfolders; ++k) {
            const fs::path sub = top / ("sub" + std::to_string(k));
            fs::create_directories(sub);
            for (int f = 0; f < kFilesPerSub; ++f, ++n) {
                char name[16];
                std::snprintf(name, sizeof name, "f%03d.txt", f);
                const std::size_t size = 6144 + static_cast<std::size_t>((n * 2654435761u) % 16384);
                writeFile(sub / name, prose(size, n));
                setTimeAndMode(sub / name, 1'500'000'000 + static_cast<std::int64_t>(n) * 37,
                               static_cast<long>((n * 7919) % 1'000'000'000), kModes[n % 6]);
                ++s.files;
                s.bytes += size;
            }
        }
        writeFile(top / "empty.txt", "");
        writeFile(top / "photo.jpg", randomText(3000, static_cast<std::uint64_t>(d)));
        setTimeAndMode(top / "empty.txt", 1'400'000'000 + d, 1, 0600);
        setTimeAndMode(top / "photo.jpg", 1'300'000'000 + d, 999'999'999, 0644);
        s.files += 2;
        s.bytes += 3000;
    }
    const fs::path last = s.in / folderName(kFolders - 1) / ("sub" + std::to_string(kSubfolders - 1));
    for (int w = 0; w < 5; ++w) {
        const fs::path p = last / ("wide-" + std::to_string(w) + ".txt");
        writeFile(p, prose(kWide, 100'000 + static_cast<std::uint64_t>(w)));
        setTimeAndMode(p, 1'700'000'000 + w, 12345, 0644);
        ++s.files;
        s.bytes += kWide;
    }
    // Folders last, deepest first: adding files changes a folder's time.
    for (int d = 0; d < kFolders; ++d) {
        for (int k = 0; k < kSubfolders; ++k)
            setTimeAndMode(s.in / folderName(d) / ("sub" + std::to_string(k)), 1'600'000'000 + d * 10 + k, d * 1000 + k,
                           k % 2 ? 0750 : 0755);
        setTimeAndMode(s.in / folderName(d), 1'650'000'000 + d, 77, 0755);
    }
    setTimeAndMode(s.in, 1'620'000'000, 44, 0755);
}

Result<EncryptSummary> encrypt(const Shared& s, const fs::path& output, bool sign)
{
    EncryptRequest request;
    request.inputs = {s.in};
    request.recipients = {recipientFor(s.identity)};
    request.output = output;
    request.signer = sign ? &s.identity : nullptr;
    // The v1 layout (records for every entry) that this test walks; format
    // v2's is covered by FormatV2Test and HostileSegmentTest.
    request.format = crypto::kFormatV1;
    JobControl job;
    return encryptFiles(request, job);
}

/// The names directly in `dir`, sorted.
std::vector<std::string> topLevel(const fs::path& dir)
{
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

bool hasStagingFolder(const fs::path& dir)
{
    for (const auto& name : topLevel(dir))
        if (name.rfind(kStagingPrefix, 0) == 0)
            return true;
    return false;
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Watches the staging folder in `dest` from a thread of its own and cancels
/// `job` once `threshold` small files (".txt") are in it: by then the writer
/// threads are busy writing packs. (Progress reports come at most every 50 ms
/// and only from the calling thread, which hands packs over far ahead of the
/// writers: a report after the first hand-over is not certain to come.)
class CancelWhenStaged {
public:
    CancelWhenStaged(fs::path dest, JobControl& job, std::size_t threshold)
        : m_dest(std::move(dest)), m_job(job), m_threshold(threshold), m_thread([this] { run(); })
    {}
    ~CancelWhenStaged() { stop(); }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    /// Files seen in the staging folder when it cancelled; 0 if it did not.
    std::size_t seenAtCancel() const { return m_seen; }

private:
    std::size_t countStaged() const
    {
        std::size_t count = 0;
        std::error_code ec;
        for (fs::directory_iterator top(m_dest, ec), end; !ec && top != end; top.increment(ec)) {
            if (top->path().filename().string().rfind(kStagingPrefix, 0) != 0)
                continue;
            std::error_code ec2;
            for (fs::recursive_directory_iterator it(top->path(), ec2), e2; !ec2 && it != e2; it.increment(ec2))
                if (it->path().extension() == ".txt" && it->is_regular_file(ec2))
                    ++count;
        }
        return count;
    }
    void run()
    {
        while (!m_stop) {
            const std::size_t n = countStaged();
            if (n >= m_threshold) {
                m_job.cancel();
                m_seen = n;
                return;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(300));
        }
    }

    fs::path m_dest;
    JobControl& m_job;
    std::size_t m_threshold;
    std::atomic<bool> m_stop{false};
    std::atomic<std::size_t> m_seen{0};
    std::thread m_thread; // last: starts once everything above exists
};

/// Lowers RLIMIT_FSIZE for this process (with SIGXFSZ ignored, so that a write
/// past it fails with EFBIG instead of killing the process), then restores both.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        if (::getrlimit(RLIMIT_FSIZE, &m_old) != 0)
            return;
        m_oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit lowered = m_old;
        lowered.rlim_cur = bytes;
        m_ok = ::setrlimit(RLIMIT_FSIZE, &lowered) == 0;
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &m_old);
        std::signal(SIGXFSZ, m_oldHandler);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    bool ok() const { return m_ok; }

private:
    struct rlimit m_old {};
    void (*m_oldHandler)(int) = SIG_DFL;
    bool m_ok = false;
};

class ParallelExtract : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        shared = new Shared;
        auto& s = *shared;
        const auto start = std::chrono::steady_clock::now();
        buildTree(s);
        s.expected = describeTree(s.in);
        auto signedResult = encrypt(s, s.dir / "signed.coffer", true);
        ASSERT_TRUE(signedResult.ok()) << signedResult.error().message;
        s.signedContainer = signedResult->output;
        auto unsignedResult = encrypt(s, s.dir / "unsigned.coffer", false);
        ASSERT_TRUE(unsignedResult.ok()) << unsignedResult.error().message;
        s.unsignedContainer = unsignedResult->output;
        auto listing = listContainer(s.signedContainer, identitiesOf(s.identity));
        ASSERT_TRUE(listing.ok()) << listing.error().message;
        s.index = std::move(listing->index);
        for (std::size_t i = 0; i < s.index.entries.size(); ++i)
            if (s.index.entries[i].isPack())
                s.packs.push_back(i);
        std::printf("[ counts   ] %zu packs, %llu files, %.1f MiB of content, container %.1f MiB (%zu entries); "
                    "built in %.2f s\n",
                    s.packs.size(), static_cast<unsigned long long>(s.files), double(s.bytes) / kMiB,
                    double(fs::file_size(s.signedContainer)) / kMiB, s.index.entries.size(), secondsSince(start));
        for (const std::size_t p : s.packs)
            std::printf("[ counts   ]   pack at entry %zu: %.2f MiB content, %.2f MiB stored\n", p,
                        double(s.index.entries[p].info.size) / kMiB, double(s.index.entries[p].storedSize) / kMiB);
        s.ready = true;
    }
    static void TearDownTestSuite()
    {
        delete shared;
        shared = nullptr;
    }

    void SetUp() override
    {
        ASSERT_NE(shared, nullptr);
        ASSERT_TRUE(shared->ready) << "the shared container could not be built";
    }

    /// A fresh destination holding a file of the user's own.
    fs::path freshDest(const std::string& name) const
    {
        const fs::path dest = work / name;
        fs::create_directories(dest);
        writeFile(dest / "marker.txt", "the user's own file\n");
        return dest;
    }

    static Result<ExtractSummary> extract(ReaderMode mode, const fs::path& container, const fs::path& dest,
                                          JobControl& job, std::vector<std::string> only = {})
    {
        ExtractRequest request;
        request.destination = dest;
        request.only = std::move(only);
        return extractWith(mode, container, request, identitiesOf(shared->identity), job);
    }

    /// Both readers must refuse `container` with `code` (and `words` in the
    /// message, if given) and leave a destination exactly as it was.
    void expectRefused(const fs::path& container, ErrorCode code, const std::string& words)
    {
        for (const ReaderMode mode : kBothReaders) {
            SCOPED_TRACE(readerName(mode));
            const fs::path dest = freshDest(mode == ReaderMode::File ? "refused-file" : "refused-stream");
            const auto before = snapshotTree(dest);
            JobControl job;
            auto result = extract(mode, container, dest, job);
            ASSERT_FALSE(result.ok()) << "the damaged container was extracted";
            EXPECT_EQ(result.error().code, code) << result.error().message;
            if (!words.empty()) {
                EXPECT_NE(result.error().message.find(words), std::string::npos) << result.error().message;
            }
            EXPECT_EQ(snapshotTree(dest), before) << "the refused extraction left something behind";
            EXPECT_FALSE(hasStagingFolder(dest));
        }
    }

    TempDir work;
};

} // namespace

TEST_F(ParallelExtract, TheContainerHoldsSeveralPacksOfSmallFiles)
{
    // Without several packs the parallel path would hardly be exercised.
    const auto& s = *shared;
    ASSERT_GE(s.packs.size(), 3u);
    EXPECT_TRUE(s.index.hasHashes);
    EXPECT_TRUE(s.index.signature.has_value());
    std::size_t members = 0;
    for (const auto& e : s.index.entries)
        if (e.info.codec == Codec::Packed)
            ++members;
    EXPECT_GE(members, 3000u);
    const auto* wide = findEntry(s.index, "in/d05/sub4/wide-4.txt");
    ASSERT_NE(wide, nullptr);
    EXPECT_EQ(wide->info.codec, Codec::Packed);
    EXPECT_EQ(wide->packEntry, s.packs.back()) << "the wide files are not in the last pack";
    const auto* photo = findEntry(s.index, "in/d02/photo.jpg");
    ASSERT_NE(photo, nullptr);
    EXPECT_EQ(photo->info.codec, Codec::Stored);
}

TEST_F(ParallelExtract, BothReadersGiveBackEveryFileWithItsModeAndTime)
{
    const auto& s = *shared;
    ASSERT_GE(s.packs.size(), 3u);
    // Signed: the file reader checks each member's hash on the writer threads.
    // Unsigned: no hashes to check -- through the file reader only, as the
    // stream reader hashes every file either way (the index comes last).
    const std::pair<bool, ReaderMode> cases[] = {
        {true, ReaderMode::File}, {true, ReaderMode::Stream}, {false, ReaderMode::File}};
    for (const auto& [sign, mode] : cases) {
        SCOPED_TRACE(std::string(sign ? "signed, " : "unsigned, ") + readerName(mode));
        const fs::path container = sign ? s.signedContainer : s.unsignedContainer;
        const fs::path dest = freshDest(std::string("round-trip-") + (sign ? "signed-" : "unsigned-") +
                                        (mode == ReaderMode::File ? "file" : "stream"));
        JobControl job;
        const auto start = std::chrono::steady_clock::now();
        auto result = extract(mode, container, dest, job);
        const double took = secondsSince(start);
        ASSERT_TRUE(result.ok()) << result.error().message;
        std::printf("[ counts   ] %s, %s: %llu files, %.1f MiB in %.2f s\n", sign ? "signed" : "unsigned",
                    readerName(mode), static_cast<unsigned long long>(result->files), double(result->bytes) / kMiB,
                    took);
        EXPECT_EQ(result->index.hasHashes, sign);
        EXPECT_EQ(result->files, s.files);
        EXPECT_EQ(result->bytes, s.bytes);
        EXPECT_EQ(topLevel(dest), (std::vector<std::string>{"in", "marker.txt"}));
        EXPECT_EQ(readFile(dest / "marker.txt"), "the user's own file\n");
        EXPECT_EQ(describeTree(dest / "in"), s.expected);
        fs::remove_all(dest);
    }
}

TEST_F(ParallelExtract, OnlyAFolderThatSpansPacksGivesBackJustThatFolder)
{
    const auto& s = *shared;
    // The first top folder whose files lie in two packs or more.
    std::string chosen;
    std::set<std::size_t> chosenPacks;
    for (int d = 0; d < kFolders && chosen.empty(); ++d) {
        const std::string folder = "in/" + folderName(d);
        std::set<std::size_t> packs;
        for (const auto& e : s.index.entries)
            if (e.info.codec == Codec::Packed && e.info.path.rfind(folder + "/", 0) == 0)
                packs.insert(e.packEntry);
        if (packs.size() >= 2) {
            chosen = folder;
            chosenPacks = packs;
        }
    }
    ASSERT_FALSE(chosen.empty()) << "no folder spans two packs";
    std::uint64_t files = 0;
    for (const auto& e : s.index.entries)
        if (e.info.kind == EntryKind::File && e.info.path.rfind(chosen + "/", 0) == 0)
            ++files;
    std::printf("[ counts   ] --only %s: %llu files in %zu packs\n", chosen.c_str(),
                static_cast<unsigned long long>(files), chosenPacks.size());

    const fs::path source = s.in.parent_path() / chosen;
    const auto expected = describeTree(source);
    std::vector<std::string> expectedList{"in/", chosen + "/"};
    for (const auto& rel : listTree(source))
        expectedList.push_back(chosen + "/" + rel);
    expectedList.push_back("marker.txt");
    std::sort(expectedList.begin(), expectedList.end());

    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path dest = freshDest(mode == ReaderMode::File ? "only-file" : "only-stream");
        JobControl job;
        auto result = extract(mode, s.signedContainer, dest, job, {chosen});
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result->files, files);
        EXPECT_EQ(listTree(dest), expectedList);
        EXPECT_EQ(describeTree(dest / chosen), expected);
        EXPECT_FALSE(hasStagingFolder(dest));
    }
}

TEST_F(ParallelExtract, AFlippedByteInALaterPackIsDamagedAndLeavesNothing)
{
    const auto& s = *shared;
    ASSERT_GE(s.packs.size(), 3u);
    auto info = inspectContainer(s.signedContainer);
    ASSERT_TRUE(info.ok()) << info.error().message;
    // In the middle of the second pack's stored bytes (the first pack is then
    // on the writer threads), and of the last one's (all others are).
    for (const std::size_t which : {std::size_t{1}, s.packs.size() - 1}) {
        const IndexEntry& pack = s.index.entries[s.packs[which]];
        SCOPED_TRACE("pack " + std::to_string(which + 1) + " of " + std::to_string(s.packs.size()));
        const std::uint64_t plain = pack.dataOffset() + pack.storedSize / 2;
        const std::uint64_t chunk = plain / crypto::kChunkSize;
        // The damaged chunk holds none of the first pack: that one is whole and handed over.
        ASSERT_GT(chunk * crypto::kChunkSize, s.index.entries[s.packs[0]].end());
        std::printf("[ counts   ] flipped a byte in chunk %llu (pack %zu of %zu)\n",
                    static_cast<unsigned long long>(chunk), which + 1, s.packs.size());
        const fs::path damaged = work / ("flipped-" + std::to_string(which) + ".coffer");
        fs::copy_file(s.signedContainer, damaged);
        flipByte(damaged, info->headerBytes + crypto::PayloadLayout::chunkOffset(chunk) + 100);
        expectRefused(damaged, ErrorCode::Damaged, "failed authentication");
    }
}

TEST_F(ParallelExtract, AWrongHashForAMemberOfALaterPackIsDamagedAndLeavesNothing)
{
    // A hand-made archive with hashes: four packs of 160 members, no folder
    // entries (the writer threads make the folders). The index claims a wrong
    // SHA-256 for a member in the middle of the third pack: the file reader
    // finds out on a writer thread, after the first packs were written; the
    // stream reader when it reaches the index, after everything was written.
    constexpr int kPacks = 4;
    constexpr int kMembers = 160;
    const auto build = [&](bool lie) {
        HostileArchive archive;
        archive.hashes = true;
        for (int p = 0; p < kPacks; ++p) {
            std::vector<std::string> contents;
            std::string all;
            for (int m = 0; m < kMembers; ++m) {
                contents.push_back(prose(8000 + static_cast<std::size_t>((p * kMembers + m) * 97 % 9000),
                                         static_cast<std::uint64_t>(50'000 + p * kMembers + m)));
                all += contents.back();
            }
            archive.pack(all);
            for (int m = 0; m < kMembers; ++m) {
                HostileEntry e;
                e.record.kind = EntryKind::File;
                e.record.codec = Codec::Packed;
                e.record.mode = 0644;
                e.record.size = contents[static_cast<std::size_t>(m)].size();
                e.record.path = "h/p" + std::to_string(p) + "/m" + std::to_string(m) + ".txt";
                e.content = bytesOf(contents[static_cast<std::size_t>(m)]);
                if (lie && p == 2 && m == kMembers / 2) {
                    Bytes other = e.content;
                    other[other.size() / 2] ^= 0x01;
                    e.indexSha256 = crypto::sha256(other);
                }
                archive.entries.push_back(std::move(e));
            }
        }
        return archive;
    };
    ExtractScene scene;
    // The control: told the truth, the same archive extracts through both readers.
    scene.write(build(false));
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        TempDir out;
        auto result = extractWith(mode, scene.container, out.path(), identitiesOf(scene.identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result->files, std::uint64_t{kPacks * kMembers});
        EXPECT_EQ(readFile(out / "h/p2/m80.txt"),
                  prose(8000 + (2 * kMembers + 80) * 97 % 9000, 50'000 + 2 * kMembers + 80));
    }
    std::printf("[ counts   ] wrong hash: %d packs of %d members, the liar is h/p2/m%d.txt\n", kPacks, kMembers,
                kMembers / 2);

    const HostileArchive liar = build(true);
    scene.write(liar);
    const auto before = snapshotTree(scene.root.path());
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        auto result = scene.extract(mode);
        ASSERT_FALSE(result.ok()) << "a member with a wrong hash was extracted";
        EXPECT_EQ(result.error().code, ErrorCode::Damaged) << result.error().message;
        EXPECT_NE(result.error().message.find("h/p2/m80.txt\" does not match its hash"), std::string::npos)
            << result.error().message;
        EXPECT_EQ(snapshotTree(scene.root.path()), before) << "the refused extraction left something behind";
        EXPECT_FALSE(hasStagingFolder(scene.dest));
    }
}

TEST_F(ParallelExtract, CancelAtTheFirstProgressReportLeavesTheDestinationAsItWas)
{
    // As CancelTest does: cancelled from the progress callback at the first
    // report with bytes done -- the first pack is being gathered (file reader)
    // or its members handed to the writers in batches (stream reader).
    const auto& s = *shared;
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path dest = freshDest(mode == ReaderMode::File ? "cancel-file" : "cancel-stream");
        const auto before = snapshotTree(dest);
        JobControl job;
        std::uint64_t doneAtCancel = 0;
        job.setProgressCallback([&](const Progress& p) {
            if (doneAtCancel == 0 && p.bytesDone > 0) {
                doneAtCancel = p.bytesDone;
                job.cancel();
            }
        });
        auto result = extract(mode, s.signedContainer, dest, job);
        ASSERT_FALSE(result.ok()) << "the cancelled extraction finished";
        EXPECT_EQ(result.error().code, ErrorCode::Cancelled) << result.error().message;
        EXPECT_GT(doneAtCancel, 0u);
        EXPECT_LT(doneAtCancel, s.bytes);
        EXPECT_EQ(snapshotTree(dest), before);
        EXPECT_FALSE(hasStagingFolder(dest));
    }
}

TEST_F(ParallelExtract, CancelWhileTheWriterThreadsWriteFilesLeavesTheDestinationAsItWas)
{
    // Cancelled once the writer threads have put 100 files into the staging
    // folder: what they wrote must go, and what they were still to write must
    // not appear.
    const auto& s = *shared;
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path dest = freshDest(mode == ReaderMode::File ? "cancel-mid-file" : "cancel-mid-stream");
        const auto before = snapshotTree(dest);
        JobControl job;
        CancelWhenStaged watcher(dest, job, 100);
        auto result = extract(mode, s.signedContainer, dest, job);
        watcher.stop();
        std::printf("[ counts   ] %s: cancelled with %zu files in the staging folder\n", readerName(mode),
                    watcher.seenAtCancel());
        EXPECT_GE(watcher.seenAtCancel(), 100u) << "the writer threads were not caught writing";
        ASSERT_FALSE(result.ok()) << "the cancelled extraction finished";
        EXPECT_EQ(result.error().code, ErrorCode::Cancelled) << result.error().message;
        EXPECT_EQ(snapshotTree(dest), before);
        EXPECT_FALSE(hasStagingFolder(dest));
    }
}

TEST_F(ParallelExtract, AWriteErrorOnAWriterThreadFailsTheExtractionAndLeavesNothing)
{
    // RLIMIT_FSIZE below the wide files' size (and above every other file's):
    // writing one of them fails with EFBIG -- on a writer thread, as they are
    // members of the last pack -- after thousands of files were written.
    const auto& s = *shared;
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path dest = freshDest(mode == ReaderMode::File ? "too-big-file" : "too-big-stream");
        const auto before = snapshotTree(dest);
        JobControl job;
        Result<ExtractSummary> result = makeError(ErrorCode::Internal, "not run");
        {
            FileSizeLimit limit(kFileSizeLimit);
            ASSERT_TRUE(limit.ok()) << "cannot lower RLIMIT_FSIZE";
            result = extract(mode, s.signedContainer, dest, job);
        }
        ASSERT_FALSE(result.ok()) << "the extraction wrote a file past RLIMIT_FSIZE";
        EXPECT_EQ(result.error().code, ErrorCode::Io) << result.error().message;
        EXPECT_NE(result.error().message.find("wide-"), std::string::npos) << result.error().message;
        EXPECT_EQ(snapshotTree(dest), before);
        EXPECT_FALSE(hasStagingFolder(dest));
    }
}
