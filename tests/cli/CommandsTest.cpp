// keygen, encrypt outputs (never overwrite, --force, nothing left on failure),
// pipe mode, --version and usage errors.
#include "CliHarness.h"

#include <memory>
#include <sys/stat.h>

namespace coffer::test::cli {
namespace {

std::string encryptIn(const fs::path& dir, const std::string& args)
{
    return "cd " + q(dir) + " && " + cofferCommand() + " encrypt " + args;
}

TEST(CliVersion, PrintsTheProgramNameAndExitsZero)
{
    const Outcome r = coffer("--version");
    EXPECT_EQ(r.code, kExitOk) << r.output;
    EXPECT_EQ(r.output.rfind("coffer ", 0), 0u) << r.output;
    EXPECT_NE(r.output.find("format v2"), std::string::npos) << r.output;
}

TEST(CliHelp, ListsTheCommandsAndTheExitCodes)
{
    const Outcome r = coffer("--help");
    EXPECT_EQ(r.code, kExitOk);
    for (const char* word : {"keygen", "encrypt", "decrypt", "list", "inspect", "Exit codes", "--passphrase-file"})
        EXPECT_NE(r.output.find(word), std::string::npos) << word;
}

TEST(CliUsage, MistakesInTheCommandLineExitTwoWithTheUsage)
{
    TempDir dir;
    writeFile(dir / "f.txt", "x");
    const Key key = makeKey(dir / "k.key");
    const struct {
        std::string args;
        std::string message;
    } cases[] = {
        {"frobnicate", "unknown command"},
        {"encrypt " + q(dir / "f.txt"), "choose who can open it"},
        {"encrypt -r " + key.card + " -o " + q(dir / "o.coffer"), "name the files or folders"},
        {"encrypt -r " + key.card + " --compression fast -o " + q(dir / "o.coffer") + " " + q(dir / "f.txt"),
         "--compression is auto, off or max"},
        {"encrypt --bogus " + q(dir / "f.txt"), "unknown option --bogus"},
        {"decrypt -i " + q(key.file), "name one container"},
        {"decrypt -o " + q(dir / "out") + " - < /dev/null", "no key given"},
        {"list", "name one container"},
        {"keygen extra", "keygen takes no paths"},
    };
    for (const auto& c : cases) {
        const auto before = listTree(dir.path());
        const Outcome r = coffer(c.args);
        EXPECT_EQ(r.code, kExitUsage) << c.args << "\n" << r.output;
        EXPECT_TRUE(hasLineStartingWith(r.output, "error: ")) << c.args << "\n" << r.output;
        EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
        EXPECT_EQ(listTree(dir.path()), before) << c.args;
    }
    const Outcome bad = coffer("encrypt -r coffer1notacard -o " + q(dir / "o.coffer") + " " + q(dir / "f.txt"));
    EXPECT_TRUE(isRefusal(bad, kExitUsage, "recipient")) << bad.output;
    EXPECT_FALSE(fs::exists(dir / "o.coffer"));
}

TEST(CliKeygen, WritesAKeyFileOnlyItsOwnerCanRead)
{
    TempDir dir;
    // Even with a permissive umask the secret key is private.
    const Outcome r = shell("umask 000 && " + cofferCommand() + " keygen -o " + q(dir / "me.key"));
    ASSERT_EQ(r.code, kExitOk) << r.output;
    struct stat st {};
    ASSERT_EQ(::stat((dir / "me.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    const std::string text = readFile(dir / "me.key");
    const std::string card = r.output.substr(0, r.output.find('\n'));
    EXPECT_EQ(card.rfind("coffer1", 0), 0u) << r.output;
    EXPECT_NE(text.find("# card: " + card + "\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\nCOFFER-SECRET-KEY-1"), std::string::npos);
    EXPECT_EQ(r.output.find("COFFER-SECRET-KEY"), std::string::npos) << "the secret key is not printed";
}

TEST(CliKeygen, NeverOverwritesAnExistingFile)
{
    TempDir dir;
    writeFile(dir / "me.key", "someone's precious key\n");
    ::chmod((dir / "me.key").c_str(), 0600);
    const Outcome r = coffer("keygen -o " + q(dir / "me.key"));
    EXPECT_TRUE(isRefusal(r, kExitIo, "already exists"));
    EXPECT_EQ(readFile(dir / "me.key"), "someone's precious key\n");
    EXPECT_EQ(listTree(dir.path()), std::vector<std::string>{"me.key"});
}

TEST(CliKeygen, EveryKeyIsNew)
{
    TempDir dir;
    const Key a = makeKey(dir / "a.key");
    const Key b = makeKey(dir / "b.key");
    EXPECT_NE(a.card, b.card);
}

class EncryptOutputTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_key = makeKey(m_dir / "k.key");
        writeFile(m_dir / "in/one.txt", "version one\n");
    }
    /// Encrypts in/ to out.coffer; `output` holds standard error only (notes, errors).
    Outcome encrypt(const std::string& extra = "")
    {
        return shell("{ " + encryptIn(m_dir.path(), "-r " + m_key.card + " " + extra + " -o out.coffer in") +
                     " >/dev/null; }");
    }
    std::string decryptedOneTxt(const std::string& container)
    {
        TempDir out;
        const Outcome r = coffer("decrypt -i " + q(m_key.file) + " -o " + q(out.path()) + " " + q(m_dir / container));
        EXPECT_EQ(r.code, kExitOk) << r.output;
        return readFile(out / "in/one.txt");
    }
    TempDir m_dir;
    Key m_key;
};

TEST_F(EncryptOutputTest, AMissingInputFailsAndLeavesNothing)
{
    const auto before = listTree(m_dir.path());
    const Outcome r = shell(encryptIn(m_dir.path(), "-r " + m_key.card + " -o out.coffer in no-such-file.txt"));
    EXPECT_TRUE(isRefusal(r, kExitIo, "no-such-file.txt"));
    EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(m_dir / "out.coffer"));
    EXPECT_FALSE(fs::exists(m_dir / "out.coffer.part"));
    EXPECT_EQ(listTree(m_dir.path()), before);
}

// /proc/self/status says it is an empty regular file but reads as text, so the
// encryption fails after the header and the first file were already written.
TEST_F(EncryptOutputTest, AFailureWhileWritingRemovesThePartFile)
{
    writeFile(m_dir / "in/big.bin", XorShift(5).bytes(3 * 1024 * 1024));
    const auto before = listTree(m_dir.path());
    const Outcome r = shell(encryptIn(m_dir.path(), "-r " + m_key.card + " -o out.coffer in /proc/self/status"));
    EXPECT_TRUE(isRefusal(r, kExitIo, "changed while it was being read"));
    EXPECT_EQ(listTree(m_dir.path()), before);
    EXPECT_TRUE(leftovers(m_dir.path()).empty());
}

TEST_F(EncryptOutputTest, AnExistingContainerGetsAFreeNameInstead)
{
    ASSERT_EQ(encrypt().code, kExitOk);
    const std::string first = readFile(m_dir / "out.coffer");
    writeFile(m_dir / "in/one.txt", "version two\n");

    const Outcome second = encrypt();
    ASSERT_EQ(second.code, kExitOk) << second.output;
    EXPECT_NE(second.output.find("note: \"out.coffer\" existed, so the container is \"out (2).coffer\""),
              std::string::npos)
        << second.output;
    EXPECT_EQ(readFile(m_dir / "out.coffer"), first) << "the existing container was changed";
    EXPECT_EQ(decryptedOneTxt("out (2).coffer"), "version two\n");

    const Outcome third = encrypt();
    ASSERT_EQ(third.code, kExitOk) << third.output;
    EXPECT_NE(third.output.find("out (3).coffer"), std::string::npos) << third.output;
    EXPECT_EQ(listTree(m_dir.path()), (std::vector<std::string>{"in/", "in/one.txt", "k.key", "out (2).coffer",
                                                                "out (3).coffer", "out.coffer"}));
}

TEST_F(EncryptOutputTest, ForceOverwritesTheExistingContainer)
{
    ASSERT_EQ(encrypt().code, kExitOk);
    writeFile(m_dir / "in/one.txt", "version two\n");
    const Outcome r = encrypt("--force");
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_EQ(r.output.find("note:"), std::string::npos) << r.output;
    EXPECT_EQ(decryptedOneTxt("out.coffer"), "version two\n");
    EXPECT_EQ(listTree(m_dir.path()), (std::vector<std::string>{"in/", "in/one.txt", "k.key", "out.coffer"}));
}

TEST_F(EncryptOutputTest, DecryptNeverOverwritesButForceDoes)
{
    ASSERT_EQ(encrypt().code, kExitOk);
    const fs::path dest = m_dir / "dest";
    writeFile(dest / "in/one.txt", "the user's own one.txt\n");
    const std::string decrypt = "decrypt -i " + q(m_key.file) + " -o " + q(dest) + " ";

    const Outcome r = coffer(decrypt + q(m_dir / "out.coffer"));
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_EQ(readFile(dest / "in/one.txt"), "the user's own one.txt\n");
    EXPECT_EQ(readFile(dest / "in/one (2).txt"), "version one\n");

    const Outcome viaStdin = coffer(decrypt + "- < " + q(m_dir / "out.coffer"));
    ASSERT_EQ(viaStdin.code, kExitOk) << viaStdin.output;
    EXPECT_EQ(readFile(dest / "in/one (3).txt"), "version one\n");

    const Outcome forced = coffer(decrypt + "--force " + q(m_dir / "out.coffer"));
    ASSERT_EQ(forced.code, kExitOk) << forced.output;
    EXPECT_EQ(readFile(dest / "in/one.txt"), "version one\n");
    EXPECT_EQ(listTree(dest), (std::vector<std::string>{"in/", "in/one (2).txt", "in/one (3).txt", "in/one.txt"}));
    EXPECT_TRUE(leftovers(m_dir.path()).empty());
}

// Names that differ only in case are distinct on Linux: both are stored and
// both come back, neither overwriting the other.
TEST_F(EncryptOutputTest, NamesThatDifferOnlyInCaseAreBothKept)
{
    writeFile(m_dir / "in/README", "upper\n");
    writeFile(m_dir / "in/readme", "lower\n");
    const Outcome r = encrypt();
    ASSERT_EQ(r.code, kExitOk) << r.output;
    const Outcome d = coffer("decrypt -i " + q(m_key.file) + " -o " + q(m_dir / "out") + " " + q(m_dir / "out.coffer"));
    ASSERT_EQ(d.code, kExitOk) << d.output;
    EXPECT_EQ(readFile(m_dir / "out/in/README"), "upper\n");
    EXPECT_EQ(readFile(m_dir / "out/in/readme"), "lower\n");
}

/// Starts `command` in the background in `dir`, waits (at most 10 s) until the
/// shell test `probe` succeeds, sends SIGINT (Ctrl-C) and returns its exit status.
/// sh starts background commands with SIGINT ignored, which Coffer keeps
/// (cli_cancel_test); `env --default-signal` gives the command SIGINT as a
/// foreground command in a terminal has it.
Outcome interruptWhen(const fs::path& dir, const std::string& command, const std::string& probe)
{
    const std::string script = "cd " + q(dir) + " || exit 99\nenv --default-signal=INT " + command +
                               " &\npid=$!\ni=0\nwhile ! { " + probe +
                               "; } && [ $i -lt 2000 ]; do sleep 0.005; i=$((i+1)); done\n"
                               "kill -INT $pid\nwait $pid\n";
    return shell("sh -c " + shellQuote(script));
}

class CancelTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = std::make_unique<TempDir>();
        s_key = makeKey(s_dir->path() / "k.key");
        // 1 GiB that costs no disk: long enough to work on that Ctrl-C always lands mid-way.
        fs::create_directories(s_dir->path() / "in");
        ASSERT_EQ(shell("truncate -s 1G " + q(s_dir->path() / "in/zeros.bin")).code, 0);
        const Outcome r = shell(encryptIn(s_dir->path(), "-r " + s_key.card + " -o full.coffer in"));
        ASSERT_EQ(r.code, kExitOk) << r.output;
    }
    static void TearDownTestSuite() { s_dir.reset(); }
    static std::unique_ptr<TempDir> s_dir;
    static Key s_key;
};

std::unique_ptr<TempDir> CancelTest::s_dir;
Key CancelTest::s_key;

TEST_F(CancelTest, CtrlCDuringEncryptExits130AndRemovesThePartFile)
{
    const auto before = listTree(s_dir->path());
    const Outcome r = interruptWhen(s_dir->path(), cofferCommand() + " encrypt -r " + s_key.card + " -o out.coffer in",
                                    "[ -s out.coffer.part ]");
    EXPECT_TRUE(isRefusal(r, 130, "cancelled"));
    EXPECT_EQ(listTree(s_dir->path()), before);
}

TEST_F(CancelTest, CtrlCDuringDecryptExits130AndLeavesNothing)
{
    for (const bool fromStdin : {false, true}) {
        SCOPED_TRACE(fromStdin ? "from standard input" : "from a file");
        const fs::path dest = markedFolder(s_dir->path() / (fromStdin ? "dest-stdin" : "dest-file"));
        const auto before = listTree(dest);
        const std::string source = fromStdin ? "- < full.coffer" : "full.coffer";
        const Outcome r =
            interruptWhen(s_dir->path(), cofferCommand() + " decrypt -i k.key -o " + q(dest) + " " + source,
                          "ls -A " + q(dest) + " 2>/dev/null | grep -q coffer-extract");
        EXPECT_TRUE(isRefusal(r, 130, "cancelled"));
        EXPECT_EQ(listTree(dest), before);
    }
}

TEST(CliPipe, EncryptToStandardOutputDecryptsFromStandardInput)
{
    TempDir dir;
    const Key key = makeKey(dir / "k.key");
    writeFile(dir / "docs/readme.txt", "hello through a pipe\n");
    writeFile(dir / "docs/Übung/çà 日本.txt", "unicode\n");
    writeFile(dir / "docs/empty.txt", "");
    fs::create_directories(dir / "docs/empty-folder");
    writeFile(dir / "docs/data/random.bin", XorShift(9).bytes(3 * 1024 * 1024 + 123));
    std::string text;
    while (text.size() < 2 * 1024 * 1024)
        text += "compressible text compressible text\n";
    writeFile(dir / "docs/data/text.txt", text);

    const std::string pipeline = "cd " + q(dir.path()) + " && " + cofferCommand() + " encrypt -r " + key.card +
                                 " -o - docs | " + cofferCommand() + " decrypt -i k.key -o out -";
    const Outcome r = shell("bash -o pipefail -c " + shellQuote(pipeline));
    ASSERT_EQ(r.code, kExitOk) << r.output;
    const Outcome diff = shell("diff -r " + q(dir / "docs") + " " + q(dir / "out/docs"));
    EXPECT_EQ(diff.code, 0) << diff.output;
    std::vector<std::string> expected{"docs/"};
    for (const auto& p : listTree(dir / "docs"))
        expected.push_back("docs/" + p);
    EXPECT_EQ(listTree(dir / "out"), expected);
    EXPECT_TRUE(leftovers(dir.path()).empty());
}

} // namespace
} // namespace coffer::test::cli
