// Forwarding after signing (issue 17, item 5; FORMAT.md §5.7): the signed
// index names its whole audience, passphrases included (a tag only a holder
// of the passphrase can compute), and the reader compares the stanza that
// actually opened the container, whether the key came from the keyring, an
// identity file (-i) or a passphrase (-p). Someone who knows the file key
// but not the sender's passphrase can re-wrap the container, but cannot make
// the new reader appear in the signed audience.
#include "Base64.h"
#include "Encrypt.h"
#include "Extract.h"
#include "HostileContainer.h"
#include "KeyringHarness.h"
#include "PassphraseRecipient.h"
#include "Rekey.h"
#include "Signature.h"
#include "SignatureStatus.h"

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

const crypto::Argon2Params kCheap{1, 8, 1};

/// Alice signs a letter for whoever knows `passphrase` (and `to`, if given).
fs::path passphraseSigned(const fs::path& dir, const crypto::SecretIdentity& alice, std::string_view passphrase,
                          const crypto::SecretIdentity* to = nullptr)
{
    writeFile(dir / "src" / "letter.txt", "The code is 1234.\n");
    EncryptRequest request;
    request.inputs = {dir / "src" / "letter.txt"};
    request.output = dir / "from-alice.coffer";
    request.passphrase = secret(passphrase);
    request.argon2 = kCheap;
    if (to)
        request.recipients.push_back({to->x25519Public(), to->card()});
    request.signer = &alice;
    JobControl job;
    auto summary = encryptFiles(request, job);
    EXPECT_TRUE(summary.ok()) << (summary.ok() ? "" : summary.error().message);
    return summary.ok() ? summary->output : fs::path();
}

/// What a forwarder who opened the container does: new header, same payload.
fs::path forward(const fs::path& container, const crypto::IdentityList& opener, const fs::path& output,
                 const crypto::SecretIdentity* toKey, std::optional<std::string_view> toPassphrase = std::nullopt)
{
    RekeyRequest request;
    request.input = container;
    request.output = output;
    if (toKey)
        request.recipients.push_back({toKey->x25519Public(), toKey->card()});
    if (toPassphrase)
        request.passphrase = secret(*toPassphrase);
    request.argon2 = kCheap;
    auto rekeyed = rekeyContainer(request, opener);
    EXPECT_TRUE(rekeyed.ok()) << (rekeyed.ok() ? "" : rekeyed.error().message);
    return rekeyed.ok() ? *rekeyed : fs::path();
}

SignatureReport reportFor(const fs::path& container, const crypto::IdentityList& identities,
                          const Keyring* keyring = nullptr)
{
    auto listing = listContainer(container, identities);
    EXPECT_TRUE(listing.ok()) << (listing.ok() ? "" : listing.error().message);
    return listing.ok() ? describeSignature(listing->index, keyring) : SignatureReport{};
}

Keyring readerWithVerifiedAlice(const crypto::SecretIdentity& me, const crypto::SecretIdentity& alice)
{
    Keyring k;
    k.setIdentity(me.clone());
    EXPECT_TRUE(k.addContact(contactFor("Alice", alice, true)).ok());
    return k;
}

} // namespace

TEST(Forwarding, PassphraseReaderTheSenderChoseIsAddressed)
{
    TempDir dir;
    const auto alice = crypto::SecretIdentity::generate("Alice");
    const fs::path sent = passphraseSigned(dir.path(), alice, "our secret");
    const SignatureReport report = reportFor(sent, byPassphrase("our secret"));
    EXPECT_TRUE(report.audienceChecked);
    EXPECT_TRUE(report.addressedToReader);
    EXPECT_EQ(report.intendedRecipients, std::vector<std::string>{"you (by passphrase)"});
    EXPECT_EQ(audienceNote(report), "");
}

TEST(Forwarding, PassphraseOnlyContainerReWrappedToAKeyIsReShared)
{
    TempDir dir;
    const auto alice = crypto::SecretIdentity::generate("Alice");
    const auto carol = crypto::SecretIdentity::generate("Carol");
    const fs::path sent = passphraseSigned(dir.path(), alice, "our secret");
    const fs::path forwarded = forward(sent, byPassphrase("our secret"), dir / "for-carol.coffer", &carol);

    // Carol with her keyring, Alice verified in it: signed, but not for her.
    const Keyring carols = readerWithVerifiedAlice(carol, alice);
    SignatureReport report = reportFor(forwarded, identitiesOf(carol), &carols);
    EXPECT_EQ(report.state, SignerState::VerifiedContact);
    EXPECT_FALSE(report.addressedToReader) << "shown as: " << signatureSummary(report) << " with no re-share note";
    EXPECT_NE(audienceNote(report).find("re-shared"), std::string::npos);

    // Carol with an identity file and no keyring (coffer -i): checked all the same.
    report = reportFor(forwarded, identitiesOf(carol));
    EXPECT_TRUE(report.audienceChecked);
    EXPECT_FALSE(report.addressedToReader);
}

TEST(Forwarding, ReWrappedToAnotherPassphraseIsReShared)
{
    TempDir dir;
    const auto alice = crypto::SecretIdentity::generate("Alice");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    const fs::path sent = passphraseSigned(dir.path(), alice, "our secret", &bob);
    // Bob knows the file key, not the passphrase, and re-wraps to one of his own (coffer -p).
    const fs::path forwarded = forward(sent, identitiesOf(bob), dir / "for-dave.coffer", nullptr, "bob's own");
    SignatureReport report = reportFor(forwarded, byPassphrase("bob's own"));
    EXPECT_TRUE(report.audienceChecked);
    EXPECT_FALSE(report.addressedToReader);
    EXPECT_EQ(report.intendedRecipients.size(), 2u); // Bob's key and "a passphrase"

    // The original passphrase and Bob's key are both in the audience.
    EXPECT_TRUE(reportFor(sent, byPassphrase("our secret")).addressedToReader);
    EXPECT_TRUE(reportFor(sent, identitiesOf(bob)).addressedToReader);
}

TEST(Forwarding, OldIndexOpenedByPassphraseSaysItCannotBeChecked)
{
    // A version-1 signed index (Coffer 0.1) names X25519 keys only.
    TempDir dir;
    const auto alice = crypto::SecretIdentity::generate("Alice");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    HostileArchive a;
    a.hashes = true;
    a.file("letter.txt", "hello");
    a.recipients = {IndexRecipient{1, bob.x25519Public()}};
    a.editIndexPlain = [&alice](Bytes& plain) {
        plain[8] |= 2;
        const crypto::ContactCard card = *alice.card();
        plain.push_back(1);
        plain.insert(plain.end(), card.x25519.begin(), card.x25519.end());
        plain.insert(plain.end(), card.ed25519.begin(), card.ed25519.end());
        const crypto::Signature64 sig = crypto::signIndex(alice, plain);
        plain.insert(plain.end(), sig.begin(), sig.end());
    };
    writeContainer(dir / "old.coffer", a.plaintext(), bob);
    EXPECT_TRUE(reportFor(dir / "old.coffer", identitiesOf(bob)).addressedToReader);
    const fs::path withPassphrase =
        forward(dir / "old.coffer", identitiesOf(bob), dir / "old-pass.coffer", nullptr, "a passphrase");
    const SignatureReport report = reportFor(withPassphrase, byPassphrase("a passphrase"));
    EXPECT_FALSE(report.audienceChecked);
    EXPECT_NE(audienceNote(report).find("cannot check"), std::string::npos);
}

TEST(Forwarding, CliWithIdentityFileSaysReShared)
{
    TempDir dir;
    const auto alice = crypto::SecretIdentity::generate("Alice");
    const auto carol = crypto::SecretIdentity::generate("Carol");
    const fs::path sent = passphraseSigned(dir.path(), alice, "our secret");
    const fs::path forwarded = forward(sent, byPassphrase("our secret"), dir / "for-carol.coffer", &carol);
    const auto key = carol.encode();
    writeFile(dir / "carol.key", std::string(key.begin(), key.end()) + "\n");
    const Outcome list = shell("COFFER_HOME=" + q(dir / "nohome") + " " + cofferCommand() + " list -i " +
                               q(dir / "carol.key") + " " + q(forwarded));
    EXPECT_EQ(list.code, kExitOk) << list.output;
    EXPECT_TRUE(contains(list.output, "re-shared after signing")) << list.output;
}

TEST(Forwarding, CliWithPassphraseSaysReSharedOnlyWhenItIs)
{
    TempDir dir;
    const auto alice = crypto::SecretIdentity::generate("Alice");
    const fs::path sent = passphraseSigned(dir.path(), alice, "our secret");
    const fs::path forwarded =
        forward(sent, byPassphrase("our secret"), dir / "for-dave.coffer", nullptr, "the forwarder's");
    writeFile(dir / "ours.pass", "our secret\n");
    writeFile(dir / "theirs.pass", "the forwarder's\n");
    auto list = [&](const fs::path& container, const fs::path& pass) {
        return shell("COFFER_HOME=" + q(dir / "nohome") + " " + cofferCommand() + " list --passphrase-file " + q(pass) +
                     " " + q(container));
    };
    const Outcome original = list(sent, dir / "ours.pass");
    EXPECT_EQ(original.code, kExitOk) << original.output;
    EXPECT_TRUE(contains(original.output, "sent to: you (by passphrase)")) << original.output;
    EXPECT_FALSE(contains(original.output, "note:")) << original.output;
    const Outcome reShared = list(forwarded, dir / "theirs.pass");
    EXPECT_EQ(reShared.code, kExitOk) << reShared.output;
    EXPECT_TRUE(contains(reShared.output, "re-shared after signing")) << reShared.output;
}

TEST(Forwarding, PassphraseTagsExistOnlyInVersionTwoIndexes)
{
    TempDir dir;
    const auto bob = crypto::SecretIdentity::generate("Bob");
    HostileArchive a;
    a.file("letter.txt", "hello");
    a.recipients = {IndexRecipient{2, Bytes(32)}};
    writeContainer(dir / "v1.coffer", a.plaintext(), bob); // version 1 with a type-2 entry
    auto v1 = listContainer(dir / "v1.coffer", identitiesOf(bob));
    ASSERT_FALSE(v1.ok());
    EXPECT_EQ(v1.error().code, ErrorCode::Damaged) << v1.error().message;

    a.editIndexPlain = [](Bytes& plain) { plain[4] = 2; };
    writeContainer(dir / "v2.coffer", a.plaintext(), bob);
    auto v2 = listContainer(dir / "v2.coffer", identitiesOf(bob));
    ASSERT_TRUE(v2.ok()) << v2.error().message;
    EXPECT_EQ(v2->index.version, kIndexVersion2);

    a.editIndexPlain = [](Bytes& plain) { plain[4] = 3; };
    writeContainer(dir / "v3.coffer", a.plaintext(), bob);
    auto v3 = listContainer(dir / "v3.coffer", identitiesOf(bob));
    ASSERT_FALSE(v3.ok());
    EXPECT_EQ(v3.error().code, ErrorCode::UnsupportedVersion);
}

TEST(Forwarding, PassphraseTagMatchesTheSpecExample)
{
    // FORMAT.md §5.7: the tag for Appendix A.1's argon2id stanza, computed
    // independently (Python's hmac over the wrap key A.1 lists).
    const auto body = crypto::base64Decode("hzx7TIsQFbd/xuj/nMeweqLL9/EA+JmInYIdUrVfpV1gdPk1b9u/zJmJzQ5E1YYJ");
    ASSERT_TRUE(body.has_value());
    const crypto::Stanza stanza{"argon2id", {"oKGio6SlpqeoqaqrrK2urw", "1", "64", "1"}, *body};
    auto opened = crypto::PassphraseIdentity(secret("coffer example")).unwrap(stanza);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    ASSERT_EQ(opened->outcome, crypto::UnwrapOutcome::Opened);
    EXPECT_EQ(opened->audience.type, crypto::kAudiencePassphrase);
    std::string hex;
    for (const auto b : opened->audience.value) {
        static const char* digits = "0123456789abcdef";
        hex += digits[b >> 4];
        hex += digits[b & 15];
    }
    EXPECT_EQ(hex, "6892d2769b304674ce15d386f3e313de66f184e490e14055c5f53fb129ec6e95");
}
