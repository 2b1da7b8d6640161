// A card's name is the sender's claim, not the user's choice (SECURITY.md
// "Contact names"): `contacts add` keeps it only when it passes the name rule,
// and --name lets the user choose another. Names already saved are printed with
// their control and direction characters shown as escapes.
#include "KeyringHarness.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

const std::string kRlo = "\xe2\x80\xae"; // U+202E RIGHT-TO-LEFT OVERRIDE

std::string cardOf(const crypto::SecretIdentity& id)
{
    return id.card()->encode();
}

bool refusedWithHint(const Outcome& r)
{
    return r.code != kExitOk && contains(r.output, "error: ") && contains(r.output, "hint: ");
}

class HostileNameTest : public ::testing::Test {
protected:
    void SetUp() override { createKeyring(m_alice, crypto::SecretIdentity::generate("Alice")); }
    TempDir m_root;
    Person m_alice{m_root.path(), "alice"};
};

TEST_F(HostileNameTest, ACardNamedLikeAStatusIsNotTakenAsTheContactsName)
{
    const auto mallory = crypto::SecretIdentity::generate("Bob (verified)");
    const Outcome r = m_alice.run("contacts add " + shellQuote(cardOf(mallory)));
    EXPECT_TRUE(refusedWithHint(r)) << r.output;
    EXPECT_TRUE(contains(r.output, "--name")) << "the hint says how to choose a name: " << r.output;
    EXPECT_TRUE(contactNames(loadKeyring(m_alice)).empty());

    const Outcome named = m_alice.run("contacts add " + shellQuote(cardOf(mallory)) + " --name Mallory");
    ASSERT_EQ(named.code, kExitOk) << named.output;
    EXPECT_EQ(contactNames(loadKeyring(m_alice)), std::vector<std::string>{"Mallory"});
}

TEST_F(HostileNameTest, StatusWordsAndDirectionControlsAreRefusedAsNames)
{
    const std::vector<std::string> names = {"Bob (verified)",
                                            "you",
                                            "ME",
                                            "Bob [verified]",
                                            "verified Bob",
                                            "Bob" + kRlo + "deifirev",
                                            "Bob\xc2\x9b"
                                            "31m",
                                            "Bob\xe2\x80\x8b"};
    for (const std::string& name : names) {
        const auto id = crypto::SecretIdentity::generate(name);
        const Outcome r = m_alice.run("contacts add " + shellQuote(cardOf(id)));
        EXPECT_TRUE(refusedWithHint(r)) << name << ": " << r.output;
        EXPECT_FALSE(contains(r.output, kRlo)) << "the refusal echoes the name escaped";
        const Outcome viaOption = m_alice.run("contacts add " + shellQuote(cardOf(id)) + " --name " + shellQuote(name));
        EXPECT_TRUE(refusedWithHint(viaOption)) << name << ": " << viaOption.output;
    }
    EXPECT_TRUE(contactNames(loadKeyring(m_alice)).empty());
}

TEST_F(HostileNameTest, ANameSavedBeforeTheRuleIsPrintedEscaped)
{
    // A keyring written before the rule: the name is kept (no lock-out) but never printed raw.
    const auto evil = crypto::SecretIdentity::generate("Evil");
    const std::string text = "coffer-keyring 1\nidentity\t" +
                             std::string(crypto::SecretIdentity::generate("Alice").encode().c_str()) +
                             "\tAlice\ncontact\t" + cardOf(evil) + "\t0\t0\tEvil" + kRlo + "lanigiro\n";
    auto parsed = Keyring::parse(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    fs::remove_all(m_alice.dataDir());
    auto store = m_alice.store();
    ASSERT_TRUE(store.create(*parsed, crypto::SecureString(kPassphrase.begin(), kPassphrase.end())).ok());

    const Outcome list = m_alice.run("contacts list");
    ASSERT_EQ(list.code, kExitOk) << list.output;
    EXPECT_FALSE(contains(list.output, kRlo)) << list.output;
    EXPECT_TRUE(contains(list.output, "Evil\\u{202E}lanigiro\tunverified")) << list.output;

    const Outcome rename = m_alice.run("contacts rename Evil" + kRlo + "lanigiro " + shellQuote("Eve (verified)"));
    EXPECT_TRUE(refusedWithHint(rename)) << rename.output;
}

TEST_F(HostileNameTest, SignedByShowsASavedNameEscaped)
{
    // Evil's keyring: its own identity and Alice as a contact; Alice knows Evil by an old hostile name.
    const auto evil = crypto::SecretIdentity::generate("Evil");
    const Person evilPerson(m_root.path(), "evil");
    const Keyring alice = loadKeyring(m_alice);
    Contact aliceContact = contactFor("Alice", alice.identity()->clone());
    createKeyring(evilPerson, evil, {aliceContact});
    const std::string text =
        std::string(alice.serialise().c_str()) + "contact\t" + cardOf(evil) + "\t0\t0\tEvil" + kRlo + "lanigiro\n";
    auto parsed = Keyring::parse(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    fs::remove_all(m_alice.dataDir());
    auto store = m_alice.store();
    ASSERT_TRUE(store.create(*parsed, crypto::SecureString(kPassphrase.begin(), kPassphrase.end())).ok());

    writeFile(m_root / "doc.txt", "hello\n");
    const Outcome enc = evilPerson.run("encrypt -r Alice -o " + q(m_root / "doc.coffer") + " " + q(m_root / "doc.txt"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    const Outcome list = m_alice.run("list " + q(m_root / "doc.coffer"));
    ASSERT_EQ(list.code, kExitOk) << list.output;
    EXPECT_FALSE(contains(list.output, kRlo)) << list.output;
    EXPECT_TRUE(contains(list.output, "signed by Evil\\u{202E}lanigiro (unverified")) << list.output;
}

} // namespace
