// ContainerReader's sequential reading (issue #7): while the caller reads one
// window of chunks, the workers decrypt the next, and the window after that is
// read from the file meanwhile (prefetched). Every byte must come back the
// same as from a reader that jumps about, and a container cut short while it
// is being read must be refused as truncated once the reading reaches bytes
// it had not read before the cut, whether the cut lies in a window already
// read ahead or not; every byte given out before that is authentic.
#include "ContainerReader.h"
#include "Encrypt.h"
#include "HostileContainer.h"
#include "Primitives.h"
#include "SampleTree.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <functional>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kFileSize = 6 * kMiB; // random: stored, so the payload is as long
constexpr std::size_t kPiece = 48 * 1024;   // not a multiple of a chunk

class ContainerReaderStreaming : public ::testing::Test {
protected:
    void SetUp() override
    {
        Bytes content(kFileSize);
        crypto::randomBytes(content);
        writeFile(dir.path() / "random.bin",
                  std::string(reinterpret_cast<const char*>(content.data()), content.size()));
        EncryptRequest request;
        request.inputs = {dir.path() / "random.bin"};
        request.recipients = {recipientFor(identity)};
        request.output = dir.path() / "random.coffer";
        JobControl job;
        auto encrypted = encryptFiles(request, job);
        ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
        container = encrypted->output;
        // The plaintext, read backwards in pieces: every window is a jump, so
        // no read-ahead or prefetch is involved.
        auto reader = ContainerReader::open(container, identitiesOf(identity));
        ASSERT_TRUE(reader.ok()) << reader.error().message;
        plain.resize(static_cast<std::size_t>(reader->plaintextLength()));
        ASSERT_GT(plain.size(), kFileSize);
        for (std::size_t end = plain.size(); end > 0;) {
            const std::size_t begin = end > kPiece ? end - kPiece : 0;
            ASSERT_TRUE(reader->read(begin, MutableByteView(plain).subspan(begin, end - begin)).ok());
            end = begin;
        }
    }

    /// Reads the plaintext from the start in pieces until the end or a
    /// failure; returns how far it got and the failure, if any.
    std::pair<std::size_t, Status> readForward(ContainerReader& reader, const std::function<void(std::size_t)>& at)
    {
        Bytes piece(kPiece);
        std::size_t pos = 0;
        while (pos < plain.size()) {
            at(pos);
            const std::size_t n = std::min(kPiece, plain.size() - pos);
            const auto status = reader.read(pos, MutableByteView(piece).first(n));
            if (!status.ok())
                return {pos, status};
            EXPECT_TRUE(std::equal(piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(n),
                                   plain.begin() + static_cast<std::ptrdiff_t>(pos)))
                << "the bytes at " << pos << " differ";
            pos += n;
        }
        return {pos, Status::success()};
    }

    TempDir dir;
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate();
    fs::path container;
    Bytes plain;
};

TEST_F(ContainerReaderStreaming, ReadingForwardGivesBackEveryByte)
{
    auto reader = ContainerReader::open(container, identitiesOf(identity));
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    ASSERT_TRUE(reader->readIndex().ok()); // a jump to the end first, as extraction does
    const auto [reached, status] = readForward(*reader, [](std::size_t) {});
    EXPECT_TRUE(status.ok()) << status.error().message;
    EXPECT_EQ(reached, plain.size());
}

TEST_F(ContainerReaderStreaming, AContainerCutShortWhileBeingReadIsRefusedAtTheCut)
{
    // The cut comes when 2 MiB have been read: by then the window after the
    // current one is being decrypted and the one after that was read ahead.
    // Cut 1 MiB further (inside what was read ahead) and 3 MiB further (beyond it).
    const auto layout = crypto::PayloadLayout::fromPlaintextLength(plain.size());
    const std::uint64_t payloadStart =
        fs::file_size(container) -
        (crypto::PayloadLayout::chunkOffset(layout.chunkCount - 1) + layout.finalChunkPlainSize + crypto::kGcmTagSize);
    for (const std::size_t cutAt : {3 * kMiB + kMiB / 2, 5 * kMiB}) {
        SCOPED_TRACE("cut at " + std::to_string(cutAt));
        const fs::path copy = dir.path() / "cut.coffer";
        fs::copy_file(container, copy, fs::copy_options::overwrite_existing);
        auto reader = ContainerReader::open(copy, identitiesOf(identity));
        ASSERT_TRUE(reader.ok()) << reader.error().message;
        bool cut = false;
        const auto [reached, status] = readForward(*reader, [&](std::size_t pos) {
            if (!cut && pos >= 2 * kMiB) {
                fs::resize_file(copy, payloadStart + crypto::PayloadLayout::chunkOffset(cutAt / crypto::kChunkSize));
                cut = true;
            }
        });
        ASSERT_TRUE(cut);
        ASSERT_FALSE(status.ok()) << "read to the end of a container cut at " << cutAt;
        EXPECT_EQ(status.error().code, ErrorCode::Damaged);
        EXPECT_NE(status.error().message.find("shorter than expected"), std::string::npos) << status.error().message;
        // Bytes read from the file before the cut (the current window and up
        // to two read ahead, 1 MiB each) were whole and authenticated: they
        // may be given out. Nothing else is.
        EXPECT_GE(reached, 2 * kMiB);
        EXPECT_LE(reached, std::max<std::size_t>(cutAt, 2 * kMiB + 3 * kMiB));
    }
}

} // namespace
