// With a keyring present and no terminal, every command checks what it can
// without secrets first (the input exists, is a container, the output can be
// written) and only then asks for a passphrase; and when it does need one it
// cannot ask for, the hint names the option that gives it.
#include "CliHarness.h"

#include <memory>

namespace coffer::test::cli {
namespace {

class CheckOrderTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = std::make_unique<TempDir>();
        const fs::path d = s_dir->path();
        writeFile(d / "keyring.pass", "correct horse battery staple\n");
        writeFile(d / "container.pass", "another passphrase\n");
        writeFile(d / "random.coffer", std::string(4096, '\x5a'));
        writeFile(d / "in/a.txt", "a\n");
        const Outcome id = run("id create --name Me --keyring-passphrase-file " + q(d / "keyring.pass"));
        ASSERT_EQ(id.code, kExitOk) << id.output;
        const Outcome enc = run("encrypt --no-sign --passphrase-file " + q(d / "container.pass") + " -o " +
                                q(d / "real.coffer") + " " + q(d / "in"));
        ASSERT_EQ(enc.code, kExitOk) << enc.output;
    }
    static void TearDownTestSuite() { s_dir.reset(); }

    /// `coffer ARGS` with this suite's keyring, without a terminal (setsid: no
    /// controlling terminal, so /dev/tty cannot be opened) and with stdin closed.
    static Outcome run(const std::string& args)
    {
        return shell("cd " + q(s_dir->path()) + " && COFFER_HOME=" + q(s_dir->path() / "home") + " setsid -w " +
                     cofferCommand() + " " + args + " </dev/null");
    }
    static fs::path dir() { return s_dir->path(); }

    static std::unique_ptr<TempDir> s_dir;
};
std::unique_ptr<TempDir> CheckOrderTest::s_dir;

bool mentionsAPassphrase(const Outcome& r)
{
    return r.output.find("passphrase") != std::string::npos;
}

TEST_F(CheckOrderTest, AMissingInputIsRefusedBeforeAnyPassphrase)
{
    for (const char* args : {"decrypt -o out missing.coffer", "list missing.coffer", "decrypt -o - missing.coffer",
                             "rekey -r Me -o new.coffer missing.coffer", "encrypt -o new.coffer missing.txt"}) {
        const Outcome r = run(args);
        EXPECT_TRUE(isRefusal(r, kExitIo, "missing")) << args;
        EXPECT_FALSE(mentionsAPassphrase(r)) << args << "\n" << r.output;
    }
    EXPECT_FALSE(fs::exists(dir() / "out"));
    EXPECT_FALSE(fs::exists(dir() / "new.coffer"));
}

TEST_F(CheckOrderTest, ANonContainerIsRefusedBeforeAnyPassphrase)
{
    for (const char* args : {"decrypt -o out random.coffer", "list random.coffer", "decrypt -o - random.coffer",
                             "rekey -r Me -o new.coffer random.coffer"}) {
        const Outcome r = run(args);
        EXPECT_TRUE(isRefusal(r, kExitNotSupported, "random.coffer")) << args;
        EXPECT_FALSE(mentionsAPassphrase(r)) << args << "\n" << r.output;
    }
    EXPECT_FALSE(fs::exists(dir() / "out"));
}

TEST_F(CheckOrderTest, AnOutputThatCannotBeWrittenIsRefusedBeforeAnyPassphrase)
{
    writeFile(dir() / "a-file", "x");
    for (const char* args : {"encrypt -o no-such-folder/new.coffer in", "decrypt -o a-file real.coffer",
                             "rekey -r Me -o no-such-folder/new.coffer real.coffer"}) {
        const Outcome r = run(args);
        EXPECT_TRUE(isRefusal(r, kExitIo, "")) << args;
        EXPECT_FALSE(mentionsAPassphrase(r)) << args << "\n" << r.output;
    }
}

TEST_F(CheckOrderTest, TheHintNamesTheOptionForTheKeyringPassphrase)
{
    for (const char* args :
         {"decrypt -o out real.coffer", "list real.coffer", "contacts list", "encrypt -o new.coffer -r Me in"}) {
        const Outcome r = run(args);
        EXPECT_NE(r.code, kExitOk) << args << "\n" << r.output;
        EXPECT_TRUE(hasLineStartingWith(r.output, "error: no terminal to ask for the keyring passphrase"))
            << args << "\n"
            << r.output;
        EXPECT_TRUE(hasLineStartingWith(r.output, "hint: ")) << r.output;
        EXPECT_NE(r.output.find("hint: use --keyring-passphrase-file"), std::string::npos) << args << "\n" << r.output;
    }
    EXPECT_FALSE(fs::exists(dir() / "new.coffer"));
}

TEST_F(CheckOrderTest, TheHintNamesTheOptionForTheContainerPassphrase)
{
    const Outcome r = run("list -p real.coffer");
    EXPECT_NE(r.code, kExitOk) << r.output;
    EXPECT_TRUE(hasLineStartingWith(r.output, "error: no terminal to ask for the passphrase")) << r.output;
    EXPECT_NE(r.output.find("hint: use --passphrase-file"), std::string::npos) << r.output;
    // With the keyring's passphrase in a file, the container's own is what is missing.
    const Outcome e = run("encrypt -p -o new.coffer --keyring-passphrase-file keyring.pass in");
    EXPECT_NE(e.output.find("hint: use --passphrase-file"), std::string::npos) << e.output;
}

TEST(CheckOrderNoKeyring, AMissingKeyringIsSaidBeforeAnyPassphrase)
{
    TempDir dir;
    for (const char* args : {"contacts list", "contacts remove Bob", "id show", "id passwd"}) {
        const Outcome r =
            shell("COFFER_HOME=" + q(dir / "home") + " setsid -w " + cofferCommand() + " " + args + " </dev/null");
        EXPECT_TRUE(isRefusal(r, kExitUsage, "no keyring")) << args;
        EXPECT_FALSE(mentionsAPassphrase(r)) << args << "\n" << r.output;
        EXPECT_NE(r.output.find("hint: run \"coffer id create\""), std::string::npos) << args << "\n" << r.output;
    }
}

// With no key given and no keyring, a container file is opened with no keys
// first; only a PassphraseNeeded answer asks for the passphrase (here there
// is no terminal, so the hint names --passphrase-file), and a container for a
// card says that no key was given. A key file (-i, read into wiped memory)
// never leads to a prompt.
TEST(CheckOrderNoKeyring, OnlyAPassphraseContainerAsksForAPassphrase)
{
    TempDir dir;
    const std::string home = "cd " + q(dir.path()) + " && COFFER_HOME=" + q(dir / "home") + " setsid -w ";
    auto run = [&](const std::string& args) { return shell(home + cofferCommand() + " " + args + " </dev/null"); };
    writeFile(dir / "container.pass", "another passphrase\n");
    writeFile(dir / "in/a.txt", "a\n");
    const Key key = makeKey(dir / "k.key");
    ASSERT_EQ(run("encrypt --no-sign --passphrase-file container.pass -o p.coffer in").code, kExitOk);
    ASSERT_EQ(run("encrypt --no-sign -r " + key.card + " -o c.coffer in").code, kExitOk);
    for (const char* args : {"list p.coffer", "decrypt -o out p.coffer", "decrypt -o - p.coffer"}) {
        const Outcome r = run(args);
        EXPECT_TRUE(hasLineStartingWith(r.output, "error: no terminal to ask for the passphrase")) << args << r.output;
        EXPECT_NE(r.output.find("hint: use --passphrase-file"), std::string::npos) << args << "\n" << r.output;
    }
    for (const char* args : {"list c.coffer", "decrypt -o out c.coffer", "decrypt -o - c.coffer"})
        EXPECT_TRUE(isRefusal(run(args), kExitUsage, "no key given")) << args;
    EXPECT_FALSE(fs::exists(dir / "out"));
    const Outcome keyed = run("list -i k.key c.coffer");
    EXPECT_EQ(keyed.code, kExitOk) << keyed.output;
    EXPECT_TRUE(hasLineStartingWith(keyed.output, "in/a.txt")) << keyed.output;
    const Outcome wrongKey = run("list -i k.key p.coffer");
    EXPECT_TRUE(isRefusal(wrongKey, kExitNoKey, "no key matched"));
    EXPECT_FALSE(mentionsAPassphrase(wrongKey)) << wrongKey.output;
    const Outcome opened = run("list --passphrase-file container.pass p.coffer");
    EXPECT_EQ(opened.code, kExitOk) << opened.output;
}

} // namespace
} // namespace coffer::test::cli
