// Big files in frames of up to 8 MiB and small files in packs of up to 16 MiB,
// each frame made whole by one of the pack threads while others make the next
// ones (FORMAT.md §5.1 and §5.8; WRITER.md §3, §4). Both readers, which enforce
// the format's frame rules, must give back every byte; the index must hold
// what the writer promised; a file that changes between the scan and its
// reading, or while its frames are made, or a cancel inside a pack, must fail
// the encryption and leave nothing.
#include "ContainerReader.h"
#include "ExtractHarness.h"
#include "SampleTree.h"
#include "SourceFile.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <atomic>
#include <fcntl.h>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kFrame = 16 * kMiB; // the most a frame (and so a pack) may hold

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

/// Signed unless `sign` is false: hashes for every entry, each checked on the way out.
Result<EncryptSummary> encrypt(const fs::path& input, const fs::path& output, const crypto::SecretIdentity& identity,
                               JobControl& job, Compression compression = Compression::Auto, bool sign = true)
{
    EncryptRequest request;
    request.inputs = {input};
    request.recipients = {recipientFor(identity)};
    request.output = output;
    request.compression = compression;
    request.signer = sign ? &identity : nullptr;
    // The v1 layout (records for every entry) that this test walks; format
    // v2's is covered by FormatV2Test and HostileSegmentTest.
    request.format = crypto::kFormatV1;
    return encryptFiles(request, job);
}

/// Both readers give back the tree `in` from `container`.
void expectBothReadersGiveBack(const fs::path& container, const crypto::SecretIdentity& identity, const fs::path& in)
{
    const auto expected = describeTree(in);
    for (const auto mode : {ReaderMode::File, ReaderMode::Stream}) {
        SCOPED_TRACE(mode == ReaderMode::File ? "file reader" : "stream reader");
        TempDir out;
        auto result = extractWith(mode, container, out.path(), identitiesOf(identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(describeTree(out / in.filename()), expected);
    }
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

namespace {

/// The content sizes of the zstd frames that hold `entry`'s data.
std::vector<std::uint64_t> frameSizes(const fs::path& container, const crypto::SecretIdentity& identity,
                                      const IndexEntry& entry)
{
    auto reader = ContainerReader::open(container, identitiesOf(identity));
    EXPECT_TRUE(reader.ok()) << reader.error().message;
    if (!reader.ok())
        return {};
    const std::uint64_t header = 30 + entry.info.path.size(); // FORMAT.md §5.1
    Bytes data(static_cast<std::size_t>(entry.storedSize));
    EXPECT_TRUE(reader->read(entry.offset + header, data).ok());
    std::vector<std::uint64_t> sizes;
    for (std::size_t at = 0; at < data.size();) {
        const std::size_t frame = ZSTD_findFrameCompressedSize(data.data() + at, data.size() - at);
        EXPECT_FALSE(ZSTD_isError(frame));
        if (ZSTD_isError(frame))
            break;
        sizes.push_back(ZSTD_getFrameContentSize(data.data() + at, frame));
        at += frame;
    }
    return sizes;
}

} // namespace

TEST(StreamedCompression, ABigFileAcrossManyFramesComesBackByteForByte)
{
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    fs::create_directories(dir / "in");
    // The odd size makes reads end mid-piece.
    const std::string content = wordy(37 * kMiB + 123, 7);
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
    // Frames of 8 MiB; as the input's last file, it ends on smaller ones
    // (the threads finish together; with one thread, 8 MiB to the end), none
    // under 1 MiB, holding the whole file.
    const auto sizes = frameSizes(encrypted->output, identity, *entry);
    ASSERT_GE(sizes.size(), 5u);
    EXPECT_EQ(sizes.front(), 8 * kMiB);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        EXPECT_GE(sizes[i], kMiB);
        EXPECT_LE(sizes[i], 8 * kMiB);
        if (i > 0) {
            EXPECT_LE(sizes[i], sizes[i - 1]) << "frame " << i;
        }
        total += sizes[i];
    }
    EXPECT_EQ(total, content.size());

    for (const auto mode : {ReaderMode::File, ReaderMode::Stream}) {
        TempDir out;
        auto result = extractWith(mode, encrypted->output, out.path(), identitiesOf(identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readFile(out / "in" / "big.txt"), content);
    }
}

TEST(StreamedCompression, WhatComesAfterABigFileIsWrittenAfterItsLastFrame)
{
    // A big file's frames come back from the threads one by one while the
    // scan goes on: folders, small stored files and a big stored file met
    // meanwhile must not land among them, and a second big file's frames
    // follow the first's (right after it, or after a stored file).
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    const fs::path in = dir / "in";
    fs::create_directories(in / "b-folder" / "inner");
    fs::create_directories(in / "a1-folder");
    writeFile(in / "a-big.txt", wordy(30 * kMiB + 77, 1));
    writeFile(in / "a1-folder" / "x.jpg", randomText(2000, 7));
    writeFile(in / "a2-big.txt", wordy(17 * kMiB + 3, 8));
    writeFile(in / "b-folder" / "inner" / "photo.jpg", randomText(3000, 2));
    writeFile(in / "b-folder" / "note.txt", wordy(5000, 3));
    writeFile(in / "c-empty.txt", "");
    writeFile(in / "d-random.bin", randomText(6 * kMiB, 4)); // does not compress: stored
    writeFile(in / "e-big.txt", wordy(20 * kMiB + 5, 5));
    writeFile(in / "f.jpg", randomText(1000, 6));
    for (const bool signed_ : {true, false}) {
        SCOPED_TRACE(signed_ ? "signed" : "unsigned");
        JobControl job;
        auto encrypted = encrypt(in, dir / (signed_ ? "signed.coffer" : "unsigned.coffer"), identity, job,
                                 Compression::Auto, signed_);
        ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
        auto listing = listContainer(encrypted->output, identitiesOf(identity));
        ASSERT_TRUE(listing.ok()) << listing.error().message; // records and index agree, no gap, no overlap
        EXPECT_EQ(findEntry(listing->index, "in/a-big.txt")->info.codec, Codec::Zstd);
        EXPECT_EQ(findEntry(listing->index, "in/a2-big.txt")->info.codec, Codec::Zstd);
        // Not the last file: frames of 8 MiB to its end, the others busy with what follows.
        EXPECT_EQ(frameSizes(encrypted->output, identity, *findEntry(listing->index, "in/a-big.txt")),
                  (std::vector<std::uint64_t>{8 * kMiB, 8 * kMiB, 8 * kMiB, 6 * kMiB + 77}));
        EXPECT_EQ(findEntry(listing->index, "in/d-random.bin")->info.codec, Codec::Stored);
        EXPECT_EQ(findEntry(listing->index, "in/e-big.txt")->info.codec, Codec::Zstd);
        expectBothReadersGiveBack(encrypted->output, identity, in);
    }
}

TEST(StreamedCompression, ASignedBigFileChangedWhileItsFramesAreMadeFailsAndLeavesNothing)
{
    // Its frames are made on the pack threads, while its SHA-256 is computed
    // in order by reading each frame's bytes again: if they differ from those
    // the frame was made of, the signed hash would not be the content's. A
    // writer keeps flipping a byte in every MiB of the file meanwhile.
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    fs::create_directories(dir / "in");
    const fs::path big = dir / "in" / "big.txt";
    const std::uint64_t size = 40 * kMiB;
    writeFile(big, wordy(size, 11));
    std::atomic<bool> done{false};
    std::thread writer([&] {
        const int fd = ::open(big.c_str(), O_WRONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0);
        for (std::uint8_t flip = 0; !done; ++flip) {
            const char c = static_cast<char>('a' + flip % 2);
            for (std::uint64_t at = kMiB / 2; at < size; at += kMiB)
                ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(at)), 1);
        }
        ::close(fd);
    });
    JobControl job;
    auto encrypted = encrypt(dir / "in", dir / "changed.coffer", identity, job);
    done = true;
    writer.join();
    ASSERT_FALSE(encrypted.ok());
    EXPECT_NE(encrypted.error().message.find("changed while it was being read"), std::string::npos)
        << encrypted.error().message;
    EXPECT_EQ(leftovers(dir.path(), "in"), std::vector<std::string>{});
}

TEST(StreamedCompression, ABigFileCutOrGrownWhileItsFramesAreMadeFailsAndLeavesNothing)
{
    // Its frames read their parts of the file with pread: a frame that finds
    // its part short, or a last frame that finds bytes after it, fails.
    const std::uint64_t size = 48 * kMiB;
    for (const bool cut : {true, false}) {
        SCOPED_TRACE(cut ? "cut" : "grown");
        TempDir dir;
        const auto identity = crypto::SecretIdentity::generate();
        fs::create_directories(dir / "in");
        const fs::path big = dir / "in" / "big.txt";
        for (const bool signed_ : {true, false}) {
            SCOPED_TRACE(signed_ ? "signed" : "unsigned");
            writeFile(big, wordy(size, 13));
            JobControl job;
            bool changed = false;
            job.setProgressCallback([&](const Progress& p) {
                if (!changed && p.bytesDone > 0) { // the first frame is written; the last is not made yet
                    if (cut)
                        fs::resize_file(big, size / 2);
                    else
                        std::ofstream(big, std::ios::binary | std::ios::app) << "appended while it was being read";
                    changed = true;
                }
            });
            auto encrypted = encrypt(dir / "in", dir / "changed.coffer", identity, job, Compression::Auto, signed_);
            ASSERT_TRUE(changed);
            ASSERT_FALSE(encrypted.ok());
            EXPECT_NE(encrypted.error().message.find("changed while it was being read"), std::string::npos)
                << encrypted.error().message;
            EXPECT_EQ(leftovers(dir.path(), "in"), std::vector<std::string>{});
        }
    }
}

TEST(StreamedCompression, CancelAmongABigFilesFramesLeavesNothing)
{
    TempDir dir;
    const auto identity = crypto::SecretIdentity::generate();
    fs::create_directories(dir / "in");
    writeFile(dir / "in" / "big.txt", wordy(48 * kMiB, 12));
    JobControl job;
    bool cancelled = false;
    job.setProgressCallback([&](const Progress& p) {
        if (!cancelled && p.bytesDone > 0) { // the first frame is written
            job.cancel();
            cancelled = true;
        }
    });
    auto encrypted = encrypt(dir / "in", dir / "cancelled.coffer", identity, job);
    ASSERT_TRUE(cancelled);
    ASSERT_FALSE(encrypted.ok());
    EXPECT_EQ(encrypted.error().code, ErrorCode::Cancelled) << encrypted.error().message;
    EXPECT_EQ(leftovers(dir.path(), "in"), std::vector<std::string>{});
}

TEST(ContentCheck, TheSameBytesGiveTheSameValueWhateverThePieces)
{
    const std::string text = wordy(100000 + 13, 21);
    const ByteView bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    ContentCheck whole;
    whole.update(bytes);
    for (const std::size_t piece : {1u, 7u, 31u, 32u, 33u, 4096u, 65537u}) {
        ContentCheck pieces;
        for (std::size_t at = 0; at < bytes.size(); at += piece)
            pieces.update(bytes.subspan(at, std::min(piece, bytes.size() - at)));
        EXPECT_EQ(pieces.value(), whole.value()) << "pieces of " << piece;
    }
}

TEST(ContentCheck, AnyChangedByteOrLengthGivesAnotherValue)
{
    const std::string text = wordy(4096 + 5, 22);
    const auto check = [](const std::string& s) {
        ContentCheck c;
        c.update(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
        return c.value();
    };
    const std::uint64_t original = check(text);
    for (std::size_t at = 0; at < text.size(); ++at) { // in every lane, and in the tail
        std::string changed = text;
        changed[at] = static_cast<char>(changed[at] ^ 0x01);
        ASSERT_NE(check(changed), original) << "byte " << at;
    }
    EXPECT_NE(check(std::string(64, '\0')), check(std::string(65, '\0')));
    EXPECT_NE(check(std::string(64, '\0')), check(std::string(96, '\0')));
    EXPECT_NE(check(""), check(std::string(1, '\0')));
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

    expectBothReadersGiveBack(encrypted->output, identity, in);
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
