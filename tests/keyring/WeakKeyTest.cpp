// A keyless "verified" signature (issue 17, item 3): an Ed25519 public key
// equal to the identity point, with R = identity and S = 0, satisfies the
// verification equation for every message. Coffer must refuse such a key
// wherever one enters (a card, a keyring, a signer block) and refuse any
// signature made "under" it (FORMAT.md §5.7, §6).
#include "Extract.h"
#include "HostileContainer.h"
#include "Keyring.h"
#include "KeyringHarness.h"
#include "SignatureStatus.h"

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

crypto::PublicKey32 identityPoint()
{
    crypto::PublicKey32 p{};
    p[0] = 1; // y = 1, x = 0: the neutral element
    return p;
}

/// Mallory's card: a real X25519 key, and the identity point as signing key.
crypto::ContactCard keylessCard(const crypto::SecretIdentity& mallory)
{
    crypto::ContactCard card;
    card.x25519 = mallory.x25519Public();
    card.ed25519 = identityPoint();
    card.name = "Mallory";
    return card;
}

/// A contact as an older Coffer would have stored it: card accepted, verified.
Contact keylessContact(const crypto::SecretIdentity& mallory)
{
    Contact c;
    c.name = "Mallory";
    c.recipient = crypto::RecipientKey(mallory.x25519Public(), keylessCard(mallory));
    c.key = keylessCard(mallory).encode();
    c.verified = true;
    return c;
}

/// A container for `reader` whose index carries the keyless signature block:
/// signer_ed25519 = identity, R = identity, S = 0. No secret key was used.
void writeKeylessSigned(const fs::path& path, const crypto::SecretIdentity& mallory,
                        const crypto::SecretIdentity& reader)
{
    HostileArchive a;
    a.hashes = true;
    a.file("pay-me.txt", "Send the money to Mallory.");
    a.recipients = {IndexRecipient{1, reader.x25519Public()}};
    a.editIndexPlain = [&mallory](Bytes& plain) {
        plain[8] |= 2; // flags bit 1: a signature block follows
        plain.push_back(1);
        const auto x = mallory.x25519Public();
        plain.insert(plain.end(), x.begin(), x.end());
        const auto id = identityPoint();
        plain.insert(plain.end(), id.begin(), id.end());
        Bytes signature(64, 0);
        signature[0] = 1; // R = identity, S = 0
        plain.insert(plain.end(), signature.begin(), signature.end());
    };
    writeContainer(path, a.plaintext(), reader);
}

} // namespace

TEST(WeakKey, CardWithTheIdentityKeyIsRefused)
{
    const auto mallory = crypto::SecretIdentity::generate("Mallory");
    const auto decoded = crypto::ContactCard::decode(keylessCard(mallory).encode());
    EXPECT_FALSE(decoded.ok()) << "a card whose signing key is the identity point was accepted";
    EXPECT_FALSE(crypto::parseRecipientKey(keylessCard(mallory).encode()).ok());
}

TEST(WeakKey, KeylessSignatureIsRefusedNotShownVerified)
{
    TempDir dir;
    const auto mallory = crypto::SecretIdentity::generate("Mallory");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    writeKeylessSigned(dir / "keyless.coffer", mallory, bob);
    auto listing = listContainer(dir / "keyless.coffer", identitiesOf(bob));
    if (listing.ok()) {
        Keyring bobs;
        bobs.setIdentity(bob.clone());
        ASSERT_TRUE(bobs.addContact(keylessContact(mallory)).ok());
        FAIL() << "the keyless signature was accepted: " << signatureSummary(describeSignature(listing->index, &bobs));
    }
    EXPECT_EQ(listing.error().code, ErrorCode::Damaged) << listing.error().message;
}

TEST(WeakKey, KeyringFromBeforeTheCheckKeepsTheContactButNeverAsSigner)
{
    const auto mallory = crypto::SecretIdentity::generate("Mallory");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    Keyring written;
    written.setIdentity(bob.clone());
    ASSERT_TRUE(written.addContact(keylessContact(mallory)).ok());
    // The keyring still opens (the user's own identity is in it) ...
    auto loaded = Keyring::parse(written.serialise());
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_EQ(loaded->contacts().size(), 1u);
    // ... but the contact is encrypt-only and unverified: no signature can name it.
    EXPECT_FALSE(loaded->contacts()[0].verified);
    EXPECT_FALSE(loaded->contacts()[0].recipient.card());
    EXPECT_EQ(loaded->findBySigningKey(identityPoint()), nullptr);
}

TEST(WeakKey, CliRefusesTheCardAndTheKeylessContainer)
{
    TempDir dir;
    const auto mallory = crypto::SecretIdentity::generate("Mallory");
    const auto bobId = crypto::SecretIdentity::generate("Bob");
    Person bob(dir.path(), "bob");
    createKeyring(bob, bobId);
    const std::string card = keylessCard(mallory).encode();

    const Outcome add = bob.run("contacts add " + shellQuote(card));
    EXPECT_NE(add.code, kExitOk) << add.output;
    EXPECT_TRUE(contains(add.output, "error:")) << add.output;
    writeFile(dir / "mallory.card", card + "\n");
    const Outcome import = bob.run("id import " + q(dir / "mallory.card"));
    EXPECT_NE(import.code, kExitOk) << import.output;
    EXPECT_TRUE(loadKeyring(bob).contacts().empty());

    writeKeylessSigned(dir / "keyless.coffer", mallory, bobId);
    const Outcome list = bob.run("list " + q(dir / "keyless.coffer"));
    EXPECT_EQ(list.code, kExitDamaged) << list.output;
    EXPECT_FALSE(contains(list.output, "verified")) << list.output;
}
