// `coffer list` with less memory than its lines: past its budget ListingLines
// sorts what it holds and sets it aside in a SpillFile (nameless, encrypted
// under a key of its own), then merges the runs. The merged listing must be
// byte for byte the one made in memory; the file must hold no plaintext,
// refuse to give back anything changed, and leave nothing behind.
#include "ListingLines.h"
#include "SpillFile.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace coffer::test {
namespace {

namespace fs = std::filesystem;

/// What `lines` prints.
std::string printed(cli::ListingLines& lines)
{
    std::FILE* out = std::tmpfile();
    EXPECT_NE(out, nullptr);
    const Status st = lines.print(out);
    EXPECT_TRUE(st.ok()) << st.error().message;
    std::string text(static_cast<std::size_t>(std::ftell(out)), '\0');
    std::rewind(out);
    EXPECT_EQ(std::fread(text.data(), 1, text.size(), out), text.size());
    std::fclose(out);
    return text;
}

/// 12,000 entries with long paths, in an order the sort must undo.
std::vector<IndexEntry> longPathEntries()
{
    std::vector<IndexEntry> entries;
    for (int i = 0; i < 12'000; ++i) {
        IndexEntry e;
        e.info.kind = i % 50 == 0 ? EntryKind::Directory : EntryKind::File;
        e.info.path = "folder-" + std::to_string((i * 7919) % 97) + "/" + std::string(400, 'n') + "-" +
                      std::to_string((i * 104729) % 12'000);
        e.info.size = static_cast<std::uint64_t>(i);
        e.info.mode = 0644;
        e.info.mtimeSeconds = 1'700'000'000 + i;
        entries.push_back(std::move(e));
    }
    return entries;
}

std::size_t filesIn(const fs::path& dir)
{
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir))
        ++n;
    return n;
}

TEST(SpillListing, PastItsBudgetTheListingIsMergedFromRunsAndIsTheSameBytes)
{
    const auto entries = longPathEntries();
    for (const bool longFormat : {false, true}) {
        SCOPED_TRACE(longFormat ? "list -l" : "list");
        cli::ListingLines inMemory(longFormat);
        TempDir spill;
        cli::ListingLines spilled(longFormat, spill.path(), std::size_t(2) << 20);
        for (const IndexEntry& e : entries) {
            inMemory.add(e);
            spilled.add(e);
        }
        EXPECT_EQ(inMemory.runCount(), 0u);
        EXPECT_GE(spilled.runCount(), 2u) << "5 MB of lines under a 2 MiB budget were never set aside";
        EXPECT_LE(spilled.peakHeldBytes(), (std::size_t(2) << 20) + (std::size_t(1) << 20) + 256 * 1024)
            << "held more than the budget, a block and the pointers";
        EXPECT_GT(inMemory.peakHeldBytes(), std::size_t(5) << 20);
        EXPECT_EQ(filesIn(spill.path()), 0u) << "the spill file has a name";
        const std::string expected = printed(inMemory);
        EXPECT_EQ(std::count(expected.begin(), expected.end(), '\n'), 12'000);
        EXPECT_EQ(printed(spilled), expected);
    }
}

TEST(SpillListing, WithNowhereToSpillItListsInMemory)
{
    TempDir dir;
    writeFile(dir / "not-a-folder", "x");
    const auto entries = longPathEntries();
    cli::ListingLines inMemory(false);
    cli::ListingLines refused(false, dir / "not-a-folder" / "tmp", std::size_t(2) << 20);
    for (const IndexEntry& e : entries) {
        inMemory.add(e);
        refused.add(e);
    }
    EXPECT_EQ(refused.runCount(), 0u);
    EXPECT_EQ(printed(refused), printed(inMemory));
}

TEST(SpillListing, PastEightTimesItsBudgetWithNowhereToSpillItStopsAndSaysSo)
{
    TempDir dir;
    writeFile(dir / "not-a-folder", "x");
    cli::ListingLines refused(false, dir / "not-a-folder" / "tmp", std::size_t(512) << 10);
    for (const IndexEntry& e : longPathEntries())
        refused.add(e);
    EXPECT_LE(refused.peakHeldBytes(), std::size_t(6) << 20) << "kept growing past the limit";
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    const Status st = refused.print(out);
    EXPECT_EQ(std::ftell(out), 0) << "printed part of a listing it then refused";
    std::fclose(out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::LimitExceeded);
    EXPECT_NE(st.error().message.find("does not fit in memory"), std::string::npos) << st.error().message;
}

TEST(SpillFile, HoldsNoPlaintextHasNoNameAndRefusesAChangedByte)
{
    TempDir dir;
    auto file = SpillFile::create(dir / "made" / "here");
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(fs::status(dir / "made" / "here").permissions() & fs::perms::all, fs::perms::owner_all);
    EXPECT_EQ(filesIn(dir / "made" / "here"), 0u);
    const std::string secret = "reports/whistleblower-interview-2026.txt\n";
    std::string big;
    while (big.size() < 100'000)
        big += secret;
    const auto first =
        file->append(crypto::ByteView(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()));
    const auto second = file->append(crypto::ByteView(reinterpret_cast<const std::uint8_t*>(big.data()), big.size()));
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_EQ(*first, 0u);
    EXPECT_EQ(*second, 1u);

    // The raw file, through the descriptor (the only way to it).
    const off_t size = ::lseek(file->fd(), 0, SEEK_END);
    EXPECT_EQ(size, static_cast<off_t>(secret.size() + big.size() + 32));
    std::string raw(static_cast<std::size_t>(size), '\0');
    ASSERT_EQ(::pread(file->fd(), raw.data(), raw.size(), 0), size);
    EXPECT_EQ(raw.find("whistleblower"), std::string::npos) << "plaintext on disk";

    crypto::Bytes back;
    ASSERT_TRUE(file->read(1, back).ok());
    EXPECT_EQ(std::string(back.begin(), back.end()), big);
    ASSERT_TRUE(file->read(0, back).ok());
    EXPECT_EQ(std::string(back.begin(), back.end()), secret);

    // Another process of this user changes one byte of block 1: refused, nothing given.
    char flipped = static_cast<char>(raw[secret.size() + 16 + 5] ^ 1);
    ASSERT_EQ(::pwrite(file->fd(), &flipped, 1, static_cast<off_t>(secret.size() + 16 + 5)), 1);
    const Status changed = file->read(1, back);
    ASSERT_FALSE(changed.ok());
    EXPECT_EQ(changed.error().code, ErrorCode::Damaged);
    EXPECT_TRUE(std::all_of(back.begin(), back.end(), [](std::uint8_t b) { return b == 0; }))
        << "unauthenticated bytes given out";
    ASSERT_TRUE(file->read(0, back).ok()) << "the other block is untouched";

    // Cut short: refused too.
    ASSERT_EQ(::ftruncate(file->fd(), static_cast<off_t>(secret.size() + 16 + 10)), 0);
    const Status cut = file->read(1, back);
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code, ErrorCode::Damaged);
}

} // namespace
} // namespace coffer::test
