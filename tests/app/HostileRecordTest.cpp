// Entry records that lie (FORMAT.md §5.1, §5.4, §9 items 37-43): sizes that
// do not match the data, records that disagree with the index, records
// smuggled inside another file's data. Both readers refuse them as damaged and
// leave the destination as it was.
#include "ExtractHarness.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;

namespace {

HostileArchive twoFiles()
{
    HostileArchive archive;
    archive.file("a.txt", "0123456789");
    archive.file("b.txt", "abcdefghijklmnopqrstuvwxyz");
    return archive;
}

} // namespace

TEST(HostileRecord, AcceptsTheUnmodifiedBaseline)
{
    ExtractScene scene;
    scene.expectAccepted(twoFiles());
}

TEST(HostileRecord, RefusesARecordThatClaimsMoreDataThanFollows)
{
    ExtractScene scene;
    {
        HostileArchive archive = twoFiles();
        archive.entries[0].record.size = 20; // the index repeats the lie, with the true stored length
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = twoFiles();
        archive.entries[0].record.size = 20;
        archive.entries[0].indexInfo = archive.entries[0].record;
        archive.entries[0].indexInfo->size = 10; // the index tells the truth
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = twoFiles();
        archive.entries[0].record.size = 20;
        archive.entries[0].indexStored = 20; // the index agrees with the record
        archive.entries[1].indexOffset = archive.entries[0].record.recordHeaderSize() + 20;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = twoFiles(); // the last file runs into the index and trailer
        archive.entries[1].record.size = 1000;
        archive.entries[1].indexStored = 1000;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileRecord, RefusesARecordThatClaimsLessDataThanFollows)
{
    ExtractScene scene;
    {
        HostileArchive archive = twoFiles();
        archive.entries[0].record.size = 5;
        archive.entries[0].indexStored = 5;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = twoFiles();
        archive.entries[0].record.size = 5;
        archive.entries[0].indexInfo = archive.entries[0].record;
        archive.entries[0].indexInfo->size = 10;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileRecord, RefusesARecordSmuggledInsideAnotherFilesData)
{
    // The index sees one file "a.txt"; a stream reader that trusted a record's
    // short size would find a second record in a.txt's data.
    for (const std::string smuggled : {"evil.txt", "../x"}) {
        SCOPED_TRACE(smuggled);
        ExtractScene scene;
        EntryInfo hidden;
        hidden.path = smuggled;
        hidden.size = 3;
        Bytes data = bytesOf("xx");
        const Bytes header = encodeEntryRecordHeader(hidden);
        data.insert(data.end(), header.begin(), header.end());
        data.push_back('b');
        data.push_back('a');
        data.push_back('d');

        HostileArchive archive;
        auto& a = archive.file("a.txt", "");
        a.data = data;
        a.content = data;
        a.record.size = 2; // the lie
        a.indexInfo = a.record;
        a.indexInfo->size = data.size();
        scene.expectRefused(archive, ErrorCode::Damaged,
                            smuggled == "../x" ? ErrorCode::UnsafePath : ErrorCode::Damaged);
    }
}

TEST(HostileRecord, RefusesABadRecordMagic)
{
    ExtractScene scene;
    HostileArchive archive = twoFiles();
    Bytes header = encodeEntryRecordHeader(archive.entries[1].record);
    header[3] = 'X';
    archive.entries[1].rawRecordHeader = header;
    scene.expectRefused(archive, ErrorCode::Damaged);
}

TEST(HostileRecord, RefusesInvalidFields)
{
    ExtractScene scene;
    const auto refuse = [&](const char* what, auto&& edit) {
        SCOPED_TRACE(what);
        HostileArchive archive = twoFiles();
        edit(archive.entries[1].record);
        scene.expectRefused(archive, ErrorCode::Damaged);
    };
    refuse("kind 3", [](EntryInfo& i) { i.kind = static_cast<EntryKind>(3); });
    refuse("kind 0", [](EntryInfo& i) { i.kind = static_cast<EntryKind>(0); });
    refuse("codec 2", [](EntryInfo& i) { i.codec = static_cast<Codec>(2); });
    refuse("setuid", [](EntryInfo& i) { i.mode = 04755; });
    refuse("sticky", [](EntryInfo& i) { i.mode = 01777; });
    refuse("nanoseconds", [](EntryInfo& i) { i.mtimeNanoseconds = 1'000'000'000; });
}

TEST(HostileRecord, RefusesADirectoryWithContent)
{
    ExtractScene scene;
    {
        HostileArchive archive;
        auto& d = archive.directory("d");
        d.record.size = 4;
        d.data = bytesOf("junk");
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive;
        auto& d = archive.directory("d"); // size 0, but four bytes of data
        d.data = bytesOf("junk");
        archive.file("d/x", "x");
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive;
        archive.directory("d").record.codec = Codec::Zstd;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileRecord, RefusesAnIndexEntryThatDisagreesWithItsRecord)
{
    ExtractScene scene;
    const auto refuse = [&](const char* what, auto&& edit) {
        SCOPED_TRACE(what);
        HostileArchive archive = twoFiles();
        archive.entries[0].indexInfo = archive.entries[0].record;
        edit(*archive.entries[0].indexInfo);
        scene.expectRefused(archive, ErrorCode::Damaged);
    };
    refuse("mode", [](EntryInfo& i) { i.mode = 0600; });
    refuse("mtime seconds", [](EntryInfo& i) { i.mtimeSeconds += 1; });
    refuse("mtime nanoseconds", [](EntryInfo& i) { i.mtimeNanoseconds = 5; });
    refuse("path of the same length", [](EntryInfo& i) { i.path = "c.txt"; });
    refuse("kind", [](EntryInfo& i) {
        i.kind = EntryKind::Directory;
        i.size = 0;
    });
    refuse("codec", [](EntryInfo& i) { i.codec = Codec::Zstd; });
}

TEST(HostileRecord, RefusesAZstdIndexEntryWithAnotherSize)
{
    ExtractScene scene;
    HostileArchive archive;
    auto& e = archive.zstdFile("z.txt", std::string(1000, 'z'));
    e.indexInfo = e.record;
    e.indexInfo->size = 2000;
    scene.expectRefused(archive, ErrorCode::Damaged);
}

TEST(HostileRecord, RefusesWrongStoredLengthsAndOffsetsInTheIndex)
{
    ExtractScene scene;
    {
        HostileArchive archive;
        auto& z = archive.zstdFile("z.txt", std::string(1000, 'z'));
        z.indexStored = z.data.size() + 1;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        // Internally consistent: the first entry one byte shorter, the second one byte earlier and longer.
        HostileArchive archive;
        archive.zstdFile("y.txt", std::string(1000, 'y'));
        archive.zstdFile("z.txt", std::string(1000, 'z'));
        const std::uint64_t stored0 = archive.entries[0].data.size();
        archive.entries[0].indexStored = stored0 - 1;
        archive.entries[1].indexOffset = archive.entries[0].record.recordHeaderSize() + stored0 - 1;
        archive.entries[1].indexStored = archive.entries[1].data.size() + 1;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = twoFiles();
        archive.entries[1].indexOffset = archive.entries[0].record.recordHeaderSize() + 10 + 1;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = twoFiles();
        archive.entries[0].indexOffset = 1;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileRecord, RefusesAnIndexThatListsOtherEntriesThanTheRecords)
{
    ExtractScene scene;
    {
        HostileArchive archive = twoFiles();
        archive.entries[1].inIndex = false; // a record the index does not list
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = twoFiles();
        archive.entries[0].inIndex = false;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        HostileArchive archive = twoFiles();
        archive.file("c.txt", "listed but never written").inRecords = false;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
    {
        // The same sizes in swapped order: offsets stay contiguous, names do not match.
        HostileArchive archive;
        archive.file("a.txt", "0123456789");
        archive.file("b.txt", "abcdefghij");
        archive.entries[0].indexInfo = archive.entries[1].record;
        archive.entries[1].indexInfo = archive.entries[0].record;
        scene.expectRefused(archive, ErrorCode::Damaged);
    }
}

TEST(HostileRecord, RefusesContentThatDoesNotMatchTheIndexHash)
{
    ExtractScene scene;
    HostileArchive good = twoFiles();
    good.hashes = true;
    scene.expectAccepted(good);

    HostileArchive archive = twoFiles();
    archive.hashes = true;
    archive.entries[1].indexSha256 = crypto::sha256(bytesOf("something else"));
    scene.expectRefused(archive, ErrorCode::Damaged);
}

TEST(HostileRecord, RefusesAnEmptyFileThatClaimsToBeCompressed)
{
    ExtractScene scene;
    HostileArchive archive;
    archive.zstdRaw("empty.txt", {}, 0);
    scene.expectRefused(archive, ErrorCode::Damaged);
    // FORMAT.md §5.4: the index alone already breaks the rules, so a listing refuses it too.
    const auto listing = listContainer(scene.container, identitiesOf(scene.identity));
    ASSERT_FALSE(listing.ok());
    EXPECT_EQ(listing.error().code, ErrorCode::Damaged);
}
