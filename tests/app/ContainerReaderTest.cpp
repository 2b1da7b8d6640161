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
    // The cut comes when 2 MiB have been read. Windows double from one chunk
    // to 64 (1 MiB): by then the current window ends at 3056 KiB, the next
    // (to 4080 KiB) is being decrypted and the one after (to 5104 KiB) was
    // read ahead. Bytes read before the cut were whole and are given out once
    // authenticated; the first read past what was read fails as truncated.
    const auto layout = crypto::PayloadLayout::fromPlaintextLength(plain.size());
    const std::uint64_t payloadStart =
        fs::file_size(container) -
        (crypto::PayloadLayout::chunkOffset(layout.chunkCount - 1) + layout.finalChunkPlainSize + crypto::kGcmTagSize);
    const struct {
        std::size_t cutAt;
        bool readBeforeTheCut;
    } cuts[] = {
        {3 * kMiB + kMiB / 2, true},  // in the window being decrypted
        {4 * kMiB + kMiB / 2, true},  // in the window read ahead
        {5 * kMiB + kMiB / 2, false}, // beyond both
    };
    for (const auto& c : cuts) {
        SCOPED_TRACE("cut at " + std::to_string(c.cutAt));
        const fs::path copy = dir.path() / "cut.coffer";
        fs::copy_file(container, copy, fs::copy_options::overwrite_existing);
        auto reader = ContainerReader::open(copy, identitiesOf(identity));
        ASSERT_TRUE(reader.ok()) << reader.error().message;
        bool cut = false;
        const auto [reached, status] = readForward(*reader, [&](std::size_t pos) {
            if (!cut && pos >= 2 * kMiB) {
                fs::resize_file(copy, payloadStart + crypto::PayloadLayout::chunkOffset(c.cutAt / crypto::kChunkSize));
                cut = true;
            }
        });
        ASSERT_TRUE(cut);
        ASSERT_FALSE(status.ok()) << "read to the end of a container cut at " << c.cutAt;
        EXPECT_EQ(status.error().code, ErrorCode::Damaged);
        EXPECT_NE(status.error().message.find("shorter than expected"), std::string::npos) << status.error().message;
        if (c.readBeforeTheCut) {
            EXPECT_GT(reached, c.cutAt);
            EXPECT_LE(reached, 5104 * 1024u);
        } else {
            EXPECT_GT(reached + kPiece, 5104 * 1024u); // the piece that failed reaches past what was read
            EXPECT_LE(reached, c.cutAt);
        }
    }
}

} // namespace
