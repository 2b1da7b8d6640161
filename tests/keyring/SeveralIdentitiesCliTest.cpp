// Several Coffer identities in one keyring, through the real `coffer`: Ann adds
// a Work identity beside her own; a container sent to Work opens, one signed as
// Work says so by name; once Work is removed, what was sent to it no longer opens.
#include "KeyringHarness.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

struct TwoIdentities {
    TempDir root;
    Person ann{root.path(), "ann"};
    Person bob{root.path(), "bob"};
    std::string workCard;
    std::string workFingerprint;

    TwoIdentities()
    {
        createKeyring(ann, crypto::SecretIdentity::generate("Ann"));
        createKeyring(bob, crypto::SecretIdentity::generate("Bob"));
        const Outcome added = ann.run("id create --name Work");
        EXPECT_EQ(added.code, kExitOk) << added.output;
        workCard = "coffer1" + lineAfter(added.output, "coffer1");
        workFingerprint = lineAfter(added.output, "Fingerprint of Work: ");
        writeFile(root / "docs" / "memo.txt", "The budget is due on Friday.\n");
    }
    /// Bob sends the memo to `card`, unsigned.
    fs::path sendTo(const std::string& card, const std::string& name) const
    {
        const fs::path out = root / name;
        const Outcome sent =
            bob.run("encrypt --no-sign -r " + shellQuote(card) + " -o " + q(out) + " " + q(root / "docs"));
        EXPECT_EQ(sent.code, kExitOk) << sent.output;
        return out;
    }
};

} // namespace

TEST(SeveralIdentitiesCli, ASecondIdentityIsListedNamedUniquelyAndOpensWhatIsSentToIt)
{
    TwoIdentities s;
    ASSERT_FALSE(s.workFingerprint.empty());

    const Outcome list = s.ann.run("id list");
    ASSERT_EQ(list.code, kExitOk) << list.output;
    EXPECT_TRUE(contains(list.output, "* Ann\t")) << list.output;
    EXPECT_TRUE(contains(list.output, "  Work\t" + s.workFingerprint + "\tnever backed up")) << list.output;

    // A second identity needs a name, and one not taken (case-insensitive).
    const Outcome nameless = s.ann.run("id create");
    EXPECT_EQ(nameless.code, kExitUsage) << nameless.output;
    EXPECT_TRUE(contains(nameless.output, "--name")) << nameless.output;
    const Outcome taken = s.ann.run("id create --name WORK");
    EXPECT_EQ(taken.code, kExitUsage) << taken.output;
    EXPECT_TRUE(contains(taken.output, "you already have an identity named \"Work\"")) << taken.output;
    EXPECT_EQ(loadKeyring(s.ann).identities().size(), 2u);

    const fs::path memo = s.sendTo(s.workCard, "memo.coffer");
    const Outcome opened = s.ann.run("decrypt -o " + q(s.root / "out") + " " + q(memo));
    ASSERT_EQ(opened.code, kExitOk) << opened.output;
    EXPECT_EQ(readFile(s.root / "out" / "docs" / "memo.txt"), "The budget is due on Friday.\n");

    const Outcome shown = s.ann.run("id show work");
    ASSERT_EQ(shown.code, kExitOk) << shown.output;
    EXPECT_TRUE(contains(shown.output, s.workCard)) << shown.output;
}

TEST(SeveralIdentitiesCli, SignedAsTheSecondIdentityTheReaderSeesItsName)
{
    TwoIdentities s;
    const std::string annCard = loadKeyring(s.ann).identity()->card()->encode();
    const Outcome signedAsWork = s.ann.run("encrypt --sign-as Work -r " + shellQuote(annCard) + " -o " +
                                           q(s.root / "mine.coffer") + " " + q(s.root / "docs"));
    ASSERT_EQ(signedAsWork.code, kExitOk) << signedAsWork.output;
    const Outcome read = s.ann.run("list " + q(s.root / "mine.coffer"));
    ASSERT_EQ(read.code, kExitOk) << read.output;
    EXPECT_TRUE(contains(read.output, "signed by you (Work)")) << read.output;

    // Bob has Work's card as a contact: he sees Work's card signed it, not Ann's.
    const Outcome toBob = s.ann.run("encrypt --sign-as " + shellQuote(s.workFingerprint) + " -r " +
                                    shellQuote(loadKeyring(s.bob).identity()->card()->encode()) + " -o " +
                                    q(s.root / "bob.coffer") + " " + q(s.root / "docs"));
    ASSERT_EQ(toBob.code, kExitOk) << toBob.output;
    const Outcome bobReads = s.bob.run("list " + q(s.root / "bob.coffer"));
    ASSERT_EQ(bobReads.code, kExitOk) << bobReads.output;
    EXPECT_TRUE(contains(bobReads.output, "(fingerprint " + s.workFingerprint + ")")) << bobReads.output;

    // The default signs without --sign-as; `id default` changes which that is.
    ASSERT_EQ(s.ann.run("id default work").code, kExitOk);
    const Outcome list = s.ann.run("id list");
    EXPECT_TRUE(contains(list.output, "* Work\t")) << list.output;
    ASSERT_EQ(
        s.ann
            .run("encrypt -r " + shellQuote(annCard) + " -o " + q(s.root / "default.coffer") + " " + q(s.root / "docs"))
            .code,
        kExitOk);
    EXPECT_TRUE(contains(s.ann.run("list " + q(s.root / "default.coffer")).output, "signed by you (Work)"));

    // An identity she does not hold is refused, and nothing is written.
    const Outcome unknown = s.ann.run("encrypt --sign-as Home -r " + shellQuote(annCard) + " -o " +
                                      q(s.root / "home.coffer") + " " + q(s.root / "docs"));
    EXPECT_EQ(unknown.code, kExitUsage) << unknown.output;
    EXPECT_TRUE(contains(unknown.output, "you have no identity named \"Home\"")) << unknown.output;
    EXPECT_FALSE(fs::exists(s.root / "home.coffer"));
}

TEST(SeveralIdentitiesCli, RemovingAnIdentityWarnsAndWhatWasSentToItNoLongerOpens)
{
    TwoIdentities s;
    const fs::path memo = s.sendTo(s.workCard, "memo.coffer");

    // Not on a terminal: only with --yes.
    const Outcome unconfirmed = s.ann.run("id remove Work");
    EXPECT_EQ(unconfirmed.code, kExitUsage) << unconfirmed.output;
    EXPECT_TRUE(contains(unconfirmed.output, "add --yes")) << unconfirmed.output;
    EXPECT_EQ(loadKeyring(s.ann).identities().size(), 2u);

    const Outcome removed = s.ann.run("id remove Work --yes");
    ASSERT_EQ(removed.code, kExitOk) << removed.output;
    EXPECT_TRUE(contains(removed.output, "containers sent to Work (" + s.workFingerprint +
                                             ") can no longer be opened once it is removed: it was never backed up"))
        << removed.output;
    EXPECT_FALSE(contains(removed.output, "ONLY identity")) << removed.output;
    EXPECT_EQ(loadKeyring(s.ann).identities().size(), 1u);

    const Outcome opened = s.ann.run("decrypt -o " + q(s.root / "out") + " " + q(memo));
    EXPECT_EQ(opened.code, kExitNoKey) << opened.output;
    EXPECT_FALSE(fs::exists(s.root / "out" / "docs"));

    // The last one may go too, with a louder warning.
    const Outcome last = s.ann.run("id remove Ann --yes");
    ASSERT_EQ(last.code, kExitOk) << last.output;
    EXPECT_TRUE(contains(last.output, "it is your ONLY identity")) << last.output;
    EXPECT_TRUE(loadKeyring(s.ann).identities().empty());
}

TEST(SeveralIdentitiesCli, AnImportedSecretKeyBesideTheIdentityNeedsANameAndIsAdded)
{
    TwoIdentities s;
    const auto home = crypto::SecretIdentity::generate("");
    const crypto::SecureString key = home.encode();
    writeFile(s.root / "home.key", std::string(key.begin(), key.end()) + "\n");
    const Outcome nameless = s.ann.run("id import " + q(s.root / "home.key"));
    EXPECT_EQ(nameless.code, kExitUsage) << nameless.output;
    EXPECT_TRUE(contains(nameless.output, "--name NAME")) << nameless.output;
    EXPECT_EQ(loadKeyring(s.ann).identities().size(), 2u);

    const Outcome named = s.ann.run("id import " + q(s.root / "home.key") + " --name Home");
    ASSERT_EQ(named.code, kExitOk) << named.output;
    const Keyring k = loadKeyring(s.ann);
    ASSERT_EQ(k.identities().size(), 3u);
    EXPECT_EQ(k.identities()[2].name(), "Home");
    EXPECT_EQ(k.identities()[2].card()->fingerprint(), home.card()->fingerprint());
}
