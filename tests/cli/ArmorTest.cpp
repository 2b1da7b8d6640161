// `coffer decrypt`, `list` and `inspect` of a container given as armored text
// (FORMAT.md §14): the armor is made here with GNU base64, not Coffer's code;
// hostile armor is refused with a clear message and leaves nothing behind.
#include "CliHarness.h"

#include <cstdlib>

namespace coffer::test::cli {
namespace {

class ArmorTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        key = makeKey(dir / "a.key");
        writeFile(dir / "tree/hello.txt", "hello armor\n");
        writeFile(dir / "tree/sub/b.bin", XorShift(7).bytes(3000));
        const Outcome r =
            shell("cd " + q(dir.path()) + " && " + cofferCommand() + " encrypt -r " + key.card + " -o c.coffer tree");
        ASSERT_EQ(r.code, kExitOk) << r.output;
        const Outcome b64 = shell("base64 -w 64 " + q(dir / "c.coffer"));
        ASSERT_EQ(b64.code, 0) << b64.output;
        armored = "-----BEGIN COFFER ENCRYPTED FILE-----\n" + b64.output + "-----END COFFER ENCRYPTED FILE-----\n";
    }

    // The private folders the CLI decodes into (COFFER_HOME's temporary folder).
    std::vector<std::string> decodedLeftovers()
    {
        const char* home = std::getenv("COFFER_HOME");
        const fs::path base = fs::path(home ? home : "") / "tmp" / "coffer";
        std::vector<std::string> found;
        std::error_code ec;
        if (fs::exists(base, ec))
            for (const auto& e : fs::directory_iterator(base))
                found.push_back(e.path().filename().string());
        return found;
    }

    TempDir dir;
    Key key;
    std::string armored;
};

TEST_F(ArmorTest, ListsInspectsAndDecryptsArmoredText)
{
    writeFile(dir / "c.coffer.txt", armored);
    const Outcome list = coffer("list -i " + q(key.file) + " " + q(dir / "c.coffer.txt"));
    ASSERT_EQ(list.code, kExitOk) << list.output;
    EXPECT_NE(list.output.find("tree/hello.txt"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("tree/sub/b.bin"), std::string::npos) << list.output;

    const Outcome inspect = coffer("inspect " + q(dir / "c.coffer.txt"));
    ASSERT_EQ(inspect.code, kExitOk) << inspect.output;
    EXPECT_NE(inspect.output.find("X25519"), std::string::npos) << inspect.output;

    const Outcome dec = coffer("decrypt -i " + q(key.file) + " -o " + q(dir / "out") + " " + q(dir / "c.coffer.txt"));
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_EQ(readFile(dir / "out/tree/hello.txt"), "hello armor\n");
    EXPECT_EQ(readFile(dir / "out/tree/sub/b.bin"), readFile(dir / "tree/sub/b.bin"));
    EXPECT_TRUE(decodedLeftovers().empty());
}

TEST_F(ArmorTest, RefusesHostileArmorClearly)
{
    const std::size_t body = armored.find('\n') + 1;
    std::string badBase64 = armored;
    badBase64[body + 3] = '!';
    std::string shortLine = armored;
    shortLine.erase(body + 10, 1);
    std::string noEnd = armored.substr(0, armored.find("-----END"));
    std::string junk = armored + "P.S. see you\n";
    struct Case {
        const char* name;
        std::string text;
        int code;
        const char* says;
    };
    const Case cases[] = {
        {"bad base64", badBase64, kExitDamaged, "not canonical padded base64"},
        {"wrong line length", shortLine, kExitDamaged, "armored Coffer text is malformed"},
        {"missing END", noEnd, kExitDamaged, "END line"},
        {"trailing junk", junk, kExitDamaged, "after the END line"},
        {"over the limit", "-----BEGIN COFFER ENCRYPTED FILE-----\n" + std::string(100 * 1024, 'A') + "\n", -1,
         "64 KiB"},
    };
    for (const Case& c : cases) {
        writeFile(dir / "bad.txt", c.text);
        const Outcome r = coffer("list -i " + q(key.file) + " " + q(dir / "bad.txt"));
        EXPECT_NE(r.code, kExitOk) << c.name;
        if (c.code >= 0) {
            EXPECT_EQ(r.code, c.code) << c.name << ": " << r.output;
        }
        EXPECT_NE(r.output.find(c.says), std::string::npos) << c.name << ": " << r.output;
        EXPECT_NE(r.output.find("hint:"), std::string::npos) << c.name << ": " << r.output;
        EXPECT_TRUE(decodedLeftovers().empty()) << c.name;
    }
}

TEST_F(ArmorTest, TheDecodedContainerGetsEveryUsualCheck)
{
    // Valid armor around a tampered container: the armor is transport only.
    std::string bytes = readFile(dir / "c.coffer");
    bytes[bytes.size() - 40] ^= 1;
    writeFile(dir / "t.coffer", bytes);
    const Outcome b64 = shell("base64 -w 64 " + q(dir / "t.coffer"));
    writeFile(dir / "t.txt",
              "-----BEGIN COFFER ENCRYPTED FILE-----\n" + b64.output + "-----END COFFER ENCRYPTED FILE-----\n");
    const Outcome r = coffer("decrypt -i " + q(key.file) + " -o " + q(dir / "out2") + " " + q(dir / "t.txt"));
    EXPECT_EQ(r.code, kExitDamaged) << r.output;
    EXPECT_FALSE(fs::exists(dir / "out2/tree/hello.txt"));
    EXPECT_TRUE(decodedLeftovers().empty());
}

} // namespace
} // namespace coffer::test::cli
