// Signatures under attack (DESIGN §2 "Signature"), at the app level:
//  - signature bytes flipped, or content changed under the original
//    signature: refused as damaged by both listing and extraction;
//  - a recipient who changes the content and re-signs with their own key:
//    the reader is told the true signer (the recipient), never the original;
//  - a recipient who rewrites the header to someone else (rekey): the new
//    reader still sees the recipients the signer chose, and that they are
//    not among them.
// Hand-made indexes come from tests/app's HostileArchive (valid encryption,
// archive bytes as the test composes them); real ones from encryptFiles.
#include "Encrypt.h"
#include "Extract.h"
#include "HostileContainer.h"
#include "Keyring.h"
#include "Rekey.h"
#include "Signature.h"
#include "SignatureStatus.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

crypto::RecipientKey recipientOf(const crypto::SecretIdentity& id)
{
    return {id.x25519Public(), id.card()};
}

Contact contact(const std::string& name, const crypto::SecretIdentity& id, bool verified)
{
    Contact c;
    c.name = name;
    c.recipient = recipientOf(id);
    c.key = id.card()->encode();
    c.verified = verified;
    return c;
}

/// A reader's keyring: their identity and some contacts.
Keyring keyringOf(const crypto::SecretIdentity& me, std::vector<Contact> contacts = {})
{
    Keyring k;
    k.setIdentity(me.clone());
    for (auto& c : contacts)
        EXPECT_TRUE(k.addContact(std::move(c)).ok());
    return k;
}

struct People {
    crypto::SecretIdentity alice = crypto::SecretIdentity::generate("Alice");
    crypto::SecretIdentity bob = crypto::SecretIdentity::generate("Bob");
    crypto::SecretIdentity carol = crypto::SecretIdentity::generate("Carol");
};

/// Appends a signature block by `signer` to an unsigned encoded index (and
/// sets flags bit 1), exactly as ArchiveWriter does: the signature covers
/// everything before it, the block's type and signer keys included. Then
/// `tamper` may edit the result.
std::function<void(Bytes&)> signIndexWith(const crypto::SecretIdentity& signer,
                                          std::function<void(Bytes&)> tamper = nullptr)
{
    return [&signer, tamper](Bytes& plain) {
        plain[8] |= 2; // flags bit 1: a signature block follows
        const crypto::ContactCard card = *signer.card();
        plain.push_back(1); // Ed25519
        plain.insert(plain.end(), card.x25519.begin(), card.x25519.end());
        plain.insert(plain.end(), card.ed25519.begin(), card.ed25519.end());
        const crypto::Signature64 sig = crypto::signIndex(signer, plain);
        plain.insert(plain.end(), sig.begin(), sig.end());
        if (tamper)
            tamper(plain);
    };
}

HostileArchive letterArchive(const crypto::SecretIdentity& intendedReader, std::string_view text)
{
    HostileArchive a;
    a.hashes = true;
    a.directory("docs");
    a.file("docs/letter.txt", text);
    a.recipients = {IndexRecipient{1, intendedReader.x25519Public()}};
    return a;
}

/// Listing and extraction both refuse with Damaged, and the destination stays empty.
void expectDamaged(const fs::path& container, const crypto::SecretIdentity& reader, const fs::path& dest)
{
    auto listing = listContainer(container, identitiesOf(reader));
    ASSERT_FALSE(listing.ok());
    EXPECT_EQ(listing.error().code, ErrorCode::Damaged) << listing.error().message;
    fs::create_directories(dest);
    ExtractRequest request{container, dest, {}, false};
    JobControl job;
    auto extracted = extractContainer(request, identitiesOf(reader), job);
    ASSERT_FALSE(extracted.ok());
    EXPECT_EQ(extracted.error().code, ErrorCode::Damaged) << extracted.error().message;
    EXPECT_TRUE(listTree(dest).empty());
}

/// encryptFiles of `source` to `recipients`, signed by `signer`.
fs::path encryptSigned(const fs::path& source, const fs::path& output, const crypto::SecretIdentity& signer,
                       const std::vector<const crypto::SecretIdentity*>& recipients)
{
    EncryptRequest request;
    request.inputs = {source};
    for (const auto* r : recipients)
        request.recipients.push_back(recipientOf(*r));
    request.output = output;
    request.signer = &signer;
    JobControl job;
    auto summary = encryptFiles(request, job);
    EXPECT_TRUE(summary.ok()) << (summary.ok() ? "" : summary.error().message);
    return summary.ok() ? summary->output : fs::path();
}

ArchiveIndex listedIndex(const fs::path& container, const crypto::SecretIdentity& reader)
{
    auto listing = listContainer(container, identitiesOf(reader));
    EXPECT_TRUE(listing.ok()) << (listing.ok() ? "" : listing.error().message);
    return listing.ok() ? std::move(listing->index) : ArchiveIndex{};
}

} // namespace

// The control: the hand-made signature is accepted, so the refusals below are
// about the tampering and not about the construction.
TEST(SignatureTamper, HandMadeSignedIndexOpensAndNamesTheSigner)
{
    People p;
    TempDir dir;
    HostileArchive a = letterArchive(p.bob, "Meet at noon.");
    a.editIndexPlain = signIndexWith(p.alice);
    writeContainer(dir / "signed.coffer", a.plaintext(), p.bob);

    const ArchiveIndex index = listedIndex(dir / "signed.coffer", p.bob);
    ASSERT_TRUE(index.signature.has_value());
    const Keyring bobs = keyringOf(p.bob, {contact("Alice", p.alice, true)});
    const SignatureReport report = describeSignature(index, &bobs);
    EXPECT_EQ(report.state, SignerState::VerifiedContact);
    EXPECT_EQ(report.signerName, "Alice");
    EXPECT_EQ(signatureSummary(report), "signed by Alice (verified)");
}

TEST(SignatureTamper, FlippedSignatureBytesAreRefusedAsDamaged)
{
    People p;
    for (const std::size_t fromEnd : {64u, 40u, 33u, 1u}) { // first, middle (R | S boundary area), last byte
        SCOPED_TRACE("signature byte " + std::to_string(64 - fromEnd));
        TempDir dir;
        HostileArchive a = letterArchive(p.bob, "Meet at noon.");
        a.editIndexPlain = signIndexWith(p.alice, [fromEnd](Bytes& plain) { plain[plain.size() - fromEnd] ^= 0x01; });
        writeContainer(dir / "flipped.coffer", a.plaintext(), p.bob);
        expectDamaged(dir / "flipped.coffer", p.bob, dir / "out");
    }
}

TEST(SignatureTamper, SignatureMovedToAnotherSigningKeyIsRefusedAsDamaged)
{
    People p;
    TempDir dir;
    HostileArchive a = letterArchive(p.bob, "Meet at noon.");
    // Alice's signature, but the block claims Carol's signing key.
    const crypto::ContactCard carol = *p.carol.card();
    a.editIndexPlain = signIndexWith(p.alice, [carol](Bytes& plain) {
        std::copy(carol.ed25519.begin(), carol.ed25519.end(), plain.end() - 64 - 32);
    });
    writeContainer(dir / "moved.coffer", a.plaintext(), p.bob);
    expectDamaged(dir / "moved.coffer", p.bob, dir / "out");
}

// The X25519 key in the block is what a reader would encrypt back to if they
// added the signer as a contact: a recipient must not be able to swap it.
TEST(SignatureTamper, SignersEncryptionKeySwappedUnderTheSignatureIsRefusedAsDamaged)
{
    People p;
    TempDir dir;
    HostileArchive a = letterArchive(p.bob, "Meet at noon.");
    const crypto::ContactCard carol = *p.carol.card();
    a.editIndexPlain = signIndexWith(p.alice, [carol](Bytes& plain) {
        std::copy(carol.x25519.begin(), carol.x25519.end(), plain.end() - 64 - 32 - 32);
    });
    writeContainer(dir / "swapped.coffer", a.plaintext(), p.bob);
    expectDamaged(dir / "swapped.coffer", p.bob, dir / "out");
}

// A recipient knows the file key, so they can re-encrypt anything; what they
// cannot do is keep the sender's signature over content they changed.
TEST(SignatureTamper, ContentChangedUnderTheOriginalSignatureIsRefusedAsDamaged)
{
    People p;
    TempDir dir;
    Bytes originalBlock;
    {
        HostileArchive original = letterArchive(p.bob, "Pay Bob 10 EUR.");
        original.editIndexPlain = signIndexWith(
            p.alice, [&](Bytes& plain) { originalBlock.assign(plain.end() - kSignatureBlockSize, plain.end()); });
        (void)original.plaintext();
    }
    ASSERT_EQ(originalBlock.size(), kSignatureBlockSize);
    // Same length, so every offset in the index stays valid: only the content and its hash change.
    HostileArchive forged = letterArchive(p.bob, "Pay Bob 90 EUR.");
    forged.editIndexPlain = [&](Bytes& plain) {
        plain[8] |= 2;
        plain.insert(plain.end(), originalBlock.begin(), originalBlock.end());
    };
    writeContainer(dir / "forged.coffer", forged.plaintext(), p.carol);
    expectDamaged(dir / "forged.coffer", p.carol, dir / "out");
}

TEST(SignatureTamper, RecipientWhoChangesContentAndReSignsIsNamedAsTheSigner)
{
    People p;
    TempDir dir;
    writeFile(dir / "alice" / "letter.txt", "Pay Bob 10 EUR.\n");
    const fs::path fromAlice =
        encryptSigned(dir / "alice" / "letter.txt", dir / "from-alice.coffer", p.alice, {&p.bob});
    ASSERT_FALSE(fromAlice.empty());

    // Bob opens it, changes the letter, and re-encrypts it (a new file key) to Carol and back to Alice,
    // signing with the only key he has: his own.
    fs::create_directories(dir / "bob");
    JobControl job;
    auto extracted = extractContainer(ExtractRequest{fromAlice, dir / "bob", {}, false}, identitiesOf(p.bob), job);
    ASSERT_TRUE(extracted.ok()) << extracted.error().message;
    writeFile(dir / "bob" / "letter.txt", "Pay Bob 90 EUR.\n");
    const fs::path fromBob =
        encryptSigned(dir / "bob" / "letter.txt", dir / "from-bob.coffer", p.bob, {&p.carol, &p.alice});
    ASSERT_FALSE(fromBob.empty());

    const crypto::ContactCard bobCard = *p.bob.card();
    const crypto::ContactCard aliceCard = *p.alice.card();

    // Carol knows both; Alice is even verified. The signer shown is Bob.
    const Keyring carols = keyringOf(p.carol, {contact("Alice", p.alice, true), contact("Bob", p.bob, false)});
    SignatureReport report = describeSignature(listedIndex(fromBob, p.carol), &carols);
    EXPECT_EQ(report.state, SignerState::UnverifiedContact);
    EXPECT_EQ(report.signerName, "Bob");
    EXPECT_EQ(report.signerFingerprint, bobCard.fingerprint());
    EXPECT_NE(report.signerFingerprint, aliceCard.fingerprint());
    EXPECT_EQ(report.intendedRecipients, (std::vector<std::string>{"you", "Alice"}));
    EXPECT_TRUE(report.addressedToReader);

    // Carol with no contacts: an unknown key, and its card is Bob's.
    const Keyring bare = keyringOf(p.carol);
    report = describeSignature(listedIndex(fromBob, p.carol), &bare);
    EXPECT_EQ(report.state, SignerState::UnknownKey);
    auto shownCard = crypto::ContactCard::decode(report.signerCard);
    ASSERT_TRUE(shownCard.ok());
    EXPECT_TRUE(shownCard->sameKeys(bobCard));

    // Alice herself is not told the changed letter is hers.
    const Keyring alices = keyringOf(p.alice, {contact("Bob", p.bob, true)});
    report = describeSignature(listedIndex(fromBob, p.alice), &alices);
    EXPECT_NE(report.state, SignerState::Me);
    EXPECT_EQ(report.signerName, "Bob");
    EXPECT_EQ(signatureSummary(report), "signed by Bob (verified)");
}

// The adversarial form of the above: Bob keeps the original index's recipient
// list (naming himself) and re-signs it; the signer is still Bob, and Carol is
// told she was not among the recipients the signer chose.
TEST(SignatureTamper, ReSignedIndexThatKeepsTheOriginalRecipientsStillNamesTheReSigner)
{
    People p;
    TempDir dir;
    HostileArchive forged = letterArchive(p.bob, "Pay Bob 90 EUR.");
    forged.editIndexPlain = signIndexWith(p.bob);
    writeContainer(dir / "forged.coffer", forged.plaintext(), p.carol);

    const Keyring carols = keyringOf(p.carol, {contact("Alice", p.alice, true), contact("Bob", p.bob, false)});
    const SignatureReport report = describeSignature(listedIndex(dir / "forged.coffer", p.carol), &carols);
    EXPECT_EQ(report.state, SignerState::UnverifiedContact);
    EXPECT_EQ(report.signerName, "Bob");
    EXPECT_EQ(report.intendedRecipients, std::vector<std::string>{"Bob"});
    EXPECT_FALSE(report.addressedToReader);
}

TEST(SignatureTamper, HeaderRewrittenToAThirdPartyStillListsTheOriginalRecipients)
{
    People p;
    TempDir dir;
    writeFile(dir / "src" / "letter.txt", "For Bob's eyes only.\n");
    const fs::path fromAlice = encryptSigned(dir / "src" / "letter.txt", dir / "for-bob.coffer", p.alice, {&p.bob});
    ASSERT_FALSE(fromAlice.empty());

    // Bob re-shares it with Carol alone: the header is rewritten, the payload copied as it is.
    RekeyRequest request;
    request.input = fromAlice;
    request.output = dir / "for-carol.coffer";
    request.recipients = {recipientOf(p.carol)};
    auto rekeyed = rekeyContainer(request, identitiesOf(p.bob));
    ASSERT_TRUE(rekeyed.ok()) << rekeyed.error().message;

    // Bob is no longer a recipient of the new file.
    auto bobTries = listContainer(*rekeyed, identitiesOf(p.bob));
    ASSERT_FALSE(bobTries.ok());
    EXPECT_EQ(bobTries.error().code, ErrorCode::NoKeyMatched);

    // Carol opens it; the signature still verifies (Alice), and names Bob as the one it was meant for.
    const Keyring carols = keyringOf(p.carol, {contact("Alice", p.alice, true), contact("Bob", p.bob, false)});
    const ArchiveIndex index = listedIndex(*rekeyed, p.carol);
    SignatureReport report = describeSignature(index, &carols);
    EXPECT_EQ(report.state, SignerState::VerifiedContact);
    EXPECT_EQ(report.signerName, "Alice");
    EXPECT_EQ(report.intendedRecipients, std::vector<std::string>{"Bob"});
    EXPECT_FALSE(report.addressedToReader);

    // Without Bob in her contacts she sees his key, not her own.
    const Keyring bare = keyringOf(p.carol);
    report = describeSignature(index, &bare);
    EXPECT_EQ(report.intendedRecipients, std::vector<std::string>{crypto::encodeAgeRecipient(p.bob.x25519Public())});
    EXPECT_FALSE(report.addressedToReader);

    // And the content is what Alice signed.
    fs::create_directories(dir / "carol");
    JobControl job;
    auto extracted = extractContainer(ExtractRequest{*rekeyed, dir / "carol", {}, false}, identitiesOf(p.carol), job);
    ASSERT_TRUE(extracted.ok()) << extracted.error().message;
    EXPECT_EQ(readFile(dir / "carol" / "letter.txt"), "For Bob's eyes only.\n");
}

TEST(SignatureTamper, RecipientAddedWithKeepExistingIsToldItWasReShared)
{
    People p;
    TempDir dir;
    writeFile(dir / "src" / "letter.txt", "For Bob.\n");
    const fs::path fromAlice = encryptSigned(dir / "src" / "letter.txt", dir / "for-bob.coffer", p.alice, {&p.bob});
    ASSERT_FALSE(fromAlice.empty());
    RekeyRequest request;
    request.input = fromAlice;
    request.output = fromAlice; // in place
    request.recipients = {recipientOf(p.carol)};
    request.keepExisting = true;
    auto rekeyed = rekeyContainer(request, identitiesOf(p.bob));
    ASSERT_TRUE(rekeyed.ok()) << rekeyed.error().message;
    EXPECT_EQ(listTree(dir.path()), (std::vector<std::string>{"for-bob.coffer", "src/", "src/letter.txt"}));

    const Keyring bobs = keyringOf(p.bob, {contact("Alice", p.alice, true)});
    EXPECT_TRUE(describeSignature(listedIndex(*rekeyed, p.bob), &bobs).addressedToReader);
    const Keyring carols = keyringOf(p.carol, {contact("Alice", p.alice, true)});
    const SignatureReport report = describeSignature(listedIndex(*rekeyed, p.carol), &carols);
    EXPECT_EQ(report.signerName, "Alice");
    EXPECT_FALSE(report.addressedToReader);
}
