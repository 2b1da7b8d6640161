// `coffer decrypt -o - CONTAINER`: one file's content to standard output, for
// pipes (`| less`, `| tar -x`). The bytes must be exactly the file's, whatever
// its codec (stored, one zstd frame, a pack member); anything ambiguous or
// damaged is refused with an exit code and a message, and a damaged chunk
// never lets a byte of it through.
#include "CliHarness.h"

namespace coffer::test::cli {
namespace {

class StdoutTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = std::make_unique<TempDir>();
        s_key = makeKey(*s_dir / "k.key");
        const TempDir& d = *s_dir;
        s_random = XorShift(7).bytes(3 * 1024 * 1024 + 77); // incompressible: stored
        std::string text;
        for (int i = 0; text.size() < 2 * 1024 * 1024; ++i)
            text += "line " + std::to_string(i) + " of a compressible text\n"; // one zstd frame
        s_text = text;
        writeFile(d / "one" / "random.bin", s_random);
        writeFile(d / "many" / "random.bin", s_random);
        writeFile(d / "many" / "text.txt", s_text);
        writeFile(d / "many" / "notes" / "a.txt", "a small note, packed with the next\n");
        writeFile(d / "many" / "notes" / "b.txt", "another small note\n");
        ASSERT_EQ(
            coffer("encrypt -r " + s_key.card + " -o " + q(d / "one.coffer") + " " + q(d / "one" / "random.bin")).code,
            kExitOk);
        ASSERT_EQ(coffer("encrypt -r " + s_key.card + " -o " + q(d / "many.coffer") + " " + q(d / "many")).code,
                  kExitOk);
    }
    static void TearDownTestSuite() { s_dir.reset(); }

    /// Runs `decrypt -o - ARGS > out`; returns the outcome (stderr in it) and what reached standard output.
    static std::pair<Outcome, std::string> toStdout(const std::string& args)
    {
        const fs::path out = *s_dir / "stdout.bin";
        fs::remove(out);
        // Braces: standard error goes to the outcome, only standard output to the file.
        const Outcome r = shell("{ cd " + q(s_dir->path()) + " && " + cofferCommand() + " decrypt -i k.key -o - " +
                                args + " > " + q(out) + "; }");
        return {r, fs::exists(out) ? readFile(out) : std::string()};
    }

    static inline std::unique_ptr<TempDir> s_dir;
    static inline Key s_key;
    static inline std::string s_random, s_text;
};

TEST_F(StdoutTest, TheOnlyFileComesOutByteForByte)
{
    const auto [r, out] = toStdout("one.coffer");
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_EQ(out.size(), s_random.size());
    EXPECT_TRUE(out == s_random);
    EXPECT_TRUE(leftovers(s_dir->path()).empty());
}

TEST_F(StdoutTest, OnlyPicksOneFileOfManyWhateverItsCodec)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"many/random.bin", s_random},
        {"many/text.txt", s_text},
        {"many/notes/a.txt", "a small note, packed with the next\n"},
        {"many/notes/b.txt", "another small note\n"}};
    for (const auto& [path, expected] : cases) {
        SCOPED_TRACE(path);
        const auto [r, out] = toStdout("--only " + path + " many.coffer");
        ASSERT_EQ(r.code, kExitOk) << r.output;
        EXPECT_TRUE(out == expected) << out.size() << " bytes instead of " << expected.size();
    }
}

TEST_F(StdoutTest, SeveralFilesWithoutOnlyAreRefused)
{
    const auto [r, out] = toStdout("many.coffer");
    EXPECT_EQ(r.code, kExitUsage) << r.output;
    EXPECT_NE(r.output.find("error: this container holds 4 files; name one with --only"), std::string::npos)
        << r.output;
    EXPECT_TRUE(out.empty());
}

TEST_F(StdoutTest, AMissingOrFolderPathIsRefused)
{
    for (const std::string path : {"many/absent.txt", "many/notes"}) {
        SCOPED_TRACE(path);
        const auto [r, out] = toStdout("--only " + path + " many.coffer");
        EXPECT_EQ(r.code, kExitUsage) << r.output;
        EXPECT_NE(r.output.find("\"" + path + "\" is not a file in this container"), std::string::npos) << r.output;
        EXPECT_TRUE(out.empty());
    }
}

TEST_F(StdoutTest, UsageMistakesAreRefusedBeforeAnyKeyIsAsked)
{
    for (const std::string args : {"- < one.coffer", "--only a --only b many.coffer", "--force one.coffer"}) {
        SCOPED_TRACE(args);
        const auto [r, out] = toStdout(args);
        EXPECT_EQ(r.code, kExitUsage) << r.output;
        EXPECT_TRUE(hasLineStartingWith(r.output, "error: ")) << r.output;
        EXPECT_TRUE(out.empty());
    }
}

TEST_F(StdoutTest, ADamagedChunkStopsTheOutputBeforeItsBytes)
{
    // Chunk 100 of the stored file (16 KiB chunks): what came out before it is
    // the file's beginning, and nothing of chunk 100 or after.
    std::string damaged = readFile(*s_dir / "one.coffer");
    damaged[chunkOffset(damaged, 100) + 500] ^= 0x01;
    writeFile(*s_dir / "damaged.coffer", damaged);
    const auto [r, out] = toStdout("damaged.coffer");
    EXPECT_EQ(r.code, kExitDamaged) << r.output;
    EXPECT_NE(r.output.find("chunk 100 failed authentication"), std::string::npos) << r.output;
    EXPECT_LT(out.size(), std::size_t{100} * 16384);
    EXPECT_TRUE(out == s_random.substr(0, out.size()));
}

} // namespace
} // namespace coffer::test::cli
