// IndexedReader's public API (issue 19): any file of a container with several
// entries -- stored, compressed, packed -- read as a range by the index, the
// same bytes as the file encrypted; a tampered chunk under the range refuses
// the read with an error and gives out no byte, while entries elsewhere in
// the container still read. The sequential reader pulls the same entries front
// to back and checks them against the index at the end.
#include "IndexedReader.h"
#include "Encrypt.h"
#include "ExtractHarness.h"
#include "PayloadStream.h"
#include "SampleTree.h"
#include "SequentialReader.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fcntl.h>
#include <map>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

class IndexedReaderTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        const fs::path data = dir.path() / "data";
        fs::create_directories(data / "small");
        content["data/big.bin"] = randomText(5 * 1024 * 1024, 7); // stored: it does not compress
        std::string text;
        while (text.size() < 5 * 1024 * 1024)
            text += "line " + std::to_string(text.size()) + " of a text that compresses well\n";
        content["data/notes.txt"] = text;
        for (int i = 0; i < 3; ++i)
            content["data/small/" + std::to_string(i) + ".txt"] = "small file " + std::to_string(i) + "\n";
        for (const auto& [path, bytes] : content)
            writeFile(dir.path() / path, bytes);
        EncryptRequest request;
        request.inputs = {data};
        request.recipients = {recipientFor(identity)};
        request.output = dir.path() / "data.coffer";
        JobControl job;
        auto encrypted = encryptFiles(request, job);
        ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
        container = encrypted->output;
    }

    /// Where plaintext `offset` of the payload is sealed in the container file.
    std::uint64_t fileOffsetOf(std::uint64_t offset) const
    {
        auto info = inspectContainer(container);
        EXPECT_TRUE(info.ok());
        return info->headerBytes + crypto::PayloadLayout::chunkOffset(offset / crypto::kChunkSize) +
               offset % crypto::kChunkSize;
    }

    TempDir dir;
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate();
    std::map<std::string, std::string> content;
    fs::path container;
};

std::string asText(ByteView bytes)
{
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

TEST_F(IndexedReaderTest, ReadsARangeOfEachFileByTheIndex)
{
    auto reader = IndexedReader::open(container, identitiesOf(identity));
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    std::map<Codec, int> codecs;
    JobControl job;
    for (const auto& [path, bytes] : content) {
        const IndexEntry* entry = reader->find(path);
        ASSERT_NE(entry, nullptr) << path;
        ++codecs[entry->info.codec];
        const std::size_t offset = bytes.size() / 3;
        Bytes out(std::min<std::size_t>(bytes.size() / 2, 70'000));
        const Status read = reader->readRange(*entry, offset, out, job);
        ASSERT_TRUE(read.ok()) << path << ": " << read.error().message;
        EXPECT_EQ(asText(out), bytes.substr(offset, out.size())) << path;
    }
    // Every way a file is stored was read.
    EXPECT_EQ(codecs[Codec::Stored], 1);
    EXPECT_EQ(codecs[Codec::Zstd], 1);
    EXPECT_EQ(codecs[Codec::Packed], 3);
    // Past its end is refused.
    Bytes two(2);
    const IndexEntry* small = reader->find("data/small/0.txt");
    EXPECT_EQ(reader->readRange(*small, small->info.size - 1, two, job).error().code, ErrorCode::InvalidArgument);
}

TEST_F(IndexedReaderTest, RefusesATamperedChunkAndGivesOutNoByte)
{
    std::uint64_t bigAt = 0;
    {
        auto reader = IndexedReader::open(container, identitiesOf(identity));
        ASSERT_TRUE(reader.ok()) << reader.error().message;
        bigAt = reader->find("data/big.bin")->dataOffset();
    }
    // The range starts in an intact chunk and goes on into the tampered one.
    const std::uint64_t tampered = (bigAt + 100'000) / crypto::kChunkSize;
    const std::uint64_t from = tampered * crypto::kChunkSize - 100 - bigAt;
    flipByte(container, fileOffsetOf(tampered * crypto::kChunkSize + 7));

    auto reader = IndexedReader::open(container, identitiesOf(identity));
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    JobControl job;
    Bytes out(4096, 0xAA);
    const Status read = reader->readRange(*reader->find("data/big.bin"), from, out, job);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, ErrorCode::Damaged);
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }))
        << "bytes were given out from a read that failed";
    // Entries in other chunks are still read, and checked.
    Bytes notes(1000);
    ASSERT_TRUE(reader->readRange(*reader->find("data/notes.txt"), 0, notes, job).ok());
    EXPECT_EQ(asText(notes), content["data/notes.txt"].substr(0, 1000));
}

TEST_F(IndexedReaderTest, SequentialReaderPullsEveryRecordThenChecksTheIndex)
{
    const UniqueFd fd(::open(container.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd.valid());
    FdSource input(fd.get(), container);
    auto reader = SequentialReader::open(input, identitiesOf(identity));
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    JobControl job;
    std::map<std::string, std::string> read;
    std::size_t given = 0;
    while (true) {
        auto entry = (*reader)->next(job);
        ASSERT_TRUE(entry.ok()) << entry.error().message;
        if (!*entry)
            break;
        ++given;
        if ((*entry)->info.kind != EntryKind::File)
            continue;
        std::string& bytes = read[(*entry)->info.path];
        if ((*entry)->info.codec == Codec::Packed) {
            bytes = asText((*reader)->readMember());
            continue;
        }
        const Status data = (*reader)->readData(
            [&](ByteView d) {
                bytes += asText(d);
                return Status::success();
            },
            job);
        ASSERT_TRUE(data.ok()) << data.error().message;
    }
    EXPECT_EQ(read, content);
    auto index = (*reader)->finish(job);
    ASSERT_TRUE(index.ok()) << index.error().message;
    auto listing = IndexedReader::open(container, identitiesOf(identity));
    ASSERT_TRUE(listing.ok());
    const auto& all = listing->index().entries;
    EXPECT_EQ(given, static_cast<std::size_t>(
                         std::count_if(all.begin(), all.end(), [](const IndexEntry& e) { return !e.isPack(); })));
    // Format v2: the entries were given out a segment at a time and not kept.
    EXPECT_TRUE(index->entries.empty());
    EXPECT_EQ(index->recipients, listing->index().recipients);
}

} // namespace
