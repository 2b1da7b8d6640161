// Path attacks (FORMAT.md §5.5, §9 item 44): whatever a container names, both
// readers refuse it as an unsafe path before writing anything, and nothing
// appears inside or outside the destination.
#include "ExtractHarness.h"
#include "PathRules.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;

namespace {

/// One stored file at `path`, the record and the index agreeing.
void expectUnsafePath(const std::string& path)
{
    SCOPED_TRACE("path \"" + path + "\"");
    ExtractScene scene;
    HostileArchive archive;
    archive.file("fine.txt", "harmless");
    archive.file(path, "escaped");
    scene.expectRefused(archive, ErrorCode::UnsafePath);
}

/// Two entries whose names collide (or whose kinds clash).
void expectCollision(const std::string& first, bool firstIsDir, const std::string& second)
{
    SCOPED_TRACE("\"" + first + "\" then \"" + second + "\"");
    ExtractScene scene;
    HostileArchive archive;
    if (firstIsDir)
        archive.directory(first);
    else
        archive.file(first, "first");
    archive.file(second, "second");
    scene.expectRefused(archive, ErrorCode::UnsafePath);
}

} // namespace

TEST(HostilePath, RefusesParentComponents)
{
    expectUnsafePath("../x");
    expectUnsafePath("../../x");
    expectUnsafePath("a/../../x");
    expectUnsafePath("a/..");
    expectUnsafePath("..");
}

TEST(HostilePath, RefusesAbsolutePaths)
{
    ExtractScene scene;
    // An absolute path that would land inside the sandbox, where the snapshot sees it.
    HostileArchive archive;
    archive.file((scene.outside / "abs").string(), "escaped");
    scene.expectRefused(archive, ErrorCode::UnsafePath);
    expectUnsafePath("/abs");
    expectUnsafePath("/");
}

TEST(HostilePath, RefusesDriveLetters)
{
    expectUnsafePath("C:\\x");
    expectUnsafePath("C:x");
    expectUnsafePath("c:/x");
    expectUnsafePath("z:");
}

TEST(HostilePath, RefusesBackslashes)
{
    expectUnsafePath("a\\b");
    expectUnsafePath("..\\x");
    expectUnsafePath("\\x");
}

TEST(HostilePath, RefusesNulAndControlCharacters)
{
    expectUnsafePath(std::string("a\0b", 3));
    expectUnsafePath(std::string("x\0", 2));
    expectUnsafePath("a\x01"
                     "b");
    expectUnsafePath("name\n.txt");
    expectUnsafePath("\x1b[31mred");
    expectUnsafePath("del\x7f");
}

TEST(HostilePath, RefusesEmptyAndDotComponents)
{
    expectUnsafePath("a//b");
    expectUnsafePath("a/");
    expectUnsafePath(".");
    expectUnsafePath("./x");
    expectUnsafePath("a/./b");
}

TEST(HostilePath, RefusesInvalidUtf8)
{
    expectUnsafePath("\xff");
    expectUnsafePath("a\xc0\xaf"
                     "b");                // overlong '/'
    expectUnsafePath("\xed\xa0\x80");     // a surrogate
    expectUnsafePath("\xf4\x90\x80\x80"); // above U+10FFFF
    expectUnsafePath("caf\xc3");          // cut inside a character
}

TEST(HostilePath, RefusesOverlongComponentsAndPaths)
{
    expectUnsafePath(std::string(256, 'a'));
    expectUnsafePath("d/" + std::string(256, 'b'));
    std::string deep;
    while (deep.size() <= 4096)
        deep += "abcdefgh/";
    deep += "x";
    expectUnsafePath(deep);
}

TEST(HostilePath, RefusesDuplicateNames)
{
    expectCollision("a.txt", false, "a.txt");
    expectCollision("d/a.txt", false, "d/a.txt");
    expectCollision("d", true, "d");
}

// Names that differ only in case or normalisation are distinct on Linux (the
// kernel headers hold xt_connmark.h and xt_CONNMARK.h), so they are kept; what
// matters is that neither overwrites the other (FORMAT.md §5.5, §10).
TEST(HostilePath, KeepsNamesThatDifferOnlyInCaseOrNormalisationApart)
{
    for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
             {"Report.txt", "report.TXT"}, {"\xc3\x84.txt", "\xc3\xa4.txt"}, {"caf\xc3\xa9.txt", "cafe\xcc\x81.txt"}}) {
        PathSet paths;
        EXPECT_TRUE(paths.add(a, false).ok()) << a;
        EXPECT_TRUE(paths.add(b, false).ok()) << b;
    }
}

TEST(HostilePath, RefusesAFileThatIsAlsoAFolder)
{
    expectCollision("a", false, "a/b");
    expectCollision("a/b", false, "a");
    expectCollision("x/y", false, "x/y/z");
}

// Names Coffer uses for its own bookkeeping beside the user's files (FORMAT.md
// §5.5): a container that could create them, at any depth, could pass its
// folder for a stale staging folder or its file for a rekey journal.
TEST(HostilePath, RefusesCoffersBookkeepingNamesAtAnyDepth)
{
    for (const char* path :
         {".coffer-extract-0123456789ab/x", "sub/.coffer-extract-0123456789ab/x", "a/b/.coffer-extract-0123456789ab",
          "sub/.COFFER-Extract-0123456789AB/x", ".coffer-extract-", "d/.coffer-extract-anything-else",
          ".report.coffer.rekey-journal", "sub/.x.REKEY-JOURNAL"})
        expectUnsafePath(path);
    for (const std::string folder : {"sub/.coffer-extract-0123456789ab", ".coffer-extract-0123456789ab"}) {
        SCOPED_TRACE(folder);
        ExtractScene scene;
        HostileArchive archive;
        archive.directory(folder, 0700);
        scene.expectRefused(archive, ErrorCode::UnsafePath);
    }
}

TEST(HostilePath, AcceptsNamesThatOnlyResembleBookkeepingNames)
{
    ExtractScene scene;
    HostileArchive archive;
    archive.file("coffer-extract-0123456789ab", "a"); // no leading dot
    archive.file("x.coffer-extract-0123456789ab", "b");
    archive.file("report.rekey-journal", "c"); // no leading dot: not a journal's name
    archive.file("notes.coffer.part", "d");    // Coffer's own parts are marked, not named (§5.6)
    archive.file(".a.txt.coffer-old-0123456789ab", "e");
    scene.expectAccepted(archive);
}

TEST(HostilePath, RefusesUnsafePathsInTheIndexEvenWhenTheRecordLooksSafe)
{
    // The file reader checks every index path before extracting anything; the
    // stream reader extracts the safe record first, then meets the index at the end.
    ExtractScene scene;
    HostileArchive archive;
    auto& e = archive.file("ab", "content");
    e.indexInfo = e.record;
    e.indexInfo->path = "..";
    scene.expectRefused(archive, ErrorCode::UnsafePath);
}

TEST(HostilePath, RefusesUnsafeRecordPathsBehindASafeIndex)
{
    // The file reader never uses the record's path: it sees a record that
    // disagrees with its index. The stream reader checks the record's path.
    ExtractScene scene;
    HostileArchive archive;
    auto& e = archive.file("../x", "escaped");
    e.indexInfo = e.record;
    e.indexInfo->path = "safe";
    scene.expectRefused(archive, ErrorCode::Damaged, ErrorCode::UnsafePath);
}

TEST(HostilePath, AcceptsUnusualButSafeNames)
{
    ExtractScene scene;
    HostileArchive archive;
    archive.file("..x", "a");
    archive.file("x..", "b");
    archive.file(".hidden", "c");
    archive.file("sp ace", "d");
    archive.file("caf\xc3\xa9", "e");
    archive.file("1:x", "f");                  // a drive letter is a letter
    archive.file("\xf0\x9f\x94\x92.txt", "g"); // U+1F512
    scene.expectAccepted(archive);
}

// PathSet keeps hashes, not names, in a table that grows (PathRules.h): after
// growing many times over, it still tells every path from every other and
// finds every duplicate and every file used as a folder.
TEST(HostilePath, ASetOfAHundredThousandPathsStillFindsEveryCollision)
{
    PathSet paths;
    const auto file = [](int d, int f) { return "top/d" + std::to_string(d) + "/f" + std::to_string(f) + ".txt"; };
    for (int d = 0; d < 100; ++d) {
        ASSERT_TRUE(paths.add("top/d" + std::to_string(d), true).ok());
        for (int f = 0; f < 1000; ++f)
            ASSERT_TRUE(paths.add(file(d, f), false).ok()) << file(d, f);
    }
    EXPECT_EQ(paths.size(), 100'000u + 100u + 1u); // "top" is implied
    for (int d = 0; d < 100; d += 7)
        for (int f = 0; f < 1000; f += 13) {
            const auto again = paths.add(file(d, f), false);
            ASSERT_FALSE(again.ok()) << file(d, f);
            EXPECT_NE(again.error().message.find("same name"), std::string::npos);
            const auto below = paths.add(file(d, f) + "/inside", false);
            ASSERT_FALSE(below.ok()) << file(d, f);
            EXPECT_NE(below.error().message.find("used as a folder"), std::string::npos);
        }
    EXPECT_FALSE(paths.add("top", false).ok()) << "a folder implied by its files became a file";
    EXPECT_TRUE(paths.add("top", true).ok()) << "an implied folder listed once is not a duplicate";
    EXPECT_FALSE(paths.add("top", true).ok());
    EXPECT_EQ(paths.size(), 100'000u + 100u + 1u);
}

// Folders a path implies count too: a million entries of 4 KiB whose
// folders are not listed would imply two thousand each (billions of slots).
// PathSet stops at kMaxPathSetPaths with a limit error, not out of memory.
TEST(HostilePath, PathsThatImplyMillionsOfFoldersAreRefusedAtTheLimit)
{
    PathSet paths;
    std::string deep;
    for (int i = 0; i < 2000; ++i)
        deep += "/a";
    Status last = Status::success();
    int added = 0;
    for (; added < 2000 && last.ok(); ++added)
        last = paths.add("k" + std::to_string(added) + deep, false);
    ASSERT_FALSE(last.ok()) << "2000 paths of 2001 names each were all taken";
    EXPECT_EQ(last.error().code, ErrorCode::LimitExceeded) << last.error().message;
    EXPECT_NE(last.error().message.find("2,000,000"), std::string::npos) << last.error().message;
    EXPECT_LE(paths.size(), kMaxPathSetPaths);
    EXPECT_GT(added, 900);
}
