// A hostile index and trailer (FORMAT.md §5.2, §5.3, §9 items 27-36): wrong
// offsets and lengths, unknown flags, trailing bytes, absurd counts. Both
// readers refuse them with the class the spec names and write nothing.
#include "ExtractHarness.h"

#include "Zstd.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;

namespace {

// Offsets inside the encoded index (§5.2).
constexpr std::size_t kVersionAt = 4;
constexpr std::size_t kFlagsAt = 8;
constexpr std::size_t kCountAt = 12;

Bytes concat2(const Bytes& a, const Bytes& b)
{
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

Result<Bytes> decompressedIndex(const Bytes& frame)
{
    return decompressSingleFrame(frame, std::uint64_t(1) << 30);
}

HostileArchive sample()
{
    HostileArchive archive;
    archive.directory("docs");
    archive.file("docs/a.txt", "first file");
    archive.zstdFile("docs/b.txt", std::string(5000, 'b'));
    return archive;
}

HostileArchive withIndex(std::function<void(Bytes&)> edit)
{
    HostileArchive archive = sample();
    archive.editIndexPlain = std::move(edit);
    return archive;
}

HostileArchive withTrailer(std::function<void(Trailer&)> edit)
{
    HostileArchive archive = sample();
    archive.editTrailer = std::move(edit);
    return archive;
}

} // namespace

TEST(HostileIndex, AcceptsTheUnmodifiedSampleAndAnEmptyArchive)
{
    ExtractScene scene;
    scene.expectAccepted(sample());
    scene.expectAccepted(HostileArchive{});
}

TEST(HostileIndex, AcceptsManyEntriesWithOneBytePaths)
{
    // The smallest index entry is 43 bytes (42 fixed, a 1-byte path): the
    // "count the bytes cannot hold" guard must not refuse honest archives.
    ExtractScene scene;
    HostileArchive archive;
    for (const char c : std::string("0123456789abcdefghijklmnopqrstuvwxyz"))
        archive.file(std::string(1, c), "");
    scene.expectAccepted(archive);
}

TEST(HostileTrailer, RefusesATrailerPointingIntoTheEntries)
{
    ExtractScene scene;
    // Consistent with the payload length, but the "index" starts inside a record.
    scene.expectRefused(withTrailer([](Trailer& t) {
                            t.indexLength += t.indexOffset - 10;
                            t.indexOffset = 10;
                        }),
                        ErrorCode::Damaged);
    scene.expectRefused(withTrailer([](Trailer& t) {
                            t.indexLength += t.indexOffset;
                            t.indexOffset = 0;
                        }),
                        ErrorCode::Damaged);
    // Not consistent: the offset alone moved.
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexOffset -= 7; }), ErrorCode::Damaged);
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexOffset += 1; }), ErrorCode::Damaged);
}

TEST(HostileTrailer, RefusesAnIndexLengthOverThePayload)
{
    ExtractScene scene;
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexLength += 1; }), ErrorCode::Damaged);
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexLength = ~std::uint64_t{0}; }), ErrorCode::Damaged);
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexLength -= 1; }), ErrorCode::Damaged);
}

TEST(HostileTrailer, RefusesAnIndexPlainLengthOver128MiBAsLimitExceeded)
{
    // Refused from the trailer alone, before the index is read or allocated
    // (FORMAT.md §5.3, §8): a larger index would cost more than a gigabyte to list.
    ExtractScene scene;
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexPlainLength = (std::uint64_t(128) << 20) + 1; }),
                        ErrorCode::LimitExceeded);
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexPlainLength = (std::uint64_t(1) << 30) + 1; }),
                        ErrorCode::LimitExceeded);
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexPlainLength = ~std::uint64_t{0}; }),
                        ErrorCode::LimitExceeded);
}

TEST(HostileTrailer, RefusesAnIndexPlainLengthThatDisagreesWithTheFrame)
{
    // §9 item 31: the frame must declare exactly index_plain_length.
    ExtractScene scene;
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexPlainLength += 1; }), ErrorCode::Damaged);
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexPlainLength += 4096; }), ErrorCode::Damaged);
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexPlainLength -= 1; }), ErrorCode::Damaged);
    scene.expectRefused(withTrailer([](Trailer& t) { t.indexPlainLength = 0; }), ErrorCode::Damaged);
}

TEST(HostileTrailer, RefusesABadMagicOrVersion)
{
    ExtractScene scene;
    HostileArchive magic = sample();
    magic.editTrailerBytes = [](Bytes& b) { b[0] = 'X'; };
    scene.expectRefused(magic, ErrorCode::Damaged);
    HostileArchive version = sample();
    version.editTrailerBytes = [](Bytes& b) { setLe(b, 4, 3, 4); };
    scene.expectRefused(version, ErrorCode::UnsupportedVersion);
    // Format v2's trailer version under a coffer/v1 header is damaged, not newer (FORMAT.md §9 item 28).
    HostileArchive v2 = sample();
    v2.editTrailerBytes = [](Bytes& b) { setLe(b, 4, 2, 4); };
    scene.expectRefused(v2, ErrorCode::Damaged);
}

TEST(HostileTrailer, RefusesBytesAfterTheTrailer)
{
    ExtractScene scene;
    HostileArchive archive = sample();
    archive.afterTrailer = bytesOf("trailing");
    scene.expectRefused(archive, ErrorCode::Damaged);
}

TEST(HostileTrailer, RefusesAPlaintextTooShortForATrailer)
{
    ExtractScene scene;
    for (const std::size_t size : {0, 1, 31}) {
        SCOPED_TRACE(size);
        writeContainer(scene.container, Bytes(size, 0), scene.identity);
        for (const ReaderMode mode : kBothReaders) {
            SCOPED_TRACE(readerName(mode));
            const auto result = scene.extract(mode);
            ASSERT_FALSE(result.ok());
            EXPECT_EQ(result.error().code, ErrorCode::Damaged) << result.error().message;
        }
    }
    EXPECT_EQ(listTree(scene.dest), std::vector<std::string>{"marker.txt"});
}

TEST(HostileIndex, RefusesUnknownFlags)
{
    ExtractScene scene;
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kFlagsAt, 4, 4); }), ErrorCode::Damaged);
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kFlagsAt, 0x80000000u, 4); }), ErrorCode::Damaged);
    // Bit 1 announces a signature block: without the hashes it signs, or
    // without the block itself, the index is damaged.
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kFlagsAt, 2, 4); }), ErrorCode::Damaged);
    HostileArchive hashed = sample();
    hashed.hashes = true;
    hashed.editIndexPlain = [](Bytes& b) { setLe(b, kFlagsAt, 3, 4); };
    scene.expectRefused(hashed, ErrorCode::Damaged);
}

TEST(HostileIndex, RefusesABadMagicOrVersion)
{
    ExtractScene scene;
    scene.expectRefused(withIndex([](Bytes& b) { b[0] = 'X'; }), ErrorCode::Damaged);
    // Versions 1 and 2 exist (FORMAT.md §5.2); 3 is the first unknown one.
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kVersionAt, 3, 4); }), ErrorCode::UnsupportedVersion);
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kVersionAt, 0, 4); }), ErrorCode::UnsupportedVersion);
}

TEST(HostileIndex, RefusesTrailingOrMissingBytes)
{
    ExtractScene scene;
    scene.expectRefused(withIndex([](Bytes& b) { b.push_back(0); }), ErrorCode::Damaged);
    scene.expectRefused(withIndex([](Bytes& b) { b.insert(b.end(), 100, 0xff); }), ErrorCode::Damaged);
    scene.expectRefused(withIndex([](Bytes& b) { b.pop_back(); }), ErrorCode::Damaged);
    scene.expectRefused(withIndex([](Bytes& b) { b.resize(14); }), ErrorCode::Damaged);
}

TEST(HostileIndex, RefusesBytesAroundTheIndexFrame)
{
    ExtractScene scene;
    {
        // Inside the length the trailer gives: the index is not exactly one frame.
        HostileArchive archive = sample();
        archive.editIndexFrame = [](Bytes& f) { f.insert(f.end(), {1, 2, 3}); };
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        // Between the entries and the index, outside every length.
        HostileArchive archive = sample();
        archive.afterEntries = bytesOf("gap");
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = sample();
        archive.editIndexFrame = [](Bytes& f) { f = concat2(zstdSkippableFrame(8), f); };
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileIndex, RefusesAnIndexThatIsNotOneSizedFrame)
{
    ExtractScene scene;
    {
        HostileArchive archive = sample();
        archive.editIndexFrame = [](Bytes& f) { f = zstdFrameWithoutSize(*decompressedIndex(f)); };
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = sample(); // the index stored uncompressed
        archive.editIndexFrame = [](Bytes& f) { f = *decompressedIndex(f); };
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = sample(); // split over two frames
        archive.editIndexFrame = [](Bytes& f) {
            const Bytes plain = *decompressedIndex(f);
            const std::size_t half = plain.size() / 2;
            f = concat2(zstdFrame(ByteView(plain).first(half)), zstdFrame(ByteView(plain).subspan(half)));
        };
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileIndex, RefusesMoreThanAMillionEntriesAsLimitExceeded)
{
    ExtractScene scene;
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kCountAt, 0xffffffffu, 4); }), ErrorCode::LimitExceeded);
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kCountAt, 4'000'000'000u, 4); }), ErrorCode::LimitExceeded);
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kCountAt, 10'000'001u, 4); }), ErrorCode::LimitExceeded);
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kCountAt, 1'000'001u, 4); }), ErrorCode::LimitExceeded);
    // Under the limit but more than the index holds: truncated, so damaged.
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kCountAt, 1'000'000u, 4); }), ErrorCode::Damaged);
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kCountAt, 4, 4); }), ErrorCode::Damaged);
    scene.expectRefused(withIndex([](Bytes& b) { setLe(b, kCountAt, 2, 4); }), ErrorCode::Damaged);
}

TEST(HostileIndex, RefusesMalformedRecipientLists)
{
    ExtractScene scene;
    const auto recipient = [](std::uint8_t type, std::uint8_t fill) {
        IndexRecipient r;
        r.type = type;
        r.key.assign(32, fill);
        return r;
    };
    {
        HostileArchive archive = sample();
        archive.recipients = {recipient(1, 1), recipient(1, 2)};
        scene.expectAccepted(archive);
    }
    {
        HostileArchive archive = sample();
        archive.recipients = {recipient(1, 1), recipient(2, 2)};
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        // §5.2: entries MUST NOT repeat.
        HostileArchive archive = sample();
        archive.recipients = {recipient(1, 7), recipient(1, 7)};
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        // §5.2: recipient_count <= 1024.
        HostileArchive archive = sample();
        for (int i = 0; i < 1025; ++i) {
            IndexRecipient r = recipient(1, 0);
            r.key[0] = static_cast<std::uint8_t>(i);
            r.key[1] = static_cast<std::uint8_t>(i >> 8);
            archive.recipients.push_back(r);
        }
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = sample(); // a count the bytes do not hold
        archive.recipients = {recipient(1, 1)};
        archive.editIndexPlain = [](Bytes& b) { setLe(b, b.size() - 37, 3, 4); };
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}
