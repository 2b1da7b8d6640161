// Stale staging folders (FORMAT.md §5.6, SECURITY.md "Extraction safety"):
// the next extraction removes a folder only when it can prove Coffer made it
// (its name is recorded in the user's private state folder), never a folder
// that a user or a container named like one, and never what Coffer does not
// make (a link, say) inside one of its own.
#include "ExtractHarness.h"
#include "ExtractTarget.h"

#include <cstdlib>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

/// COFFER_HOME (where Coffer records its staging folders) in a folder of its
/// own for the test's lifetime, outside the sandbox the scene compares.
class ScopedHome {
public:
    ScopedHome() { ::setenv("COFFER_HOME", (m_dir.path() / "home").c_str(), 1); }
    ~ScopedHome() { ::unsetenv("COFFER_HOME"); }

private:
    TempDir m_dir;
};

/// What a Coffer killed in the middle of an extraction leaves: a child
/// process opens a real staging folder, writes `file` into it and exits
/// without cleaning up (as SIGKILL would).
void leaveStaleStagingFolder(const fs::path& destination, const std::string& file)
{
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto target = ExtractTarget::open(destination, false);
        EntryInfo info;
        info.path = file;
        info.kind = EntryKind::File;
        info.size = 5;
        info.mode = 0644;
        const std::string content = "stale";
        const bool ok = target.ok() && target->beginFile(info).ok() &&
                        target->write(ByteView(reinterpret_cast<const std::uint8_t*>(content.data()), 5)).ok() &&
                        target->commitFile().ok();
        std::_Exit(ok ? 0 : 1); // no destructor runs: the folder stays
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

std::vector<fs::path> stagingFoldersIn(const fs::path& dir)
{
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().starts_with(".coffer-extract-"))
            found.push_back(e.path());
    return found;
}

/// One extraction into the scene's destination; the warnings it gave.
Result<std::vector<std::string>> extractOnce(const ExtractScene& scene, ReaderMode mode)
{
    HostileArchive archive;
    archive.file("new.txt", "new");
    scene.write(archive);
    ExtractRequest request;
    request.destination = scene.dest;
    JobControl job;
    auto result = extractWith(mode, scene.container, request, identitiesOf(scene.identity), job);
    fs::remove(scene.dest / "new.txt");
    COFFER_TRY(result);
    return job.warnings();
}

} // namespace

// The attack: a folder named like a staging folder that Coffer did not make
// (the user's own, or one a container put in a subfolder that later became a
// destination) was removed, with what the user had put into it.
TEST(StagingCleanup, NeverRemovesAFolderItDidNotMake)
{
    ScopedHome home;
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractScene scene;
        const fs::path mine = scene.dest / ".coffer-extract-0123456789ab";
        writeFile(mine / "sub" / "notes.txt", "the user's");
        fs::permissions(mine, fs::perms::owner_all, fs::perm_options::replace); // as Coffer makes them
        auto result = extractOnce(scene, mode);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readFile(mine / "sub" / "notes.txt"), "the user's");
    }
}

TEST(StagingCleanup, RemovesAStaleFolderItMadeItself)
{
    ScopedHome home;
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractScene scene;
        leaveStaleStagingFolder(scene.dest, "docs/a.txt");
        ASSERT_EQ(stagingFoldersIn(scene.dest).size(), 1u);
        auto result = extractOnce(scene, mode);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_TRUE(stagingFoldersIn(scene.dest).empty());
        EXPECT_TRUE(result->empty());
    }
}

// Only the user can add to a staging folder (mode 0700), but what Coffer never
// creates there -- a link, a file of another owner or with another name
// elsewhere (a hard link) -- is left, with its folders, and reported.
TEST(StagingCleanup, LeavesWhatItDoesNotMakeInsideItsOwnStaleFolder)
{
    ScopedHome home;
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        ExtractScene scene;
        leaveStaleStagingFolder(scene.dest, "docs/a.txt");
        const auto stale = stagingFoldersIn(scene.dest);
        ASSERT_EQ(stale.size(), 1u);
        fs::create_symlink("../../marker.txt", stale[0] / "docs" / "link");
        writeFile(scene.sibling / "kept.txt", "the user's");
        fs::create_hard_link(scene.sibling / "kept.txt", stale[0] / "hard.txt");
        auto result = extractOnce(scene, mode);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_TRUE(fs::is_symlink(stale[0] / "docs" / "link"));
        EXPECT_TRUE(fs::exists(stale[0] / "hard.txt"));
        EXPECT_FALSE(fs::exists(stale[0] / "docs" / "a.txt")) << "what Coffer wrote there goes";
        ASSERT_EQ(result->size(), 1u);
        EXPECT_NE((*result)[0].find(stale[0].filename().string()), std::string::npos) << (*result)[0];
    }
}

// FORMAT.md §5.6, SECURITY.md: a regular file where the archive has a folder is
// the destination's state, not the container's fault: a file system error
// (exit 6), and nothing is written. A link there is an unsafe path (exit 4).
TEST(StagingCleanup, AFileWhereTheArchiveHasAFolderIsAFileSystemError)
{
    ExtractScene scene;
    writeFile(scene.dest / "docs", "a file, not a folder");
    fs::create_directories(scene.dest / "keep");
    writeFile(scene.dest / "keep" / "sub", "a file deeper down");
    HostileArchive top;
    top.file("docs/a.txt", "a");
    scene.expectRefused(top, ErrorCode::Io);
    HostileArchive merged;
    merged.file("keep/sub/b.txt", "b");
    scene.expectRefused(merged, ErrorCode::Io);
}
