// A rekey journal is a file beside the container, and anyone who can write
// that folder (another user in /tmp, a container the user extracts there)
// can put one there. Coffer replays a journal only when the user's own keys
// prove it belongs to this very container (FORMAT.md §12.2). These tests plant
// journals (forged, copied from another container, a symlink, a FIFO, another
// user's file, one extracted from a container) and check that list, decrypt
// and rekey never change the container because of them, and never hang.
#include "KeyringHarness.h"
#include "RekeyJournal.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

constexpr std::size_t kPayloadPrefix = 56; // salt || commitment (FORMAT.md §4)

class RekeyJournalTrust : public ::testing::Test {
protected:
    void SetUp() override
    {
        coffer = "COFFER_HOME=" + q(root / "home") + " " + cofferCommand();
        // A command that hangs is killed, and fails with 137.
        timed = "COFFER_HOME=" + q(root / "home") + " timeout -s KILL 20 " + cofferCommand();
        victimCard = makeKey("victim");
        newCard = makeKey("new");
        attackerCard = makeKey("attacker");
        container = encryptTo(victimCard, "c", "meeting moved to Thursday\n");
        original = readFile(container);
    }

    std::string makeKey(const std::string& name)
    {
        const Outcome made = shell(coffer + " keygen -o " + q(root / (name + ".key")));
        EXPECT_EQ(made.code, kExitOk) << made.output;
        return "coffer1" + lineAfter(made.output, "coffer1");
    }

    /// A container NAME.coffer holding NAME.txt with `text`, for `cards` (already quoted).
    fs::path encryptTo(const std::string& cards, const std::string& name, const std::string& text)
    {
        const fs::path source = root / "src" / name / (name + ".txt");
        writeFile(source, text);
        const fs::path out = root / (name + ".coffer");
        const Outcome enc =
            shell(coffer + " encrypt --no-sign -r " + shellQuote(cards) + " -o " + q(out) + " " + q(source));
        EXPECT_EQ(enc.code, kExitOk) << enc.output;
        return out;
    }

    Outcome rekey(const fs::path& what, const std::string& key, const std::string& card)
    {
        return shell(timed + " rekey --add -i " + q(root / key) + " -r " + shellQuote(card) + " -o " + q(what) + " " +
                     q(what));
    }

    Outcome list(const std::string& key = "victim.key")
    {
        return shell(timed + " list -i " + q(root / key) + " " + q(container));
    }

    /// Decrypts the container into a fresh folder and returns c.txt ("" if it fails).
    std::string decrypt(const std::string& key = "victim.key")
    {
        const fs::path out = root / ("out" + std::to_string(++outputs));
        const Outcome dec = shell(timed + " decrypt -i " + q(root / key) + " -o " + q(out) + " " + q(container));
        EXPECT_EQ(dec.code, kExitOk) << dec.output;
        return dec.code == kExitOk ? readFile(out / "c.txt") : "";
    }

    static std::size_t headerLength(const std::string& bytes)
    {
        const auto mac = bytes.find("\n--- ");
        return bytes.find('\n', mac + 1) + 1;
    }
    static std::string headerOf(const std::string& bytes) { return bytes.substr(0, headerLength(bytes)); }
    static std::string prefixOf(const std::string& bytes) { return bytes.substr(headerLength(bytes), kPayloadPrefix); }
    static crypto::ByteView view(const std::string& s)
    {
        return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
    }

    /// The journal an in-place rekey from `before` to `after` leaves (FORMAT.md §12.1).
    static std::string journalFor(const std::string& before, const std::string& after)
    {
        const Bytes j = encodeRekeyJournal(view(headerOf(before)), view(headerOf(after)), view(prefixOf(before)));
        return std::string(j.begin(), j.end());
    }
    static std::string journalOf(const std::string& oldHeader, const std::string& newHeader, const std::string& prefix)
    {
        const Bytes j = encodeRekeyJournal(view(oldHeader), view(newHeader), view(prefix));
        return std::string(j.begin(), j.end());
    }

    /// `a`'s first half then `b`'s second half: `b`'s first half and `a`'s second,
    /// mixed the other way, make the container look torn between the two.
    static std::string halves(const std::string& a, const std::string& b)
    {
        return a.substr(0, a.size() / 2) + b.substr(a.size() / 2);
    }

    /// The container rekeyed in place to `newCard` (restores nothing: the bytes change).
    std::string rekeyedOriginal()
    {
        const Outcome rk = rekey(container, "victim.key", newCard);
        EXPECT_EQ(rk.code, kExitOk) << rk.output;
        return readFile(container);
    }

    /// List and decrypt leave the container byte-identical and reading the
    /// original; a rekey then keeps its payload and opens for both keys.
    void expectContainerUntouched()
    {
        const Outcome listed = list();
        EXPECT_EQ(listed.code, kExitOk) << listed.output;
        EXPECT_TRUE(readFile(container) == original) << "list changed the container";
        EXPECT_EQ(decrypt(), "meeting moved to Thursday\n");
        EXPECT_TRUE(readFile(container) == original) << "decrypt changed the container";
        const Outcome rk = rekey(container, "victim.key", newCard);
        EXPECT_EQ(rk.code, kExitOk) << rk.output;
        const std::string after = readFile(container);
        EXPECT_EQ(after.substr(headerLength(after)), original.substr(headerLength(original)))
            << "the rekey must keep the container's own payload";
        EXPECT_EQ(decrypt("new.key"), "meeting moved to Thursday\n");
        EXPECT_EQ(decrypt("victim.key"), "meeting moved to Thursday\n");
        EXPECT_TRUE(fs::exists(fs::symlink_status(journal))) << "a journal Coffer did not verify is not removed";
    }

    TempDir root;
    fs::path container;
    fs::path journal = root / ".c.coffer.rekey-journal";
    std::string coffer, timed, victimCard, newCard, attackerCard, original;
    int outputs = 0;
};

TEST_F(RekeyJournalTrust, AForgedJournalThatMakesTheHeaderLookTornIsIgnored)
{
    // The attacker's own container, rekeyed, gives two headers of the right length.
    const fs::path theirs = encryptTo(attackerCard, "a", "the attacker's text\n");
    const std::string before = readFile(theirs);
    ASSERT_EQ(rekey(theirs, "attacker.key", victimCard).code, kExitOk);
    const std::string after = readFile(theirs);
    const std::string mine = headerOf(original);
    ASSERT_EQ(headerOf(before).size(), mine.size());
    // Each byte of the victim's header is in the "old" or the "new" header.
    writeFile(journal, journalOf(halves(headerOf(before), mine), halves(mine, headerOf(after)), prefixOf(original)));
    expectContainerUntouched();
}

TEST_F(RekeyJournalTrust, AJournalOfAnotherContainersRekeyIsIgnored)
{
    // A genuine rekey of another container the victim can open too: its headers
    // authenticate under the victim's key, but under another file key.
    const fs::path other = encryptTo(victimCard, "o", "another text\n");
    const std::string before = readFile(other);
    ASSERT_EQ(rekey(other, "victim.key", attackerCard).code, kExitOk);
    const std::string after = readFile(other);
    ASSERT_EQ(headerOf(before).size(), headerOf(original).size());
    writeFile(journal, journalFor(before, after));
    expectContainerUntouched();
}

TEST_F(RekeyJournalTrust, AnotherContainersJournalWithThisPayloadsFirstBytesIsIgnored)
{
    const fs::path other = encryptTo(victimCard, "o", "another text\n");
    const std::string before = readFile(other);
    ASSERT_EQ(rekey(other, "victim.key", attackerCard).code, kExitOk);
    const std::string after = readFile(other);
    writeFile(journal, journalOf(headerOf(before), headerOf(after), prefixOf(original)));
    expectContainerUntouched();
}

TEST_F(RekeyJournalTrust, AJournalThatIsAFifoDoesNotHangAnyCommand)
{
    ASSERT_EQ(::mkfifo(journal.c_str(), 0600), 0);
    const auto start = std::chrono::steady_clock::now();
    const Outcome listed = list();
    EXPECT_EQ(listed.code, kExitOk) << "137 means it hung and was killed: " << listed.output;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    expectContainerUntouched();
    EXPECT_TRUE(fs::is_fifo(journal)) << "a file Coffer did not make is not removed";
}

/// A rekey torn halfway, with the genuine journal that finishes it.
class TornRekey : public RekeyJournalTrust {
protected:
    void SetUp() override
    {
        RekeyJournalTrust::SetUp();
        rekeyed = rekeyedOriginal();
        torn = halves(headerOf(rekeyed), headerOf(original)) + original.substr(headerLength(original));
        writeFile(container, torn);
        genuine = journalFor(original, rekeyed);
    }

    /// The container stays torn, the journal stays, and the failure says why.
    void expectLeftAlone()
    {
        const Outcome listed = list();
        EXPECT_EQ(listed.code, kExitDamaged) << listed.output;
        EXPECT_TRUE(contains(listed.output, "rekey-journal")) << listed.output;
        EXPECT_TRUE(readFile(container) == torn) << "an untrusted journal changed the container";
        EXPECT_TRUE(fs::exists(fs::symlink_status(journal)));
    }

    std::string rekeyed, torn, genuine;
};

TEST_F(TornRekey, TheUsersOwnJournalFinishesIt)
{
    writeFile(journal, genuine);
    EXPECT_EQ(list().code, kExitOk);
    EXPECT_TRUE(readFile(container) == rekeyed);
    EXPECT_FALSE(fs::exists(journal));
}

TEST_F(TornRekey, AJournalOwnedByAnotherUserIsIgnored)
{
    writeFile(journal, genuine);
    ASSERT_EQ(::chown(journal.c_str(), 65534, 65534), 0);
    expectLeftAlone();
    // Once it is the user's own file it is trusted.
    ASSERT_EQ(::chown(journal.c_str(), ::geteuid(), ::getegid()), 0);
    EXPECT_EQ(list().code, kExitOk);
    EXPECT_TRUE(readFile(container) == rekeyed);
}

TEST_F(TornRekey, AJournalOthersCanWriteIsIgnored)
{
    writeFile(journal, genuine);
    ASSERT_EQ(::chmod(journal.c_str(), 0666), 0);
    expectLeftAlone();
}

TEST_F(TornRekey, AJournalThatIsASymlinkIsIgnored)
{
    writeFile(root / "elsewhere", genuine);
    fs::create_symlink(root / "elsewhere", journal);
    expectLeftAlone();
}

TEST_F(TornRekey, AJournalWithoutAKeyOfTheUsersIsIgnored)
{
    writeFile(journal, genuine);
    const Outcome listed = list("attacker.key");
    EXPECT_NE(listed.code, kExitOk);
    EXPECT_TRUE(readFile(container) == torn) << "only an opener with a key may finish a rekey";
    EXPECT_TRUE(fs::exists(journal));
    const Outcome inspected = shell(coffer + " inspect " + q(container));
    EXPECT_TRUE(readFile(container) == torn) << "inspect holds no key";
}

TEST_F(RekeyJournalTrust, AJournalShippedInAContainerIsRefusedAndIgnored)
{
    // The sender ships a file named like the journal; the GUI extracts next to
    // the container by default. Such a name is refused on both sides (FORMAT.md
    // §5.5), and a journal that arrives some other way is ignored all the same.
    const fs::path theirs = encryptTo(attackerCard, "a", "the attacker's text\n");
    const std::string before = readFile(theirs);
    ASSERT_EQ(rekey(theirs, "attacker.key", victimCard).code, kExitOk);
    const std::string after = readFile(theirs);
    const std::string mine = headerOf(original);
    const fs::path planted = root / "ship" / ".c.coffer.rekey-journal";
    writeFile(planted, journalOf(halves(headerOf(before), mine), halves(mine, headerOf(after)), prefixOf(original)));
    const fs::path parcel = root / "parcel.coffer";
    const Outcome enc =
        shell(coffer + " encrypt --no-sign -r " + shellQuote(victimCard) + " -o " + q(parcel) + " " + q(planted));
    EXPECT_NE(enc.code, kExitOk) << "a bookkeeping name is not stored: " << enc.output;
    EXPECT_FALSE(fs::exists(parcel));

    fs::copy_file(planted, journal); // as if it came by another way
    const Outcome listed = list();
    EXPECT_EQ(listed.code, kExitOk) << listed.output;
    EXPECT_TRUE(readFile(container) == original);
}

} // namespace
