// MountServer (the GUI's in-process mount, issue 21): served on a thread, it
// stops at once even while a file in it is held open (a file manager showing
// the folder), and a descriptor opened before fails afterwards: nothing is
// read from the container once the window that mounted it is gone.
#include "MountServer.h"
#include "IndexedReader.h"
#include "KeyChoice.h"
#include "MountHarness.h"

#include <chrono>

namespace coffer::test::cli {
namespace {

TEST(MountServer, StopsAtOnceWithAFileHeldOpenAndLeavesNothing)
{
    if (!fuseUsable())
        GTEST_SKIP() << "/dev/fuse is absent or not usable here: the mount needs FUSE";
    TempDir dir;
    const fs::path d = fs::canonical(dir.path());
    const Key key = makeKey(d / "a.key");
    writeFile(d / "src" / "a.txt", "hello from inside\n");
    writeFile(d / "src" / "big.bin", XorShift(3).bytes(3 * 1024 * 1024));
    ASSERT_EQ(coffer("encrypt -r " + key.card + " -o " + q(d / "c.coffer") + " " + q(d / "src")).code, kExitOk);
    crypto::IdentityList ids;
    ASSERT_TRUE(addIdentitiesFromFile(key.file, ids).ok());
    auto reader = IndexedReader::open(d / "c.coffer", ids);
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    fs::create_directory(d / "mnt");
    MountGuard guard{d / "mnt"};
    auto server = MountServer::start(std::move(*reader), d / "mnt", 0);
    ASSERT_TRUE(server.ok()) << server.error().message;
    EXPECT_TRUE(isMountPoint(d / "mnt"));
    EXPECT_EQ(readFile(d / "mnt" / "src" / "a.txt"), "hello from inside\n");

    const int held = ::open((d / "mnt" / "src" / "big.bin").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(held, 0);
    const auto before = std::chrono::steady_clock::now();
    (*server)->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
    EXPECT_FALSE(isMountPoint(d / "mnt"));
    EXPECT_TRUE(listTree(d / "mnt").empty());
    char buf[4096];
    EXPECT_LT(::pread(held, buf, sizeof buf, 2 * 1024 * 1024), 0) << "a file held open still reads after stop()";
    ::close(held);
    server->reset(); // again: nothing left to stop
}

} // namespace
} // namespace coffer::test::cli
