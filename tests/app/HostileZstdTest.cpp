// Hostile compressed data (FORMAT.md §5.1, §9 item 41): bombs that declare
// huge sizes, frames that produce more than the entry's size, frames without
// a size, skippable and dictionary frames, oversized windows. Both readers
// refuse them as damaged, before decoding where the frame header says enough.
#include "ExtractHarness.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;

namespace {

Bytes concat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes filled(std::size_t n, std::uint8_t byte)
{
    return Bytes(n, byte);
}

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::size_t kRawFrameHeaderSize = 14; // zstdRawBlockFrame: magic, descriptor, window, 8-byte size

} // namespace

TEST(HostileZstd, AcceptsHandMadeFramesWithinTheLimits)
{
    // A control for the hand-made frames below: the same construction, honest.
    ExtractScene scene;
    HostileArchive archive;
    const Bytes content = filled(300, 'r');
    archive.zstdRaw("raw.bin", zstdRawBlockFrame(content, 20, content.size()), content.size());
    archive.zstdRaw("checked.bin", zstdFrameWithChecksum(content), content.size());
    archive.zstdRaw("two-frames.bin", concat({zstdFrame(filled(600, 'a')), zstdFrame(filled(400, 'b'))}), 1000);
    scene.expectAccepted(archive);
}

TEST(HostileZstd, AcceptsAFrameOfExactly16MiB)
{
    ExtractScene scene;
    HostileArchive archive;
    archive.zstdRaw("max.bin", zstdFrame(filled(16 * kMiB, 0)), 16 * kMiB);
    scene.expectAccepted(archive);
}

TEST(HostileZstd, RefusesAFrameDeclaringMoreThan16MiB)
{
    ExtractScene scene;
    {
        // A real frame: 16 MiB + 1 zero bytes in a few hundred compressed bytes.
        HostileArchive archive;
        archive.zstdRaw("bomb.bin", zstdFrame(filled(16 * kMiB + 1, 0)), 16 * kMiB + 1);
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        // Only a header declaring 16 GiB: refused from the header, nothing decoded.
        HostileArchive archive;
        const std::uint64_t huge = std::uint64_t(16) << 30;
        archive.zstdRaw("bomb.bin", zstdRawBlockFrame(filled(64, 0), 20, huge), huge);
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileZstd, RefusesAFrameThatProducesMoreThanTheEntrySize)
{
    ExtractScene scene;
    {
        HostileArchive archive;
        archive.zstdRaw("big.bin", zstdFrame(filled(1000, 'x')), 100);
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        // Each frame fits, their sum does not.
        HostileArchive archive;
        archive.zstdRaw("sum.bin", concat({zstdFrame(filled(600, 'a')), zstdFrame(filled(600, 'b'))}), 1000);
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        // A frame whose header declares fewer bytes than its blocks hold.
        HostileArchive archive;
        archive.zstdRaw("liar.bin", zstdRawBlockFrame(filled(400, 'l'), 20, 300), 300);
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileZstd, RefusesFramesThatProduceLessThanTheEntrySize)
{
    ExtractScene scene;
    {
        HostileArchive archive;
        archive.zstdRaw("short.bin", zstdFrame(filled(500, 's')), 1000);
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive;
        archive.zstdRaw("liar.bin", zstdRawBlockFrame(filled(300, 'l'), 20, 400), 400);
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileZstd, RefusesAFrameWithoutContentSize)
{
    ExtractScene scene;
    HostileArchive archive;
    const Bytes content = filled(1000, 'n');
    archive.zstdRaw("unsized.bin", zstdFrameWithoutSize(content), content.size());
    scene.expectRefused(archive, ErrorCode::Damaged);
}

TEST(HostileZstd, RefusesSkippableFrames)
{
    ExtractScene scene;
    const Bytes content = filled(1000, 'k');
    {
        HostileArchive archive;
        archive.zstdRaw("skip.bin", concat({zstdSkippableFrame(16), zstdFrame(content)}), content.size());
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive;
        archive.zstdRaw("skip.bin", zstdSkippableFrame(16), content.size());
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileZstd, RefusesAWindowOver16MiB)
{
    ExtractScene scene;
    HostileArchive archive;
    const Bytes content = filled(300, 'w');
    archive.zstdRaw("window.bin", zstdRawBlockFrame(content, 27, content.size()), content.size());
    scene.expectRefused(archive, ErrorCode::Damaged);
}

TEST(HostileZstd, RefusesAFrameThatNeedsADictionary)
{
    ExtractScene scene;
    HostileArchive archive;
    const Bytes content = filled(300, 'd');
    Bytes frame = zstdRawBlockFrame(content, 20, content.size());
    frame[4] |= 0x01;                      // Dictionary_ID_Flag: one byte
    frame.insert(frame.begin() + 6, 0x2a); // after the Window_Descriptor
    archive.zstdRaw("dict.bin", frame, content.size());
    scene.expectRefused(archive, ErrorCode::Damaged);
}

TEST(HostileZstd, RefusesABadChecksumAndCorruptData)
{
    ExtractScene scene;
    std::string text;
    for (int i = 0; i < 2000; ++i)
        text += "line " + std::to_string(i) + "\n";
    const Bytes content = bytesOf(text);
    {
        SCOPED_TRACE("bad checksum");
        HostileArchive archive;
        Bytes frame = zstdFrameWithChecksum(content);
        frame.back() ^= 0x01;
        archive.zstdRaw("checksum.txt", frame, content.size());
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        // Corrupt structure: the first block header gets the reserved block type.
        // (Flipped literal bytes would decode to other content: without a checksum
        // only the AEAD, which this test keeps valid, could tell.)
        SCOPED_TRACE("reserved block type");
        HostileArchive archive;
        Bytes frame = zstdRawBlockFrame(content, 20, content.size());
        frame[kRawFrameHeaderSize] |= 0x06;
        archive.zstdRaw("corrupt.txt", frame, content.size());
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        SCOPED_TRACE("truncated frame");
        HostileArchive archive;
        Bytes frame = zstdFrame(content);
        frame.resize(frame.size() - 10);
        archive.zstdRaw("cut.txt", frame, content.size());
        archive.file("next.txt", "next");
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        SCOPED_TRACE("not zstd at all");
        HostileArchive archive;
        archive.zstdRaw("notzstd.txt", filled(100, 'q'), 100);
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileZstd, RefusesBytesAfterTheLastFrame)
{
    ExtractScene scene;
    HostileArchive archive;
    const Bytes content = filled(1000, 't');
    archive.zstdRaw("tail.bin", concat({zstdFrame(content), bytesOf("junk")}), content.size());
    archive.file("next.txt", "next");
    scene.expectRefused(archive, ErrorCode::Damaged);
}

TEST(HostileZstd, AcceptsFrameHeadersSplitAcrossReadBuffers)
{
    // Both readers refill their buffers at multiples of 16 KiB of plaintext
    // (the file reader's 256 KiB buffer, the stream reader's chunks): put the
    // second frame's header across such a boundary, `split` bytes before it.
    constexpr std::size_t kBoundary = 256 * 1024;
    const std::string path = "split.bin";
    for (const std::size_t split : {1, 4, 5, 6, 9, 13}) {
        SCOPED_TRACE("header split " + std::to_string(split) + " bytes before the boundary");
        ExtractScene scene;
        const std::size_t dataStart = kEntryFixedSize + path.size();
        // A raw-block frame is 14 header bytes, then 3 per block of up to 128 KiB, then the content.
        const std::size_t target = kBoundary - split - dataStart;
        std::size_t n = target - 14 - 3;
        while (14 + 3 * ((n + 128 * 1024 - 1) / (128 * 1024)) + n > target)
            --n;
        const Bytes first = zstdRawBlockFrame(filled(n, 'f'), 20, n);
        ASSERT_EQ(dataStart + first.size(), kBoundary - split);
        const Bytes second = zstdRawBlockFrame(filled(5000, 's'), 20, 5000);
        const std::uint64_t size = n + 5000;
        HostileArchive archive;
        archive.zstdRaw(path, concat({first, second}), size);
        scene.expectAccepted(archive);
    }
}
