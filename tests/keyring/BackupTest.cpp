// Identity backups and paper keys in the app layer (KEYRING.md "Backups",
// "Paper key"): round trips with the real Argon2id/ChaCha container, and every
// hostile or mistyped input refused with a message that says what to check.
#include "Backup.h"
#include "Encrypt.h"
#include "KeyringFile.h"
#include "KeyringHarness.h"
#include "PaperKey.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

const crypto::SecureString kBackupPass = secret("a backup only I know");

BackupOptions cheap(bool withContacts = false)
{
    BackupOptions o;
    o.kdf = kCheapKdf;
    o.withContacts = withContacts;
    o.now = 1'796'428'800; // 2026-12-05
    return o;
}

Keyring sampleKeyring()
{
    Keyring k;
    k.setIdentity(crypto::SecretIdentity::generate("Ann Example"));
    // An imported age identity (the CCTV test key).
    auto age =
        crypto::SecretIdentity::decode("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
    EXPECT_TRUE(age.ok());
    if (age.ok()) {
        EXPECT_TRUE(k.addAgeIdentity(std::move(*age)).ok());
    }
    const auto bob = crypto::SecretIdentity::generate("Bob");
    EXPECT_TRUE(k.addContact(contactFor("Bob", bob, true)).ok());
    return k;
}

std::string message(const Error& e)
{
    return e.message + " / " + e.hint;
}

/// Writes a fresh backup of `k` to dir/backup.coffer.
fs::path backupOf(const TempDir& dir, const Keyring& k, bool withContacts = false)
{
    const fs::path file = dir / "backup.coffer";
    const auto st = writeBackup(file, k, kBackupPass, cheap(withContacts));
    EXPECT_TRUE(st.ok()) << st.error().message;
    return file;
}

} // namespace

TEST(Backup, RoundTripKeepsCardFingerprintAgeKeysAndChosenContacts)
{
    TempDir dir;
    const Keyring k = sampleKeyring();
    const fs::path file = backupOf(dir, k, true);
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

    auto restored = readBackup(file, kBackupPass);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    ASSERT_NE(restored->identity(), nullptr);
    EXPECT_EQ(restored->identity()->card()->encode(), k.identity()->card()->encode());
    EXPECT_EQ(restored->identity()->card()->fingerprint(), k.identity()->card()->fingerprint());
    ASSERT_EQ(restored->ageIdentities().size(), 1u);
    EXPECT_EQ(restored->ageIdentities().front().encode(), k.ageIdentities().front().encode());
    EXPECT_EQ(contactNames(*restored), std::vector<std::string>{"Bob"});
    EXPECT_TRUE(restored->contacts().front().verified);
    EXPECT_EQ(restored->lastBackupAt(), cheap().now);
}

TEST(Backup, LeavesContactsOutUnlessAsked)
{
    TempDir dir;
    const fs::path file = backupOf(dir, sampleKeyring(), false);
    auto restored = readBackup(file, kBackupPass);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_TRUE(restored->contacts().empty());
    EXPECT_NE(restored->identity(), nullptr);
}

TEST(Backup, NeverOverwritesAnExistingFileUnlessForced)
{
    TempDir dir;
    writeFile(dir / "backup.coffer", "precious");
    const auto refused = writeBackup(dir / "backup.coffer", sampleKeyring(), kBackupPass, cheap());
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("already exists"), std::string::npos) << refused.error().message;
    EXPECT_EQ(readFile(dir / "backup.coffer"), "precious");
    EXPECT_FALSE(fs::exists(dir / "backup.coffer.part"));

    BackupOptions force = cheap();
    force.overwrite = true;
    ASSERT_TRUE(writeBackup(dir / "backup.coffer", sampleKeyring(), kBackupPass, force).ok());
    EXPECT_TRUE(readBackup(dir / "backup.coffer", kBackupPass).ok());
}

TEST(Backup, SuggestsANameWithTheOwnerAndTheDate)
{
    Keyring k;
    k.setIdentity(crypto::SecretIdentity::generate("Ann O'Neil / Work"));
    const std::string name = suggestedBackupName(k, cheap().now);
    EXPECT_EQ(name.rfind("coffer-backup-Ann-ONeil-Work-2026-12-0", 0), 0u) << name; // 04 or 05 by time zone
    EXPECT_EQ(name.substr(name.size() - 7), ".coffer");
}

TEST(BackupHostile, WrongPassphraseIsReportedAsSuch)
{
    TempDir dir;
    const fs::path file = backupOf(dir, sampleKeyring());
    auto r = readBackup(file, secret("not the backup passphrase"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::WrongPassphrase);
    EXPECT_EQ(r.error().message, "the backup passphrase is wrong");
}

TEST(BackupHostile, TruncatedFileIsDamaged)
{
    TempDir dir;
    const fs::path file = backupOf(dir, sampleKeyring());
    auto bytes = readBytes(file);
    for (const std::size_t keep : {bytes.size() - 1, bytes.size() / 2, std::size_t{40}}) {
        writeBytes(dir / "cut.coffer", std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + keep));
        auto r = readBackup(dir / "cut.coffer", kBackupPass);
        ASSERT_FALSE(r.ok()) << keep;
        EXPECT_EQ(r.error().code, ErrorCode::Damaged) << keep << ": " << message(r.error());
        EXPECT_NE(r.error().message.find("damaged"), std::string::npos) << message(r.error());
    }
}

TEST(BackupHostile, EveryFlippedByteIsRefused)
{
    TempDir dir;
    const fs::path file = backupOf(dir, sampleKeyring());
    const auto bytes = readBytes(file);
    // A byte in every 13 (each try runs Argon2id): header, stanza, payload, index, tag.
    for (std::size_t i = 0; i < bytes.size(); i += (i + 20 >= bytes.size() ? 1 : 13)) {
        auto flipped = bytes;
        flipped[i] ^= 0x20;
        writeBytes(dir / "flipped.coffer", flipped);
        auto r = readBackup(dir / "flipped.coffer", kBackupPass);
        ASSERT_FALSE(r.ok()) << "byte " << i;
        EXPECT_TRUE(r.error().code == ErrorCode::Damaged || r.error().code == ErrorCode::WrongPassphrase ||
                    r.error().code == ErrorCode::NotAContainer || r.error().code == ErrorCode::UnsupportedVersion ||
                    r.error().code == ErrorCode::LimitExceeded ||
                    (r.error().code == ErrorCode::InvalidArgument &&
                     r.error().message.find("not a Coffer backup") != std::string::npos))
            << "byte " << i << ": " << message(r.error());
    }
}

TEST(BackupHostile, AnOrdinaryContainerIsNotABackup)
{
    TempDir dir;
    writeFile(dir / "in" / "notes.txt", "just notes");
    EncryptRequest req;
    req.inputs = {dir / "in" / "notes.txt"};
    req.passphrase = kBackupPass;
    req.argon2 = kCheapKdf;
    req.output = dir / "notes.coffer";
    JobControl job;
    ASSERT_TRUE(encryptFiles(req, job).ok());
    auto r = readBackup(dir / "notes.coffer", kBackupPass);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "this container is not a Coffer backup") << message(r.error());

    // One sent to someone's card (no passphrase stanza) says so too.
    const auto someone = crypto::SecretIdentity::generate("Someone");
    EncryptRequest toCard;
    toCard.inputs = req.inputs;
    toCard.recipients.push_back(crypto::RecipientKey(someone.x25519Public(), someone.card()));
    toCard.output = dir / "sent.coffer";
    ASSERT_TRUE(encryptFiles(toCard, job).ok());
    auto sent = readBackup(dir / "sent.coffer", kBackupPass);
    ASSERT_FALSE(sent.ok());
    EXPECT_NE(sent.error().message.find("not a Coffer backup"), std::string::npos) << message(sent.error());

    // A key file or any other file is not a container at all.
    writeFile(dir / "key.txt", "COFFER-SECRET-KEY-1...");
    EXPECT_FALSE(looksLikeContainer(dir / "key.txt"));
    EXPECT_TRUE(looksLikeContainer(dir / "notes.coffer"));
}

TEST(BackupHostile, MalformedKeyringTextInsideIsRefused)
{
    TempDir dir;
    // A backup-shaped container whose entry is not a keyring's text: made with
    // the real encrypt path, stored (not compressed), under the right entry name.
    const std::vector<std::string> bodies = {"not a keyring\n", "coffer-keyring 1\nidentity\tgarbage\tAnn\n",
                                             "coffer-keyring 1\ncontact\tx\n", "coffer-keyring 1\n"};
    for (const auto& body : bodies) {
        fs::remove_all(dir / "in");
        writeFile(dir / "in" / kBackupEntryName, body);
        EncryptRequest req;
        req.inputs = {dir / "in" / kBackupEntryName};
        req.passphrase = kBackupPass;
        req.argon2 = kCheapKdf;
        req.compression = Compression::Off;
        req.output = dir / "odd.coffer";
        req.overwrite = true;
        JobControl job;
        ASSERT_TRUE(encryptFiles(req, job).ok());
        auto r = readBackup(dir / "odd.coffer", kBackupPass);
        ASSERT_FALSE(r.ok()) << body;
        EXPECT_EQ(r.error().code, ErrorCode::Damaged) << body << message(r.error());
        EXPECT_NE(r.error().message.find("the backup"), std::string::npos) << message(r.error());
    }
}

TEST(BackupHostile, AHugeEntryIsRefusedBeforeItIsRead)
{
    // The passphrase is the attacker's too when the backup is planted: the
    // declared size must not make Coffer allocate what it says.
    TempDir dir;
    {
        std::vector<std::uint8_t> big(kMaxKeyringTextBytes + 1, 'x');
        writeBytes(dir / "in" / kBackupEntryName, big);
    }
    EncryptRequest req;
    req.inputs = {dir / "in" / kBackupEntryName};
    req.passphrase = kBackupPass;
    req.argon2 = kCheapKdf;
    req.compression = Compression::Off;
    req.output = dir / "huge.coffer";
    JobControl job;
    ASSERT_TRUE(encryptFiles(req, job).ok());
    auto r = readBackup(dir / "huge.coffer", kBackupPass);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded) << message(r.error());
    EXPECT_NE(r.error().message.find("larger than Coffer reads"), std::string::npos) << message(r.error());
}

TEST(BackupRestore, RefusesADifferentIdentityAndMergesTheSameOne)
{
    const Keyring k = sampleKeyring();
    Keyring other;
    other.setIdentity(crypto::SecretIdentity::generate("Mallory"));
    auto refused = mergeRestored(other, k);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("already holds another identity"), std::string::npos);
    EXPECT_TRUE(other.contacts().empty());

    Keyring same;
    same.setIdentity(k.identity()->clone());
    auto merged = mergeRestored(same, k);
    ASSERT_TRUE(merged.ok()) << merged.error().message;
    EXPECT_EQ(merged->keys, k.ageIdentities().size()); // the identity was there already
    EXPECT_EQ(merged->contacts, 1u);
    auto again = mergeRestored(same, k);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->keys + again->contacts, 0u);
}

TEST(KeyringBackupDate, IsSavedAndOptional)
{
    Keyring k = sampleKeyring();
    auto before = Keyring::parse(k.serialise());
    ASSERT_TRUE(before.ok());
    EXPECT_EQ(before->lastBackupAt(), 0);
    k.setLastBackupAt(1'796'428'800);
    auto after = Keyring::parse(k.serialise());
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->lastBackupAt(), 1'796'428'800);
    auto bad = Keyring::parse("coffer-keyring 1\nbacked-up\tyesterday\n");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("last backup"), std::string::npos);
}

// ---- paper key ----

namespace {

std::string paperOf(const crypto::SecretIdentity& id)
{
    const auto text = paperKeyText(id);
    return std::string(text.begin(), text.end());
}

std::vector<std::string> linesOf(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    return lines;
}

std::string joined(const std::vector<std::string>& lines)
{
    std::string s;
    for (const auto& l : lines)
        s += l + "\n";
    return s;
}

} // namespace

TEST(PaperKey, RoundTripsTheCardAndFingerprint)
{
    for (const std::string name : {"", "Ann", "Zoë Δ 東京 with a name of sixty-four bytes at most!!"}) {
        const auto id = crypto::SecretIdentity::generate(name);
        const std::string text = paperOf(id);
        const auto lines = linesOf(text);
        ASSERT_GE(lines.size(), 6u) << text;
        EXPECT_EQ(lines.front(), "COFFER-PAPER-KEY-1");
        EXPECT_EQ(lines.back(), "FINGERPRINT: " + id.card()->fingerprint());
        EXPECT_EQ(lines[1].substr(0, 3), "1: ");
        EXPECT_TRUE(looksLikePaperKey(text));
        auto back = parsePaperKey(text);
        ASSERT_TRUE(back.ok()) << back.error().message << "\n" << text;
        EXPECT_EQ(back->card()->encode(), id.card()->encode());
        EXPECT_EQ(back->encode(), id.encode());
    }
}

TEST(PaperKey, AcceptsLowerCaseAndLooseSpacing)
{
    const auto id = crypto::SecretIdentity::generate("Ann");
    std::string text = paperOf(id);
    for (auto& c : text)
        if (c >= 'A' && c <= 'Z' && text.find("FINGERPRINT") > static_cast<std::size_t>(&c - text.data()) &&
            static_cast<std::size_t>(&c - text.data()) > 18)
            c = static_cast<char>(c - 'A' + 'a');
    text = "\n  " + text + "\n\n";
    auto back = parsePaperKey(text);
    ASSERT_TRUE(back.ok()) << back.error().message << "\n" << text;
    EXPECT_EQ(back->card()->fingerprint(), id.card()->fingerprint());
}

TEST(PaperKey, ATypoIsReportedOnItsLine)
{
    const auto id = crypto::SecretIdentity::generate("Ann");
    const auto lines = linesOf(paperOf(id));
    for (std::size_t dataLine = 1; dataLine + 1 < lines.size(); ++dataLine) {
        for (std::size_t pos = 3; pos < lines[dataLine].size() - 4; ++pos) {
            auto typo = lines;
            char& c = typo[dataLine][pos];
            if (c == ' ')
                continue;
            c = c == 'A' ? 'B' : 'A';
            auto r = parsePaperKey(joined(typo));
            ASSERT_FALSE(r.ok()) << typo[dataLine];
            EXPECT_NE(r.error().message.find("line " + std::to_string(dataLine) + " of the paper key"),
                      std::string::npos)
                << r.error().message;
        }
        // Two neighbours swapped (where they differ) is caught too.
        auto swapped = lines;
        std::string& l = swapped[dataLine];
        if (l[3] != l[4]) {
            std::swap(l[3], l[4]);
            auto r = parsePaperKey(joined(swapped));
            ASSERT_FALSE(r.ok());
            EXPECT_NE(r.error().message.find("line " + std::to_string(dataLine)), std::string::npos);
        }
    }
}

TEST(PaperKey, RefusesMissingReorderedAndForeignLines)
{
    const auto id = crypto::SecretIdentity::generate("Ann");
    const auto lines = linesOf(paperOf(id));
    auto expectRefused = [](const std::vector<std::string>& l, const std::string& says) {
        auto r = parsePaperKey(joined(l));
        ASSERT_FALSE(r.ok()) << joined(l);
        EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
    };
    auto missing = lines;
    missing.erase(missing.begin() + 2);
    expectRefused(missing, "line 2 of the paper key is missing or out of order");
    auto last = lines;
    last.erase(last.end() - 2); // the last data line: numbering still holds, the length does not
    expectRefused(last, "too few characters");
    auto noFingerprint = lines;
    noFingerprint.pop_back();
    expectRefused(noFingerprint, "FINGERPRINT");
    auto otherFingerprint = lines;
    otherFingerprint.back() = "FINGERPRINT: " + crypto::SecretIdentity::generate().card()->fingerprint();
    expectRefused(otherFingerprint, "does not match the fingerprint");
    auto trailing = lines;
    trailing.push_back("hello");
    expectRefused(trailing, "more text after");
    auto bad = lines;
    bad[1][3] = '0'; // a digit base32 does not use
    expectRefused(bad, "holds \"0\"");
    expectRefused({"Dear finder,", "this is not a key"}, "not a Coffer paper key");
    auto noChecksum = lines;
    noChecksum[1] = noChecksum[1].substr(0, noChecksum[1].size() - 4);
    expectRefused(noChecksum, "line 1 of the paper key");
}

TEST(PaperKey, AnAgeIdentityIsNotAPaperKeyButTheIdentityIsUntouched)
{
    const std::string text = paperOf(crypto::SecretIdentity::generate("Ann"));
    EXPECT_FALSE(looksLikePaperKey("AGE-SECRET-KEY-1..."));
    EXPECT_TRUE(looksLikePaperKey("\r\n" + text));
}
