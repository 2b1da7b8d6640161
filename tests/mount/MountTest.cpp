// `coffer mount` (issue 21, item 4), run for real: a container mounted with
// FUSE 3 shows the tree it was made from, byte for byte, in any order of
// reads; a tampered chunk makes reads of its range fail with EIO while the
// rest still reads; unmount leaves nothing; a refused mount leaves its folder
// as it was. Skipped only where /dev/fuse is absent (CI runs as root with it).
#include "MountHarness.h"

#include <random>

namespace coffer::test::cli {
namespace {

constexpr std::size_t kBigSize = 20 * 1024 * 1024;

class MountTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = std::make_unique<TempDir>();
        const fs::path d = s_dir->path();
        s_key = makeKey(d / "a.key");
        makeSource(d / "src");
        const Outcome r = coffer("encrypt -r " + s_key.card + " -o " + q(d / "tree.coffer") + " " + q(d / "src"));
        ASSERT_EQ(r.code, kExitOk) << r.output;
    }
    static void TearDownTestSuite() { s_dir.reset(); }

    /// Small files (packed), a compressible text over 4 MiB (zstd), 20 MiB of
    /// noise (stored), an empty file and folders with their own modes.
    static void makeSource(const fs::path& src)
    {
        XorShift rng(21);
        fs::create_directories(src / "docs" / "deep");
        fs::create_directories(src / "private");
        for (int i = 0; i < 60; ++i) {
            const std::size_t n = static_cast<std::size_t>(rng.next() % 20000);
            writeFile(src / "docs" / ("note" + std::to_string(i) + ".txt"),
                      i % 2 ? rng.bytes(n) : std::string(n, static_cast<char>('a' + i % 26)));
        }
        std::string text;
        for (int i = 0; text.size() < 6 * 1024 * 1024; ++i)
            text += "line " + std::to_string(i) + " of a long and quite compressible text\n";
        writeFile(src / "docs" / "deep" / "long.txt", text);
        writeFile(src / "big.bin", rng.bytes(kBigSize));
        writeFile(src / "empty", "");
        writeFile(src / "private" / "secret.txt", "only mine\n");
        fs::permissions(src / "private" / "secret.txt", fs::perms(0600));
        fs::permissions(src / "private", fs::perms(0700));
    }

    void SetUp() override
    {
        if (!fuseUsable())
            GTEST_SKIP() << "/dev/fuse is absent or not usable here: coffer mount needs FUSE";
        m_mount = fs::canonical(m_tmp.path()) / "mnt";
        fs::create_directory(m_mount);
        m_guard.dir = m_mount;
    }

    Outcome mount(const fs::path& container) const
    {
        return coffer("mount -i " + q(s_key.file) + " " + q(container) + " " + q(m_mount));
    }
    fs::path source() const { return s_dir->path() / "src"; }
    fs::path container() const { return s_dir->path() / "tree.coffer"; }

    /// Unmounts, and checks nothing is left: no mount, no daemon, an empty folder.
    void unmountLeavesNothing()
    {
        const Outcome r = coffer("unmount " + q(m_mount));
        EXPECT_EQ(r.code, kExitOk) << r.output;
        EXPECT_FALSE(isMountPoint(m_mount));
        EXPECT_TRUE(daemonsGone(m_mount)) << "the mount process is still running after unmount";
        EXPECT_TRUE(listTree(m_mount).empty());
    }

    static inline std::unique_ptr<TempDir> s_dir;
    static inline Key s_key;
    TempDir m_tmp;
    fs::path m_mount;
    MountGuard m_guard;
};

// Ranges in a random order (backwards too: a compressed file is decoded
// again from its start), first, before anything is in the kernel's cache.
TEST_F(MountTest, RandomRangesMatchTheSource)
{
    ASSERT_EQ(mount(container()).code, kExitOk);
    ASSERT_TRUE(isMountPoint(m_mount));
    std::mt19937_64 rng(4);
    for (const char* rel : {"src/big.bin", "src/docs/deep/long.txt", "src/docs/note7.txt"}) {
        const std::string expected = readFile(s_dir->path() / rel);
        for (int i = 0; i < 40; ++i) {
            const std::uint64_t offset = rng() % expected.size();
            const std::size_t size = static_cast<std::size_t>(1 + rng() % 300000);
            const ReadOutcome got = preadRange(m_mount / rel, offset, size);
            ASSERT_EQ(got.error, 0) << rel << " at " << offset;
            ASSERT_TRUE(got.bytes == expected.substr(offset, size)) << rel << " at " << offset << " +" << size;
        }
    }
    unmountLeavesNothing();
}

TEST_F(MountTest, ShowsTheTreeItWasMadeFrom)
{
    ASSERT_EQ(mount(container()).code, kExitOk);
    const Outcome diff = shell("diff -r " + q(source()) + " " + q(m_mount / "src"));
    EXPECT_EQ(diff.code, 0) << diff.output;
    EXPECT_EQ(listTree(m_mount / "src"), listTree(source()));
    // Read-only, whatever the container says; the owner keeps reading.
    EXPECT_EQ(fs::status(m_mount / "src" / "private").permissions(), fs::perms(0500));
    EXPECT_EQ(fs::status(m_mount / "src" / "private" / "secret.txt").permissions(), fs::perms(0400));
    EXPECT_EQ(fs::last_write_time(m_mount / "src" / "big.bin"), fs::last_write_time(source() / "big.bin"));
    const Outcome write = shell("echo x > " + q(m_mount / "src" / "empty") + " 2>&1; touch " + q(m_mount / "new"));
    EXPECT_NE(write.code, 0);
    EXPECT_EQ(readFile(m_mount / "src" / "empty"), "");
    unmountLeavesNothing();
}

// A byte flipped in the middle chunk (inside big.bin, most of the payload):
// reads that need it fail with EIO, never give other bytes; every other read
// of big.bin, and every other file, still gives the right bytes.
TEST_F(MountTest, TamperedChunkGivesEioWhileTheRestReads)
{
    std::string bytes = readFile(container());
    const std::size_t chunk = chunkCount(bytes) / 2;
    bytes[chunkOffset(bytes, chunk) + 100] ^= 0x01;
    const fs::path tampered = m_tmp.path() / "tampered.coffer";
    writeFile(tampered, bytes);
    ASSERT_EQ(mount(tampered).code, kExitOk); // the index is intact: the mount is up
    const std::string expected = readFile(source() / "big.bin");
    int failed = 0;
    constexpr std::size_t kPiece = 16 * 1024;
    for (std::size_t k = 0; k < kBigSize / kPiece; ++k) {
        const std::size_t at = ((k * 521) % (kBigSize / kPiece)) * kPiece; // jumps: not one long stream
        const ReadOutcome got = preadRange(m_mount / "src" / "big.bin", at, kPiece);
        if (got.error != 0) {
            EXPECT_EQ(got.error, EIO);
            ++failed;
            continue;
        }
        ASSERT_TRUE(got.bytes == expected.substr(at, kPiece)) << "wrong bytes at " << at;
    }
    EXPECT_GE(failed, 1) << "no read of big.bin failed, though a chunk in it was tampered with";
    EXPECT_LE(failed, 8 * 1024 * 1024 / kPiece) << "a failure should stay near the tampered chunk";
    const Outcome cat = shell("{ cat " + q(m_mount / "src" / "big.bin") + " >/dev/null; }");
    EXPECT_NE(cat.code, 0);
    EXPECT_NE(cat.output.find("Input/output error"), std::string::npos) << cat.output;
    const Outcome others = shell("diff -r -x big.bin " + q(source()) + " " + q(m_mount / "src"));
    EXPECT_EQ(others.code, 0) << others.output;
    unmountLeavesNothing();
}

// Refused before anything is mounted: the folder stays as it was, nothing runs on.
TEST_F(MountTest, ContainerThatDoesNotOpenIsRefused)
{
    const fs::path notContainer = m_tmp.path() / "plain.coffer";
    writeFile(notContainer, "just some text, not a container\n");
    EXPECT_TRUE(isRefusal(mount(notContainer), kExitNotSupported, "container"));
    const Key other = makeKey(m_tmp.path() / "other.key");
    const Outcome wrongKey = coffer("mount -i " + q(other.file) + " " + q(container()) + " " + q(m_mount));
    EXPECT_TRUE(isRefusal(wrongKey, kExitNoKey, "key"));
    std::string bytes = readFile(container());
    bytes[bytes.size() - 40] ^= 0x01; // the final chunk, which holds the trailer
    const fs::path damagedIndex = m_tmp.path() / "damaged.coffer";
    writeFile(damagedIndex, bytes);
    EXPECT_TRUE(isRefusal(mount(damagedIndex), kExitDamaged, ""));
    EXPECT_FALSE(isMountPoint(m_mount));
    EXPECT_TRUE(daemonsGone(m_mount));
    EXPECT_TRUE(listTree(m_mount).empty());
}

TEST_F(MountTest, FolderThatIsNotEmptyIsRefusedUntouched)
{
    markedFolder(m_mount);
    EXPECT_TRUE(isRefusal(mount(container()), kAnyFailure, "not empty"));
    EXPECT_FALSE(isMountPoint(m_mount));
    EXPECT_EQ(listTree(m_mount), std::vector<std::string>{"marker.txt"});
}

TEST_F(MountTest, UnmountRefusesAFolderWithNoContainer)
{
    EXPECT_TRUE(isRefusal(coffer("unmount " + q(m_mount)), kAnyFailure, "no container is mounted"));
}

// Without /dev/fuse (a private /dev, in a mount namespace of its own), the
// mount is refused plainly, before any key is asked for.
TEST_F(MountTest, ComputerWithoutFuseIsToldSo)
{
    if (shell("unshare -m true").code != 0)
        GTEST_SKIP() << "unshare -m is not allowed here (needs root)";
    const Outcome r = shell("unshare -m sh -c 'mount -t tmpfs none /dev && exec " + cofferCommand() + " mount -i " +
                            q(s_key.file) + " " + q(container()) + " " + q(m_mount) + "'");
    EXPECT_TRUE(isRefusal(r, kExitIo, "this computer lacks FUSE"));
    EXPECT_FALSE(isMountPoint(m_mount));
    EXPECT_TRUE(listTree(m_mount).empty());
}

// -f serves until interrupted; SIGTERM unmounts and ends the process.
TEST_F(MountTest, ForegroundMountEndsOnSigterm)
{
    const Outcome start = shell("(" + cofferCommand() + " mount -f -i " + q(s_key.file) + " " + q(container()) + " " +
                                q(m_mount) + " >/dev/null 2>&1 &) ; for i in $(seq 100); do mountpoint -q " +
                                q(m_mount) + " && exit 0; sleep 0.05; done; exit 1");
    ASSERT_EQ(start.code, 0) << start.output;
    EXPECT_EQ(readFile(m_mount / "src" / "private" / "secret.txt"), "only mine\n");
    const std::vector<int> pids = mountDaemons(m_mount);
    ASSERT_EQ(pids.size(), 1u);
    ::kill(pids[0], SIGTERM);
    EXPECT_TRUE(daemonsGone(m_mount));
    EXPECT_FALSE(isMountPoint(m_mount));
}

// Keys from the keyring, as decrypt takes them; a signed container's files
// are checked against their signed hashes on first open, then read as usual.
TEST_F(MountTest, SignedContainerMountsWithTheKeyring)
{
    const fs::path d = m_tmp.path();
    writeFile(d / "keyring.pass", "correct horse battery staple\n");
    const std::string withKeyring = "COFFER_HOME=" + q(d / "home") + " " + cofferCommand() + " ";
    const std::string pass = " --keyring-passphrase-file " + q(d / "keyring.pass");
    ASSERT_EQ(shell(withKeyring + "id create --name Me" + pass).code, kExitOk);
    const Outcome card = shell(withKeyring + "id show" + pass);
    std::string me;
    std::istringstream lines(card.output);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("coffer1", 0) == 0)
            me = line;
    ASSERT_FALSE(me.empty()) << card.output;
    const fs::path signedContainer = d / "signed.coffer";
    const Outcome enc =
        shell(withKeyring + "encrypt -r " + me + pass + " -o " + q(signedContainer) + " " + q(source()));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    const Outcome m = shell(withKeyring + "mount" + pass + " " + q(signedContainer) + " " + q(m_mount) + " </dev/null");
    ASSERT_EQ(m.code, kExitOk) << m.output;
    EXPECT_NE(m.output.find("signed by you"), std::string::npos) << "who signed is said: " << m.output;
    const Outcome diff = shell("diff -r " + q(source()) + " " + q(m_mount / "src"));
    EXPECT_EQ(diff.code, 0) << diff.output;
    unmountLeavesNothing();
}

} // namespace
} // namespace coffer::test::cli
