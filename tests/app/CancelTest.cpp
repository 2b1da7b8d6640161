// Cancel (DESIGN §4): cancelling from the progress callback part-way through
// a large file stops the job with ErrorCode::Cancelled and leaves no trace --
// no partial output, no ".part", no temporary file in the destination.
#include "ExtractHarness.h"
#include "SampleTree.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBigFile = 20 * 1024 * 1024;

/// Cancels the job at the first report that shows some bytes done. (The
/// stream reader cannot know the total in advance: bytesTotal stays 0.)
struct CancelMidway {
    explicit CancelMidway(JobControl& j) : job(j) {}
    JobControl& job;
    std::uint64_t doneAtCancel = 0;
    std::string fileAtCancel;
    void operator()(const Progress& p)
    {
        if (doneAtCancel == 0 && p.bytesDone > 0) {
            doneAtCancel = p.bytesDone;
            fileAtCancel = p.currentFile;
            job.cancel();
        }
    }
};

Result<EncryptSummary> encryptBig(const fs::path& dir, const fs::path& input, Compression compression,
                                  const crypto::SecretIdentity& identity, JobControl& job)
{
    EncryptRequest request;
    request.inputs = {input};
    request.recipients = {recipientFor(identity)};
    request.compression = compression;
    request.output = dir / "big.coffer";
    return encryptFiles(request, job);
}

} // namespace

TEST(Cancel, ExtractionCancelledMidFileLeavesTheDestinationAsItWas)
{
    const auto identity = crypto::SecretIdentity::generate();
    for (const bool compressible : {false, true}) {
        SCOPED_TRACE(compressible ? "zstd entry" : "stored entry");
        TempDir dir;
        fs::create_directories(dir / "in");
        // The big file first: progress reports are at most every 50 ms, so only
        // the first one is sure to come, and it should come inside the big file.
        writeFile(dir / "in" / "a-big.bin", compressible ? std::string(kBigFile, 'c') : randomText(kBigFile));
        writeFile(dir / "in" / "z-small.txt", "small");
        JobControl encryptJob;
        auto encrypted = encryptBig(dir.path(), dir / "in", Compression::Auto, identity, encryptJob);
        ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;

        for (const ReaderMode mode : kBothReaders) {
            SCOPED_TRACE(readerName(mode));
            const fs::path dest = dir / "dest";
            fs::create_directories(dest);
            writeFile(dest / "marker.txt", "mine");
            const auto before = snapshotTree(dest);

            JobControl job;
            CancelMidway cancel(job);
            job.setProgressCallback([&](const Progress& p) { cancel(p); });
            ExtractRequest request;
            request.destination = dest;
            auto result = extractWith(mode, encrypted->output, request, identitiesOf(identity), job);
            ASSERT_FALSE(result.ok()) << "the cancelled extraction finished";
            EXPECT_EQ(result.error().code, ErrorCode::Cancelled) << result.error().message;
            EXPECT_GT(cancel.doneAtCancel, 0u);
            EXPECT_LT(cancel.doneAtCancel, kBigFile);
            EXPECT_EQ(cancel.fileAtCancel, "in/a-big.bin");
            EXPECT_EQ(snapshotTree(dest), before);
        }
    }
}

TEST(Cancel, EncryptionCancelledMidFileLeavesNoOutputAndNoPart)
{
    const auto identity = crypto::SecretIdentity::generate();
    for (const Compression compression : {Compression::Off, Compression::Auto}) {
        SCOPED_TRACE(compression == Compression::Off ? "stored" : "zstd");
        TempDir dir;
        fs::create_directories(dir / "out");
        writeFile(dir / "big.bin", compression == Compression::Off ? randomText(kBigFile) : std::string(kBigFile, 'c'));
        JobControl job;
        // The writer reports when a file starts and then at most every 50 ms:
        // cancel at the first report, which comes before the file's first block.
        std::uint64_t reports = 0;
        job.setProgressCallback([&](const Progress& p) {
            if (reports++ == 0)
                job.cancel();
            EXPECT_LT(p.bytesDone, kBigFile) << "a report came after the whole file was read";
        });
        auto result = encryptBig(dir / "out", dir / "big.bin", compression, identity, job);
        ASSERT_FALSE(result.ok()) << "the cancelled encryption finished";
        EXPECT_EQ(result.error().code, ErrorCode::Cancelled) << result.error().message;
        EXPECT_GE(reports, 1u);
        EXPECT_TRUE(fs::is_empty(dir / "out")) << "left: " << listTree(dir / "out").front();
    }
}

TEST(Cancel, EncryptionCancelledBeforeStartingWritesNothing)
{
    const auto identity = crypto::SecretIdentity::generate();
    TempDir dir;
    fs::create_directories(dir / "out");
    writeFile(dir / "in.txt", "hello");
    JobControl job;
    job.cancel();
    auto result = encryptBig(dir / "out", dir / "in.txt", Compression::Auto, identity, job);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::Cancelled);
    EXPECT_TRUE(fs::is_empty(dir / "out"));
}
