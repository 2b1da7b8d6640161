// Argon2id runs once per passphrase open (issue 19, item 2): the header a
// rekey reads is the one ContainerReader already unwrapped, so a passphrase
// rekey costs one derivation (about a second), not two. Counted with the
// process-wide counter the Argon2id wrapper bumps (crypto/KdfCounter.h), on
// real containers made and rekeyed through app/'s API.
#include "Encrypt.h"
#include "Extract.h"
#include "KdfCounter.h"
#include "KeyringHarness.h"
#include "PassphraseRecipient.h"
#include "Rekey.h"

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

const crypto::Argon2Params kCheap{1, 8, 1};

crypto::RecipientKey cardOf(const crypto::SecretIdentity& id)
{
    auto key = crypto::parseRecipientKey(id.card()->encode());
    EXPECT_TRUE(key.ok());
    return std::move(*key);
}

class KdfCount : public ::testing::Test {
protected:
    void SetUp() override
    {
        writeFile(dir / "note.txt", "the key is under the mat\n");
        EncryptRequest request;
        request.inputs = {dir / "note.txt"};
        request.output = dir / "note.coffer";
        request.passphrase = secret("open sesame");
        request.argon2 = kCheap;
        JobControl job;
        auto summary = encryptFiles(request, job);
        ASSERT_TRUE(summary.ok()) << summary.error().message;
        container = summary->output;
    }

    /// Derivations made by `rekey` of the container to Bob's card.
    std::uint64_t derivationsOfRekey(const fs::path& output, bool keepExisting)
    {
        RekeyRequest request;
        request.input = container;
        request.output = output;
        request.recipients.push_back(cardOf(bob));
        request.keepExisting = keepExisting;
        const std::uint64_t before = crypto::argon2idRuns();
        auto rekeyed = rekeyContainer(request, byPassphrase("open sesame"));
        EXPECT_TRUE(rekeyed.ok()) << rekeyed.error().message;
        return crypto::argon2idRuns() - before;
    }

    TempDir dir;
    fs::path container;
    crypto::SecretIdentity bob = crypto::SecretIdentity::generate("Bob");
};

TEST_F(KdfCount, ListingDerivesOnce)
{
    const std::uint64_t before = crypto::argon2idRuns();
    auto listing = listContainer(container, byPassphrase("open sesame"));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    EXPECT_EQ(crypto::argon2idRuns() - before, 1u);
}

TEST_F(KdfCount, PassphraseRekeyToANewFileDerivesOnce)
{
    EXPECT_EQ(derivationsOfRekey(dir / "for-bob.coffer", false), 1u);
    crypto::IdentityList bobKeys;
    bobKeys.push_back(bob.makeIdentity());
    EXPECT_TRUE(listContainer(dir / "for-bob.coffer", bobKeys).ok());
}

TEST_F(KdfCount, PassphraseRekeyInPlaceDerivesOnce)
{
    EXPECT_EQ(derivationsOfRekey(container, true), 1u);
    crypto::IdentityList bobKeys;
    bobKeys.push_back(bob.makeIdentity());
    EXPECT_TRUE(listContainer(container, bobKeys).ok());
    EXPECT_TRUE(listContainer(container, byPassphrase("open sesame")).ok()); // kept (--add)
}

TEST_F(KdfCount, AWrongPassphraseDerivesOnceAndChangesNothing)
{
    const std::string before = readFile(container);
    RekeyRequest request;
    request.input = container;
    request.output = container;
    request.recipients.push_back(cardOf(bob));
    const std::uint64_t runs = crypto::argon2idRuns();
    auto rekeyed = rekeyContainer(request, byPassphrase("open says me"));
    ASSERT_FALSE(rekeyed.ok());
    EXPECT_EQ(rekeyed.error().code, ErrorCode::WrongPassphrase);
    EXPECT_EQ(crypto::argon2idRuns() - runs, 1u);
    EXPECT_EQ(readFile(container), before);
}

} // namespace
