// What extraction does to the destination folder (DESIGN §4, FORMAT.md §5.6):
// it never follows a link out of it, never overwrites unless asked, never
// changes what the user already had, and leaves it as it was on failure.
#include "ExtractHarness.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

unsigned modeOf(const fs::path& p)
{
    struct stat st {};
    ::lstat(p.c_str(), &st);
    return st.st_mode & 07777;
}

std::int64_t mtimeSecondsOf(const fs::path& p)
{
    struct stat st {};
    ::lstat(p.c_str(), &st);
    return st.st_mtim.tv_sec;
}

Result<ExtractSummary> extractInto(const ExtractScene& scene, ReaderMode mode, bool overwrite)
{
    ExtractRequest request;
    request.destination = scene.dest;
    request.overwrite = overwrite;
    JobControl job;
    return extractWith(mode, scene.container, request, identitiesOf(scene.identity), job);
}

} // namespace

TEST(ExtractDestination, NeverWritesThroughALinkToAFolder)
{
    for (const bool relative : {false, true}) {
        SCOPED_TRACE(relative ? "relative link" : "absolute link");
        ExtractScene scene;
        fs::create_symlink(relative ? fs::path("../../outside") : scene.outside, scene.dest / "evil");
        HostileArchive archive;
        archive.file("evil/x", "escaped");
        scene.expectRefusedWithAnyOf(archive, {ErrorCode::UnsafePath, ErrorCode::Io});

        HostileArchive asFolder; // the link named by a folder entry, then used
        asFolder.directory("evil");
        asFolder.file("evil/x", "escaped");
        scene.expectRefusedWithAnyOf(asFolder, {ErrorCode::UnsafePath, ErrorCode::Io});
        EXPECT_TRUE(fs::is_empty(scene.outside));
    }
}

TEST(ExtractDestination, NeverWritesThroughALinkDeeperDown)
{
    ExtractScene scene;
    fs::create_directories(scene.dest / "real");
    fs::create_symlink(scene.outside, scene.dest / "real" / "link");
    HostileArchive archive;
    archive.file("real/ok.txt", "fine");
    archive.file("real/link/deeper/x", "escaped");
    scene.expectRefusedWithAnyOf(archive, {ErrorCode::UnsafePath, ErrorCode::Io});
    EXPECT_TRUE(fs::is_empty(scene.outside));
}

TEST(ExtractDestination, NeverCreatesTheTargetOfADanglingLink)
{
    ExtractScene scene;
    fs::create_symlink(scene.outside / "made-by-link", scene.dest / "dangling");
    HostileArchive archive;
    archive.file("dangling/x", "escaped");
    scene.expectRefusedWithAnyOf(archive, {ErrorCode::UnsafePath, ErrorCode::Io});
    EXPECT_FALSE(fs::exists(scene.outside / "made-by-link"));
}

TEST(ExtractDestination, ALinkInTheWayOfAFileIsNeitherFollowedNorReplaced)
{
    ExtractScene scene;
    writeFile(scene.outside / "target.txt", "outside, must stay");
    fs::create_symlink(scene.outside / "target.txt", scene.dest / "f.txt");
    fs::create_symlink(scene.outside / "absent.txt", scene.dest / "g.txt");
    HostileArchive archive;
    archive.file("f.txt", "from the archive");
    archive.file("g.txt", "from the archive");
    scene.write(archive);
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        auto result = extractInto(scene, mode, false);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readFile(scene.dest / "f (2).txt"), "from the archive");
        EXPECT_EQ(readFile(scene.dest / "g (2).txt"), "from the archive");
        EXPECT_TRUE(fs::is_symlink(scene.dest / "f.txt"));
        EXPECT_TRUE(fs::is_symlink(scene.dest / "g.txt"));
        EXPECT_EQ(readFile(scene.outside / "target.txt"), "outside, must stay");
        EXPECT_FALSE(fs::exists(scene.outside / "absent.txt"));
        fs::remove(scene.dest / "f (2).txt");
        fs::remove(scene.dest / "g (2).txt");
    }
}

TEST(ExtractDestination, OverwritingReplacesALinkNotItsTarget)
{
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractScene scene;
        writeFile(scene.outside / "target.txt", "outside, must stay");
        fs::create_symlink(scene.outside / "target.txt", scene.dest / "f.txt");
        HostileArchive archive;
        archive.file("f.txt", "from the archive");
        scene.write(archive);
        auto result = extractInto(scene, mode, true);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_FALSE(fs::is_symlink(scene.dest / "f.txt"));
        EXPECT_EQ(readFile(scene.dest / "f.txt"), "from the archive");
        EXPECT_EQ(readFile(scene.outside / "target.txt"), "outside, must stay");
    }
}

TEST(ExtractDestination, TakenNamesGetFreeNamesUnlessOverwriting)
{
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractScene scene;
        writeFile(scene.dest / "a.txt", "mine");
        writeFile(scene.dest / "b.tar.gz", "mine too");
        writeFile(scene.dest / "b (2).tar.gz", "and this");
        HostileArchive archive;
        archive.file("a.txt", "theirs");
        archive.file("b.tar.gz", "theirs too");
        scene.write(archive);
        auto result = extractInto(scene, mode, false);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readFile(scene.dest / "a.txt"), "mine");
        EXPECT_EQ(readFile(scene.dest / "a (2).txt"), "theirs");
        EXPECT_EQ(readFile(scene.dest / "b.tar.gz"), "mine too");
        EXPECT_EQ(readFile(scene.dest / "b (2).tar.gz"), "and this");
        EXPECT_EQ(readFile(scene.dest / "b (3).tar.gz"), "theirs too");
        const std::vector<fs::path> expected{scene.dest / "a (2).txt", scene.dest / "b (3).tar.gz"};
        EXPECT_EQ(result->written, expected);

        result = extractInto(scene, mode, true);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readFile(scene.dest / "a.txt"), "theirs");
        EXPECT_EQ(readFile(scene.dest / "b.tar.gz"), "theirs too");
        EXPECT_EQ(readFile(scene.dest / "b (2).tar.gz"), "and this");
    }
}

TEST(ExtractDestination, AFailedExtractionLeavesExistingFoldersAsTheyWere)
{
    ExtractScene scene;
    fs::create_directories(scene.dest / "docs");
    writeFile(scene.dest / "docs" / "own.txt", "the user's");
    fs::permissions(scene.dest / "docs", fs::perms(0750));
    HostileArchive archive;
    archive.directory("docs", 0777);
    archive.file("docs/new.txt", "new");
    archive.zstdRaw("docs/broken.bin", Bytes(100, 'q'), 100); // not zstd: fails mid-way
    scene.expectRefused(archive, ErrorCode::Damaged);
    EXPECT_EQ(modeOf(scene.dest / "docs"), 0750u);
}

TEST(ExtractDestination, ExistingFoldersKeepTheirModeAndTime)
{
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractScene scene;
        const fs::path docs = scene.dest / "docs";
        fs::create_directories(docs);
        fs::permissions(docs, fs::perms(0750));
        HostileArchive archive;
        archive.directory("docs", 0777);
        archive.file("docs/new.txt", "new");
        scene.write(archive);
        auto result = extractInto(scene, mode, false);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readFile(docs / "new.txt"), "new");
        EXPECT_EQ(modeOf(docs), 0750u) << "a folder the user had was chmod-ed by the archive";
        // Adding a file changes a folder's time; the archive's time must not be applied on top.
        EXPECT_NE(mtimeSecondsOf(docs), 1'600'000'000);
    }
}

TEST(ExtractDestination, FolderEntriesGetTheirModeBeforeOrAfterTheirContents)
{
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractScene scene;
        HostileArchive archive;
        archive.directory("first", 0750);
        archive.file("first/x", "x");
        archive.file("later/y", "y");
        archive.directory("later", 0710);
        scene.write(archive);
        auto result = extractInto(scene, mode, false);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(modeOf(scene.dest / "first"), 0750u);
        EXPECT_EQ(modeOf(scene.dest / "later"), 0710u);
        EXPECT_EQ(readFile(scene.dest / "later" / "y"), "y");
    }
}

TEST(ExtractDestination, AFailedExtractionIntoANewFolderRemovesIt)
{
    ExtractScene scene;
    HostileArchive archive;
    archive.file("a.txt", "a");
    archive.zstdRaw("broken.bin", Bytes(100, 'q'), 100);
    scene.write(archive);
    const fs::path fresh = scene.top / "fresh" / "deeper";
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        auto result = extractWith(mode, scene.container, fresh, identitiesOf(scene.identity));
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::Damaged) << result.error().message;
        EXPECT_FALSE(fs::exists(scene.top / "fresh")) << "the failed extraction left the folder it made";
    }
}

TEST(ExtractDestination, AFailedOverwritingExtractionPutsTheUsersFilesBack)
{
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractScene scene;
        writeFile(scene.dest / "a.txt", "mine");
        fs::create_directories(scene.dest / "d");
        writeFile(scene.dest / "d" / "b.txt", "mine too");
        HostileArchive archive;
        archive.file("a.txt", "theirs");
        archive.file("d/b.txt", "theirs too");
        archive.zstdRaw("z-broken.bin", Bytes(100, 'q'), 100); // not zstd: fails after the others
        scene.write(archive);
        const auto before = snapshotTree(scene.root.path());
        auto result = extractInto(scene, mode, true);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::Damaged) << result.error().message;
        EXPECT_EQ(snapshotTree(scene.root.path()), before);
        EXPECT_EQ(readFile(scene.dest / "a.txt"), "mine");
    }
}

// A forced extraction that fails while moving into place, after it replaced a
// file and merged into a folder: everything is put back as it was (the
// replaced file, the merged folder's contents), nothing through the link.
TEST(ExtractDestination, AForcedExtractionThatFailsWhilePlacingPutsEverythingBack)
{
    ExtractScene scene;
    writeFile(scene.dest / "a.txt", "mine");
    writeFile(scene.dest / "keep" / "k.txt", "mine too");
    fs::create_directory_symlink(scene.outside, scene.dest / "zlink");
    HostileArchive archive; // placed in name order: a.txt, keep, then zlink fails
    archive.file("a.txt", "theirs");
    archive.file("keep/new.txt", "theirs too");
    archive.file("keep/k.txt", "theirs three");
    archive.directory("zlink");
    archive.file("zlink/x", "escaped");
    scene.write(archive);
    const auto before = snapshotTree(scene.root.path());
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        auto result = extractInto(scene, mode, true);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::UnsafePath) << result.error().message;
        EXPECT_EQ(snapshotTree(scene.root.path()), before);
        EXPECT_EQ(readFile(scene.dest / "a.txt"), "mine");
        EXPECT_EQ(readFile(scene.dest / "keep" / "k.txt"), "mine too");
        EXPECT_TRUE(fs::is_empty(scene.outside));
    }
}
