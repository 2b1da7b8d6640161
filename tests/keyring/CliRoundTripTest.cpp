// Alice and Bob, each with their own COFFER_HOME, use nothing but the CLI:
// create identities, exchange cards, Alice encrypts to "Bob" by contact name
// (signed by default), Bob opens it with his keyring and is told who signed,
// first unverified, then verified once he compared Alice's fingerprint.
#include "KeyringHarness.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

struct CreatedIdentity {
    std::string card;
    std::string fingerprint;
};

CreatedIdentity createIdentity(const Person& p, const std::string& name)
{
    const Outcome r = p.run("id create --name " + shellQuote(name));
    EXPECT_EQ(r.code, kExitOk) << r.output;
    CreatedIdentity id{"coffer1" + lineAfter(r.output, "coffer1"), lineAfter(r.output, "Your fingerprint: ")};
    EXPECT_GT(id.card.size(), 7u) << r.output;
    EXPECT_FALSE(id.fingerprint.empty()) << r.output;
    return id;
}

} // namespace

TEST(KeyringCliRoundTrip, RecipientSeesSignerUnverifiedUntilFingerprintIsCompared)
{
    TempDir root;
    const Person alice(root.path(), "alice");
    const Person bob(root.path(), "bob");

    const CreatedIdentity aliceId = createIdentity(alice, "Alice");
    const CreatedIdentity bobId = createIdentity(bob, "Bob");
    ASSERT_FALSE(HasFailure());
    ASSERT_NE(aliceId.card, bobId.card);
    EXPECT_TRUE(fs::exists(alice.dataDir() / "keyring.coffer"));
    EXPECT_TRUE(fs::exists(bob.dataDir() / "keyring.coffer"));

    // Cards carry the name chosen at creation, so no --name is needed.
    const Outcome addBob = alice.run("contacts add " + shellQuote(bobId.card));
    ASSERT_EQ(addBob.code, kExitOk) << addBob.output;
    const Outcome addAlice = bob.run("contacts add " + shellQuote(aliceId.card));
    ASSERT_EQ(addAlice.code, kExitOk) << addAlice.output;
    const Outcome bobsContacts = bob.run("contacts list");
    ASSERT_EQ(bobsContacts.code, kExitOk) << bobsContacts.output;
    EXPECT_TRUE(contains(bobsContacts.output, "Alice\tunverified\t" + aliceId.fingerprint)) << bobsContacts.output;

    writeFile(root / "docs" / "letter.txt", "Dear Bob, the meeting moved to Thursday.\n");
    writeFile(root / "docs" / "figures.csv", "q1,12\nq2,17\n");
    const Outcome enc = alice.run("encrypt -r Bob -o " + q(root / "letter.coffer") + " " + q(root / "docs"));
    ASSERT_EQ(enc.code, kExitOk) << enc.output;

    // Before Bob compares fingerprints: he is told who signed, and that it is unverified.
    const Outcome first = bob.run("decrypt -o " + q(root / "bob-out-1") + " " + q(root / "letter.coffer"));
    ASSERT_EQ(first.code, kExitOk) << first.output;
    EXPECT_TRUE(contains(first.output, "signed by Alice (unverified")) << first.output;
    EXPECT_FALSE(contains(first.output, "signed by Alice (verified)")) << first.output;
    EXPECT_TRUE(contains(first.output, "sent to: you")) << first.output;
    EXPECT_EQ(readFile(root / "bob-out-1" / "docs" / "letter.txt"), "Dear Bob, the meeting moved to Thursday.\n");
    EXPECT_EQ(readFile(root / "bob-out-1" / "docs" / "figures.csv"), "q1,12\nq2,17\n");

    // Alice encrypted to Bob only: her own keyring does not open it.
    const Outcome aliceOpens = alice.run("list " + q(root / "letter.coffer"));
    EXPECT_EQ(aliceOpens.code, kExitNoKey) << aliceOpens.output;

    // A fingerprint that does not match is refused and changes nothing.
    std::string wrong = aliceId.fingerprint;
    wrong[0] = wrong[0] == '9' ? '1' : static_cast<char>(wrong[0] + 1);
    const Outcome mismatch = bob.run("contacts verify Alice --fingerprint " + shellQuote(wrong));
    EXPECT_EQ(mismatch.code, kExitUsage) << mismatch.output;
    EXPECT_TRUE(contains(mismatch.output, "fingerprints differ")) << mismatch.output;

    // Bob compares what Alice reads out (her "Your fingerprint" line) and marks her verified.
    const Outcome verify = bob.run("contacts verify Alice --fingerprint " + shellQuote(aliceId.fingerprint));
    ASSERT_EQ(verify.code, kExitOk) << verify.output;

    const Outcome second = bob.run("decrypt -o " + q(root / "bob-out-2") + " " + q(root / "letter.coffer"));
    ASSERT_EQ(second.code, kExitOk) << second.output;
    EXPECT_TRUE(contains(second.output, "signed by Alice (verified)")) << second.output;
    EXPECT_FALSE(contains(second.output, "unverified")) << second.output;
    EXPECT_EQ(readFile(root / "bob-out-2" / "docs" / "letter.txt"), "Dear Bob, the meeting moved to Thursday.\n");

    // The verified flag is what the keyring on disk says, not a per-run state.
    const Keyring bobs = loadKeyring(bob);
    ASSERT_EQ(bobs.contacts().size(), 1u);
    EXPECT_EQ(bobs.contacts()[0].name, "Alice");
    EXPECT_TRUE(bobs.contacts()[0].verified);
}
