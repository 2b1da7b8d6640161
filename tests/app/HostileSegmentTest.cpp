// Format-v2 archives that lie (FORMAT.md §5.3-§5.10): regions that do not add
// up, directory rows that differ from their segments, tables that differ from
// the records and packs they describe, paths that escape, a v1 tail under a
// v2 header and back, signed content that changed, a pack that is a bomb.
// Each case goes through both readers (ExtractScene: refused, nothing written
// outside, no staging left); its comment names the check it covers, which was
// disabled once to watch the test fail.
#include "HostileContainerV2.h"
#include "SegmentIndex.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace coffer;
using namespace coffer::test;

namespace {

// Region 1: a folder, a record, a zstd pack of two files. Region 2: an empty
// file and a compressed record.
HostileArchiveV2 baseline()
{
    HostileArchiveV2 a;
    a.region()
        .directory("d")
        .record("d/big.txt", "a record's content, 0123456789")
        .pack({{"d/a.txt", "aaaa"}, {"d/b.txt", "bbbbbb"}});
    a.region().emptyFile("e.txt").record("r2.txt", "the second region's record, compressed", true);
    return a;
}

HostileArchiveV2 storedPack()
{
    HostileArchiveV2 a;
    a.region().record("big.bin", "big file's bytes").pack({{"a.jpg", "AAAAAAAA"}, {"b.jpg", "BBBBBBBB"}}, false);
    return a;
}

Bytes bytes(std::size_t n, std::uint8_t v = 0)
{
    return Bytes(n, v);
}

} // namespace

TEST(HostileSegment, ATruthfulBuildExtractsThroughBothReaders)
{
    ExtractScene scene;
    HostileArchiveV2 signedArchive = baseline();
    signedArchive.signer = &scene.identity;
    const std::vector<std::pair<std::string, Bytes>> builds = {
        {"builder-baseline", baseline().plaintext()},
        {"builder-stored-pack", storedPack().plaintext()},
        {"builder-signed", signedArchive.plaintext()},
    };
    // COFFER_WRITE_FUZZ_SEEDS=DIR: also the seeds of tests/fuzz/fuzz_archive_v2.
    const char* seeds = std::getenv("COFFER_WRITE_FUZZ_SEEDS");
    for (const auto& [name, plain] : builds) {
        SCOPED_TRACE(name);
        const PlainReader read = [&plain = plain](std::uint64_t offset, crypto::MutableByteView out) {
            if (offset > plain.size() || plain.size() - offset < out.size())
                return Status(makeError(ErrorCode::Damaged, "past the end"));
            std::copy_n(plain.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
            return Status::success();
        };
        auto index = readSegmentedIndex(plain.size(), read);
        ASSERT_TRUE(index.ok()) << index.error().message;
        EXPECT_EQ(index->signature.has_value(), name == "builder-signed");
        expectAcceptedV2(scene, plain);
        if (seeds)
            writeBytes(std::filesystem::path(seeds) / name, std::vector<std::uint8_t>(plain.begin(), plain.end()));
    }
}

// Check: SegmentAppender::append's "at != segmentOffset" after the pack (file
// reader); the stream reader meets a byte that is no item's magic.
TEST(HostileSegment, AStrayByteBetweenTheRecordsAndThePack)
{
    ExtractScene scene;
    HostileArchiveV2 a;
    a.region().record("big.txt", "record").raw(bytes(1)).pack({{"a.txt", "aaaa"}});
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not add up", "not listed by a segment");
    expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not add up");
}

// Check: as above, the pack's derived end against the segment's offset.
TEST(HostileSegment, AStrayByteBetweenThePackAndTheSegment)
{
    ExtractScene scene;
    HostileArchiveV2 a = baseline();
    a.regions[0].raw(bytes(1, 'C'));
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not add up", "not listed by a segment");
    expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not add up");
}

// Checks: readSegment's comparisons of the segment with its row (header's
// stored length, plain length, entry count, table hash), readSegmentedIndex's
// bounds of the row's offset; the stream reader's rows == the directory's.
TEST(HostileSegment, ARowThatDiffersFromItsSegment)
{
    ExtractScene scene;
    struct Lie {
        const char* what;
        int row;
        std::function<void(SegmentRow&)> edit;
        const char* says;
    };
    const std::vector<Lie> lies = {
        {"offset of the first", 0, [](SegmentRow& r) { r.offset += 1; }, "segment"},
        {"offset of the last", 1, [](SegmentRow& r) { r.offset += 1; }, "the directory points outside the entries"},
        {"stored_length", 1, [](SegmentRow& r) { r.storedLength += 1; }, "the directory points outside the entries"},
        {"stored_length of the first", 0, [](SegmentRow& r) { r.storedLength -= 1; }, "not what the directory says"},
        {"plain_length", 1, [](SegmentRow& r) { r.plainLength += 1; }, "not what the directory says"},
        {"entry_count", 1, [](SegmentRow& r) { r.entryCount += 1; }, "not what the directory says"},
        {"sha256", 1, [](SegmentRow& r) { (*r.sha256)[0] ^= 1; }, "does not match its hash"},
    };
    for (const Lie& lie : lies) {
        SCOPED_TRACE(lie.what);
        HostileArchiveV2 a = baseline();
        a.signer = &scene.identity; // the lie is signed: the checks are reached past the signature
        a.editDirectory = [&lie](Directory& d) { lie.edit(d.rows[static_cast<std::size_t>(lie.row)]); };
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, lie.says, "the directory does not list the segments");
        expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, lie.says);
    }
}

// Check: decodeDirectory's "rows in order without overlap".
TEST(HostileSegment, SegmentsThatOverlap)
{
    ExtractScene scene;
    HostileArchiveV2 a = baseline();
    a.editDirectory = [](Directory& d) { d.rows[1].offset = d.rows[0].offset + 4; };
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "overlap");
    expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "overlap");
}

// Checks: readSegmentedIndex's "regionStart != indexOffset" (file reader);
// finishV2's trailer offset against where the last segment ended (stream).
TEST(HostileSegment, TheDirectoryIsNotRightAfterTheLastSegment)
{
    ExtractScene scene;
    HostileArchiveV2 a = baseline();
    a.regions[1].afterSegment = bytes(3);
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "do not end where the directory begins",
                    "the directory is not where the entries end");
    expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "do not end where the directory begins");
}

// Check: the pack's content size (its header) against the members' sum
// (IndexedReader at the pack; the stream reader's "does not match the pack").
TEST(HostileSegment, MembersThatDoNotFillThePackOrExceedIt)
{
    ExtractScene scene;
    for (const int delta : {-1, +1}) {
        SCOPED_TRACE(delta);
        HostileArchiveV2 a = baseline();
        a.regions[0].editTable = [delta](SegmentTable& t) { t.entries.back().size += delta; };
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "pack");
    }
}

// Check: decodeSegmentTable's "a stored pack's pack_stored == the members' sum".
TEST(HostileSegment, AStoredPackWhoseLengthDiffers)
{
    ExtractScene scene;
    HostileArchiveV2 a = storedPack();
    a.regions[0].lastPart().data.push_back('B');
    a.regions[0].table.packStored += 1;
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "stored pack", "not listed by a segment");
    expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "stored pack");
}

// Check: the pack header's content size and codec against the segment's view
// (IndexedReader/PackLoader when the pack is read; SequentialReaderV2's
// comparison with the pack it read).
TEST(HostileSegment, APackHeaderThatDiffersFromTheSegment)
{
    ExtractScene scene;
    {
        SCOPED_TRACE("content size");
        HostileArchiveV2 a = baseline();
        a.regions[0].lastPart().pack.contentSize += 1; // the stream reader decodes the frame against it
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "pack", "compressed data is malformed");
    }
    {
        SCOPED_TRACE("codec");
        HostileArchiveV2 a = storedPack();
        a.regions[0].lastPart().pack.codec = Codec::Zstd;
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "pack", "compressed data is malformed");
    }
}

// Check: SegmentIndex's checkRecord (the record against its table entry); the
// stream reader compares the record it read with the segment's.
TEST(HostileSegment, ARecordThatDiffersFromItsTableEntry)
{
    ExtractScene scene;
    const std::vector<std::pair<const char*, std::function<void(EntryInfo&)>>> lies = {
        {"size", [](EntryInfo& i) { i.size += 1; }},
        {"mode", [](EntryInfo& i) { i.mode = 0600; }},
        {"mtime", [](EntryInfo& i) { i.mtimeSeconds += 1; }},
        {"mtime ns", [](EntryInfo& i) { i.mtimeNanoseconds = 5; }},
        {"path", [](EntryInfo& i) { i.path = "d/bog.txt"; }},
        {"path length", [](EntryInfo& i) { i.path = "d/bigger.txt"; }},
    };
    for (const auto& [what, lie] : lies) {
        SCOPED_TRACE(what);
        HostileArchiveV2 a = baseline();
        lie(a.regions[0].parts[0].info);
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not match its segment", "segment");
        expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not match its segment");
    }
}

// Check: "a record in format v2 is not a file's" (kind 2, codec 2) and, for
// an empty record, decodeSegmentTable's record size 1.. (the stream reader's
// size 0 check before it).
TEST(HostileSegment, ARecordOfTheWrongKindCodecOrEmpty)
{
    ExtractScene scene;
    {
        SCOPED_TRACE("kind 2");
        HostileArchiveV2 a = baseline();
        a.regions[0].parts[0].info.kind = EntryKind::Directory; // with content: the record decoder refuses it
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "a directory entry has content");
        expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "a directory entry has content");
    }
    {
        SCOPED_TRACE("codec 2");
        HostileArchiveV2 a = baseline();
        a.regions[0].parts[0].info.codec = Codec::Packed;
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "not a file's");
        expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "not a file's");
    }
    {
        SCOPED_TRACE("empty");
        HostileArchiveV2 a;
        a.region().record("empty.txt", "").pack({{"a.txt", "aaaa"}});
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "size", "not a file's");
        expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "size");
    }
}

// Check: SequentialReaderV2's "a region holds two packs"; the file reader
// finds the region does not add up.
TEST(HostileSegment, TwoPacksInOneRegion)
{
    ExtractScene scene;
    HostileArchiveV2 a;
    a.region().pack({{"a.txt", "aaaa"}}).pack({{"b.txt", "bbbb"}});
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not add up", "two packs");
}

// Check: SequentialReaderV2's "a file's record follows a pack"; the file
// reader derives the record's place at the pack and reads no record there.
TEST(HostileSegment, ARecordAfterThePackInARegion)
{
    ExtractScene scene;
    HostileArchiveV2 a;
    a.region().pack({{"a.txt", "aaaa"}}).record("big.txt", "record");
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "an entry record has a bad magic", "follows a pack");
}

// Check: a pack no segment closes (file reader: the entries do not end where
// the directory begins; stream: "not listed by a segment").
TEST(HostileSegment, APackWithNoSegmentAtTheEnd)
{
    ExtractScene scene;
    HostileArchiveV2 a = baseline();
    a.region().pack({{"late.txt", "late"}}).segment = false;
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "do not end where the directory begins",
                    "not listed by a segment");
}

// Check: PathSet across segments (the SegmentAppender's m_paths).
TEST(HostileSegment, TheSamePathInTwoSegments)
{
    ExtractScene scene;
    HostileArchiveV2 a = baseline();
    a.region().pack({{"d/a.txt", "again"}});
    expectRefusedV2(scene, a.plaintext(), ErrorCode::UnsafePath, "same name");
    expectListRefusedV2(scene, a.plaintext(), ErrorCode::UnsafePath, "same name");
}

// Check: PathSet's "a file of the same name is also used as a folder", across segments.
TEST(HostileSegment, AFileThatIsTheParentOfALaterEntry)
{
    ExtractScene scene;
    HostileArchiveV2 a = baseline();
    a.region().pack({{"r2.txt/inside", "x"}});
    expectRefusedV2(scene, a.plaintext(), ErrorCode::UnsafePath, "used as a folder");
    expectListRefusedV2(scene, a.plaintext(), ErrorCode::UnsafePath, "used as a folder");
}

// Check: checkArchivePath on a record's path in SequentialReaderV2 before its
// data is written, and in decodeSegmentTable (file reader, at open).
TEST(HostileSegment, AHostilePathInARecord)
{
    ExtractScene scene;
    for (const char* path : {"../x", "/tmp/coffer-hostile-x", "d/../../x"}) {
        SCOPED_TRACE(path);
        HostileArchiveV2 a;
        a.region().record(path, "escaped").pack({{"a.txt", "aaaa"}});
        expectRefusedV2(scene, a.plaintext(), ErrorCode::UnsafePath, "unsafe path");
        expectListRefusedV2(scene, a.plaintext(), ErrorCode::UnsafePath, "unsafe path");
    }
}

// Check: decodeSegmentTable's "flags bit 1 == the directory's bit 0" (file
// reader), finishV2's hashes against the directory's (stream).
TEST(HostileSegment, ATableWhoseHashFlagDiffersFromTheDirectory)
{
    ExtractScene scene;
    {
        SCOPED_TRACE("tables without, directory with");
        HostileArchiveV2 a = baseline();
        for (V2Region& r : a.regions)
            r.editTable = [](SegmentTable& t) {
                t.hashes = false;
                for (SegmentEntry& s : t.entries)
                    s.sha256.reset();
            };
        a.hashes = true;
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "hash", "directory does not list");
        expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "hash");
    }
    {
        SCOPED_TRACE("one table with, one without");
        HostileArchiveV2 a = baseline();
        a.hashes = true;
        a.regions[1].editTable = [](SegmentTable& t) {
            t.hashes = false;
            for (SegmentEntry& s : t.entries)
                s.sha256.reset();
        };
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "hash", "disagree on whether they carry hashes");
    }
}

// Check: decodeTrailerV2's version 2 only.
TEST(HostileSegment, ATrailerOfVersion1UnderAV2Header)
{
    ExtractScene scene;
    HostileArchiveV2 a = baseline();
    a.editTrailerBytes = [](Bytes& b) { setLe(b, 4, 1, 4); };
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "trailer");
    expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "trailer");
}

// Check: the header's version picks the reader; each refuses the other's tail.
TEST(HostileSegment, AV1ArchiveUnderAV2HeaderAndBack)
{
    ExtractScene scene;
    {
        SCOPED_TRACE("v1 index and trailer under coffer/v2");
        HostileArchive v1;
        v1.file("a.txt", "aaaa");
        expectRefusedV2(scene, v1.plaintext(), ErrorCode::Damaged, "trailer", "not listed by a segment");
        expectListRefusedV2(scene, v1.plaintext(), ErrorCode::Damaged, "trailer");
    }
    {
        SCOPED_TRACE("v2 directory under coffer/v1");
        expectRefusedV2(scene, baseline().plaintext(), ErrorCode::Damaged, "version does not match the header", "",
                        crypto::kFormatV1);
        expectListRefusedV2(scene, baseline().plaintext(), ErrorCode::Damaged, "version does not match the header",
                            crypto::kFormatV1);
    }
}

// Check: the pack's content against the signed table's pack_sha256
// (PackLoader's checkHash; SequentialReaderV2 before the segment's files are given out).
TEST(HostileSegment, ASignedPackWhoseContentChanged)
{
    ExtractScene scene;
    HostileArchiveV2 a = storedPack();
    a.signer = &scene.identity;
    a.regions[0].lastPart().data[9] = 'C'; // in b.jpg
    // Listing reads no pack: it must open.
    writeV2(scene, a.plaintext());
    EXPECT_TRUE(listContainer(scene.container, identitiesOf(scene.identity)).ok());
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not match its hash");
}

// Check: a record's content against its signed sha256 (both readers hash the
// data before anything is renamed into place).
TEST(HostileSegment, ASignedRecordWhoseContentChanged)
{
    ExtractScene scene;
    HostileArchiveV2 a = storedPack();
    a.signer = &scene.identity;
    a.regions[0].parts[0].data[0] ^= 1;
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not match its hash");
}

// Check: ZstdEntryDecoder's bound (the frame may not declare or give more
// than the pack's content size, which the members sum to).
TEST(HostileSegment, APackWhoseFrameDeclaresMoreThanItsMembers)
{
    ExtractScene scene;
    for (const bool declared : {true, false}) {
        SCOPED_TRACE(declared ? "declared" : "without a size");
        HostileArchiveV2 a = baseline();
        std::string bomb = "aaaabbbbbb" + std::string(8 << 20, '\0');
        a.regions[0].lastPart().data =
            declared ? zstdFrame(crypto::asBytes(bomb)) : zstdFrameWithoutSize(crypto::asBytes(bomb));
        a.regions[0].table.packStored = a.regions[0].lastPart().data.size();
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "compressed data declares a wrong size");
    }
}

// Check: decodePack's "no bytes after the frame" (PackLoader, file reader) for a
// zstd pack whose frame is followed by a byte the table counts; the stream
// reader decodes the frame to its content size and meets the byte.
TEST(HostileSegment, AZstdPackWithAByteAfterItsFrame)
{
    ExtractScene scene;
    HostileArchiveV2 a = baseline();
    a.regions[0].lastPart().data.push_back(0);
    a.regions[0].table.packStored += 1;
    expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, "does not end where the index says",
                    "not listed by a segment");
}

// Check: decodeTrailerV2's "the directory right before the trailer" and the
// directory frame's size against the trailer's plain length.
TEST(HostileSegment, ATrailerThatLiesAboutTheDirectory)
{
    ExtractScene scene;
    struct Lie {
        const char* what;
        std::function<void(Trailer&)> edit;
        const char* says;
    };
    const std::vector<Lie> lies = {
        {"offset", [](Trailer& t) { t.indexOffset -= 1; }, "the trailer does not point at the index"},
        {"length", [](Trailer& t) { t.indexLength += 1; }, "the trailer does not point at the index"},
        {"plain length", [](Trailer& t) { t.indexPlainLength += 1; },
         "the directory's size does not match the trailer"},
    };
    for (const Lie& lie : lies) {
        SCOPED_TRACE(lie.what);
        HostileArchiveV2 a = baseline();
        a.editTrailer = lie.edit;
        expectRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, lie.says);
        expectListRefusedV2(scene, a.plaintext(), ErrorCode::Damaged, lie.says);
    }
}

// Check: SegmentWalk's pins. An unsigned container has no segment hashes, so
// whoever knows its file key could rewrite a segment in place between the
// window's two reads (the first checks the set of paths, the second does not):
// the second read must take only the segments the first one checked.
TEST(HostileSegment, ASegmentRewrittenBetweenTheTwoReadsIsRefused)
{
    const auto build = [](const std::string& name) {
        HostileArchiveV2 a;
        a.region().directory("d").record("d/" + name, "same size");
        a.region().emptyFile("e.txt");
        return a.plaintext();
    };
    const Bytes checked = build("a.txt");
    const Bytes rewritten = build("b.txt"); // the same lengths, another path
    ASSERT_EQ(checked.size(), rewritten.size());
    ASSERT_NE(checked, rewritten);
    const Bytes* now = &checked;
    const PlainReader read = [&](std::uint64_t offset, crypto::MutableByteView out) {
        if (offset > now->size() || out.size() > now->size() - offset)
            return Status(makeError(ErrorCode::Damaged, "past the end"));
        std::copy_n(now->begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
        return Status::success();
    };
    auto walk = SegmentWalk::open(checked.size(), read);
    ASSERT_TRUE(walk.ok()) << walk.error().message;
    ArchiveIndex index;
    const auto keep = [](ArchiveIndex&) { return Status::success(); };
    ASSERT_TRUE(walk->walk(index, read, keep).ok());
    ArchiveIndex again;
    ASSERT_TRUE(walk->walk(again, read, keep, PathCheck::SyntaxOnly).ok()) << "the same bytes read again";

    now = &rewritten;
    ArchiveIndex changed;
    const Status st = walk->walk(changed, read, keep, PathCheck::SyntaxOnly);
    ASSERT_FALSE(st.ok()) << "a rewritten segment was read without the path set";
    EXPECT_EQ(st.error().code, ErrorCode::Damaged);
    EXPECT_NE(st.error().message.find("changed while Coffer read it"), std::string::npos) << st.error().message;
}
