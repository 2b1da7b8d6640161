// "--only extracts proportional work" (FORMAT.md §5.6): the file reader
// decrypts only the chunks that hold the chosen entry. There is no counter to
// read, so the test makes it observable: it corrupts every chunk in the middle
// of a 64 MiB file. Extracting only the small file must still succeed (those
// chunks were never opened); anything that touches them must fail as damaged.
#include "ContainerReader.h"
#include "ExtractHarness.h"
#include "SampleTree.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <unistd.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBig = 64 * 1024 * 1024;

/// One container for the whole suite (64 MiB takes a moment); a fresh destination per test.
struct SharedContainer {
    TempDir dir;
    fs::path path;
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate();
};

class OnlyProportional : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        shared = new SharedContainer;
        const fs::path in = shared->dir / "in";
        fs::create_directories(in);
        writeFile(in / "big.bin", randomText(kBig, 3));
        writeFile(in / "small.txt", "the small file\n");
        EncryptRequest request;
        request.inputs = {in};
        request.recipients = {recipientFor(shared->identity)};
        request.output = shared->dir / "pair.coffer";
        JobControl job;
        auto summary = encryptFiles(request, job);
        ASSERT_TRUE(summary.ok()) << summary.error().message;
        shared->path = summary->output;

        // Flip one byte in each chunk that holds only big.bin's data, well away
        // from the records at both ends.
        auto info = inspectContainer(shared->path);
        ASSERT_TRUE(info.ok()) << info.error().message;
        const std::uint64_t chunks = kBig / crypto::kChunkSize;
        for (std::uint64_t i = 16; i < chunks - 16; ++i)
            flipByte(shared->path, info->headerBytes + crypto::PayloadLayout::chunkOffset(i) + 100);
    }
    static void TearDownTestSuite()
    {
        delete shared;
        shared = nullptr;
    }

    void SetUp() override
    {
        ASSERT_NE(shared, nullptr);
        ASSERT_FALSE(shared->path.empty());
        container = shared->path;
        fs::create_directories(dest);
        writeFile(dest / "marker.txt", "mine");
    }

    Result<ExtractSummary> extract(ReaderMode mode, std::vector<std::string> only)
    {
        ExtractRequest request;
        request.destination = dest;
        request.only = std::move(only);
        JobControl job;
        return extractWith(mode, container, request, identitiesOf(shared->identity), job);
    }

    static inline SharedContainer* shared = nullptr;
    TempDir dir;
    fs::path dest = dir / "dest";
    fs::path container;
};

} // namespace

TEST_F(OnlyProportional, ListingReadsNoEntryChunks)
{
    auto listing = listContainer(container, identitiesOf(shared->identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    ASSERT_EQ(std::count_if(listing->index.entries.begin(), listing->index.entries.end(),
                            [](const IndexEntry& e) { return !e.isPack(); }),
              3);
    const IndexEntry* big = findEntry(listing->index, "in/big.bin");
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(big->info.size, kBig);
}

TEST_F(OnlyProportional, TheFileReaderExtractsOneSmallEntryWithoutTouchingTheBigOne)
{
    auto result = extract(ReaderMode::File, {"in/small.txt"});
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->files, 1u);
    EXPECT_EQ(listTree(dest), std::vector<std::string>({"in/", "in/small.txt", "marker.txt"}));
    EXPECT_EQ(readFile(dest / "in/small.txt"), "the small file\n");
}

TEST_F(OnlyProportional, ExtractingTheCorruptedEntryFailsAndLeavesNothing)
{
    // The control: the corruption is real, and is caught.
    const auto before = snapshotTree(dest);
    for (const auto& only : {std::vector<std::string>{"in/big.bin"}, std::vector<std::string>{}}) {
        auto result = extract(ReaderMode::File, only);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::Damaged) << result.error().message;
        EXPECT_EQ(snapshotTree(dest), before);
    }
}

TEST_F(OnlyProportional, TheStreamReaderMustReadEverythingAndSoRefuses)
{
    // A pipe cannot skip: the stream reader authenticates every chunk, even
    // with --only, and releases nothing when one fails.
    const auto before = snapshotTree(dest);
    auto result = extract(ReaderMode::Stream, {"in/small.txt"});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::Damaged) << result.error().message;
    EXPECT_EQ(snapshotTree(dest), before);
}
