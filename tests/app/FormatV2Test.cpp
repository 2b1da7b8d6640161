// Format v2 (FORMAT.md §5) end to end with real files: Coffer writes it, both
// readers give every entry back, v1 containers still open, small files cost a
// few bytes each, and a signed container binds each pack's content by hash.
#include "ContainerReader.h"
#include "Extract.h"
#include "ExtractHarness.h"
#include "HostileContainer.h"
#include "IndexedReader.h"
#include "SampleTree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

struct Made {
    TempDir dir;
    fs::path source;
    fs::path container;
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate("Alice");
};

Result<EncryptSummary> encryptTree(Made& m, const fs::path& tree, std::uint8_t format,
                                   const crypto::SecretIdentity* signer = nullptr,
                                   Compression compression = Compression::Auto)
{
    EncryptRequest request;
    request.inputs = {tree};
    request.recipients = {recipientFor(m.identity)};
    request.output = m.dir / ("tree-v" + std::to_string(format) + ".coffer");
    request.signer = signer;
    request.format = format;
    request.compression = compression;
    JobControl job;
    return encryptFiles(request, job);
}

std::string firstLine(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::string line;
    std::getline(in, line);
    return line;
}

/// Many tiny files in a few folders, as issue 22's benchmark makes them.
void makeTinyTree(const fs::path& root, int folders, int files)
{
    for (int d = 0; d < folders; ++d) {
        const fs::path dir = root / ("d" + std::to_string(d));
        fs::create_directories(dir);
        for (int f = 0; f < files; ++f)
            writeFile(dir / ("f" + std::to_string(f) + ".txt"),
                      "tiny file " + std::to_string(d * files + f) + " of the test, ok\n");
    }
}

/// The whole plaintext of `container`, read with `identity`.
Bytes plaintextOf(const fs::path& container, const crypto::SecretIdentity& identity)
{
    auto reader = ContainerReader::open(container, identitiesOf(identity));
    EXPECT_TRUE(reader.ok()) << reader.error().message;
    Bytes plain(static_cast<std::size_t>(reader->plaintextLength()));
    EXPECT_TRUE(reader->read(0, plain).ok());
    return plain;
}

} // namespace

TEST(FormatV2, CofferWritesV2AndBothReadersRestoreTheTree)
{
    for (const bool sign : {false, true}) {
        SCOPED_TRACE(sign ? "signed" : "unsigned");
        Made m;
        m.source = m.dir / "tree";
        makeSampleTree(m.source);
        // A file over 4 MiB of each kind: compressed and stored records.
        writeFile(m.source / "big.txt", std::string(5 << 20, 'x'));
        writeFile(m.source / "big.bin", randomText(5 << 20, 7));
        auto summary = encryptTree(m, m.source, crypto::kFormatV2, sign ? &m.identity : nullptr);
        ASSERT_TRUE(summary.ok()) << summary.error().message;
        EXPECT_EQ(firstLine(summary->output), "coffer/v2");
        auto listing = listContainer(summary->output, identitiesOf(m.identity));
        ASSERT_TRUE(listing.ok()) << listing.error().message;
        EXPECT_EQ(listing->index.format, 2);
        EXPECT_EQ(listing->index.signature.has_value(), sign);
        // Small files are packed whether they compress or not; only big files have records.
        EXPECT_EQ(findEntry(listing->index, "tree/photo.jpg")->info.codec, Codec::Packed);
        EXPECT_EQ(findEntry(listing->index, "tree/readme.txt")->info.codec, Codec::Packed);
        EXPECT_EQ(findEntry(listing->index, "tree/big.txt")->info.codec, Codec::Zstd);
        EXPECT_EQ(findEntry(listing->index, "tree/big.bin")->info.codec, Codec::Stored);
        for (const ReaderMode mode : kBothReaders) {
            SCOPED_TRACE(readerName(mode));
            const fs::path out = m.dir / (std::string("out-") + readerName(mode));
            auto extracted = extractWith(mode, summary->output, out, identitiesOf(m.identity));
            ASSERT_TRUE(extracted.ok()) << extracted.error().message;
            EXPECT_EQ(describeTree(out / "tree"), describeTree(m.source));
        }
    }
}

TEST(FormatV2, ContainersOfFormatV1StillOpen)
{
    Made m;
    m.source = m.dir / "tree";
    makeSampleTree(m.source);
    auto summary = encryptTree(m, m.source, crypto::kFormatV1, &m.identity);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(firstLine(summary->output), "coffer/v1");
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path out = m.dir / (std::string("out-") + readerName(mode));
        auto extracted = extractWith(mode, summary->output, out, identitiesOf(m.identity));
        ASSERT_TRUE(extracted.ok()) << extracted.error().message;
        EXPECT_EQ(extracted->index.format, 1);
        EXPECT_EQ(describeTree(out / "tree"), describeTree(m.source));
    }
}

TEST(FormatV2, TinyFilesCostAFewBytesEach)
{
    // 4,000 files of ~40 bytes: v1 spends ~55 bytes of metadata on each
    // (FORMAT-v2.md §1), v2 a few.
    Made m;
    m.source = m.dir / "tiny";
    makeTinyTree(m.source, 8, 500);
    auto v1 = encryptTree(m, m.source, crypto::kFormatV1);
    auto v2 = encryptTree(m, m.source, crypto::kFormatV2);
    ASSERT_TRUE(v1.ok() && v2.ok());
    const auto v1Bytes = fs::file_size(v1->output);
    const auto v2Bytes = fs::file_size(v2->output);
    EXPECT_LT(v2Bytes * 3, v1Bytes) << "v1 " << v1Bytes << " bytes, v2 " << v2Bytes;
    // Header (4 KiB with its rekey room) and chunk tags aside, about 10 bytes a file at most.
    EXPECT_LT(v2Bytes, 4096u + 4000u * 10u) << v2Bytes;
}

TEST(FormatV2, ThousandsOfEntriesSpanSeveralSegments)
{
    // More than a segment's 65,536 entries outside packs: empty files.
    Made m;
    m.source = m.dir / "empties";
    fs::create_directories(m.source);
    for (int i = 0; i < 70'000; ++i)
        std::ofstream(m.source / ("e" + std::to_string(i)));
    auto summary = encryptTree(m, m.source, crypto::kFormatV2);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path out = m.dir / (std::string("out-") + readerName(mode));
        auto extracted = extractWith(mode, summary->output, out, identitiesOf(m.identity));
        ASSERT_TRUE(extracted.ok()) << extracted.error().message;
        EXPECT_EQ(extracted->files, 70'000u);
    }
}

TEST(FormatV2, ASignedPackWhoseContentChangedIsRefused)
{
    // Everyone the container is for knows its file key, and can re-encrypt
    // another plaintext under the sender's signed directory. Only the pack's
    // hash in the signed segment tells: a changed byte in a stored pack (no
    // zstd checksum to trip over) must be refused by both readers.
    Made m;
    m.source = m.dir / "tree";
    fs::create_directories(m.source);
    writeFile(m.source / "a.jpg", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    writeFile(m.source / "b.jpg", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
    auto summary = encryptTree(m, m.source, crypto::kFormatV2, &m.identity);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    Bytes plain = plaintextOf(summary->output, m.identity);
    const std::string text(plain.begin(), plain.end());
    const auto at = text.find("BBBBBBBB");
    ASSERT_NE(at, std::string::npos);
    plain[at] = 'C';
    const fs::path forged = m.dir / "forged.coffer";
    writeContainer(forged, plain, m.identity, crypto::kFormatV2);
    // Listing reads no pack: it opens, and says who signed.
    auto listing = listContainer(forged, identitiesOf(m.identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    ASSERT_TRUE(listing->index.signature.has_value());
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path out = m.dir / (std::string("out-") + readerName(mode));
        auto extracted = extractWith(mode, forged, out, identitiesOf(m.identity));
        ASSERT_FALSE(extracted.ok());
        EXPECT_EQ(extracted.error().code, ErrorCode::Damaged) << extracted.error().message;
        EXPECT_NE(extracted.error().message.find("hash"), std::string::npos) << extracted.error().message;
        EXPECT_FALSE(fs::exists(out / "tree" / "b.jpg"));
    }
}

TEST(FormatV2, ManyFilesAreReadASegmentAtATime)
{
    // 21,000 tiny files: packs of at most 8,192 members, so several segments,
    // which listing and extraction from a file go through one at a time.
    Made m;
    m.source = m.dir / "tree";
    makeTinyTree(m.source, 30, 700);
    auto summary = encryptTree(m, m.source, crypto::kFormatV2);
    ASSERT_TRUE(summary.ok()) << summary.error().message;

    auto reader = IndexedReader::openSegmented(summary->output, identitiesOf(m.identity));
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    EXPECT_TRUE(reader->index().entries.empty()) << "opening read the segments";
    std::size_t segments = 0, largest = 0, entries = 0;
    ASSERT_TRUE(reader
                    ->eachSegment([&] {
                        ++segments;
                        largest = std::max(largest, reader->index().entries.size());
                        entries += reader->index().entries.size();
                        return Status::success();
                    })
                    .ok());
    EXPECT_GE(segments, 3u);
    EXPECT_LE(largest, 1u + 8192u + 31u) << "a segment held more than a pack, its members and the folders";

    std::set<std::string> listed;
    std::size_t given = 0;
    auto header = listContainerEntries(summary->output, identitiesOf(m.identity), [&](const IndexEntry& e) {
        EXPECT_FALSE(e.isPack());
        listed.insert(e.info.path);
        ++given;
    });
    ASSERT_TRUE(header.ok()) << header.error().message;
    EXPECT_TRUE(header->entries.empty());
    EXPECT_EQ(header->recipients.size(), 1u);
    EXPECT_EQ(given, 21'000u + 31u);
    EXPECT_EQ(listed.size(), given) << "an entry was given twice";
    EXPECT_EQ(listed.count("tree/d29/f699.txt"), 1u);
    EXPECT_LT(given, entries) << "the packs were given out as entries";
    // Checked whole first, then read again (the window): the same entries, in the same order.
    std::vector<std::string> once, checkedFirst;
    ASSERT_TRUE(listContainerEntries(summary->output, identitiesOf(m.identity), [&](const IndexEntry& e) {
                    once.push_back(e.info.path);
                }).ok());
    ASSERT_TRUE(listContainerEntries(
                    summary->output, identitiesOf(m.identity),
                    [&](const IndexEntry& e) { checkedFirst.push_back(e.info.path); }, ListingPass::CheckAllFirst)
                    .ok());
    EXPECT_EQ(checkedFirst, once);

    // A folder of the last segment, chosen alone: exactly its files.
    TempDir out;
    ExtractRequest request;
    request.container = summary->output;
    request.destination = out.path();
    request.only = {"tree/d29"};
    JobControl job;
    auto extracted = extractContainer(request, identitiesOf(m.identity), job);
    ASSERT_TRUE(extracted.ok()) << extracted.error().message;
    EXPECT_EQ(extracted->files, 700u);
    EXPECT_EQ(readFile(out / "tree/d29/f699.txt"),
              "tiny file " + std::to_string(29 * 700 + 699) + " of the test, ok\n");
    EXPECT_FALSE(fs::exists(out / "tree/d28"));

    // A name no segment holds: refused before anything is written.
    TempDir none;
    request.destination = none.path();
    request.only = {"tree/d29/nothing.txt"};
    auto refused = extractContainer(request, identitiesOf(m.identity), job);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument) << refused.error().message;
    EXPECT_TRUE(fs::is_empty(none.path()));
}

TEST(FormatV2, WhereManyTinyFilesArePackedDoesNotDependOnTheScansPace)
{
    // 20,000 entries: more than the writer looks ahead (16,384 entries) and
    // than the scan may queue (64 batches). Once the first report waits until
    // the scan has queued all it may, once nothing waits: the same archive.
    Made m;
    m.source = m.dir / "tree";
    makeTinyTree(m.source, 40, 500);
    const auto plainWith = [&](std::chrono::milliseconds wait) {
        EncryptRequest request;
        request.inputs = {m.source};
        request.recipients = {recipientFor(m.identity)};
        request.output = m.dir / ("paced-" + std::to_string(wait.count()) + ".coffer");
        JobControl job;
        waitOnFirstReport(job, wait);
        auto summary = encryptFiles(request, job);
        EXPECT_TRUE(summary.ok()) << summary.error().message;
        return summary.ok() ? plaintextOf(summary->output, m.identity) : Bytes{};
    };
    const Bytes slow = plainWith(std::chrono::milliseconds(300));
    const Bytes fast = plainWith(std::chrono::milliseconds(0));
    ASSERT_FALSE(slow.empty());
    EXPECT_EQ(slow.size(), fast.size());
    EXPECT_TRUE(slow == fast) << "the archives differ";
}
