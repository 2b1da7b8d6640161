// Which keys open an age file (issue 20): a Coffer identity's X25519 key is
// also an age recipient, so a file the real `age` made to a Coffer user's
// age1 address opens with their key file and with their keyring; Coffer's
// own age files to a Coffer card open the same way; a file of post-quantum
// stanzas only is refused in the words Age.h gives.
#include "AgeHarness.h"
#include "Keys.h"

namespace coffer::test::cli {
namespace {

/// The age1 address of a Coffer card: its X25519 key (FORMAT.md §13).
std::string ageAddressOf(const std::string& card)
{
    auto decoded = crypto::ContactCard::decode(card);
    EXPECT_TRUE(decoded.ok());
    return decoded.ok() ? crypto::encodeAgeRecipient(decoded->x25519) : std::string();
}

class AgeKeys : public ::testing::Test {
protected:
    TempDir dir;

    /// `coffer ARGS` with a keyring of this test's own.
    Outcome withKeyring(const std::string& args)
    {
        return shell("COFFER_HOME=" + q(dir / "home") + " " + cofferCommand() + " " + args + " </dev/null");
    }
};

TEST_F(AgeKeys, CofferKeyFileOpensAgeFileToItsAddress)
{
    const Key me = makeKey(dir / "me.key");
    writeFile(dir / "note.txt", "for a Coffer user, from age\n");
    ASSERT_EQ(
        shell("age -r " + ageAddressOf(me.card) + " -o " + q(dir / "note.txt.age") + " " + q(dir / "note.txt")).code,
        0);
    const Outcome r = coffer("decrypt -i " + q(me.file) + " -o " + q(dir / "out") + " " + q(dir / "note.txt.age"));
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_EQ(readFile(dir / "out" / "note.txt"), "for a Coffer user, from age\n");
    EXPECT_NE(r.output.find("not signed"), std::string::npos) << r.output;
}

TEST_F(AgeKeys, KeyringOpensAgeFilesToItsIdentity)
{
    writeFile(dir / "pass", "keyring passphrase\n");
    const Outcome id = withKeyring("id create --name Me --keyring-passphrase-file " + q(dir / "pass"));
    ASSERT_EQ(id.code, kExitOk) << id.output;
    const Outcome shown = withKeyring("id show --keyring-passphrase-file " + q(dir / "pass"));
    std::string card;
    std::istringstream lines(shown.output);
    for (std::string line; std::getline(lines, line);)
        for (std::size_t at = line.find("coffer1"); at != std::string::npos && card.empty(); at = std::string::npos)
            card = line.substr(at, line.find_first_of(" \t", at) - at);
    ASSERT_FALSE(card.empty()) << shown.output;
    writeFile(dir / "f.bin", content(70000, 1));
    ASSERT_EQ(shell("age -r " + ageAddressOf(card) + " -o " + q(dir / "f.bin.age") + " " + q(dir / "f.bin")).code, 0);
    const Outcome r = withKeyring("decrypt --keyring-passphrase-file " + q(dir / "pass") + " -o " + q(dir / "out") +
                                  " " + q(dir / "f.bin.age"));
    ASSERT_EQ(r.code, kExitOk) << r.output;
    EXPECT_TRUE(readFile(dir / "out" / "f.bin") == readFile(dir / "f.bin"));
    // Encrypting with an identity in the keyring: the age file is not signed, and says so.
    const Outcome enc =
        withKeyring("encrypt --format age -r " + card + " -o " + q(dir / "back.bin.age") + " " + q(dir / "f.bin"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    EXPECT_NE(enc.output.find("not signed"), std::string::npos) << enc.output;
    const Outcome list =
        withKeyring("list -l --keyring-passphrase-file " + q(dir / "pass") + " " + q(dir / "back.bin.age"));
    ASSERT_EQ(list.code, kExitOk) << list.output;
    EXPECT_NE(list.output.find("70000  "), std::string::npos) << list.output;
}

TEST_F(AgeKeys, CofferCardRecipientOpensWithItsKeyFile)
{
    const Key you = makeKey(dir / "you.key");
    writeFile(dir / "f.txt", "to a card\n");
    const Outcome enc =
        coffer("encrypt --format age -a -r " + you.card + " -o " + q(dir / "f.txt.age") + " " + q(dir / "f.txt"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    const Outcome dec = coffer("decrypt -i " + q(you.file) + " -o - " + q(dir / "f.txt.age"));
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_NE(dec.output.find("to a card\n"), std::string::npos) << dec.output;
    const AgeKey other = ageKeygen(dir / "other.txt");
    const Outcome wrong = coffer("decrypt -i " + q(other.file) + " -o " + q(dir / "w") + " " + q(dir / "f.txt.age"));
    EXPECT_TRUE(isRefusal(wrong, kExitNoKey, "none of your keys")) << wrong.output;
    EXPECT_FALSE(fs::exists(dir / "w" / "f.txt"));
}

TEST_F(AgeKeys, KeysAndAPassphraseTogetherAreRefused)
{
    const AgeKey k = ageKeygen(dir / "k.txt");
    writeFile(dir / "f", "x");
    writeFile(dir / "pass", "p\n");
    const Outcome r = coffer("encrypt --format age -r " + k.recipient + " --passphrase-file " + q(dir / "pass") +
                             " -o " + q(dir / "f.age") + " " + q(dir / "f"));
    EXPECT_TRUE(isRefusal(r, kExitUsage, "not both")) << r.output;
    EXPECT_FALSE(fs::exists(dir / "f.age"));
}

TEST_F(AgeKeys, PostQuantumFileIsRefusedPlainly)
{
    // The kit's "hybrid" vector: its header (after the blank line, zlib) holds only an mlkem768x25519 stanza.
    const fs::path vector = fs::path(COFFER_VECTORS_DIR) / "cctv-age" / "testdata" / "hybrid";
    ASSERT_TRUE(fs::exists(vector));
    const Outcome py = shell("python3 -c 'import sys, zlib; d = open(sys.argv[1], \"rb\").read(); "
                             "b = d[d.index(b\"\\n\\n\") + 2:]; "
                             "open(sys.argv[2], \"wb\").write(zlib.decompress(b) if b\"compressed: zlib\" in "
                             "d[:d.index(b\"\\n\\n\")] else b)' " +
                             q(vector) + " " + q(dir / "pq.age"));
    ASSERT_EQ(py.code, 0) << py.output;
    const AgeKey k = ageKeygen(dir / "k.txt");
    const Outcome r = coffer("decrypt -i " + q(k.file) + " -o " + q(dir / "out") + " " + q(dir / "pq.age"));
    EXPECT_NE(r.code, kExitOk);
    EXPECT_TRUE(hasLineStartingWith(
        r.output, "error: encrypted with post-quantum keys, which this version of Coffer cannot open"))
        << r.output;
    EXPECT_FALSE(fs::exists(dir / "out" / "pq"));
}

} // namespace
} // namespace coffer::test::cli
