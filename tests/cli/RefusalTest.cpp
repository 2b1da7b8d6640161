// `coffer decrypt` refuses every wrong key and every damaged or hostile
// container with the documented exit code, an "error:" and a "hint:" line, and
// leaves the destination exactly as it was: no file, no folder, no temporary.
// Each case is run twice: from a file, and from standard input ("-").
#include "CliHarness.h"

#include <memory>

namespace coffer::test::cli {
namespace {

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Another valid base64 character (the next one in the alphabet).
char otherBase64Char(char c)
{
    return kBase64[(kBase64.find(c) + 1) % 64];
}

/// The header's lines (without their '\n'), then the payload, so a test can edit one line.
struct Split {
    std::vector<std::string> lines;
    std::string payload;

    explicit Split(const std::string& container)
    {
        const std::size_t end = headerLength(container);
        std::size_t pos = 0;
        while (pos < end) {
            const std::size_t nl = container.find('\n', pos);
            lines.push_back(container.substr(pos, nl - pos));
            pos = nl + 1;
        }
        payload = container.substr(end);
    }
    /// The index of the n-th line starting with `prefix`.
    std::size_t find(const std::string& prefix, int nth = 0) const
    {
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (lines[i].rfind(prefix, 0) == 0 && nth-- == 0)
                return i;
        ADD_FAILURE() << "no line starting with " << prefix;
        return 0;
    }
    std::string join() const
    {
        std::string out;
        for (const auto& l : lines)
            out += l + "\n";
        return out + payload;
    }
};

class RefusalTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = std::make_unique<TempDir>();
        const fs::path d = s_dir->path();
        s_a = makeKey(d / "a.key");
        s_b = makeKey(d / "b.key");
        s_stranger = makeKey(d / "stranger.key");
        writeFile(d / "pw.txt", "correct horse battery staple\n");
        writeFile(d / "wrong-pw.txt", "Correct horse battery staple\n");
        // Three files, the middle one 80 KiB of incompressible bytes: the payload has 6 chunks
        // and a damaged middle chunk is met after a.txt has already been written.
        XorShift rng(7);
        writeFile(d / "src/a.txt", "first file\n");
        writeFile(d / "src/big.bin", rng.bytes(80 * 1024));
        writeFile(d / "src/z.txt", "last file\n");
        const Outcome r = shell("cd " + q(d) + " && " + cofferCommand() + " encrypt -r " + s_a.card + " -r " +
                                s_b.card + " --passphrase-file pw.txt --compression off -o good.coffer src");
        ASSERT_EQ(r.code, kExitOk) << r.output;
        s_good = readFile(d / "good.coffer");
    }
    static void TearDownTestSuite() { s_dir.reset(); }

    static std::string keyA() { return "-i " + q(s_a.file); }
    static std::string passphrase() { return "--passphrase-file " + q(s_dir->path() / "pw.txt"); }

    /// Decrypts `container` from a file and from standard input; both must be refused with
    /// exit `code`, an error naming `keyword`, and leave a destination folder untouched.
    void expectRefused(const std::string& container, const std::string& keyArgs, int code, const std::string& keyword)
    {
        TempDir work;
        writeFile(work / "c.coffer", container);
        for (const bool fromStdin : {false, true}) {
            SCOPED_TRACE(fromStdin ? "from standard input" : "from a file");
            const fs::path dest = markedFolder(work / (fromStdin ? "dest-stdin" : "dest-file"));
            const auto before = listTree(dest);
            const std::string source = fromStdin ? "- < " + q(work / "c.coffer") : q(work / "c.coffer");
            const Outcome r = coffer("decrypt " + keyArgs + " -o " + q(dest) + " " + source);
            EXPECT_TRUE(isRefusal(r, code, keyword));
            EXPECT_EQ(listTree(dest), before);
            EXPECT_EQ(readFile(dest / "marker.txt"), "the user's own file\n");
            EXPECT_TRUE(leftovers(work.path()).empty()) << ::testing::PrintToString(leftovers(work.path()));
        }
    }

    static std::string flipByte(std::size_t offset)
    {
        std::string c = s_good;
        c.at(offset) = static_cast<char>(c.at(offset) ^ 0x01);
        return c;
    }

    static std::unique_ptr<TempDir> s_dir;
    static Key s_a;
    static Key s_b;
    static Key s_stranger;
    static std::string s_good;
};

std::unique_ptr<TempDir> RefusalTest::s_dir;
Key RefusalTest::s_a;
Key RefusalTest::s_b;
Key RefusalTest::s_stranger;
std::string RefusalTest::s_good;

TEST_F(RefusalTest, TheUntouchedContainerOpensAndHasEnoughChunks)
{
    ASSERT_GE(chunkCount(s_good), 5u);
    TempDir out;
    const Outcome r = coffer("decrypt " + keyA() + " -o " + q(out.path()) + " " + q(s_dir->path() / "good.coffer"));
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_EQ(listTree(out.path()), (std::vector<std::string>{"src/", "src/a.txt", "src/big.bin", "src/z.txt"}));
}

TEST_F(RefusalTest, AnotherPersonsIdentityIsNoKeyMatched)
{
    expectRefused(s_good, "-i " + q(s_stranger.file), kExitNoKey, "no key matched");
}

TEST_F(RefusalTest, WrongPassphraseIsRefused)
{
    expectRefused(s_good, "--passphrase-file " + q(s_dir->path() / "wrong-pw.txt"), kExitNoKey, "passphrase is wrong");
}

// A changed body in the reader's own stanza cannot be told apart from a stanza
// for someone else (AES-GCM simply does not open): the CLI says "no key matched".
TEST_F(RefusalTest, ChangedBodyOfTheReadersStanzaIsNoKeyMatched)
{
    Split s(s_good);
    std::string& body = s.lines[s.find("-> X25519", 0) + 1];
    body[0] = otherBase64Char(body[0]);
    expectRefused(s.join(), keyA(), kExitNoKey, "no key matched");
}

// A changed body in another stanza is caught by the header MAC once the reader's own stanza opens.
TEST_F(RefusalTest, ChangedBodyOfAnotherStanzaFailsTheHeaderMac)
{
    Split s(s_good);
    std::string& body = s.lines[s.find("-> X25519", 1) + 1];
    body[10] = otherBase64Char(body[10]);
    expectRefused(s.join(), keyA(), kExitDamaged, "MAC does not match");
}

TEST_F(RefusalTest, ChangedHeaderMacIsDamaged)
{
    Split s(s_good);
    std::string& mac = s.lines[s.find("--- ")];
    mac[4] = otherBase64Char(mac[4]);
    expectRefused(s.join(), keyA(), kExitDamaged, "MAC does not match");
}

TEST_F(RefusalTest, ChangedPayloadSaltFailsTheKeyCommitment)
{
    expectRefused(flipByte(headerLength(s_good) + 3), keyA(), kExitDamaged, "commitment");
}

TEST_F(RefusalTest, ChangedFirstChunkIsDamaged)
{
    expectRefused(flipByte(chunkOffset(s_good, 0) + 100), keyA(), kExitDamaged, "chunk 0 failed authentication");
}

TEST_F(RefusalTest, ChangedMiddleChunkIsDamaged)
{
    expectRefused(flipByte(chunkOffset(s_good, 2) + 100), keyA(), kExitDamaged, "chunk 2 failed authentication");
}

TEST_F(RefusalTest, ChangedFinalChunkIsDamaged)
{
    const std::size_t last = chunkCount(s_good) - 1;
    expectRefused(flipByte(s_good.size() - 3), keyA(), kExitDamaged,
                  "chunk " + std::to_string(last) + " failed authentication");
}

TEST_F(RefusalTest, TruncationAtAChunkBoundaryIsDamaged)
{
    // Without its final chunk, and with only two chunks left.
    expectRefused(s_good.substr(0, chunkOffset(s_good, chunkCount(s_good) - 1)), keyA(), kExitDamaged, "truncated");
    expectRefused(s_good.substr(0, chunkOffset(s_good, 2)), keyA(), kExitDamaged, "truncated");
}

TEST_F(RefusalTest, TruncationInsideAChunkIsDamaged)
{
    expectRefused(s_good.substr(0, chunkOffset(s_good, 2) + 5000), keyA(), kExitDamaged, "damaged");
}

TEST_F(RefusalTest, TruncationInsideTheHeaderIsDamaged)
{
    expectRefused(s_good.substr(0, headerLength(s_good) - 20), keyA(), kExitDamaged, "truncated");
}

TEST_F(RefusalTest, AppendedDataIsDamaged)
{
    expectRefused(s_good + "trailing junk", keyA(), kExitDamaged, "damaged");
    expectRefused(s_good + std::string(kSealedChunk, 'x'), keyA(), kExitDamaged, "damaged");
}

TEST_F(RefusalTest, SwappedChunksAreDamaged)
{
    std::string c = s_good;
    const std::size_t one = chunkOffset(s_good, 1);
    const std::size_t two = chunkOffset(s_good, 2);
    c.replace(one, kSealedChunk, s_good, two, kSealedChunk);
    c.replace(two, kSealedChunk, s_good, one, kSealedChunk);
    expectRefused(c, keyA(), kExitDamaged, "chunk 1 failed authentication");
}

TEST_F(RefusalTest, NonCanonicalBase64ShareIsDamaged)
{
    // 32 bytes are 43 characters; the last one carries 4 bits and 2 unused bits, which must be zero.
    Split s(s_good);
    std::string& line = s.lines[s.find("-> X25519", 0)];
    ASSERT_EQ(line.size(), 10u + 43u);
    const std::size_t v = kBase64.find(line.back());
    ASSERT_EQ(v & 3u, 0u) << "a canonical share has zero unused bits";
    line.back() = kBase64[v | 1u];
    expectRefused(s.join(), keyA(), kExitDamaged, "malformed share");
}

TEST_F(RefusalTest, NonCanonicalBase64MacIsDamaged)
{
    Split s(s_good);
    std::string& mac = s.lines[s.find("--- ")];
    ASSERT_EQ(mac.size(), 4u + 43u);
    mac.back() = kBase64[kBase64.find(mac.back()) | 1u];
    expectRefused(s.join(), keyA(), kExitDamaged, "MAC line is malformed");
}

TEST_F(RefusalTest, StanzaBodyOfTheWrongLengthIsDamaged)
{
    // 48 bytes are one full 64-column line and an empty line; 45 bytes are one 60-column line.
    Split s(s_good);
    const std::size_t bodyLine = s.find("-> X25519", 0) + 1;
    ASSERT_EQ(s.lines[bodyLine].size(), 64u);
    ASSERT_EQ(s.lines[bodyLine + 1], "");
    s.lines[bodyLine].resize(60);
    s.lines.erase(s.lines.begin() + static_cast<std::ptrdiff_t>(bodyLine) + 1);
    expectRefused(s.join(), keyA(), kExitDamaged, "wrong length");
}

TEST_F(RefusalTest, Argon2ParametersOverTheCeilingAreRefusedBeforeAnyWork)
{
    Split s(s_good);
    std::string& line = s.lines[s.find("-> argon2id")];
    // "-> argon2id SALT t m p": t becomes 99.
    const std::size_t salt = line.find(' ', 3);
    const std::size_t t = line.find(' ', salt + 1);
    const std::size_t m = line.find(' ', t + 1);
    line.replace(t + 1, m - t - 1, "99");
    expectRefused(s.join(), passphrase(), kExitDamaged, "more work");
}

/// The good container's header with its argon2id stanza's `t` and `m` replaced.
std::string withArgon2(const std::string& good, const std::string& t, const std::string& m)
{
    Split s(good);
    std::string& line = s.lines[s.find("-> argon2id")];
    const std::size_t salt = line.find(' ', 3);
    const std::size_t tAt = line.find(' ', salt + 1);
    const std::size_t mAt = line.find(' ', tAt + 1);
    const std::size_t pAt = line.find(' ', mAt + 1);
    line = line.substr(0, tAt + 1) + t + " " + m + line.substr(pAt);
    return s.join();
}

// FORMAT.md §3.2: the ceilings sit a little above what Coffer writes (t = 3,
// 256 MiB). Over them -- here 1 GiB and one KiB, which Coffer used to run
// (2 GiB was the ceiling) -- nothing is derived.
TEST_F(RefusalTest, Argon2MemoryOver1GiBIsRefusedBeforeAnyWork)
{
    expectRefused(withArgon2(s_good, "1", "1048577"), passphrase(), kExitDamaged, "more work");
    expectRefused(withArgon2(s_good, "13", "262144"), passphrase(), kExitDamaged, "more work");
}

// Above what Coffer writes but within the ceilings: said before the wait.
// (The edited t no longer matches the body, so the passphrase then fails.)
TEST_F(RefusalTest, AnUnusuallyCostlyPassphraseCheckIsAnnouncedFirst)
{
    TempDir work;
    writeFile(work / "c.coffer", withArgon2(s_good, "4", "262144"));
    const Outcome r = coffer("list " + passphrase() + " " + q(work / "c.coffer"));
    EXPECT_TRUE(isRefusal(r, kExitNoKey, "passphrase is wrong"));
    EXPECT_TRUE(hasLineStartingWith(r.output, "note: this container asks for an unusually costly passphrase check "
                                              "(256 MiB, about 1 s)"))
        << r.output;
    const Outcome usual = coffer("list " + passphrase() + " " + q(s_dir->path() / "good.coffer"));
    EXPECT_EQ(usual.code, kExitOk) << usual.output;
    EXPECT_EQ(usual.output.find("unusually"), std::string::npos) << usual.output;
}

TEST_F(RefusalTest, AFileThatIsNotAContainerIsRefused)
{
    expectRefused(XorShift(3).bytes(5000), keyA(), kExitNotSupported, "not a Coffer container");
    expectRefused("", keyA(), kExitNotSupported, "not a Coffer container");
    expectRefused("PK\x03\x04 a zip file, say\n", keyA(), kExitNotSupported, "not a Coffer container");
}

TEST_F(RefusalTest, AnUnsupportedVersionIsRefused)
{
    Split s(s_good);
    s.lines[0] = "coffer/v3";
    expectRefused(s.join(), keyA(), kExitNotSupported, "unsupported container version");
}

// A header whose line ends were turned into CRLF (a text-mode transfer) is
// refused. Today that is exit 5 "unsupported container version" naming
// "coffer/v1\r"; the exact code is left open here (see the test report).
TEST_F(RefusalTest, AHeaderWithWindowsLineEndingsIsRefused)
{
    const std::size_t end = headerLength(s_good);
    std::string crlf;
    for (std::size_t i = 0; i < end; ++i) {
        if (s_good[i] == '\n')
            crlf += '\r';
        crlf += s_good[i];
    }
    expectRefused(crlf + s_good.substr(end), keyA(), kAnyFailure, "");
}

// DESIGN.md §4: never write outside the chosen destination. A link in the
// destination where the container has a folder is refused, not followed.
TEST_F(RefusalTest, ALinkInTheDestinationIsNeverFollowed)
{
    TempDir work;
    writeFile(work / "c.coffer", s_good);
    for (const bool fromStdin : {false, true}) {
        SCOPED_TRACE(fromStdin ? "from standard input" : "from a file");
        const fs::path dest = markedFolder(work / (fromStdin ? "dest-stdin" : "dest-file"));
        const fs::path elsewhere = work / (fromStdin ? "elsewhere-stdin" : "elsewhere-file");
        fs::create_directories(elsewhere);
        fs::create_directory_symlink(elsewhere, dest / "src");
        const auto before = listTree(dest);
        const std::string source = fromStdin ? "- < " + q(work / "c.coffer") : q(work / "c.coffer");
        const Outcome r = coffer("decrypt " + keyA() + " -o " + q(dest) + " " + source);
        EXPECT_NE(r.code, kExitOk) << r.output;
        EXPECT_TRUE(hasLineStartingWith(r.output, "error: ")) << r.output;
        EXPECT_TRUE(hasLineStartingWith(r.output, "hint: ")) << r.output;
        EXPECT_TRUE(fs::is_empty(elsewhere)) << ::testing::PrintToString(listTree(elsewhere));
        EXPECT_EQ(listTree(dest), before);
        EXPECT_TRUE(leftovers(work.path()).empty());
    }
}

// DESIGN.md §4: "on any failure remove what was written" -- that includes the
// destination folder when decrypt had to create it.
TEST_F(RefusalTest, AFailedDecryptDoesNotLeaveANewDestinationFolder)
{
    TempDir work;
    writeFile(work / "c.coffer", flipByte(chunkOffset(s_good, 2) + 100));
    for (const bool fromStdin : {false, true}) {
        SCOPED_TRACE(fromStdin ? "from standard input" : "from a file");
        const fs::path dest = work / (fromStdin ? "new-stdin" : "new-file");
        const std::string source = fromStdin ? "- < " + q(work / "c.coffer") : q(work / "c.coffer");
        const Outcome r = coffer("decrypt " + keyA() + " -o " + q(dest) + " " + source);
        EXPECT_TRUE(isRefusal(r, kExitDamaged, "failed authentication"));
        EXPECT_FALSE(fs::exists(dest)) << "bug: the destination folder that decrypt created is left behind";
    }
}

// With --force a restored file replaces the user's file of the same name. If
// the container then turns out to be damaged, the user's file must survive.
TEST_F(RefusalTest, AFailedForcedDecryptKeepsTheUsersFiles)
{
    TempDir work;
    writeFile(work / "c.coffer", flipByte(chunkOffset(s_good, 2) + 100));
    for (const bool fromStdin : {false, true}) {
        SCOPED_TRACE(fromStdin ? "from standard input" : "from a file");
        const fs::path dest = work / (fromStdin ? "dest-stdin" : "dest-file");
        writeFile(dest / "src/a.txt", "the user's precious a.txt\n");
        writeFile(dest / "src/z.txt", "the user's z.txt\n");
        const auto before = listTree(dest);
        const std::string source = fromStdin ? "- < " + q(work / "c.coffer") : q(work / "c.coffer");
        const Outcome r = coffer("decrypt --force " + keyA() + " -o " + q(dest) + " " + source);
        EXPECT_TRUE(isRefusal(r, kExitDamaged, "failed authentication"));
        EXPECT_EQ(listTree(dest), before);
        EXPECT_EQ(readFile(dest / "src/a.txt"), "the user's precious a.txt\n");
        EXPECT_EQ(readFile(dest / "src/z.txt"), "the user's z.txt\n");
    }
}

} // namespace
} // namespace coffer::test::cli
