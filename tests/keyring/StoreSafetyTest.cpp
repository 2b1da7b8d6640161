// The keyring file under stress (DESIGN §3 "Keyring"): a wrong passphrase is
// told apart plainly; a damaged main file falls back to the backup.
//
// What the backup holds: every save first copies the current keyring.coffer
// to keyring.coffer.bak, then writes the new version. So after two changes,
// A then B, the backup is the state after A. If keyring.coffer is then
// damaged (here: truncated to half), Coffer opens the backup: A is there, B
// is not (the last change is what a damaged main file costs). A crash while
// saving cannot do this: the main file is replaced atomically, so it is
// either the old or the new version, never half of one.
#include "KeyringHarness.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

crypto::SecureString secure(const std::string& s)
{
    return crypto::SecureString(s.begin(), s.end());
}

void addContact(KeyringStore& store, const Contact& c)
{
    auto updated = store.update(secure(kPassphrase), [&](Keyring& k) { return k.addContact(c); });
    ASSERT_TRUE(updated.ok()) << updated.error().message;
}

void truncateToHalf(const fs::path& file)
{
    const auto size = fs::file_size(file);
    fs::resize_file(file, size / 2);
}

} // namespace

TEST(KeyringStoreSafety, WrongPassphraseIsRefusedWithAClearMessage)
{
    TempDir root;
    const Person erin(root.path(), "erin");
    const auto frank = crypto::SecretIdentity::generate("Frank");
    ASSERT_NO_FATAL_FAILURE(
        createKeyring(erin, crypto::SecretIdentity::generate("Erin"), {contactFor("Frank", frank)}));
    writeFile(root / "wrong.pass", "correct horse battery stapler\n");
    const std::string asErin = "COFFER_HOME=" + q(erin.home) + " " + cofferCommand();
    const std::string wrong = " --keyring-passphrase-file " + q(root / "wrong.pass");

    // Every command that unlocks the keyring says so the same way: exit 3, "passphrase" in the error.
    for (const std::string& args :
         {std::string("contacts list"), std::string("id show"),
          std::string("contacts add ") + shellQuote(frank.card()->encode()) + " --name F2",
          std::string("encrypt -r Frank -o ") + q(root / "x.coffer") + " " + q(erin.passFile)}) {
        SCOPED_TRACE(args);
        const Outcome r = shell(asErin + " " + args + wrong);
        EXPECT_EQ(r.code, kExitNoKey) << r.output;
        EXPECT_TRUE(contains(lineAfter(r.output, "error: "), "passphrase")) << r.output;
        EXPECT_TRUE(contains(r.output, "the keyring passphrase is wrong")) << r.output;
        EXPECT_TRUE(contains(lineAfter(r.output, "hint: "), "passphrase")) << r.output;
    }
    EXPECT_FALSE(fs::exists(root / "x.coffer"));

    // Nothing was changed, and the wrong passphrase never fell back to the backup.
    auto store = erin.store();
    auto loaded = store.load(secure("correct horse battery stapler"));
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::WrongPassphrase);
    EXPECT_EQ(contactNames(loadKeyring(erin)), std::vector<std::string>{"Frank"});
    EXPECT_EQ(erin.run("contacts list").code, kExitOk);
}

TEST(KeyringStoreSafety, TruncatedKeyringFallsBackToTheStateBeforeTheLastChange)
{
    TempDir root;
    const Person gina(root.path(), "gina");
    const auto ginaId = crypto::SecretIdentity::generate("Gina");
    ASSERT_NO_FATAL_FAILURE(createKeyring(gina, ginaId));
    auto store = gina.store();
    const auto a = crypto::SecretIdentity::generate("Anna");
    const auto b = crypto::SecretIdentity::generate("Ben");
    ASSERT_NO_FATAL_FAILURE(addContact(store, contactFor("Anna", a))); // change A
    ASSERT_NO_FATAL_FAILURE(addContact(store, contactFor("Ben", b)));  // change B
    EXPECT_EQ(contactNames(loadKeyring(gina)), (std::vector<std::string>{"Anna", "Ben"}));

    truncateToHalf(store.path());

    // The CLI opens the backup, says so, and shows the state after A.
    const Outcome listed = gina.run("contacts list");
    ASSERT_EQ(listed.code, kExitOk) << listed.output;
    EXPECT_TRUE(contains(listed.output, "warning: the keyring file was damaged; Coffer opened its backup"))
        << listed.output;
    EXPECT_TRUE(contains(listed.output, store.backupPath().string())) << listed.output;
    EXPECT_TRUE(contains(listed.output, "Anna\tunverified")) << listed.output;
    EXPECT_FALSE(contains(listed.output, "Ben\t")) << listed.output;

    // The identity survived too: the CLI still signs as Gina from the backup.
    const Outcome shown = gina.run("id show");
    ASSERT_EQ(shown.code, kExitOk) << shown.output;
    EXPECT_EQ(lineAfter(shown.output, "Your fingerprint: "), ginaId.card()->fingerprint()) << shown.output;

    auto loaded = store.load(secure(kPassphrase));
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_TRUE(loaded->fromBackup);
    EXPECT_EQ(contactNames(loaded->keyring), std::vector<std::string>{"Anna"});

    // The next change repairs the main file from the backup's state, and keeps
    // the good backup instead of copying the damaged file over it.
    const auto backupBefore = readFile(store.backupPath());
    const auto c = crypto::SecretIdentity::generate("Cleo");
    ASSERT_NO_FATAL_FAILURE(addContact(store, contactFor("Cleo", c)));
    EXPECT_EQ(readFile(store.backupPath()), backupBefore);
    EXPECT_EQ(contactNames(loadKeyring(gina)), (std::vector<std::string>{"Anna", "Cleo"}));
    const Outcome repaired = gina.run("contacts list");
    ASSERT_EQ(repaired.code, kExitOk) << repaired.output;
    EXPECT_FALSE(contains(repaired.output, "warning")) << repaired.output;
}

TEST(KeyringStoreSafety, MissingMainFileFallsBackToTheBackup)
{
    TempDir root;
    const Person hal(root.path(), "hal");
    ASSERT_NO_FATAL_FAILURE(createKeyring(hal, crypto::SecretIdentity::generate("Hal")));
    auto store = hal.store();
    ASSERT_NO_FATAL_FAILURE(addContact(store, contactFor("Anna", crypto::SecretIdentity::generate("Anna"))));
    fs::remove(store.path());
    auto loaded = store.load(secure(kPassphrase));
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_TRUE(loaded->fromBackup);
    ASSERT_NE(loaded->keyring.identity(), nullptr);
    EXPECT_TRUE(loaded->keyring.contacts().empty()); // the state before the last change
}

TEST(KeyringStoreSafety, BothFilesDamagedIsReportedAsDamagedNotAsAWrongPassphrase)
{
    TempDir root;
    const Person ivy(root.path(), "ivy");
    ASSERT_NO_FATAL_FAILURE(createKeyring(ivy, crypto::SecretIdentity::generate("Ivy")));
    auto store = ivy.store();
    ASSERT_NO_FATAL_FAILURE(addContact(store, contactFor("Anna", crypto::SecretIdentity::generate("Anna"))));
    truncateToHalf(store.path());
    truncateToHalf(store.backupPath());
    const Outcome r = ivy.run("contacts list");
    EXPECT_EQ(r.code, kExitDamaged) << r.output;
    EXPECT_TRUE(contains(lineAfter(r.output, "error: "), "damaged")) << r.output;
    EXPECT_FALSE(contains(r.output, "passphrase is wrong")) << r.output;
}
