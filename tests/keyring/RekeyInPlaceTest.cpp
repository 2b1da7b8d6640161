// Rekey over the original (FORMAT.md §12.1): the new header is written in the
// old one's place through a journal. These tests stage every state a crash
// can leave (journal cut short, header torn between old and new, rekey done
// but journal not yet removed) and check that the next open finds the old or
// the new container, whole, and removes the journal; and that a header with
// no room left falls back to writing a new file.
#include "KeyringHarness.h"
#include "RekeyJournal.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

class RekeyInPlace : public ::testing::Test {
protected:
    void SetUp() override
    {
        coffer = "COFFER_HOME=" + q(root / "home") + " " + cofferCommand();
        oldCard = makeKey("old");
        newCard = makeKey("new");
        writeFile(root / "note.txt", "meeting moved to Thursday\n");
        const Outcome enc = shell(coffer + " encrypt --no-sign -r " + shellQuote(oldCard) + " -o " + q(container) +
                                  " " + q(root / "note.txt"));
        ASSERT_EQ(enc.code, kExitOk) << enc.output;
        oldBytes = readFile(container);
    }

    std::string makeKey(const std::string& name)
    {
        const Outcome made = shell(coffer + " keygen -o " + q(root / (name + ".key")));
        EXPECT_EQ(made.code, kExitOk) << made.output;
        return "coffer1" + lineAfter(made.output, "coffer1");
    }

    int listWith(const std::string& key)
    {
        return shell(coffer + " list -i " + q(root / key) + " " + q(container)).code;
    }

    /// Rekeys in place to add the new card and returns the container's bytes then.
    std::string rekeyedBytes()
    {
        const Outcome rk = shell(coffer + " rekey --add -i " + q(root / "old.key") + " -r " + shellQuote(newCard) +
                                 " -o " + q(container) + " " + q(container));
        EXPECT_EQ(rk.code, kExitOk) << rk.output;
        return readFile(container);
    }

    static ino_t fileInode(const fs::path& p)
    {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0);
        return st.st_ino;
    }

    static std::size_t headerLength(const std::string& bytes)
    {
        const auto mac = bytes.find("\n--- ");
        return bytes.find('\n', mac + 1) + 1;
    }

    static crypto::ByteView view(const std::string& s)
    {
        return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
    }

    /// The journal of a rekey from `oldBytes` to `newBytes` (FORMAT.md §12.1).
    std::string journalTo(const std::string& newBytes) const
    {
        const std::size_t header = headerLength(oldBytes);
        const Bytes j = encodeRekeyJournal(view(oldBytes.substr(0, header)), view(newBytes.substr(0, header)),
                                           view(oldBytes.substr(header, kJournalPrefixSize)));
        return std::string(j.begin(), j.end());
    }

    TempDir root;
    fs::path container = root / "c.coffer";
    fs::path journal = root / ".c.coffer.rekey-journal";
    std::string coffer, oldCard, newCard, oldBytes;
};

TEST_F(RekeyInPlace, KeepsTheSizeAndThePayloadAndLeavesNoJournal)
{
    const ino_t inode = fileInode(container);
    const std::string newBytes = rekeyedBytes();
    EXPECT_EQ(fileInode(container), inode) << "the same file, written in place";
    ASSERT_EQ(newBytes.size(), oldBytes.size());
    const std::size_t header = headerLength(oldBytes);
    EXPECT_EQ(header % 4096, 0u) << "headers are padded to 4 KiB";
    EXPECT_EQ(headerLength(newBytes), header);
    EXPECT_NE(newBytes.substr(0, header), oldBytes.substr(0, header));
    EXPECT_EQ(newBytes.substr(header), oldBytes.substr(header)) << "the payload must not change";
    EXPECT_FALSE(fs::exists(journal));
    EXPECT_EQ(listWith("old.key"), kExitOk);
    EXPECT_EQ(listWith("new.key"), kExitOk);
}

TEST_F(RekeyInPlace, ATornHeaderIsCompletedFromTheJournal)
{
    const std::string newBytes = rekeyedBytes();
    const std::size_t header = headerLength(oldBytes);
    const std::string oldHeader = oldBytes.substr(0, header), newHeader = newBytes.substr(0, header);
    // The crash: the first 512-byte sectors are new, the rest still old.
    std::string torn = newBytes;
    torn.replace(1024, header - 1024, oldHeader.substr(1024));
    ASSERT_NE(torn.substr(0, header), newHeader);
    writeFile(container, torn);
    writeFile(journal, journalTo(newBytes));

    EXPECT_EQ(listWith("new.key"), kExitOk) << "the next open finishes the rekey";
    EXPECT_FALSE(fs::exists(journal));
    EXPECT_EQ(readFile(container), newBytes);
    EXPECT_EQ(listWith("old.key"), kExitOk);
}

TEST_F(RekeyInPlace, AJournalCutShortIsLeftAloneAndTheNextRekeyWritesANewFile)
{
    // Coffer names its journal only once it is whole (§12.1), so a journal cut
    // short is not Coffer's: it changes nothing and stays (§12.2).
    const std::string newBytes = rekeyedBytes();
    writeFile(container, oldBytes);
    const std::string j = journalTo(newBytes);
    writeFile(journal, j.substr(0, j.size() / 2));

    EXPECT_EQ(listWith("old.key"), kExitOk);
    EXPECT_TRUE(fs::exists(journal));
    EXPECT_TRUE(readFile(container) == oldBytes);
    EXPECT_EQ(listWith("new.key"), kExitNoKey) << "the rekey never happened";
    // Its name is taken, so a rekey in place cannot journal: it writes a new file.
    EXPECT_TRUE(rekeyedBytes().substr(headerLength(oldBytes)) == oldBytes.substr(headerLength(oldBytes)));
    EXPECT_EQ(listWith("new.key"), kExitOk);
    EXPECT_EQ(listWith("old.key"), kExitOk);
}

TEST_F(RekeyInPlace, AFinishedRekeyWhoseJournalStayedIsLeftAsItIs)
{
    const std::string newBytes = rekeyedBytes();
    writeFile(journal, journalTo(newBytes));

    EXPECT_EQ(listWith("new.key"), kExitOk);
    EXPECT_FALSE(fs::exists(journal));
    EXPECT_EQ(readFile(container), newBytes);
}

TEST_F(RekeyInPlace, ARekeyRunningElsewhereIsNotDisturbed)
{
    const std::string newBytes = rekeyedBytes();
    writeFile(container, oldBytes);
    writeFile(journal, journalTo(newBytes));
    // Another Coffer holds the container's lock (flock is per open file, so this counts).
    const int fd = ::open(container.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
    EXPECT_EQ(listWith("old.key"), kExitOk);
    EXPECT_TRUE(fs::exists(journal)) << "the running rekey owns its journal";
    const Outcome second = shell(coffer + " rekey --add -i " + q(root / "old.key") + " -r " + shellQuote(newCard) +
                                 " -o " + q(container) + " " + q(container));
    EXPECT_NE(second.code, kExitOk) << second.output;
    EXPECT_EQ(readFile(container), oldBytes);
    ::close(fd);
}

TEST_F(RekeyInPlace, AHeaderWithoutRoomGetsANewFileInstead)
{
    // 40 more recipients need about 4.8 KiB: more than the padding left.
    std::string cards;
    for (int i = 0; i < 40; ++i)
        cards += " -r " + shellQuote(makeKey("k" + std::to_string(i)));
    const Outcome rk = shell(coffer + " rekey --add -i " + q(root / "old.key") + cards + " -r " + shellQuote(newCard) +
                             " -o " + q(container) + " " + q(container));
    ASSERT_EQ(rk.code, kExitOk) << rk.output;
    const std::string newBytes = readFile(container);
    EXPECT_GT(headerLength(newBytes), headerLength(oldBytes));
    EXPECT_EQ(headerLength(newBytes) % 4096, 0u);
    EXPECT_FALSE(fs::exists(journal));
    EXPECT_EQ(listWith("old.key"), kExitOk);
    EXPECT_EQ(listWith("new.key"), kExitOk);
    EXPECT_EQ(listWith("k39.key"), kExitOk);
}

} // namespace
