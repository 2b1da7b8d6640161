// Losing a laptop, with nothing but the CLI: Ann backs up her identity (a
// backup file and a paper key), her keyring is deleted, and she restores it
// from each; the same card and fingerprint come back and a container sent to
// her before the loss opens. Hostile backups are refused, the keyring untouched.
#include "Backup.h"
#include "Encrypt.h"
#include "KeyringHarness.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

struct Lost {
    TempDir root;
    Person ann{root.path(), "ann"};
    fs::path backupPass = root / "backup.pass";
    std::string card;
    std::string fingerprint;

    Lost()
    {
        writeFile(backupPass, "a backup only Ann knows\n");
        const Outcome made = ann.run("id create --name Ann");
        EXPECT_EQ(made.code, kExitOk) << made.output;
        card = "coffer1" + lineAfter(made.output, "coffer1");
        fingerprint = lineAfter(made.output, "Your fingerprint: ");
        writeFile(root / "docs" / "letter.txt", "Dear Ann, the files are attached.\n");
        const Outcome sent = ann.run("encrypt --no-sign -r " + shellQuote(card) + " -o " + q(root / "letter.coffer") +
                                     " " + q(root / "docs"));
        EXPECT_EQ(sent.code, kExitOk) << sent.output;
    }
    Outcome runWithBackupPass(const std::string& args) const
    {
        return ann.run(args + " --backup-passphrase-file " + q(backupPass));
    }
    void loseKeyring() const { fs::remove_all(ann.dataDir()); }
    /// After a restore: the same card, and the letter sent before the loss opens.
    void expectRestored(const Outcome& restore, const std::string& outDir) const
    {
        ASSERT_EQ(restore.code, kExitOk) << restore.output;
        EXPECT_TRUE(contains(restore.output, card)) << restore.output;
        const Outcome shown = ann.run("id show");
        ASSERT_EQ(shown.code, kExitOk) << shown.output;
        EXPECT_EQ("coffer1" + lineAfter(shown.output, "coffer1"), card);
        EXPECT_EQ(lineAfter(shown.output, "Your fingerprint: "), fingerprint);
        const Outcome opened = ann.run("decrypt -o " + q(root / outDir) + " " + q(root / "letter.coffer"));
        ASSERT_EQ(opened.code, kExitOk) << opened.output;
        EXPECT_EQ(readFile(root / outDir / "docs" / "letter.txt"), "Dear Ann, the files are attached.\n");
    }
};

} // namespace

TEST(BackupCli, BackupFileAndPaperKeyEachRestoreTheIdentityAfterTheKeyringIsLost)
{
    Lost s;
    ASSERT_FALSE(s.card.empty());
    writeFile(s.root / "bob.card", crypto::SecretIdentity::generate("Bob").card()->encode() + "\n");
    ASSERT_EQ(s.ann.run("contacts add " + q(s.root / "bob.card")).code, kExitOk);

    const Outcome made = s.runWithBackupPass("id backup -o " + q(s.root / "ann.coffer") +
                                             " --with-contacts --paper-text " + q(s.root / "paper.txt"));
    ASSERT_EQ(made.code, kExitOk) << made.output;
    EXPECT_TRUE(contains(made.output, "Backed up your identity and 1 contact to")) << made.output;
    EXPECT_TRUE(contains(readFile(s.root / "paper.txt"), "FINGERPRINT: " + s.fingerprint));
    EXPECT_GT(loadKeyring(s.ann).lastBackupAt(), 0);

    // Never overwritten without --force.
    const auto before = readBytes(s.root / "ann.coffer");
    const Outcome again = s.runWithBackupPass("id backup -o " + q(s.root / "ann.coffer"));
    EXPECT_EQ(again.code, kExitUsage) << again.output;
    EXPECT_TRUE(contains(again.output, "already exists")) << again.output;
    EXPECT_EQ(readBytes(s.root / "ann.coffer"), before);

    s.loseKeyring();
    const Outcome fromFile = s.runWithBackupPass("id import " + q(s.root / "ann.coffer"));
    s.expectRestored(fromFile, "out-file");
    EXPECT_EQ(contactNames(loadKeyring(s.ann)), std::vector<std::string>{"Bob"});

    s.loseKeyring();
    const Outcome fromPaper = shell("cat " + q(s.root / "paper.txt") + " | COFFER_HOME=" + q(s.ann.home) + " " +
                                    cofferCommand() + " id import - --keyring-passphrase-file " + q(s.ann.passFile));
    s.expectRestored(fromPaper, "out-paper");
}

TEST(BackupCli, HostileOrWrongInputsLeaveTheKeyringUntouched)
{
    Lost s;
    ASSERT_EQ(s.runWithBackupPass("id backup -o " + q(s.root / "ann.coffer")).code, kExitOk);
    const fs::path keyringFile = s.ann.dataDir() / "keyring.coffer";
    const auto keyringBefore = readBytes(keyringFile);
    auto refused = [&](const std::string& args, int code, const std::string& says) {
        const Outcome r = s.ann.run(args);
        EXPECT_EQ(r.code, code) << args << "\n" << r.output;
        EXPECT_TRUE(contains(r.output, says)) << args << "\n" << r.output;
        EXPECT_TRUE(contains(r.output, "hint: ")) << r.output;
        EXPECT_EQ(readBytes(keyringFile), keyringBefore) << args;
    };

    writeFile(s.root / "wrong.pass", "not the backup passphrase\n");
    refused("id import " + q(s.root / "ann.coffer") + " --backup-passphrase-file " + q(s.root / "wrong.pass"),
            kExitNoKey, "the backup passphrase is wrong");

    const auto bytes = readBytes(s.root / "ann.coffer");
    writeBytes(s.root / "cut.coffer", std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + bytes.size() / 2));
    refused("id import " + q(s.root / "cut.coffer") + " --backup-passphrase-file " + q(s.backupPass), kExitDamaged,
            "the backup file is damaged");
    auto flipped = bytes;
    flipped[bytes.size() - 40] ^= 1;
    writeBytes(s.root / "flipped.coffer", flipped);
    refused("id import " + q(s.root / "flipped.coffer") + " --backup-passphrase-file " + q(s.backupPass), kExitDamaged,
            "the backup file is damaged");

    // An ordinary container under the same passphrase, and one whose keyring text is malformed.
    for (const auto& [entry, body, says] :
         {std::tuple<std::string, std::string, std::string>{"notes.txt", "notes", "is not a Coffer backup"},
          {kBackupEntryName, "coffer-keyring 1\nidentity\tCOFFER-SECRET-KEY-1XYZ\tAnn\n", "the backup is damaged"}}) {
        fs::remove_all(s.root / "in");
        writeFile(s.root / "in" / entry, body);
        EncryptRequest req;
        req.inputs = {s.root / "in" / entry};
        req.passphrase = secret("a backup only Ann knows");
        req.argon2 = kCheapKdf;
        req.compression = Compression::Off;
        req.format = crypto::kFormatV1; // what a backup is (KeyringFile): its entry is a stored record
        req.output = s.root / "odd.coffer";
        req.overwrite = true;
        JobControl job;
        ASSERT_TRUE(encryptFiles(req, job).ok());
        refused("id import " + q(s.root / "odd.coffer") + " --backup-passphrase-file " + q(s.backupPass),
                entry == "notes.txt" ? kExitUsage : kExitDamaged, says);
    }

    // A paper key with a typo on its second line.
    const Outcome paper = s.ann.run("id backup --paper-text " + q(s.root / "paper.txt"));
    ASSERT_EQ(paper.code, kExitOk) << paper.output;
    const auto paperBefore = readBytes(keyringFile); // the backup date changed it
    std::string text = readFile(s.root / "paper.txt");
    const auto line2 = text.find("\n2: ") + 5;
    text[line2] = text[line2] == 'A' ? 'B' : 'A';
    writeFile(s.root / "typo.txt", text);
    const Outcome typo = s.ann.run("id import " + q(s.root / "typo.txt"));
    EXPECT_EQ(typo.code, kExitUsage) << typo.output;
    EXPECT_TRUE(contains(typo.output, "line 2 of the paper key does not match its checksum")) << typo.output;
    EXPECT_EQ(readBytes(keyringFile), paperBefore);

    // Someone else's backup into Ann's keyring: one identity per keyring.
    Person bob(s.root.path(), "bob");
    ASSERT_EQ(bob.run("id create --name Bob").code, kExitOk);
    ASSERT_EQ(bob.run("id backup -o " + q(s.root / "bob.coffer") + " --backup-passphrase-file " + q(s.backupPass)).code,
              kExitOk);
    const Outcome other = s.runWithBackupPass("id import " + q(s.root / "bob.coffer"));
    EXPECT_EQ(other.code, kExitUsage) << other.output;
    EXPECT_TRUE(contains(other.output, "already holds another identity")) << other.output;
    EXPECT_EQ(readBytes(keyringFile), paperBefore);
}

TEST(BackupCli, APictureGivenToIdImportIsRefusedWithWhereToTakeIt)
{
    Lost s;
    s.loseKeyring();
    for (const char* name : {"paper.png", "paper.jpg"}) {
        const std::string magic = std::string(name).ends_with(".png") ? std::string("\x89PNG\r\n\x1a\n", 8)
                                                                      : std::string("\xff\xd8\xff\xe0", 4);
        writeFile(s.root / name, magic + std::string(200, '\x01'));
        const Outcome photo = s.ann.run("id import " + q(s.root / name));
        EXPECT_EQ(photo.code, kExitUsage) << photo.output;
        EXPECT_TRUE(contains(photo.output, "this is a picture")) << photo.output;
        EXPECT_TRUE(contains(photo.output, "Import a key")) << photo.output;
        EXPECT_FALSE(KeyringStore(s.ann.dataDir()).exists());
    }
}
