// Text Coffer did not write -- paths inside a container, a file's first line
// echoed in an error -- reaches the terminal with its control, direction and
// invisible characters shown as escapes (SECURITY.md "Showing untrusted text"):
// no escape sequence runs, no U+202E reverses what the user reads.
#include "CliHarness.h"

#include <memory>

namespace coffer::test::cli {
namespace {

const std::string kRlo = "\xe2\x80\xae"; // U+202E RIGHT-TO-LEFT OVERRIDE
const std::string kCsi = "\xc2\x9b";     // U+009B, the C1 control sequence introducer
const std::string kEsc = "\x1b";

bool holdsRaw(const std::string& text, const std::string& bytes)
{
    return text.find(bytes) != std::string::npos;
}

class UntrustedTextTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = std::make_unique<TempDir>();
        s_key = makeKey(s_dir->path() / "a.key");
    }
    static void TearDownTestSuite() { s_dir.reset(); }

    static fs::path dir() { return s_dir->path(); }
    static std::string key() { return "-i " + q(s_key.file); }

    static std::unique_ptr<TempDir> s_dir;
    static Key s_key;
};

std::unique_ptr<TempDir> UntrustedTextTest::s_dir;
Key UntrustedTextTest::s_key;

TEST_F(UntrustedTextTest, ListShowsDirectionAndC1CharactersInPathsAsEscapes)
{
    const fs::path tree = dir() / "bidi";
    writeFile(tree / ("invoice" + kRlo + "fdp.exe"), "not a pdf\n");
    writeFile(tree / ("c1" + kCsi + "31m.txt"), "red?\n");
    const Outcome enc = coffer("encrypt -r " + s_key.card + " -o " + q(dir() / "bidi.coffer") + " " + q(tree));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;

    for (const std::string flags : {"", "-l "}) { // NOLINT
        const Outcome r = coffer("list " + flags + key() + " " + q(dir() / "bidi.coffer"));
        ASSERT_EQ(r.code, kExitOk) << r.output;
        EXPECT_FALSE(holdsRaw(r.output, kRlo)) << "U+202E reached the terminal raw";
        EXPECT_FALSE(holdsRaw(r.output, kCsi)) << "a C1 control reached the terminal raw";
        EXPECT_TRUE(holdsRaw(r.output, "bidi/invoice\\u{202E}fdp.exe")) << r.output;
        EXPECT_TRUE(holdsRaw(r.output, "bidi/c1\\u{009B}31m.txt")) << r.output;
    }
}

TEST_F(UntrustedTextTest, AFileNameWithAnEscapeIsNeverEchoedRaw)
{
    const fs::path tree = dir() / "esc";
    writeFile(tree / ("red" + kEsc + "[31mtext.txt"), "x\n");
    const Outcome enc = coffer("encrypt -r " + s_key.card + " -o " + q(dir() / "esc.coffer") + " " + q(tree));
    EXPECT_FALSE(holdsRaw(enc.output, kEsc)) << enc.output;
}

TEST_F(UntrustedTextTest, TheFirstLineOfAFileIsEchoedWithItsEscapesShown)
{
    // A "version" line that would retitle the terminal and clear the screen.
    writeFile(dir() / "fake.coffer", "coffer/" + kEsc + "]0;owned" + "\x07" + kEsc + "[2J\nmore\n");
    for (const std::string& command :
         std::vector<std::string>{"list " + key(), "inspect", "decrypt " + key() + " -o " + q(dir() / "out")}) {
        const Outcome r = coffer(command + " " + q(dir() / "fake.coffer"));
        EXPECT_TRUE(isRefusal(r, kExitNotSupported, "version")) << command;
        EXPECT_FALSE(holdsRaw(r.output, kEsc)) << command << ": an escape sequence reached the terminal";
        EXPECT_FALSE(holdsRaw(r.output, "\x07")) << command;
        EXPECT_TRUE(holdsRaw(r.output, "coffer/\\x1b]0;owned\\x07\\x1b[2J")) << command << ": " << r.output;
    }
}

TEST_F(UntrustedTextTest, AnOutputPathGivenByTheUserIsEchoedEscaped)
{
    writeFile(dir() / "plain.txt", "x\n");
    const std::string out = (dir() / ("no-such-dir" + kRlo) / "o.coffer").string();
    const Outcome r = coffer("encrypt -r " + s_key.card + " -o " + shellQuote(out) + " " + q(dir() / "plain.txt"));
    EXPECT_NE(r.code, kExitOk) << r.output;
    EXPECT_FALSE(holdsRaw(r.output, kRlo)) << r.output;
}

} // namespace
} // namespace coffer::test::cli
