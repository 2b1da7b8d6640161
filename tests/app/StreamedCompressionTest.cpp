// Big files in frames of 16 MiB (on zstd's worker threads) and small files in
// packs of up to 16 MiB (each made whole by one of the pack threads), made
// while the next bytes are read (FORMAT.md §5.1 and §5.8, writer notes). Both readers, which enforce the
// format's frame rules, must give back every byte; the index must hold what
// the writer promised; a file that changes between the scan and its reading,
// or a cancel inside a pack, must fail the encryption and leave nothing.
#include "ExtractHarness.h"
#include "SampleTree.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kFrame = 16 * kMiB;

/// Text that compresses, but not to nothing: words drawn by a fixed generator.
std::string wordy(std::size_t size, std::uint64_t seed)
{
    static const char* const kWords[] = {"coffer ", "frame ",  "pack ",  "zstd ",   "window ", "job ",
                                         "chunk ",  "index\n", "entry ", "record ", "nonce ",  "tag "};
    std::string out;
    out.reserve(size + 8);
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    while (out.size() < size) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out += kWords[x % 12];
        if (x % 7 == 0)
            out += std::to_string(x % 100000);
    }
    out.resize(size);
    return out;
}

/// dir/fFIRST.txt ... dir/f(END-1).txt, `size` bytes of wordy text each.
void writeTextFiles(const fs::path& dir, int first, int end, std::size_t size)
{
    fs::create_directories(dir);
    for (int f = first; f < end; ++f)
        writeFile(dir / ("f" + std::to_string(f) + ".txt"), wordy(size, static_cast<std::uint64_t>(f)));
}

Result<EncryptSummary> encrypt(const fs::path& input, const fs::path& output, const crypto::SecretIdentity& identity,
                               JobControl& job, Compression compression = Compression::Auto)
{
    EncryptRequest request;
    request.inputs = {input};
    request.recipients = {recipientFor(identity)};
    request.output = output;
    request.compression = compression;
    request.signer = &identity; // hashes for every entry: each is checked on the way out
    return encryptFiles(request, job);
}

/// What is in `dir` besides the named inputs: no output, no NAME.part.
std::vector<std::string> leftovers(const fs::path& dir, const std::string& input)
{
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename() != input)
            names.push_back(e.path().filename().string());
    return names;
}

} // namespace

TEST(StreamedCompression, ABigFileAcrossThreeFramesComesBackByteForByte)
{
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    fs::create_directories(dir / "in");
    // Two full frames and a short one; the odd size makes reads end mid-piece.
    const std::string content = wordy(2 * kFrame + 5 * kMiB + 123, 7);
    writeFile(dir / "in" / "big.txt", content);
    JobControl job;
    auto encrypted = encrypt(dir / "in", dir / "big.coffer", identity, job);
    ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;

    auto listing = listContainer(encrypted->output, identitiesOf(identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    const auto* entry = findEntry(listing->index, "in/big.txt");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->info.codec, Codec::Zstd);
    EXPECT_EQ(entry->info.size, content.size());
    EXPECT_LT(entry->storedSize, content.size() / 2);

    for (const auto mode : {ReaderMode::File, ReaderMode::Stream}) {
        TempDir out;
        auto result = extractWith(mode, encrypted->output, out.path(), identitiesOf(identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readFile(out / "in" / "big.txt"), content);
    }
}

TEST(StreamedCompression, ThousandsOfSmallFilesFillSeveralFullPacks)
{
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    const fs::path in = dir / "in";
    // ~35 MiB of small text files in nested folders, with what must stay out of
    // a pack in between: empty files, an already-compressed name, a big file.
    std::uint64_t smallBytes = 0;
    for (int d = 0; d < 10; ++d) {
        const fs::path sub = in / ("d" + std::to_string(d)) / "deeper";
        fs::create_directories(sub);
        for (int f = 0; f < 350; ++f) {
            const std::size_t size = 4096 + static_cast<std::size_t>((d * 350 + f) * 37 % 12000);
            writeFile(sub / ("f" + std::to_string(f) + ".txt"), wordy(size, static_cast<std::uint64_t>(d * 1000 + f)));
            smallBytes += size;
        }
        writeFile(sub / "empty.txt", "");
        writeFile(sub / "photo.jpg", randomText(3000, static_cast<std::uint64_t>(d)));
    }
    writeFile(in / "d5" / "m-big.txt", wordy(6 * kMiB, 99));
    ASSERT_GT(smallBytes, 2 * kFrame);
    JobControl job;
    auto encrypted = encrypt(in, dir / "small.coffer", identity, job);
    ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
    EXPECT_EQ(encrypted->files, 10u * 352u + 1u);

    // Every pack at most 16 MiB, used up exactly by the members after it.
    auto listing = listContainer(encrypted->output, identitiesOf(identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    const auto& entries = listing->index.entries;
    std::size_t packs = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].info.kind != EntryKind::Pack)
            continue;
        ++packs;
        EXPECT_LE(entries[i].info.size, kFrame);
        std::uint64_t members = 0;
        for (std::size_t j = i + 1; j < entries.size() && entries[j].info.codec == Codec::Packed; ++j)
            members += entries[j].info.size;
        EXPECT_EQ(members, entries[i].info.size);
    }
    EXPECT_GE(packs, 3u);
    EXPECT_EQ(findEntry(listing->index, "in/d3/deeper/photo.jpg")->info.codec, Codec::Stored);
    EXPECT_EQ(findEntry(listing->index, "in/d3/deeper/empty.txt")->info.codec, Codec::Stored);
    EXPECT_EQ(findEntry(listing->index, "in/d5/m-big.txt")->info.codec, Codec::Zstd);
    EXPECT_EQ(findEntry(listing->index, "in/d3/deeper/f7.txt")->info.codec, Codec::Packed);

    const auto expected = describeTree(in);
    for (const auto mode : {ReaderMode::File, ReaderMode::Stream}) {
        TempDir out;
        auto result = extractWith(mode, encrypted->output, out.path(), identitiesOf(identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(describeTree(out / "in"), expected);
    }
}

TEST(StreamedCompression, AFileThatGrowsAfterTheScanFailsAndLeavesNothing)
{
    // A pack declares its size from the scan before its members are read.
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    writeTextFiles(dir / "in", 10, 40, 20000);
    // Stored, not packed, and first in order: it is written (and reported)
    // after the scan and before the pack's members are read.
    writeFile(dir / "in" / "a.jpg", std::string(1000, 'j'));
    const fs::path last = dir / "in" / "f39.txt";
    const auto before = readFile(last);
    JobControl job;
    bool grown = false;
    job.setProgressCallback([&](const Progress& p) {
        if (!grown && p.filesDone > 0) { // a.jpg is written; no member is read yet
            writeFile(last, before + "appended after the scan");
            grown = true;
        }
    });
    auto encrypted = encrypt(dir / "in", dir / "grown.coffer", identity, job);
    ASSERT_TRUE(grown);
    ASSERT_FALSE(encrypted.ok());
    EXPECT_NE(encrypted.error().message.find("changed while it was being read"), std::string::npos)
        << encrypted.error().message;
    EXPECT_EQ(leftovers(dir.path(), "in"), std::vector<std::string>{});
}

TEST(StreamedCompression, CancelInsideAPackLeavesNothing)
{
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    // 200 files of 30 KB: one pack. The last member is removed at the cancel:
    // reading on would fail on it (an I/O error) instead of ending as cancelled.
    writeTextFiles(dir / "in", 100, 300, 30000);
    JobControl job;
    bool cancelled = false;
    job.setProgressCallback([&](const Progress& p) {
        if (!cancelled && p.filesDone > 0) {
            job.cancel();
            fs::remove(dir / "in" / "f299.txt");
            cancelled = true;
        }
    });
    auto encrypted = encrypt(dir / "in", dir / "cancelled.coffer", identity, job);
    ASSERT_TRUE(cancelled);
    ASSERT_FALSE(encrypted.ok());
    EXPECT_EQ(encrypted.error().code, ErrorCode::Cancelled) << encrypted.error().message;
    EXPECT_EQ(leftovers(dir.path(), "in"), std::vector<std::string>{});
}

TEST(StreamedCompression, CancelAmongStoredSmallFilesStopsAtOnce)
{
    // No pack is built with compression off; cancel must still stop before the
    // next file. The last file is removed at the cancel: reading on would fail
    // on it (an I/O error) instead of ending as cancelled.
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    writeTextFiles(dir / "in", 100, 500, 3000);
    JobControl job;
    bool cancelled = false;
    job.setProgressCallback([&](const Progress& p) {
        if (!cancelled && p.filesDone > 0) {
            job.cancel();
            fs::remove(dir / "in" / "f499.txt");
            cancelled = true;
        }
    });
    auto encrypted = encrypt(dir / "in", dir / "off.coffer", identity, job, Compression::Off);
    ASSERT_TRUE(cancelled);
    ASSERT_FALSE(encrypted.ok());
    EXPECT_EQ(encrypted.error().code, ErrorCode::Cancelled) << encrypted.error().message;
    EXPECT_EQ(leftovers(dir.path(), "in"), std::vector<std::string>{});
}

TEST(StreamedCompression, AStoredSmallFileThatGrowsAfterTheScanIsStoredAsItIsThen)
{
    // Only a pack promises sizes in advance; a file stored on its own is
    // written with the size it has when it is opened, as before packs.
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    fs::create_directories(dir / "in");
    for (int f = 10; f < 40; ++f)
        writeFile(dir / "in" / ("f" + std::to_string(f) + ".jpg"), randomText(5000, static_cast<std::uint64_t>(f)));
    const fs::path last = dir / "in" / "f39.jpg";
    const std::string grown = readFile(last) + "appended after the scan";
    JobControl job;
    bool done = false;
    job.setProgressCallback([&](const Progress& p) {
        if (!done && p.filesDone > 0) {
            writeFile(last, grown);
            done = true;
        }
    });
    auto encrypted = encrypt(dir / "in", dir / "grown.coffer", identity, job);
    ASSERT_TRUE(done);
    ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
    TempDir out;
    auto result = extractWith(ReaderMode::File, encrypted->output, out.path(), identitiesOf(identity));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(readFile(out / "in" / "f39.jpg"), grown);
}
