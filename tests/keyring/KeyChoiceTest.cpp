// Choosing keys (app/keyring/KeyChoice, issue 19 item 2), as both front ends
// do it: recipient arguments resolved against a keyring, key files read into
// wiped memory, and the PassphraseNeeded answer that replaces looking into a
// container before opening it. Real containers, real files, real Argon2id.
#include "KeyChoice.h"
#include "Encrypt.h"
#include "Extract.h"
#include "KdfCounter.h"
#include "KeyringHarness.h"

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

const crypto::Argon2Params kCheap{1, 8, 1};

class KeyChoice : public ::testing::Test {
protected:
    /// A container of one note, for `card` and/or a passphrase.
    fs::path encrypt(const std::string& name, const crypto::SecretIdentity* to, bool withPassphrase)
    {
        writeFile(dir / "note.txt", "the key is under the mat\n");
        EncryptRequest request;
        request.inputs = {dir / "note.txt"};
        request.output = dir / name;
        if (to)
            request.recipients.push_back(*crypto::parseRecipientKey(to->card()->encode()));
        if (withPassphrase)
            request.passphrase = secret("open sesame");
        request.argon2 = kCheap;
        JobControl job;
        auto summary = encryptFiles(request, job);
        EXPECT_TRUE(summary.ok()) << summary.error().message;
        return summary.ok() ? summary->output : fs::path();
    }

    TempDir dir;
    crypto::SecretIdentity bob = crypto::SecretIdentity::generate("Bob");
    crypto::SecretIdentity carol = crypto::SecretIdentity::generate("Carol");
};

TEST_F(KeyChoice, APassphraseContainerOpenedWithoutOneSaysPassphraseNeeded)
{
    const fs::path container = encrypt("p.coffer", nullptr, true);
    crypto::IdentityList none;
    auto listing = listContainer(container, none);
    ASSERT_FALSE(listing.ok());
    EXPECT_EQ(listing.error().code, ErrorCode::PassphraseNeeded);
    // Someone else's key does not change that: a passphrase could still open it.
    auto withBob = identitiesFor(nullptr, std::nullopt);
    withBob.push_back(bob.makeIdentity());
    listing = listContainer(container, withBob);
    ASSERT_FALSE(listing.ok());
    EXPECT_EQ(listing.error().code, ErrorCode::PassphraseNeeded);
    // Given, it is tried: a wrong one is WrongPassphrase, the right one opens it.
    listing = listContainer(container, identitiesFor(nullptr, secret("open says me")));
    ASSERT_FALSE(listing.ok());
    EXPECT_EQ(listing.error().code, ErrorCode::WrongPassphrase);
    EXPECT_TRUE(listContainer(container, identitiesFor(nullptr, secret("open sesame"))).ok());
}

TEST_F(KeyChoice, AContainerWithoutAPassphraseStanzaStaysNoKeyMatched)
{
    const fs::path container = encrypt("c.coffer", &bob, false);
    crypto::IdentityList carolKeys;
    carolKeys.push_back(carol.makeIdentity());
    auto listing = listContainer(container, carolKeys);
    ASSERT_FALSE(listing.ok());
    EXPECT_EQ(listing.error().code, ErrorCode::NoKeyMatched);
    TempDir out;
    ExtractRequest request{container, out.path(), {}, false};
    JobControl job;
    auto extracted = extractContainer(request, crypto::IdentityList{}, job);
    ASSERT_FALSE(extracted.ok());
    EXPECT_EQ(extracted.error().code, ErrorCode::NoKeyMatched);
    EXPECT_TRUE(listTree(out.path()).empty());
}

TEST_F(KeyChoice, TheCostProbeNotesThePassphraseCostWithoutDeriving)
{
    const fs::path container = encrypt("p.coffer", &bob, true);
    auto seen = std::make_shared<std::optional<crypto::Argon2Params>>();
    crypto::IdentityList ids;
    ids.push_back(std::make_unique<PassphraseCostProbe>(seen));
    const std::uint64_t runs = crypto::argon2idRuns();
    auto listing = listContainer(container, ids);
    ASSERT_FALSE(listing.ok());
    EXPECT_EQ(listing.error().code, ErrorCode::PassphraseNeeded);
    EXPECT_EQ(crypto::argon2idRuns(), runs);
    ASSERT_TRUE(seen->has_value());
    EXPECT_EQ((*seen)->passes, kCheap.passes);
    EXPECT_EQ((*seen)->memoryKiB, kCheap.memoryKiB);
    // Beside a key that opens it, the probe changes nothing.
    ids.push_back(bob.makeIdentity());
    EXPECT_TRUE(listContainer(container, ids).ok());
}

TEST_F(KeyChoice, AKeyFileIsReadIntoIdentities)
{
    const fs::path container = encrypt("c.coffer", &bob, false);
    const crypto::SecureString encoded = bob.encode();
    writeFile(dir / "bob.key", "# a comment\n" + std::string(encoded.begin(), encoded.end()) + "\n");
    crypto::IdentityList ids;
    ASSERT_TRUE(addIdentitiesFromFile(dir / "bob.key", ids).ok());
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_TRUE(listContainer(container, ids).ok());

    auto text = readSecretFile(dir / "bob.key");
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(std::string(text->begin(), text->end()), readFile(dir / "bob.key"));
    writeFile(dir / "huge.key", std::string(64 * 1024 + 1, 'x'));
    EXPECT_EQ(readSecretFile(dir / "huge.key").error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(addIdentitiesFromFile(dir / "missing.key", ids).error().code, ErrorCode::Io);
    writeFile(dir / "junk.key", "not a key\n");
    EXPECT_FALSE(addIdentitiesFromFile(dir / "junk.key", ids).ok());
    EXPECT_EQ(ids.size(), 1u);
}

TEST_F(KeyChoice, RecipientsAreKeysOrContactNames)
{
    Keyring keyring;
    ASSERT_TRUE(keyring.addContact(contactFor("Carol", carol, true)).ok());
    int opened = 0;
    const KeyringAccess access = [&]() -> Result<const Keyring*> {
        ++opened;
        return static_cast<const Keyring*>(&keyring);
    };
    auto byCard = resolveRecipient(bob.card()->encode(), access);
    ASSERT_TRUE(byCard.ok() && byCard->has_value());
    EXPECT_EQ(opened, 0) << "a card needs no keyring";
    auto byName = resolveRecipient("carol", access);
    ASSERT_TRUE(byName.ok() && byName->has_value());
    EXPECT_EQ(opened, 1);
    EXPECT_TRUE((*byName)->card() && (*byName)->card()->fingerprint() == carol.card()->fingerprint());
    auto unknown = resolveRecipient("Dave", access);
    ASSERT_TRUE(unknown.ok());
    EXPECT_FALSE(unknown->has_value());
    auto noKeyring = resolveRecipient("Carol", [] { return Result<const Keyring*>(nullptr); });
    ASSERT_TRUE(noKeyring.ok());
    EXPECT_FALSE(noKeyring->has_value());
    auto locked =
        resolveRecipient("Carol", [] { return Result<const Keyring*>(makeError(ErrorCode::WrongPassphrase, "no")); });
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.error().code, ErrorCode::WrongPassphrase);
}

} // namespace
