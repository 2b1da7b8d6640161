// A recipient kind added from a test (ToyRecipient.h) goes through the same
// calls the CLI and GUI make -- encryptFiles, rekeyContainer, listContainer,
// extractContainer, describeSignature -- with no edit in app/ or ui/: keys
// parse by their prefix, make their own stanzas, and name their own audience
// entry (FORMAT.md §5.2) whose length follows from its type.
#include "ToyRecipient.h"
#include "ExtractHarness.h"
#include "Rekey.h"
#include "SampleTree.h"
#include "SignatureStatus.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

crypto::IdentityList toyIdentities(const std::string& keyText)
{
    crypto::IdentityList ids;
    ids.push_back(toyIdentity(keyText));
    return ids;
}

class ToyRecipientTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        registerToyRecipientKind();
        source = dir / "tree";
        makeSampleTree(source);
    }

    /// encryptFiles to `keys` (parsed from text, as the CLI and GUI do).
    fs::path encryptTo(const std::vector<std::string>& keys, const crypto::SecretIdentity* signer)
    {
        EncryptRequest request;
        request.inputs = {source};
        for (const auto& text : keys) {
            auto key = crypto::parseRecipientKey(text);
            EXPECT_TRUE(key.ok()) << key.error().message;
            if (key.ok())
                request.recipients.push_back(std::move(*key));
        }
        request.output = dir / "tree.coffer";
        request.signer = signer;
        JobControl job;
        auto summary = encryptFiles(request, job);
        EXPECT_TRUE(summary.ok()) << summary.error().message;
        return request.output;
    }

    /// Extracts with the toy identity through both readers: the same tree back.
    ArchiveIndex expectSameTreeBack(const fs::path& container, const std::string& keyText)
    {
        ArchiveIndex index;
        for (const ReaderMode mode : kBothReaders) {
            const fs::path out = dir / ("out-" + std::string(readerName(mode)));
            fs::create_directories(out);
            auto extracted = extractWith(mode, container, out, toyIdentities(keyText));
            EXPECT_TRUE(extracted.ok()) << readerName(mode) << ": " << extracted.error().message;
            if (!extracted.ok())
                return index;
            EXPECT_EQ(describeTree(out / "tree"), describeTree(source)) << readerName(mode);
            index = extracted->index;
        }
        return index;
    }

    TempDir dir;
    fs::path source;
    const std::string toyKey = newToyKeyText();
};

} // namespace

TEST_F(ToyRecipientTest, ParsesByItsPrefixAndSaysWhatItIs)
{
    std::string upper = toyKey;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return static_cast<char>(std::toupper(c)); });
    auto key = crypto::parseRecipientKey("  " + upper + "\n");
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(key->kindName(), "toy key");
    EXPECT_EQ(key->text(), toyKey);
    EXPECT_EQ(key->card(), nullptr);
    EXPECT_FALSE(key->canSign());
    EXPECT_EQ(key->audience(), toyAudience(toyKey));
    EXPECT_FALSE(crypto::parseRecipientKey("toy1abc").ok());
    // The built-in kinds still answer for themselves.
    const auto alice = crypto::SecretIdentity::generate("Alice");
    auto card = crypto::parseRecipientKey(alice.publicText());
    ASSERT_TRUE(card.ok());
    EXPECT_EQ(card->kindName(), "Coffer card");
    const crypto::ContactCard* aliceCard = card->card();
    EXPECT_EQ(aliceCard ? aliceCard->name : std::string("(no card)"), "Alice");
}

TEST_F(ToyRecipientTest, UnsignedContainerOpensWithTheToyIdentity)
{
    const fs::path container = encryptTo({toyKey}, nullptr);
    auto listing = listContainer(container, toyIdentities(toyKey));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    // The unsigned (version-1) index names the toy audience entry: 16 bytes.
    ASSERT_EQ(listing->index.recipients.size(), 1u);
    EXPECT_EQ(listing->index.recipients[0], IndexRecipient(toyAudience(toyKey)));
    EXPECT_EQ(listing->index.recipients[0].key.size(), kToyAudienceLength);
    expectSameTreeBack(container, toyKey);
    // A Coffer identity has no stanza here, and another toy secret opens nothing.
    const auto stranger = crypto::SecretIdentity::generate("Stranger");
    auto refused = listContainer(container, identitiesOf(stranger));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::NoKeyMatched);
    EXPECT_FALSE(listContainer(container, toyIdentities(newToyKeyText())).ok());
}

TEST_F(ToyRecipientTest, SignedContainerReportsTheToyReaderAmongTheChosen)
{
    const auto alice = crypto::SecretIdentity::generate("Alice");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    const fs::path container = encryptTo({toyKey, bob.publicText()}, &alice);
    const ArchiveIndex index = expectSameTreeBack(container, toyKey);
    ASSERT_TRUE(index.signature.has_value());
    ASSERT_EQ(index.openedBy, IndexRecipient(toyAudience(toyKey)));
    const SignatureReport report = describeSignature(index, nullptr);
    EXPECT_EQ(report.state, SignerState::UnknownKey);
    EXPECT_TRUE(report.audienceChecked);
    EXPECT_TRUE(report.addressedToReader);
    EXPECT_EQ(audienceNote(report), "");
    ASSERT_EQ(report.intendedRecipients.size(), 2u);
    EXPECT_EQ(report.intendedRecipients[0], "you");
    // Bob is read the same container, and sees the toy reader as a stranger's key.
    auto bobs = listContainer(container, identitiesOf(bob));
    ASSERT_TRUE(bobs.ok()) << bobs.error().message;
    EXPECT_TRUE(describeSignature(bobs->index, nullptr).addressedToReader);
}

TEST_F(ToyRecipientTest, RekeyAddsAToyReaderWhoIsToldTheContainerWasReshared)
{
    const auto alice = crypto::SecretIdentity::generate("Alice");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    const fs::path container = encryptTo({bob.publicText()}, &alice);
    RekeyRequest rekey;
    rekey.input = container;
    rekey.output = dir / "reshared.coffer";
    rekey.keepExisting = true;
    rekey.recipients.push_back(*crypto::parseRecipientKey(toyKey));
    auto rekeyed = rekeyContainer(rekey, identitiesOf(bob));
    ASSERT_TRUE(rekeyed.ok()) << rekeyed.error().message;
    const ArchiveIndex index = expectSameTreeBack(*rekeyed, toyKey);
    const SignatureReport report = describeSignature(index, nullptr);
    EXPECT_TRUE(report.audienceChecked);
    EXPECT_FALSE(report.addressedToReader); // added after signing (FORMAT.md §5.7)
}

TEST_F(ToyRecipientTest, TheIndexReadsARegisteredTypeAtItsLengthAndRefusesUnknownOnes)
{
    const auto archiveNaming = [](std::vector<IndexRecipient> recipients) {
        HostileArchive archive;
        archive.file("a.txt", "first file");
        archive.recipients = std::move(recipients);
        return archive;
    };
    ExtractScene scene;
    scene.expectAccepted(archiveNaming({IndexRecipient(toyAudience(toyKey)), IndexRecipient(1, Bytes(32, 7))}));
    // The toy type's entry is 16 bytes: 32 would leave the list misaligned.
    scene.expectRefused(archiveNaming({IndexRecipient(kToyAudienceType, Bytes(32, 7))}), ErrorCode::Damaged);
    // A type nobody registered is damaged (FORMAT.md §5.2), as is type 2 in a version-1 index.
    scene.expectRefused(archiveNaming({IndexRecipient(kToyAudienceType + 1, Bytes(16, 7))}), ErrorCode::Damaged);
    scene.expectRefused(archiveNaming({IndexRecipient(crypto::kAudiencePassphrase, Bytes(32, 7))}), ErrorCode::Damaged);
}

TEST_F(ToyRecipientTest, RegistrationRefusesAKindThatWouldClash)
{
    const auto parse = [](std::string_view) -> Result<crypto::RecipientKey> {
        return makeError(ErrorCode::InvalidArgument, "never");
    };
    const crypto::AudienceType fresh{0xF0, 8, 1, {}};
    // A taken prefix, or one that overlaps a taken one, would make parsing ambiguous.
    EXPECT_FALSE(crypto::registerRecipientKind({"toy1", parse, fresh}).ok());
    EXPECT_FALSE(crypto::registerRecipientKind({"age1x1", parse, fresh}).ok());
    EXPECT_FALSE(crypto::registerRecipientKind({"toy", parse, fresh}).ok()); // no "1" separator
    // A known audience type keeps its length and version: the index layout depends on them.
    EXPECT_FALSE(crypto::registerAudienceType({crypto::kAudienceX25519, 16, 1, {}}).ok());
    EXPECT_FALSE(crypto::registerAudienceType({crypto::kAudiencePassphrase, 32, 1, {}}).ok());
    EXPECT_EQ(crypto::findAudienceType(crypto::kAudienceX25519)->length, 32u);
    // A key not yet filled in (a default Contact's) encrypts to nobody.
    EXPECT_FALSE(crypto::RecipientKey().makeRecipient()->wrapWithAudience(crypto::FileKey{}).ok());
}
