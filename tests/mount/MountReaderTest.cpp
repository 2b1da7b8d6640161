// MountReader against hostile containers (issue 21): valid encryption around
// an archive that lies. A compressed file read in any order gives its bytes;
// one whose data run past where the index says it ends, or a record that
// does not match the index (stored, compressed or packed), fails the read
// and gives out no byte (the buffer is zeroed): the mount turns that into EIO.
#include "MountReader.h"
#include "HostileContainer.h"
#include "IndexedReader.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

class MountReaderTest : public ::testing::Test {
protected:
    MountReader open(const HostileArchive& archive)
    {
        writeContainer(dir.path() / "c.coffer", archive.plaintext(), identity);
        auto reader = IndexedReader::open(dir.path() / "c.coffer", identitiesOf(identity));
        EXPECT_TRUE(reader.ok()) << reader.error().message;
        return MountReader(std::move(*reader));
    }
    static std::size_t entryOf(const MountReader& reader, const std::string& path)
    {
        const auto& entries = reader.index().entries;
        for (std::size_t i = 0; i < entries.size(); ++i)
            if (entries[i].info.path == path && !entries[i].isPack())
                return i;
        ADD_FAILURE() << "no entry " << path;
        return 0;
    }
    /// Reads [offset, offset + n) of `path`; the bytes, or "FAILED" with a check that none were given out.
    static std::string read(MountReader& reader, const std::string& path, std::uint64_t offset, std::size_t n)
    {
        Bytes out(n, 0xAA);
        if (!reader.read(entryOf(reader, path), offset, out).ok()) {
            EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }));
            return "FAILED";
        }
        return std::string(out.begin(), out.end());
    }

    TempDir dir;
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate();
};

std::string sampleText()
{
    std::string text;
    for (int i = 0; text.size() < 300000; ++i)
        text += "line " + std::to_string(i) + "\n";
    return text;
}

TEST_F(MountReaderTest, CompressedFileReadsInAnyOrder)
{
    const std::string text = sampleText();
    HostileArchive archive;
    archive.zstdFile("t.txt", text, 64 * 1024); // several frames
    MountReader reader = open(archive);
    for (std::uint64_t at : {200000u, 10u, 150000u, 299000u, 0u, 70000u})
        EXPECT_EQ(read(reader, "t.txt", at, 900), text.substr(at, 900)) << "at " << at;
}

TEST_F(MountReaderTest, CompressedDataPastItsEndFailsTheRead)
{
    const std::string text = sampleText();
    HostileArchive archive;
    HostileEntry& e = archive.zstdFile("t.txt", text, 64 * 1024);
    const Bytes extra = zstdFrame(bytesOf("more"));
    e.data.insert(e.data.end(), extra.begin(), extra.end()); // the index counts them: stored size grows
    MountReader reader = open(archive);
    EXPECT_EQ(read(reader, "t.txt", text.size() - 100, 100), "FAILED");
}

TEST_F(MountReaderTest, RecordThatDoesNotMatchTheIndexFailsTheRead)
{
    HostileArchive archive;
    for (const char* path : {"stored.txt", "zstd.txt"}) {
        HostileEntry& e = std::string(path) == "stored.txt" ? archive.file(path, "stored content")
                                                            : archive.zstdFile(path, sampleText());
        EntryInfo other = e.record;
        other.mtimeSeconds += 1; // the index says another time than the record
        e.indexInfo = other;
    }
    archive.file("fine.txt", "fine");
    MountReader reader = open(archive);
    EXPECT_EQ(read(reader, "stored.txt", 0, 6), "FAILED");
    EXPECT_EQ(read(reader, "zstd.txt", 0, 6), "FAILED");
    EXPECT_EQ(read(reader, "fine.txt", 0, 4), "fine"); // the rest still reads
}

} // namespace
