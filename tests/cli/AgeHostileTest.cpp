// Hostile .tar.age files (issue 20): made by a tar writer that does what it
// is told (Python's tarfile) and encrypted by the real `age`, so every byte
// authenticates and only Coffer's rules stand between them and the disk.
// Each is refused as a hostile container would be, and the destination is
// exactly as it was: nothing at a final name, no staging folder left.
#include "AgeHarness.h"

namespace coffer::test::cli {
namespace {

class AgeHostile : public ::testing::Test {
protected:
    TempDir dir;
    AgeKey key = ageKeygen(dir / "k.txt");

    AgeHostile()
    {
        fs::create_directories(dir / "dest" / "mine");
        writeFile(dir / "dest" / "mine" / "keep.txt", "the user's own file\n");
        fs::create_directories(dir / "outside");
    }

    /// Encrypts the tarball with age and asks Coffer to extract it into dest.
    Outcome extract(const fs::path& tar)
    {
        const fs::path sealed = tar.string() + ".age";
        const Outcome enc = shell("age -r " + key.recipient + " -o " + q(sealed) + " " + q(tar));
        EXPECT_EQ(enc.code, 0) << enc.output;
        return coffer("decrypt -i " + q(key.file) + " -o " + q(dir / "dest") + " " + q(sealed));
    }

    void expectUntouched()
    {
        EXPECT_EQ(listTree(dir / "dest"), (std::vector<std::string>{"mine/", "mine/keep.txt"}));
        EXPECT_EQ(readFile(dir / "dest" / "mine" / "keep.txt"), "the user's own file\n");
        EXPECT_TRUE(listTree(dir / "outside").empty());
        EXPECT_FALSE(fs::exists(dir / "x"));
    }
};

TEST_F(AgeHostile, TraversalIsRefused)
{
    pythonTar(dir / "t.tar", "add('ok.txt')\nadd('../x')");
    EXPECT_TRUE(isRefusal(extract(dir / "t.tar"), kAnyFailure, "\"..\""));
    expectUntouched();
}

TEST_F(AgeHostile, TraversalInsideAPathIsRefused)
{
    pythonTar(dir / "t.tar", "add('ok.txt')\nadd('a/../../x')");
    EXPECT_TRUE(isRefusal(extract(dir / "t.tar"), kAnyFailure, "\"..\""));
    expectUntouched();
}

TEST_F(AgeHostile, AbsolutePathIsRefused)
{
    pythonTar(dir / "t.tar", "add('ok.txt')\nadd('" + (dir / "outside" / "abs").string() + "')");
    EXPECT_TRUE(isRefusal(extract(dir / "t.tar"), kAnyFailure, "absolute"));
    expectUntouched();
}

TEST_F(AgeHostile, FileThroughAnEscapingSymlinkIsRefused)
{
    pythonTar(dir / "t.tar", "add('link', type=tarfile.SYMTYPE, linkname='" + (dir / "outside").string() +
                                 "')\nadd('link/evil', b'owned')");
    EXPECT_TRUE(isRefusal(extract(dir / "t.tar"), kAnyFailure, "link"));
    expectUntouched();
}

TEST_F(AgeHostile, HardLinkOutsideIsRefused)
{
    writeFile(dir / "outside" / "secret", "secret");
    pythonTar(dir / "t.tar", "add('ok.txt')\nadd('hl', type=tarfile.LNKTYPE, linkname='../outside/secret')");
    const Outcome r = extract(dir / "t.tar");
    EXPECT_TRUE(isRefusal(r, kAnyFailure, "hard link")) << r.output;
    fs::remove(dir / "outside" / "secret");
    expectUntouched();
}

TEST_F(AgeHostile, HardLinkToAnAbsolutePathIsRefused)
{
    pythonTar(dir / "t.tar", "add('ok.txt')\nadd('hl', type=tarfile.LNKTYPE, linkname='/etc/passwd')");
    EXPECT_TRUE(isRefusal(extract(dir / "t.tar"), kAnyFailure, "hard link"));
    expectUntouched();
}

TEST_F(AgeHostile, HugeDeclaredEntryIsRefusedBeforeWriting)
{
    // A pax header declaring a petabyte, and then the stream ends: refused
    // on the declared size, before a byte of it is written.
    const std::string body = "i = tarfile.TarInfo('bomb'); i.size = 1 << 50\n"
                             "t.fileobj.write(i.tobuf(tarfile.PAX_FORMAT, 'utf-8', 'surrogateescape'))\n"
                             "t.fileobj.write(b'\\0' * 65536)\nt.fileobj.close(); sys.exit(0)";
    pythonTar(dir / "t.tar", body);
    const Outcome r = extract(dir / "t.tar");
    EXPECT_TRUE(isRefusal(r, kAnyFailure, "free")) << r.output;
    expectUntouched();
}

TEST_F(AgeHostile, CutOffAfterACompleteTarIsRefused)
{
    // The whole tar (a file, its end marker) sits in the first chunks; the
    // age stream is cut before its last chunk. The tar alone looks complete:
    // only the age stream's end says it is not.
    pythonTar(dir / "t.tar", "add('looks-fine.txt', b'hello')");
    std::string tar = readFile(dir / "t.tar");
    tar.append(2 * 65536 + 20480 - tar.size(), '\0'); // three chunks, the last one 20 KiB
    writeFile(dir / "t.tar", tar);
    const fs::path sealed = dir / "t.tar.age";
    ASSERT_EQ(shell("age -r " + key.recipient + " -o " + q(sealed) + " " + q(dir / "t.tar")).code, 0);
    const std::string whole = readFile(sealed);
    writeFile(sealed, whole.substr(0, whole.size() - (20480 + 16)));
    const Outcome r = coffer("decrypt -i " + q(key.file) + " -o " + q(dir / "dest") + " " + q(sealed));
    EXPECT_TRUE(isRefusal(r, kExitDamaged, "damaged")) << r.output;
    expectUntouched();
}

TEST_F(AgeHostile, LinksAreSkippedWithAWarningAndNeverMade)
{
    pythonTar(dir / "t.tar", "add('a.txt', b'a')\nadd('s', type=tarfile.SYMTYPE, linkname='/etc/passwd')\n"
                             "add('h', type=tarfile.LNKTYPE, linkname='a.txt')");
    const Outcome r = extract(dir / "t.tar");
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_NE(r.output.find("skipped the symbolic link"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("skipped the hard link"), std::string::npos) << r.output;
    EXPECT_EQ(listTree(dir / "dest"), (std::vector<std::string>{"a.txt", "mine/", "mine/keep.txt"}));
}

TEST_F(AgeHostile, NeverOverwritesTheUsersFile)
{
    pythonTar(dir / "t.tar", "add('mine/keep.txt', b'replaced')");
    const Outcome r = extract(dir / "t.tar");
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_EQ(readFile(dir / "dest" / "mine" / "keep.txt"), "the user's own file\n");
    EXPECT_TRUE(leftovers(dir / "dest").empty());
}

} // namespace
} // namespace coffer::test::cli
