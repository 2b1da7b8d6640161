// The keyring text with several Coffer identities (KEYRING.md "Several
// identities"): a keyring written before them still reads; the extra ones
// round-trip with their backup dates; hostile texts are refused; decryption
// and the signature status take every identity.
#include "KeyringHarness.h"
#include "SignatureStatus.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

std::string text(const crypto::SecureString& s)
{
    return std::string(s.begin(), s.end());
}

std::string keyOf(const crypto::SecretIdentity& id)
{
    return text(id.encode());
}

} // namespace

TEST(SeveralIdentities, AKeyringWrittenBeforeSeveralIdentitiesStillReads)
{
    const auto ann = crypto::SecretIdentity::generate("Ann");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    // Exactly what a Coffer with one identity wrote.
    const std::string old = "coffer-keyring 1\nidentity\t" + keyOf(ann) + "\tAnn\nbacked-up\t1764900000\ncontact\t" +
                            bob.card()->encode() + "\t1\t1764000000\tBob\n";
    auto k = Keyring::parse(old);
    ASSERT_TRUE(k.ok()) << k.error().message;
    ASSERT_EQ(k->identities().size(), 1u);
    EXPECT_EQ(k->identities().at(0).card()->encode(), ann.card()->encode());
    EXPECT_EQ(k->lastBackupAt(), 1764900000);
    EXPECT_EQ(k->contacts().size(), 1u);
    // And is written back the same way: a one-identity keyring stays readable by that Coffer.
    EXPECT_EQ(text(k->serialise()), old);
}

TEST(SeveralIdentities, ExtraIdentitiesRoundTripWithTheirBackupDates)
{
    Keyring k;
    k.setIdentity(crypto::SecretIdentity::generate("Ann"));
    ASSERT_TRUE(k.addIdentity(crypto::SecretIdentity::generate("Work")).ok());
    ASSERT_TRUE(k.addIdentity(crypto::SecretIdentity::generate("Personal")).ok());
    k.setLastBackupAt(0, 100);
    k.setLastBackupAt(2, 300);
    const std::string saved = text(k.serialise());
    EXPECT_TRUE(saved.find("\nidentity\t") != std::string::npos);
    EXPECT_TRUE(saved.find("\nextra-identity\t") != std::string::npos);

    auto back = Keyring::parse(saved);
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_EQ(back->identities().size(), 3u);
    EXPECT_EQ(back->identities()[1].name(), "Work");
    EXPECT_EQ(back->lastBackupAt(0), 100);
    EXPECT_EQ(back->lastBackupAt(1), 0);
    EXPECT_EQ(back->lastBackupAt(2), 300);
    EXPECT_EQ(back->decryptionIdentities().size(), 3u);

    ASSERT_TRUE(back->setDefaultIdentity("personal").ok());
    EXPECT_EQ(back->identities().at(0).name(), "Personal");
    EXPECT_EQ(back->lastBackupAt(), 300);
    ASSERT_TRUE(back->removeIdentity(back->findIdentity("Work")->card()->fingerprint()).ok());
    EXPECT_EQ(back->identities().size(), 2u);
    EXPECT_FALSE(back->removeIdentity("Work").ok());
}

TEST(SeveralIdentities, NamesAreUniqueAndABareSecondIdentityIsRefused)
{
    Keyring k;
    const auto work = crypto::SecretIdentity::generate("Work");
    k.setIdentity(work.clone());
    EXPECT_FALSE(k.addIdentity(crypto::SecretIdentity::generate("WORK")).ok());
    EXPECT_FALSE(k.addIdentity(crypto::SecretIdentity::generate("")).ok());
    auto same = work.clone();
    same.setName("Other");
    EXPECT_FALSE(k.addIdentity(std::move(same)).ok());
    EXPECT_EQ(k.identities().size(), 1u);
}

TEST(SeveralIdentities, HostileKeyringTextsAreRefused)
{
    const auto ann = crypto::SecretIdentity::generate("Ann");
    const auto work = crypto::SecretIdentity::generate("Work");
    const std::string head = "coffer-keyring 1\n";
    const std::string annLine = "identity\t" + keyOf(ann) + "\tAnn\n";
    const std::string workLine = "extra-identity\t" + keyOf(work) + "\tWork\t0\n";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {head + workLine + annLine, "listed before the default"},
        {head + annLine + annLine, "two default identities"},
        {head + annLine + workLine + workLine, "listed twice"},
        {head + annLine + "extra-identity\t" + keyOf(ann) + "\tAnn 2\t0\n", "listed twice"},
        {head + annLine + "extra-identity\t" + keyOf(work) + "\tann\t0\n", "listed twice"},
        {head + annLine + "extra-identity\t" + keyOf(work) + "\t\t0\n", "name is not text"},
        {head + annLine + "extra-identity\t" + keyOf(work) + "\tWork\t-1\n", "unreadable"},
        {head + annLine + "extra-identity\t" + keyOf(work) + "\tWork\n", "unknown line"},
        {head + annLine + "extra-identity\tAGE-SECRET-KEY-1QQQ\tWork\t0\n", "unreadable"},
    };
    for (const auto& [hostile, says] : cases) {
        auto k = Keyring::parse(hostile);
        ASSERT_FALSE(k.ok()) << says;
        EXPECT_TRUE(k.error().message.find(says) != std::string::npos) << k.error().message;
    }
}

TEST(SeveralIdentities, ASignatureByAnyOwnIdentitySaysSignedByYouWithItsName)
{
    Keyring k;
    k.setIdentity(crypto::SecretIdentity::generate("Ann"));
    ASSERT_TRUE(k.addIdentity(crypto::SecretIdentity::generate("Work")).ok());
    ArchiveIndex index;
    IndexSignature sig;
    sig.signerX25519 = k.identities()[1].x25519Public();
    sig.signerEd25519 = k.identities()[1].card()->ed25519;
    index.signature = sig;
    const SignatureReport report = describeSignature(index, &k);
    EXPECT_EQ(report.state, SignerState::Me);
    EXPECT_EQ(signatureSummary(report), "signed by you (Work)");
}
