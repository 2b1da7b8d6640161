// Free space (issue 17 item 7, FORMAT.md §5.6): a small container that
// declares more than the destination's free space is refused before anything
// is written, by both readers: from a file from the index's total, from a pipe
// from the record's declared size. Real files on the real disk: the bomb
// declares the temporary folder's free space plus 1 GiB.
#include "ExtractHarness.h"
#include "HostileContainer.h"

#include <gtest/gtest.h>
#include <sys/statvfs.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kFrame = 16 * 1024 * 1024; // the largest frame an entry may hold (§5.1)
constexpr std::uint64_t kSafety = 256 * 1024 * 1024;

std::uint64_t freeBytes(const fs::path& where)
{
    struct statvfs st {};
    EXPECT_EQ(::statvfs(where.c_str(), &st), 0);
    return std::uint64_t{st.f_bavail} * st.f_frsize;
}

/// A file of zeros of at least `size` bytes, as 16 MiB zstd frames: a few hundred bytes each.
HostileArchive zeroBomb(std::uint64_t size)
{
    const Bytes frame = zstdFrame(Bytes(kFrame, 0), 3);
    const std::uint64_t frames = size / kFrame + 1;
    Bytes data;
    data.reserve(frame.size() * frames);
    for (std::uint64_t i = 0; i < frames; ++i)
        data.insert(data.end(), frame.begin(), frame.end());
    HostileArchive archive;
    archive.file("before.txt", "a small file first");
    archive.zstdRaw("zeros.bin", std::move(data), frames * kFrame);
    return archive;
}

} // namespace

TEST(FreeSpace, ABombLargerThanTheFreeSpaceIsRefusedBeforeItIsWritten)
{
    ExtractScene scene;
    const std::uint64_t declared = freeBytes(scene.dest) + (std::uint64_t(1) << 30);
    scene.write(zeroBomb(declared));
    std::printf("[ figure   ] container of %.1f MB declares %.1f GB\n",
                static_cast<double>(fs::file_size(scene.container)) / 1e6, static_cast<double>(declared) / 1e9);
    const auto before = snapshotTree(scene.root.path());
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        JobControl job;
        std::uint64_t written = 0;
        // Never fill the disk, even when the check is missing: stop at 256 MiB.
        job.setProgressCallback([&](const Progress& p) {
            written = p.bytesDone;
            if (p.bytesDone > kSafety)
                job.cancel();
        });
        ExtractRequest request;
        request.destination = scene.dest;
        const auto result = extractWith(mode, scene.container, request, identitiesOf(scene.identity), job);
        ASSERT_FALSE(result.ok()) << "the bomb was extracted";
        EXPECT_EQ(result.error().code, ErrorCode::Io) << result.error().message;
        EXPECT_NE(result.error().message.find("not enough free space"), std::string::npos) << result.error().message;
        EXPECT_LT(written, kSafety) << "it wrote before refusing";
        EXPECT_EQ(snapshotTree(scene.root.path()), before);
    }
}

TEST(FreeSpace, WhatFitsIsExtracted)
{
    ExtractScene scene;
    scene.write(zeroBomb(64 * 1024 * 1024)); // 80 MiB: fits wherever the tests run
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        auto result = scene.extract(mode);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(fs::file_size(scene.dest / "zeros.bin"), 5 * kFrame);
        fs::remove(scene.dest / "zeros.bin");
        fs::remove(scene.dest / "before.txt");
    }
}

// Issue 17 item 8: 256 KiB of compressed input can hold gigabytes of zeros, so
// cancel is polled per block of output, not per block of input.
TEST(FreeSpace, ACancelStopsABombWithinAFewBlocks)
{
    ExtractScene scene;
    scene.write(zeroBomb(std::uint64_t(2) << 30)); // 2 GiB: what fits the disk even unfixed
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        JobControl job;
        std::uint64_t written = 0;
        std::uint64_t atCancel = 0;
        job.setProgressCallback([&](const Progress& p) {
            written = p.bytesDone;
            if (atCancel == 0 && p.currentFile == "zeros.bin" && p.bytesDone > 0) {
                atCancel = p.bytesDone;
                job.cancel();
            }
        });
        ExtractRequest request;
        request.destination = scene.dest;
        const auto result = extractWith(mode, scene.container, request, identitiesOf(scene.identity), job);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::Cancelled) << result.error().message;
        EXPECT_GT(atCancel, 0u);
        EXPECT_LT(written - atCancel, 64u * 1024 * 1024) << "went on after the cancel";
    }
}
