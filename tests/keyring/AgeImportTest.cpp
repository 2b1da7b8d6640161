// age interop (DESIGN §3): a key made by the real `age-keygen` is imported
// into the keyring with `coffer id import`, and a container encrypted to its
// age1... recipient opens with `coffer decrypt` through the keyring alone.
#include "KeyringHarness.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

bool haveAgeKeygen()
{
    return runCommand("command -v age-keygen >/dev/null") == 0;
}

} // namespace

TEST(KeyringAgeImport, KeyFromAgeKeygenOpensAContainerEncryptedToItsRecipient)
{
    if (!haveAgeKeygen())
        GTEST_SKIP() << "age-keygen is not installed (Debian package \"age\")";
    TempDir root;
    const Person dana(root.path(), "dana");
    const fs::path keyFile = root / "age.key";
    const Outcome keygen = shell("age-keygen -o " + q(keyFile));
    ASSERT_EQ(keygen.code, 0) << keygen.output;
    const std::string keyText = readFile(keyFile);
    const std::string ageRecipient = lineAfter(keyText, "# public key: ");
    ASSERT_EQ(ageRecipient.rfind("age1", 0), 0u) << keyText;

    // A fresh keyring holding only the age identity (no Coffer identity: it cannot sign).
    const Outcome imported = dana.run("id import " + q(keyFile));
    ASSERT_EQ(imported.code, kExitOk) << imported.output;
    EXPECT_TRUE(contains(imported.output, ageRecipient)) << imported.output;
    EXPECT_TRUE(contains(imported.output, "Imported 1 key.")) << imported.output;
    const Keyring k = loadKeyring(dana);
    EXPECT_EQ(k.identity(), nullptr);
    ASSERT_EQ(k.ageIdentities().size(), 1u);
    EXPECT_EQ(k.ageIdentities()[0].publicText(), ageRecipient);

    // Anyone encrypts to the age1 key (no keyring involved: --no-sign).
    writeFile(root / "report.txt", "quarterly numbers\n");
    const Outcome enc =
        shell("COFFER_HOME=" + q(root / "sender") + " " + cofferCommand() + " encrypt --no-sign -r " +
              shellQuote(ageRecipient) + " -o " + q(root / "report.coffer") + " " + q(root / "report.txt"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    EXPECT_FALSE(fs::exists(root / "sender")) << "encrypt --no-sign to a key must not create a keyring";

    // Dana opens it with her keyring: no -i, no key file needed any more.
    fs::remove(keyFile);
    const Outcome dec = dana.run("decrypt -o " + q(root / "out") + " " + q(root / "report.coffer"));
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_EQ(readFile(root / "out" / "report.txt"), "quarterly numbers\n");
    EXPECT_TRUE(contains(dec.output, "unsigned")) << dec.output;

    // The same keyring does not open a container for someone else.
    const std::string sender = "COFFER_HOME=" + q(root / "sender") + " " + cofferCommand();
    const Outcome other = shell(sender + " keygen -o " + q(root / "other.key"));
    ASSERT_EQ(other.code, kExitOk) << other.output;
    const std::string otherCard = "coffer1" + lineAfter(other.output, "coffer1");
    const Outcome enc2 = shell(sender + " encrypt --no-sign -r " + shellQuote(otherCard) + " -o " +
                               q(root / "other.coffer") + " " + q(root / "report.txt"));
    ASSERT_EQ(enc2.code, kExitOk) << enc2.output;
    const Outcome refused = dana.run("list " + q(root / "other.coffer"));
    EXPECT_EQ(refused.code, kExitNoKey) << refused.output;
    EXPECT_TRUE(contains(refused.output, "no key matched")) << refused.output;
}
