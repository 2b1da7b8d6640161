// Your age address (issue 20): `coffer id show` prints, on a labelled line of
// its own, the age1... recipient of the identity's X25519 key, so that people
// who use age can encrypt to a Coffer user; what the real `age -r` makes of
// it opens with `coffer decrypt` and the keyring.
#include "KeyringHarness.h"

#include "Bech32.h"
#include "Keys.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

constexpr const char* kLabel = "Your age address: ";

bool haveAge()
{
    return runCommand("command -v age >/dev/null") == 0;
}

} // namespace

TEST(KeyringAgeAddress, IdShowPrintsTheAgeAddressOfTheX25519Key)
{
    TempDir root;
    const Person erin(root.path(), "erin");
    const auto id = crypto::SecretIdentity::generate("Erin");
    ASSERT_NO_FATAL_FAILURE(createKeyring(erin, id));

    const Outcome shown = erin.run("id show");
    ASSERT_EQ(shown.code, kExitOk) << shown.output;
    const std::string address = lineAfter(shown.output, kLabel);
    ASSERT_EQ(address.rfind("age1", 0), 0u) << shown.output;
    const auto decoded = crypto::bech32Decode(address);
    ASSERT_TRUE(decoded.has_value()) << address;
    EXPECT_EQ(decoded->hrp, "age");
    const crypto::PublicKey32 x25519 = id.x25519Public();
    EXPECT_EQ(decoded->data, crypto::Bytes(x25519.begin(), x25519.end()));
    // The card stays what standard output holds, so `coffer id show > card.txt` still makes a card file.
    const Outcome toFile =
        shell("{ COFFER_HOME=" + q(erin.home) + " " + cofferCommand() + " id show --keyring-passphrase-file " +
              q(erin.passFile) + " > " + q(root / "card.txt") + "; }");
    ASSERT_EQ(toFile.code, kExitOk) << toFile.output;
    EXPECT_EQ(readFile(root / "card.txt"), id.card()->encode() + "\n");

    if (!haveAge())
        GTEST_SKIP() << "age is not installed (Debian package \"age\")";
    writeFile(root / "note.txt", "for Erin\n");
    const Outcome enc =
        shell("age -r " + shellQuote(address) + " -o " + q(root / "note.txt.age") + " " + q(root / "note.txt"));
    ASSERT_EQ(enc.code, 0) << enc.output;

    // Erin opens what the age user sent with her keyring alone: no -i, no age key file.
    const Outcome dec = erin.run("decrypt -o " + q(root / "out") + " " + q(root / "note.txt.age"));
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_EQ(readFile(root / "out" / "note.txt"), "for Erin\n");
}
