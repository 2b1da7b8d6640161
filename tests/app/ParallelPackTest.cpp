// Encryption with packs made on threads of their own while the scan still runs
// (FORMAT.md §5.8; ArchiveWriter, PackCompressor, ScanStream): packs, files of
// 4-16 MiB made alone (or stored when they do not shrink), big files on zstd's
// threads and stored files written as met must all come back byte for byte
// through both readers; the layout must not depend on timing; and a file that
// changes after the scan, a cancel, a scan that fails half-way or a missing
// input must fail the encryption and leave nothing behind.
#include "ExtractHarness.h"
#include "Primitives.h"
#include "SampleTree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <linux/capability.h>
#include <optional>
#include <set>
#include <string_view>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kLargestPack = 16 * kMiB; // FORMAT.md §5.8
constexpr int kFolders = 10;                      // in/d00 .. in/d09
constexpr int kSubfolders = 4;                    // dNN/sub0 .. sub3
constexpr int kFilesPerSub = 50;                  // 2,000 small text files in all, 4-48 KiB each
constexpr int kLinks = 10000;                     // a folder the scan takes a while over
constexpr const char* kAloneText = "in/alone-text.txt";
constexpr const char* kAloneRandom = "in/alone-random.dat";
constexpr const char* kBig = "in/d04/zz-big.txt"; // the packs in flight go out before it

/// Text that compresses, but not to nothing: words and numbers drawn by a fixed generator.
std::string prose(std::size_t size, std::uint64_t seed)
{
    static constexpr std::string_view kWords[] = {"coffer ", "frame ",  "pack ",   "zstd ",   "window ", "thread ",
                                                  "chunk ",  "index\n", "entry ",  "record ", "nonce ",  "tag ",
                                                  "scan ",   "batch ",  "member ", "alone ",  "stored ", "signed "};
    std::string out;
    out.reserve(size + 32);
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    char number[24];
    while (out.size() < size) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out += kWords[x % 18];
        if (x % 5 == 0) {
            char* end = std::to_chars(number, number + sizeof number - 1, x % 1000003).ptr;
            *end++ = ' ';
            out.append(number, end);
        }
    }
    out.resize(size);
    return out;
}

std::string folderName(int d)
{
    char name[8];
    std::snprintf(name, sizeof name, "d%02d", d);
    return name;
}

std::string numbered(const char* prefix, int n, const char* suffix)
{
    char name[32];
    std::snprintf(name, sizeof name, "%s%03d%s", prefix, n, suffix);
    return name;
}

/// `dir`/f000.txt, f001.txt...: `count` files of `size` bytes of text.
void writeTextFiles(const fs::path& dir, int count, std::size_t size)
{
    fs::create_directories(dir);
    for (int f = 0; f < count; ++f)
        writeFile(dir / numbered("f", f, ".txt"), prose(size, static_cast<std::uint64_t>(1000 + f)));
}

Result<EncryptSummary> encrypt(std::vector<fs::path> inputs, const fs::path& output,
                               const crypto::SecretIdentity& identity, JobControl& job,
                               const crypto::SecretIdentity* signer = nullptr)
{
    EncryptRequest request;
    request.inputs = std::move(inputs);
    request.recipients = {recipientFor(identity)};
    request.output = output;
    request.signer = signer;
    // The v1 layout (records for every entry) that this test walks; format
    // v2's is covered by FormatV2Test and HostileSegmentTest.
    request.format = crypto::kFormatV1;
    return encryptFiles(request, job);
}

/// What is in `dir` besides the inputs: no output, no NAME.part.
std::vector<std::string> leftovers(const fs::path& dir, const std::set<std::string>& inputs)
{
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        if (!inputs.contains(e.path().filename().string()))
            names.push_back(e.path().filename().string());
    return names;
}

/// One line per index entry, in storage order: what the writer decided (kind,
/// codec, sizes, places, where packs begin and end), not when.
std::vector<std::string> layoutOf(const ArchiveIndex& index)
{
    std::vector<std::string> lines;
    for (const auto& e : index.entries)
        lines.push_back((e.isPack() ? std::string("(pack)") : e.info.path) +
                        " kind=" + std::to_string(static_cast<int>(e.info.kind)) + " codec=" +
                        std::to_string(static_cast<int>(e.info.codec)) + " size=" + std::to_string(e.info.size) +
                        " stored=" + std::to_string(e.storedSize) + " at=" + std::to_string(e.offset));
    return lines;
}

/// What each pack holds, in storage order.
std::vector<std::uint64_t> packSizes(const ArchiveIndex& index)
{
    std::vector<std::uint64_t> sizes;
    for (const auto& e : index.entries)
        if (e.isPack())
            sizes.push_back(e.info.size);
    return sizes;
}

std::string inMiB(const std::vector<std::uint64_t>& sizes)
{
    std::string s;
    char one[24];
    for (const auto size : sizes) {
        std::snprintf(one, sizeof one, "%s%.1f", s.empty() ? "" : " ", double(size) / kMiB);
        s += one;
    }
    return s + " MiB";
}

/// Names created in a folder from construction on (inotify): a NAME.part made
/// and removed again is seen too.
class CreatedNames {
public:
    explicit CreatedNames(const fs::path& dir) : m_fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC))
    {
        m_ok = m_fd >= 0 && ::inotify_add_watch(m_fd, dir.c_str(), IN_CREATE | IN_MOVED_TO) >= 0;
    }
    ~CreatedNames()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    CreatedNames(const CreatedNames&) = delete;
    CreatedNames& operator=(const CreatedNames&) = delete;
    bool ok() const { return m_ok; }
    std::vector<std::string> names()
    {
        alignas(inotify_event) char buffer[16 * 1024];
        ssize_t n;
        while ((n = ::read(m_fd, buffer, sizeof buffer)) > 0)
            for (ssize_t at = 0; at < n;) {
                const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
                if (event->len > 0)
                    m_names.emplace_back(event->name);
                at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            }
        return m_names;
    }

private:
    int m_fd;
    bool m_ok = false;
    std::vector<std::string> m_names;
};

/// Drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from this thread's effective
/// set, then restores them: threads started meanwhile (the scan's) inherit the
/// lowered set, so a test run as root meets a folder it cannot read.
class WithoutPermissionOverride {
public:
    WithoutPermissionOverride()
    {
        m_header.version = _LINUX_CAPABILITY_VERSION_3;
        if (::syscall(SYS_capget, &m_header, m_saved) != 0)
            return;
        __user_cap_data_struct lowered[2] = {m_saved[0], m_saved[1]};
        lowered[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
        m_changed = ::syscall(SYS_capset, &m_header, lowered) == 0;
    }
    ~WithoutPermissionOverride()
    {
        if (m_changed)
            ::syscall(SYS_capset, &m_header, m_saved);
    }
    WithoutPermissionOverride(const WithoutPermissionOverride&) = delete;
    WithoutPermissionOverride& operator=(const WithoutPermissionOverride&) = delete;

private:
    __user_cap_header_struct m_header{};
    __user_cap_data_struct m_saved[2]{};
    bool m_changed = false;
};

/// The mixed tree, built and encrypted once for the suite: in/a.jpg first in
/// order (stored, written and reported before anything else), a 6 MiB text
/// file and a 6 MiB random one (made alone: Zstd, and Stored once its frame is
/// dropped), 2,000 small text files in in/dNN/subK (over 48 MiB: as a pack
/// holds at most 16 MiB, four packs at least, however the writer sizes them), a
/// 20 MiB text file (zstd's threads), empty files, varied modes, and the sample tree's modes and
/// nanosecond times. Beside it, a folder of symbolic links: the scan skips each
/// with a warning, which takes it a while.
struct MixedTree {
    TempDir dir;
    fs::path in = dir / "in";
    fs::path links = dir / "links";
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate("Alice");
    fs::path container; // unsigned
    ArchiveIndex index;
    std::vector<std::string> expected; // describeTree(in)
    std::uint64_t files = 0;
    std::uint64_t smallBytes = 0;
};

MixedTree* mixed = nullptr;

void buildMixedTree(MixedTree& s)
{
    fs::create_directories(s.in);
    writeFile(s.in / "a.jpg", randomText(2000, 3));
    writeFile(s.dir / kAloneText, prose(6 * kMiB, 1));
    writeFile(s.dir / kAloneRandom, randomText(6 * kMiB, 2));
    s.files += 3;
    const fs::perms modes[] = {fs::perms(0644), fs::perms(0600), fs::perms(0640), fs::perms(0444), fs::perms(0755)};
    std::uint64_t n = 0;
    for (int d = 0; d < kFolders; ++d) {
        const fs::path top = s.in / folderName(d);
        for (int k = 0; k < kSubfolders; ++k) {
            const fs::path sub = top / ("sub" + std::to_string(k));
            fs::create_directories(sub);
            for (int f = 0; f < kFilesPerSub; ++f, ++n) {
                const std::size_t size = 4096 + static_cast<std::size_t>((n * 2654435761u) % (44 * 1024));
                const fs::path p = sub / numbered("f", f, ".txt");
                writeFile(p, prose(size, n));
                fs::permissions(p, modes[n % 5]);
                s.smallBytes += size;
                ++s.files;
            }
        }
        if (d % 3 == 1) {
            writeFile(top / "empty.txt", "");
            ++s.files;
        }
    }
    writeFile(s.dir / kBig, prose(20 * kMiB, 4));
    ++s.files;
    fs::permissions(s.in / "d07", fs::perms(0750));
    makeSampleTree(s.in / "sample");
    s.files += 7;
    fs::create_directories(s.links);
    for (int i = 0; i < kLinks; ++i)
        fs::create_symlink("nowhere", s.links / numbered("link-", i, ""));
}

class ParallelPack : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        mixed = new MixedTree;
        auto& s = *mixed;
        buildMixedTree(s);
        s.expected = describeTree(s.in);
        JobControl job;
        const auto start = std::chrono::steady_clock::now();
        auto encrypted = encrypt({s.in}, s.dir / "mixed.coffer", s.identity, job);
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
        EXPECT_EQ(encrypted->files, s.files);
        auto listing = listContainer(encrypted->output, identitiesOf(s.identity));
        ASSERT_TRUE(listing.ok()) << listing.error().message;
        s.index = std::move(listing->index);
        s.container = encrypted->output;
        std::printf("[ counts   ] %llu files, %.1f MiB in small ones, encrypted in %.2f s; packs: %s\n",
                    static_cast<unsigned long long>(s.files), double(s.smallBytes) / kMiB, took,
                    inMiB(packSizes(s.index)).c_str());
    }
    static void TearDownTestSuite()
    {
        delete mixed;
        mixed = nullptr;
    }
    void SetUp() override { ASSERT_FALSE(mixed->container.empty()) << "the mixed tree was not encrypted"; }
};

/// Encrypts `inputs` (in `dir`) into `dir`/changed.coffer, calling `change`
/// once, at the first progress report, and expects the encryption to fail as
/// changed and leave nothing. The first report comes once the scan is known
/// to have ended and something was written: with under 8 MiB of small files,
/// right after the stored file first in order, before any file of a pack or
/// alone is opened; with more, once the first pack is written, by when no more
/// than the first 45 MiB of small files were handed to threads (packs of 1, 2,
/// 4, 8, 15 and 15 MiB, with up to four threads).
void expectChangedAfterScanFails(const fs::path& dir, const std::vector<fs::path>& inputs,
                                 const crypto::SecretIdentity& identity, const std::function<void()>& change)
{
    JobControl job;
    bool changed = false;
    job.setProgressCallback([&](const Progress& p) {
        if (!changed && p.filesDone > 0) {
            change();
            changed = true;
        }
    });
    auto encrypted = encrypt(inputs, dir / "changed.coffer", identity, job);
    ASSERT_TRUE(changed) << "no progress report came";
    ASSERT_FALSE(encrypted.ok()) << "a file that changed after the scan was encrypted";
    EXPECT_EQ(encrypted.error().code, ErrorCode::Io) << encrypted.error().message;
    EXPECT_NE(encrypted.error().message.find("changed while it was being read"), std::string::npos)
        << encrypted.error().message;
    std::set<std::string> names;
    for (const auto& input : inputs)
        names.insert(input.filename().string());
    EXPECT_EQ(leftovers(dir, names), std::vector<std::string>{});
}

/// Encrypts `dir`/in, where 300 files of 64 KiB (more than a batch of 256
/// entries, and a pack) come before what the scan cannot take: the encryption
/// must fail with `code` and `words`, and leave nothing.
void expectScanFailure(const TempDir& dir, ErrorCode code, const std::string& words)
{
    const auto identity = crypto::SecretIdentity::generate();
    CreatedNames created(dir.path());
    JobControl job;
    auto encrypted = encrypt({dir / "in"}, dir / "failed.coffer", identity, job);
    const auto names = created.names();
    const bool made = std::find(names.begin(), names.end(), "failed.coffer.part") != names.end();
    std::printf("[ counts   ] the output was %screated before the scan failed\n", made ? "" : "not ");
    ASSERT_FALSE(encrypted.ok()) << "the scan's failure was ignored";
    EXPECT_EQ(encrypted.error().code, code) << encrypted.error().message;
    EXPECT_NE(encrypted.error().message.find(words), std::string::npos) << encrypted.error().message;
    EXPECT_EQ(leftovers(dir.path(), {"in"}), std::vector<std::string>{});
}

/// 250 files of 200 KiB in texts/ (49 MiB, one batch of entries: fewer than
/// 256) and a.jpg beside it. Packs hold at most 16 MiB: there are four at
/// least, whatever their sizes; texts/f240.txt starts 46.9 MiB into them, in
/// one of the last, small packs (each holds a 2n-th of what is left, at
/// least 1 MiB).
constexpr int kOneBatchFiles = 250;

struct OneBatchTree {
    TempDir dir;
    fs::path jpg = dir / "a.jpg";
    fs::path texts = dir / "texts";
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate();
};

OneBatchTree* oneBatch = nullptr;

class ParallelPackOneBatch : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        oneBatch = new OneBatchTree;
        writeFile(oneBatch->jpg, std::string(1000, 'j'));
        writeTextFiles(oneBatch->texts, kOneBatchFiles, 200 * 1024); // 50 MiB in one batch of entries
    }
    static void TearDownTestSuite()
    {
        delete oneBatch;
        oneBatch = nullptr;
    }
};

} // namespace

TEST_F(ParallelPack, AMixedTreeComesBackByteForByteThroughBothReaders)
{
    const auto& s = *mixed;
    // Several packs, each of several members that add up to its size.
    const auto& entries = s.index.entries;
    std::size_t packs = 0;
    std::size_t members = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (!entries[i].isPack())
            continue;
        ++packs;
        EXPECT_EQ(entries[i].info.codec, Codec::Zstd);
        EXPECT_LE(entries[i].info.size, kLargestPack);
        std::uint64_t bytes = 0;
        std::size_t count = 0;
        for (std::size_t j = i + 1; j < entries.size() && entries[j].info.codec == Codec::Packed; ++j, ++count)
            bytes += entries[j].info.size;
        EXPECT_GE(count, 2u) << "pack " << packs << " has a single member";
        EXPECT_EQ(bytes, entries[i].info.size) << "pack " << packs;
        members += count;
    }
    ASSERT_GT(s.smallBytes, 3 * kLargestPack);
    EXPECT_GE(packs, 4u) << inMiB(packSizes(s.index));
    // The first packs are small, so that every thread has one a few
    // milliseconds in: 1 MiB, then at most twice as much each time (less
    // once the end is near; each ends with the member that reaches its
    // size, under 4 MiB).
    const auto sizes = packSizes(s.index);
    ASSERT_GE(sizes.size(), 4u);
    EXPECT_GE(sizes[0], kMiB) << inMiB(sizes);
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_LT(sizes[i], (kMiB << i) + 4 * kMiB) << inMiB(sizes);
    EXPECT_GE(members, std::size_t{kFolders * kSubfolders * kFilesPerSub});
    for (const auto& e : entries)
        if (e.info.path.starts_with("in/d") && e.info.path.ends_with(".txt") && e.info.path != kBig &&
            !e.info.path.ends_with("empty.txt")) {
            EXPECT_EQ(e.info.codec, Codec::Packed) << e.info.path;
        }

    // Each path with its codec, size and (-1: not checked) stored size.
    const struct {
        const char* path;
        Codec codec;
        std::uint64_t size;
        std::int64_t stored;
    } expectedFiles[] = {
        {kAloneText, Codec::Zstd, 6 * kMiB, -1},           // made alone, one frame
        {kAloneRandom, Codec::Stored, 6 * kMiB, 6 * kMiB}, // made alone, its first 4 MiB did not shrink: stored
        {kBig, Codec::Zstd, 20 * kMiB, -1},                // frames of 8 MiB from the pack threads
        {"in/a.jpg", Codec::Stored, 2000, 2000},
        {"in/d01/empty.txt", Codec::Stored, 0, 0},
        {"in/d07/empty.txt", Codec::Stored, 0, 0},
        {"in/sample/empty.txt", Codec::Stored, 0, 0},
        {"in/sample/photo.jpg", Codec::Stored, 5000, 5000},
    };
    for (const auto& x : expectedFiles) {
        const IndexEntry* e = findEntry(s.index, x.path);
        ASSERT_NE(e, nullptr) << x.path;
        EXPECT_EQ(e->info.kind, EntryKind::File) << x.path;
        EXPECT_EQ(e->info.codec, x.codec) << x.path;
        EXPECT_EQ(e->info.size, x.size) << x.path;
        if (x.stored >= 0) {
            EXPECT_EQ(e->storedSize, static_cast<std::uint64_t>(x.stored)) << x.path;
        } else {
            EXPECT_LT(e->storedSize, x.size / 2) << x.path << " did not shrink";
        }
    }
    ASSERT_NE(findEntry(s.index, "in/d07"), nullptr);
    EXPECT_EQ(findEntry(s.index, "in/d07")->info.mode, 0750);

    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        TempDir out;
        auto result = extractWith(mode, s.container, out.path(), identitiesOf(s.identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result->files, s.files);
        EXPECT_EQ(listTree(out.path()).size(), listTree(s.in).size() + 1);
        EXPECT_EQ(describeTree(out / "in"), s.expected);
    }
}

TEST_F(ParallelPack, EncryptingTheSameTreeAgainGivesTheSameLayout)
{
    // The same inputs twice -- the tree, then the folder of links -- with the
    // timing pushed both ways. First, the first progress report (a.jpg, the
    // first file) waits until the scan has surely ended: all that follows the
    // first batch comes at once. Then, nothing waits: the writer takes the
    // tree's batches one by one while the scan is still busy with the links.
    const auto& s = *mixed;
    TempDir dir;
    const auto layout = [&](const char* name, std::chrono::milliseconds wait) -> std::optional<ArchiveIndex> {
        JobControl job;
        waitOnFirstReport(job, wait);
        auto encrypted = encrypt({s.in, s.links}, dir / name, s.identity, job);
        EXPECT_TRUE(encrypted.ok()) << encrypted.error().message;
        if (!encrypted.ok())
            return std::nullopt;
        EXPECT_EQ(encrypted->warnings.size(), std::size_t{kLinks});
        auto listing = listContainer(encrypted->output, identitiesOf(s.identity));
        EXPECT_TRUE(listing.ok()) << listing.error().message;
        if (!listing.ok())
            return std::nullopt;
        std::printf("[ counts   ] %s: packs %s\n", name, inMiB(packSizes(listing->index)).c_str());
        return std::move(listing->index);
    };
    const auto waited = layout("scan-ended-first.coffer", std::chrono::milliseconds(300));
    const auto busy = layout("scan-still-busy.coffer", std::chrono::milliseconds(0));
    ASSERT_TRUE(waited && busy);
    const auto first = layoutOf(*waited);
    const auto second = layoutOf(*busy);
    EXPECT_EQ(first.size(), second.size());
    const auto differ = std::mismatch(first.begin(), first.end(), second.begin(), second.end());
    if (differ.first != first.end() || differ.second != second.end()) {
        ADD_FAILURE() << "the layouts differ from entry " << (differ.first - first.begin())
                      << " on:\n  scan ended first: " << (differ.first != first.end() ? *differ.first : "(end)")
                      << "\n  scan still busy:  " << (differ.second != second.end() ? *differ.second : "(end)");
    }
    EXPECT_EQ(packSizes(*waited), packSizes(*busy));
}

TEST_F(ParallelPack, SignedEveryFileCarriesItsHashAndBothReadersCheckTheSignature)
{
    const auto& s = *mixed;
    TempDir dir;
    JobControl job;
    auto encrypted = encrypt({s.in}, dir / "signed.coffer", s.identity, job, &s.identity);
    ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
    auto listing = listContainer(encrypted->output, identitiesOf(s.identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    const ArchiveIndex& index = listing->index;
    EXPECT_TRUE(index.hasHashes);
    ASSERT_TRUE(index.signature.has_value()) << "the signature did not verify";
    EXPECT_EQ(index.signature->signerX25519, s.identity.x25519Public());
    // Each file's hash is that of its source, whichever way it was written.
    std::set<Codec> codecs;
    std::uint64_t files = 0;
    for (const auto& e : index.entries) {
        if (e.info.kind != EntryKind::File)
            continue;
        ++files;
        codecs.insert(e.info.codec);
        ASSERT_TRUE(e.sha256.has_value()) << e.info.path;
        EXPECT_EQ(*e.sha256, crypto::sha256(readBytes(s.dir / e.info.path))) << e.info.path;
    }
    EXPECT_EQ(files, s.files);
    EXPECT_EQ(codecs, (std::set<Codec>{Codec::Stored, Codec::Zstd, Codec::Packed}));

    // Both readers check the signature, then each file they write against its
    // hash: a folder whose files lie in two packs, files alone (Zstd and
    // Stored), the big file, stored small files. (All bytes: the round trip.)
    std::string spanning;
    for (int d = 0; d < kFolders && spanning.empty(); ++d) {
        const std::string folder = "in/" + folderName(d);
        std::set<std::size_t> packs;
        for (const auto& e : index.entries)
            if (e.info.codec == Codec::Packed && e.info.path.starts_with(folder + "/"))
                packs.insert(e.packEntry);
        if (packs.size() >= 2)
            spanning = folder;
    }
    ASSERT_FALSE(spanning.empty()) << "no folder lies in two packs";
    const std::vector<std::string> only{spanning, "in/sample", "in/a.jpg", kAloneText, kAloneRandom, kBig};
    std::uint64_t chosen = 0;
    for (const auto& e : index.entries)
        for (const auto& o : only)
            if (e.info.kind == EntryKind::File && (e.info.path == o || e.info.path.starts_with(o + "/")))
                ++chosen;
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        TempDir out;
        ExtractRequest request;
        request.destination = out.path();
        request.only = only;
        JobControl extractJob;
        auto result = extractWith(mode, encrypted->output, request, identitiesOf(s.identity), extractJob);
        ASSERT_TRUE(result.ok()) << result.error().message;
        ASSERT_TRUE(result->index.signature.has_value()) << "extracted without a verified signature";
        EXPECT_EQ(result->index.signature->signerEd25519, index.signature->signerEd25519);
        EXPECT_EQ(result->files, chosen);
        EXPECT_EQ(describeTree(out / spanning), describeTree(s.dir / spanning));
        EXPECT_EQ(describeTree(out / "in" / "sample"), describeTree(s.in / "sample"));
        for (const std::string path : {"in/a.jpg", kAloneText, kAloneRandom, kBig})
            EXPECT_TRUE(readFile(out / path) == readFile(s.dir / path)) << path;
    }
}

TEST_F(ParallelPack, AMissingInputFailsBeforeAnyOutputExists)
{
    // inotify sees a NAME.part even if it is removed again.
    const auto& s = *mixed;
    TempDir dir;
    const fs::path missing = dir / "gone";
    const auto expectNoOutput = [&](const std::vector<fs::path>& inputs) {
        CreatedNames created(dir.path());
        ASSERT_TRUE(created.ok());
        JobControl job;
        auto encrypted = encrypt(inputs, dir / "missing.coffer", s.identity, job);
        ASSERT_FALSE(encrypted.ok()) << "encrypted a missing input";
        EXPECT_EQ(encrypted.error().code, ErrorCode::Io) << encrypted.error().message;
        EXPECT_NE(encrypted.error().message.find("\"" + missing.string() + "\": it does not exist"), std::string::npos)
            << encrypted.error().message;
        EXPECT_EQ(created.names(), std::vector<std::string>{}) << "an output was created";
        EXPECT_TRUE(fs::is_empty(dir.path()));
    };
    {
        SCOPED_TRACE("the only input is missing");
        expectNoOutput({missing});
    }
    {
        // The scan hands the tree's entries over in batches, then spends a
        // while on the links, before it finds the last input missing.
        SCOPED_TRACE("the input after the tree and the links is missing");
        expectNoOutput({s.in, s.links, missing});
    }
}

TEST_F(ParallelPackOneBatch, AMemberOfAPackInTheMiddleThatChangesSizeFailsAndLeavesNothing)
{
    // The packs declare their sizes from the scan before their members are
    // read. f240 (46.9 MiB in, in one of the last packs) is not read before
    // the first report.
    const auto& t = *oneBatch;
    const fs::path member = t.texts / "f240.txt";
    const std::string before = readFile(member);
    for (const bool grow : {true, false}) {
        SCOPED_TRACE(grow ? "it grows" : "it shrinks");
        expectChangedAfterScanFails(t.dir.path(), {t.jpg, t.texts}, t.identity, [&] {
            writeFile(member, grow ? before + "appended after the scan" : before.substr(0, before.size() / 2));
        });
        writeFile(member, before);
    }
}

TEST_F(ParallelPackOneBatch, CancelAfterTheFirstPackLeavesNothing)
{
    // Three packs at least; the first report comes once the first is written.
    const auto& t = *oneBatch;
    JobControl job;
    std::uint64_t doneAtCancel = 0;
    job.setProgressCallback([&](const Progress& p) {
        if (doneAtCancel == 0 && p.filesDone > 0) {
            doneAtCancel = p.filesDone;
            job.cancel();
        }
    });
    auto encrypted = encrypt({t.texts}, t.dir / "cancelled.coffer", t.identity, job);
    std::printf("[ counts   ] cancelled with %llu of %d files written\n", static_cast<unsigned long long>(doneAtCancel),
                kOneBatchFiles);
    ASSERT_GT(doneAtCancel, 0u);
    EXPECT_LE(doneAtCancel, kLargestPack / (200 * 1024)) << "the first report was not the first pack's";
    ASSERT_FALSE(encrypted.ok()) << "the cancelled encryption finished";
    EXPECT_EQ(encrypted.error().code, ErrorCode::Cancelled) << encrypted.error().message;
    EXPECT_EQ(leftovers(t.dir.path(), {"a.jpg", "texts"}), std::vector<std::string>{});
}

TEST(ParallelPackChanges, AMemberOfTheOnlyPackThatShrinksFailsAndLeavesNothing)
{
    const auto identity = crypto::SecretIdentity::generate();
    TempDir dir;
    writeFile(dir / "a.jpg", std::string(1000, 'j'));
    writeTextFiles(dir / "texts", 40, 20000);
    expectChangedAfterScanFails(dir.path(), {dir / "a.jpg", dir / "texts"}, identity,
                                [&] { writeFile(dir / "texts" / "f039.txt", "shorter"); });
}

TEST(ParallelPackChanges, AFileAloneIsTakenAsItIsWhenOpened)
{
    // A file alone declares its size when it is opened, not from the scan:
    // emptied, it is stored empty; grown within 16 MiB, it is made as it is
    // then; grown past 16 MiB, it no longer fits one frame and is written as
    // a big file (frames made on the writing thread).
    const auto identity = crypto::SecretIdentity::generate();
    TempDir dir;
    const fs::path in = dir / "in";
    writeFile(in / "a.jpg", std::string(1000, 'j')); // first in order
    writeTextFiles(in, 20, 10000);
    // What they hold before the change is never read: any bytes do.
    writeFile(in / "m-emptied.txt", std::string(6 * kMiB, 'e'));
    writeFile(in / "m-grown.txt", std::string(5 * kMiB, 'g'));
    const std::string grown = prose(7 * kMiB, 9);
    JobControl job;
    bool changed = false;
    job.setProgressCallback([&](const Progress& p) {
        if (!changed && p.filesDone > 0) { // a.jpg is written; the files alone are not opened yet
            writeFile(in / "m-emptied.txt", "");
            writeFile(in / "m-grown.txt", grown);
            changed = true;
        }
    });
    auto encrypted = encrypt({in}, dir / "alone.coffer", identity, job, &identity);
    ASSERT_TRUE(changed);
    ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
    auto listing = listContainer(encrypted->output, identitiesOf(identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    const IndexEntry* emptied = findEntry(listing->index, "in/m-emptied.txt");
    ASSERT_NE(emptied, nullptr);
    EXPECT_EQ(emptied->info.codec, Codec::Stored);
    EXPECT_EQ(emptied->info.size, 0u);
    EXPECT_EQ(emptied->storedSize, 0u);
    const IndexEntry* grownEntry = findEntry(listing->index, "in/m-grown.txt");
    ASSERT_NE(grownEntry, nullptr);
    EXPECT_EQ(grownEntry->info.codec, Codec::Zstd);
    EXPECT_EQ(grownEntry->info.size, grown.size());
    const auto expected = describeTree(in);
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        TempDir out;
        auto result = extractWith(mode, encrypted->output, out.path(), identitiesOf(identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(fs::file_size(out / "in" / "m-emptied.txt"), 0u);
        EXPECT_TRUE(readFile(out / "in" / "m-grown.txt") == grown);
        EXPECT_EQ(describeTree(out / "in"), expected);
    }

    SCOPED_TRACE("grown past 16 MiB");
    TempDir past;
    writeFile(past / "in" / "a.jpg", std::string(1000, 'j'));
    writeTextFiles(past / "in", 20, 10000);
    writeFile(past / "in" / "m-grows.txt", std::string(6 * kMiB, 'g'));
    writeFile(past / "in" / "n-grows-random.txt", std::string(6 * kMiB, 'h'));
    const std::string big = prose(16 * kMiB + 1, 11);
    const std::string bigRandom = randomText(16 * kMiB + 5, 12); // its first 4 MiB do not shrink: stored
    JobControl pastJob;
    bool grew = false;
    pastJob.setProgressCallback([&](const Progress& p) {
        if (!grew && p.filesDone > 0) {
            writeFile(past / "in" / "m-grows.txt", big);
            writeFile(past / "in" / "n-grows-random.txt", bigRandom);
            grew = true;
        }
    });
    auto bigger = encrypt({past / "in"}, past / "past.coffer", identity, pastJob, &identity);
    ASSERT_TRUE(grew);
    ASSERT_TRUE(bigger.ok()) << bigger.error().message;
    auto pastListing = listContainer(bigger->output, identitiesOf(identity));
    ASSERT_TRUE(pastListing.ok()) << pastListing.error().message;
    const IndexEntry* grows = findEntry(pastListing->index, "in/m-grows.txt");
    ASSERT_NE(grows, nullptr);
    EXPECT_EQ(grows->info.codec, Codec::Zstd);
    EXPECT_EQ(grows->info.size, big.size());
    const IndexEntry* growsRandom = findEntry(pastListing->index, "in/n-grows-random.txt");
    ASSERT_NE(growsRandom, nullptr);
    EXPECT_EQ(growsRandom->info.codec, Codec::Stored);
    EXPECT_EQ(growsRandom->storedSize, bigRandom.size());
    TempDir pastOut;
    auto pastResult = extractWith(ReaderMode::File, bigger->output, pastOut.path(), identitiesOf(identity));
    ASSERT_TRUE(pastResult.ok()) << pastResult.error().message;
    EXPECT_TRUE(readFile(pastOut / "in" / "m-grows.txt") == big);
    EXPECT_TRUE(readFile(pastOut / "in" / "n-grows-random.txt") == bigRandom);
}

TEST(ParallelPackCancel, CancelBeforeTheStartWritesNothing)
{
    const auto identity = crypto::SecretIdentity::generate();
    TempDir dir;
    writeTextFiles(dir / "in", 40, 20000);
    CreatedNames created(dir.path());
    ASSERT_TRUE(created.ok());
    JobControl job;
    job.cancel();
    auto encrypted = encrypt({dir / "in"}, dir / "cancelled.coffer", identity, job);
    ASSERT_FALSE(encrypted.ok()) << "the cancelled encryption finished";
    EXPECT_EQ(encrypted.error().code, ErrorCode::Cancelled) << encrypted.error().message;
    EXPECT_EQ(created.names(), std::vector<std::string>{}) << "an output was created";
    EXPECT_EQ(leftovers(dir.path(), {"in"}), std::vector<std::string>{});
}

TEST(ParallelPackScan, ANameTheFormatCannotCarryLateInTheTreeFailsAndLeavesNothing)
{
    TempDir dir;
    writeTextFiles(dir / "in" / "d0", 300, 64 * 1024);
    writeFile(dir / "in" / "zz" / "deep" / "back\\slash.txt", "a name the format cannot carry\n");
    expectScanFailure(dir, ErrorCode::InvalidArgument, "back\\slash.txt\": it contains a backslash");
}

TEST(ParallelPackScan, AFolderThatCannotBeReadLateInTheTreeFailsAndLeavesNothing)
{
    TempDir dir;
    writeTextFiles(dir / "in" / "d0", 300, 64 * 1024);
    const fs::path locked = dir / "in" / "zz" / "deep" / "locked";
    writeFile(locked / "secret.txt", "unreadable\n");
    fs::permissions(locked, fs::perms::none);
    WithoutPermissionOverride asUser; // root reads any folder otherwise
    if (const int fd = ::open(locked.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
        ::close(fd);
        fs::permissions(locked, fs::perms::owner_all);
        GTEST_SKIP() << "folder permissions are not enforced here";
    }
    expectScanFailure(dir, ErrorCode::Io, "cannot read the folder \"" + locked.string() + "\": permission denied");
    fs::permissions(locked, fs::perms::owner_all);
}
