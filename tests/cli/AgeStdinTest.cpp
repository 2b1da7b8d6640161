// age files from standard input (issue 20): `age -e | coffer decrypt -o - -`
// gives the plaintext, as `age -d` does, binary and armored, with keys and
// with a passphrase; a damaged stream fails with nothing trusted written; a
// folder destination is refused (the stream has no name to extract under);
// and a Coffer container from standard input still opens (the first bytes,
// read to tell the two apart, are given back to its reader). Commands that
// redirect standard output run in a subshell: shell() adds 2>&1 after them.
#include "AgeHarness.h"

namespace coffer::test::cli {
namespace {

class AgeStdin : public ::testing::Test {
protected:
    TempDir dir;
    AgeKey key = ageKeygen(dir / "k.txt");
};

TEST_F(AgeStdin, KeyFilesOpenAPipedAgeFileBinaryAndArmored)
{
    const std::string data = content(200000, 41);
    writeFile(dir / "plain.bin", data);
    for (const std::string armor : {"", " -a"}) {
        SCOPED_TRACE(armor.empty() ? "binary" : "armored");
        const Outcome got =
            shell("(age" + armor + " -r " + key.recipient + " " + q(dir / "plain.bin") + " | " + cofferCommand() +
                  " decrypt -i " + q(key.file) + " -o - - > " + q(dir / "out.bin") + ")");
        ASSERT_EQ(got.code, kExitOk) << got.output;
        EXPECT_TRUE(readFile(dir / "out.bin") == data) << "other bytes than age encrypted";
        EXPECT_NE(got.output.find("age files are not signed"), std::string::npos) << got.output;
    }
}

TEST_F(AgeStdin, APassphraseFileOpensAPipedScryptFile)
{
    writeFile(dir / "plain.bin", "secret notes\n");
    writeFile(dir / "pass.txt", "correct horse battery staple\n");
    // age -p reads the passphrase from a terminal: Coffer makes the scrypt file.
    const Outcome enc = coffer("encrypt --format age --passphrase-file " + q(dir / "pass.txt") + " -o " +
                               q(dir / "plain.bin.age") + " " + q(dir / "plain.bin"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    const Outcome got = shell("cat " + q(dir / "plain.bin.age") + " | " + cofferCommand() +
                              " decrypt --passphrase-file " + q(dir / "pass.txt") + " -o - -");
    ASSERT_EQ(got.code, kExitOk) << got.output;
    EXPECT_EQ(got.output.find("secret notes\n"), 0u) << got.output;
}

TEST_F(AgeStdin, ADamagedPipedFileFailsAndNamesTheDamage)
{
    writeFile(dir / "plain.bin", content(150000, 42));
    ASSERT_EQ(shell("age -r " + key.recipient + " -o " + q(dir / "x.age") + " " + q(dir / "plain.bin")).code, 0);
    std::string sealed = readFile(dir / "x.age");
    sealed[sealed.size() - 100] ^= 1; // in the last chunk
    writeFile(dir / "bad.age", sealed);
    const Outcome got = shell("(" + cofferCommand() + " decrypt -i " + q(key.file) + " -o - - < " + q(dir / "bad.age") +
                              " > " + q(dir / "out.bin") + ")");
    EXPECT_NE(got.output.find("failed authentication"), std::string::npos) << got.output;
    EXPECT_EQ(got.code, kExitDamaged) << got.output;
    // What came out is the chunks that authenticated, never the damaged one.
    EXPECT_LE(readFile(dir / "out.bin").size(), 2u * 65536u);
}

TEST_F(AgeStdin, AFolderDestinationIsRefusedBeforeAnyKeyIsAskedFor)
{
    writeFile(dir / "plain.bin", "x");
    ASSERT_EQ(shell("age -r " + key.recipient + " -o " + q(dir / "x.age") + " " + q(dir / "plain.bin")).code, 0);
    fs::create_directory(dir / "dest");
    const Outcome got =
        shell(cofferCommand() + " decrypt -i " + q(key.file) + " -o " + q(dir / "dest") + " - < " + q(dir / "x.age"));
    EXPECT_EQ(got.code, kExitUsage) << got.output;
    EXPECT_NE(got.output.find("add -o -"), std::string::npos) << got.output;
    EXPECT_TRUE(fs::is_empty(dir / "dest"));
}

TEST_F(AgeStdin, AContainerFromStandardInputStillOpens)
{
    ASSERT_EQ(coffer("keygen -o " + q(dir / "c.key") + " > " + q(dir / "c.card")).code, kExitOk);
    std::string card = readFile(dir / "c.card");
    card.erase(card.find_last_not_of('\n') + 1);
    writeFile(dir / "notes.txt", content(70000, 43));
    ASSERT_EQ(coffer("encrypt -r " + card + " -o " + q(dir / "n.coffer") + " " + q(dir / "notes.txt")).code, kExitOk);
    fs::create_directory(dir / "dest");
    const Outcome got = shell("cat " + q(dir / "n.coffer") + " | " + cofferCommand() + " decrypt -i " +
                              q(dir / "c.key") + " -o " + q(dir / "dest") + " -");
    ASSERT_EQ(got.code, kExitOk) << got.output;
    EXPECT_TRUE(readFile(dir / "dest" / "notes.txt") == content(70000, 43));
}

} // namespace
} // namespace coffer::test::cli
