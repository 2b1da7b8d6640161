// Round trips with the real `age` and `age-keygen` (Debian's), both ways
// (issue 20): X25519 to one and three recipients, scrypt passphrases (age
// driven through a pseudo-terminal), armor, the chunk edges, 100 MiB, and a
// tree as .tar.age that `age -d | tar -x` opens, and a `tar | age` tarball
// that Coffer opens.
#include "AgeHarness.h"

namespace coffer::test::cli {
namespace {

class AgeInterop : public ::testing::Test {
protected:
    TempDir dir;

    /// Coffer encrypts `data` to `recipients` (-r each); `age -d` with each key gives it back.
    void cofferToAge(const std::string& data, const std::vector<AgeKey>& keys, const std::string& extra = "")
    {
        const fs::path in = dir / "in.bin";
        writeFile(in, data);
        std::string rs;
        for (const auto& k : keys)
            rs += " -r " + k.recipient;
        const fs::path out = dir / "in.bin.age";
        fs::remove(out);
        const Outcome enc = coffer("encrypt --format age" + extra + rs + " -o " + q(out) + " " + q(in));
        ASSERT_EQ(enc.code, kExitOk) << enc.output;
        for (const auto& k : keys) {
            fs::remove(dir / "back.bin");
            const Outcome dec = shell("age -d -i " + q(k.file) + " -o " + q(dir / "back.bin") + " " + q(out));
            ASSERT_EQ(dec.code, 0) << dec.output;
            EXPECT_TRUE(readFile(dir / "back.bin") == data) << "age gave back other bytes";
        }
    }

    /// `age` encrypts `data` to the keys; `coffer decrypt -i` with each key gives it back.
    void ageToCoffer(const std::string& data, const std::vector<AgeKey>& keys, const std::string& extra = "")
    {
        const fs::path in = dir / "data.bin";
        writeFile(in, data);
        std::string rs;
        for (const auto& k : keys)
            rs += " -r " + k.recipient;
        const fs::path sealed = dir / "data.bin.age";
        fs::remove(sealed);
        const Outcome enc = shell("age" + extra + rs + " -o " + q(sealed) + " " + q(in));
        ASSERT_EQ(enc.code, 0) << enc.output;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const fs::path dest = dir / ("out" + std::to_string(i));
            fs::remove_all(dest);
            const Outcome dec = coffer("decrypt -i " + q(keys[i].file) + " -o " + q(dest) + " " + q(sealed));
            ASSERT_EQ(dec.code, kExitOk) << dec.output;
            EXPECT_TRUE(readFile(dest / "data.bin") == data) << "Coffer gave back other bytes";
            EXPECT_EQ(listTree(dest), std::vector<std::string>{"data.bin"});
        }
    }
};

TEST_F(AgeInterop, OneRecipientBothWays)
{
    const AgeKey k = ageKeygen(dir / "k.txt");
    ageToCoffer(content(1000, 1), {k});
    cofferToAge(content(1000, 2), {k});
}

TEST_F(AgeInterop, ThreeRecipientsBothWays)
{
    const std::vector<AgeKey> keys{ageKeygen(dir / "a.txt"), ageKeygen(dir / "b.txt"), ageKeygen(dir / "c.txt")};
    ageToCoffer(content(5000, 3), keys);
    cofferToAge(content(5000, 4), keys);
}

TEST_F(AgeInterop, ArmoredBothWays)
{
    const AgeKey k = ageKeygen(dir / "k.txt");
    ageToCoffer(content(70000, 5), {k}, " -a");
    EXPECT_EQ(readFile(dir / "data.bin.age").rfind("-----BEGIN AGE ENCRYPTED FILE-----", 0), 0u);
    cofferToAge(content(70000, 6), {k}, " -a");
    EXPECT_EQ(readFile(dir / "in.bin.age").rfind("-----BEGIN AGE ENCRYPTED FILE-----", 0), 0u);
}

TEST_F(AgeInterop, ChunkEdgesBothWays)
{
    const AgeKey k = ageKeygen(dir / "k.txt");
    for (std::size_t size : {std::size_t(0), std::size_t(65536), std::size_t(65537)}) {
        SCOPED_TRACE(size);
        ageToCoffer(content(size, size + 7), {k});
        cofferToAge(content(size, size + 8), {k});
    }
}

TEST_F(AgeInterop, HundredMebibytesBothWays)
{
    const AgeKey k = ageKeygen(dir / "k.txt");
    const std::string big = content(100u << 20, 9);
    ageToCoffer(big, {k});
    cofferToAge(big, {k});
}

TEST_F(AgeInterop, PassphraseFromAgeOnATerminal)
{
    writeFile(dir / "data.bin", content(100000, 10));
    std::string said;
    ASSERT_EQ(runOnTerminal({"age", "-p", "-o", (dir / "data.bin.age").string(), (dir / "data.bin").string()},
                            "correct horse battery", &said),
              0)
        << said;
    writeFile(dir / "pass.txt", "correct horse battery\n");
    const Outcome dec = coffer("decrypt --passphrase-file " + q(dir / "pass.txt") + " -o " + q(dir / "out") + " " +
                               q(dir / "data.bin.age"));
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_TRUE(readFile(dir / "out" / "data.bin") == readFile(dir / "data.bin"));
    writeFile(dir / "wrong.txt", "wrong\n");
    const Outcome bad = coffer("decrypt --passphrase-file " + q(dir / "wrong.txt") + " -o " + q(dir / "bad") + " " +
                               q(dir / "data.bin.age"));
    EXPECT_NE(bad.code, kExitOk) << bad.output;
    EXPECT_FALSE(fs::exists(dir / "bad" / "data.bin"));
}

TEST_F(AgeInterop, PassphraseToAgeOnATerminal)
{
    writeFile(dir / "in.bin", content(100000, 11));
    writeFile(dir / "pass.txt", "correct horse battery\n");
    const Outcome enc = coffer("encrypt --format age --passphrase-file " + q(dir / "pass.txt") + " -o " +
                               q(dir / "in.bin.age") + " " + q(dir / "in.bin"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    std::string said;
    ASSERT_EQ(runOnTerminal({"age", "-d", "-o", (dir / "back.bin").string(), (dir / "in.bin.age").string()},
                            "correct horse battery", &said),
              0)
        << said;
    EXPECT_TRUE(readFile(dir / "back.bin") == readFile(dir / "in.bin"));
}

/// A tree with nested folders, an empty folder, an empty file and a file over a chunk.
void makeTree(const fs::path& root)
{
    fs::create_directories(root / "docs" / "deep" / "er");
    fs::create_directories(root / "empty");
    writeFile(root / "top.txt", "top\n");
    writeFile(root / "docs" / "a.bin", content(200000, 12));
    writeFile(root / "docs" / "deep" / "er" / "b.txt", "deep\n");
    writeFile(root / "docs" / "zero", "");
}

TEST_F(AgeInterop, TreeAsTarAgeOpensWithAgeAndTar)
{
    const AgeKey k = ageKeygen(dir / "k.txt");
    makeTree(dir / "tree");
    const Outcome enc =
        coffer("encrypt --format age -r " + k.recipient + " -o " + q(dir / "tree.tar.age") + " " + q(dir / "tree"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    fs::create_directories(dir / "out");
    const Outcome dec =
        shell("age -d -i " + q(k.file) + " " + q(dir / "tree.tar.age") + " | tar -x -C " + q(dir / "out"));
    ASSERT_EQ(dec.code, 0) << dec.output;
    EXPECT_EQ(snapshot(dir / "out" / "tree"), snapshot(dir / "tree"));
    // And Coffer opens its own .tar.age the same.
    const Outcome back = coffer("decrypt -i " + q(k.file) + " -o " + q(dir / "back") + " " + q(dir / "tree.tar.age"));
    ASSERT_EQ(back.code, kExitOk) << back.output;
    EXPECT_EQ(snapshot(dir / "back" / "tree"), snapshot(dir / "tree"));
    const Outcome list = coffer("list -i " + q(k.file) + " " + q(dir / "tree.tar.age"));
    ASSERT_EQ(list.code, kExitOk) << list.output;
    EXPECT_NE(list.output.find("tree/docs/deep/er/b.txt"), std::string::npos) << list.output;
}

TEST_F(AgeInterop, SeveralFilesNeedATarAgeName)
{
    const AgeKey k = ageKeygen(dir / "k.txt");
    writeFile(dir / "a", "a");
    writeFile(dir / "b", "b");
    const Outcome r = coffer("encrypt --format age -r " + k.recipient + " -o " + q(dir / "x.age") + " " + q(dir / "a") +
                             " " + q(dir / "b"));
    EXPECT_EQ(r.code, kExitUsage) << r.output;
    EXPECT_NE(r.output.find(".tar.age"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "x.age"));
}

TEST_F(AgeInterop, TarPipedIntoAgeOpensInCoffer)
{
    const AgeKey k = ageKeygen(dir / "k.txt");
    makeTree(dir / "tree");
    const Outcome enc =
        shell("tar -c -f - -C " + q(dir.path()) + " tree | age -r " + k.recipient + " > " + q(dir / "t.tar.age"));
    ASSERT_EQ(enc.code, 0) << enc.output;
    const Outcome dec = coffer("decrypt -i " + q(k.file) + " -o " + q(dir / "out") + " " + q(dir / "t.tar.age"));
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_EQ(snapshot(dir / "out" / "tree"), snapshot(dir / "tree"));
    // "tar -C tree ." names every entry "./...": the same files.
    const Outcome dot =
        shell("tar -c -f - -C " + q(dir / "tree") + " . | age -r " + k.recipient + " > " + q(dir / "dot.tar.age"));
    ASSERT_EQ(dot.code, 0) << dot.output;
    const Outcome dec2 = coffer("decrypt -i " + q(k.file) + " -o " + q(dir / "dot") + " " + q(dir / "dot.tar.age"));
    ASSERT_EQ(dec2.code, kExitOk) << dec2.output;
    EXPECT_EQ(snapshot(dir / "dot"), snapshot(dir / "tree"));
}

TEST_F(AgeInterop, InspectNamesTheStanzasWithoutAKey)
{
    const AgeKey k = ageKeygen(dir / "k.txt");
    writeFile(dir / "f", "x");
    ASSERT_EQ(shell("age -r " + k.recipient + " -o " + q(dir / "f.age") + " " + q(dir / "f")).code, 0);
    const Outcome r = coffer("inspect " + q(dir / "f.age"));
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_NE(r.output.find("X25519"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("not signed"), std::string::npos) << r.output;
}

} // namespace
} // namespace coffer::test::cli
