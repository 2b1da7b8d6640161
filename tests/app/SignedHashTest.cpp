// The content hashes of a signed container (FORMAT.md §5.7), made on a thread
// of their own beside reading and sealing (ArchiveWriter, HashBehind): each
// file's SHA-256 in the index must be that of its source, whichever way it
// was written (big files stored or in frames, files alone, packs, small
// stored files, empty files), the signature must verify through both readers,
// and the archive's bytes before the index must be exactly those of the same
// tree encrypted without a signature: hashing changes nothing that is written.
#include "ContainerReader.h"
#include "ExtractHarness.h"
#include "Primitives.h"
#include "SampleTree.h"
#include "Signature.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;
constexpr std::size_t kChunk = 16 * kKiB;   // a payload chunk (FORMAT.md §4)
constexpr std::size_t kBatch = 64 * kChunk; // what the payload seals at once

std::string proseOf(std::size_t size, std::uint64_t seed)
{
    // Text that compresses, but not to nothing.
    std::string out;
    out.reserve(size);
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    while (out.size() < size) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out += "word" + std::to_string(x % 5000) + (x % 7 == 0 ? "\n" : " ");
    }
    out.resize(size);
    return out;
}

/// Files for every way a file is written, the big ones not on chunk or batch
/// boundaries, so that a file ends and the next begins inside a batch.
struct Tree {
    TempDir dir;
    fs::path in = dir / "in";
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate("Signer");

    Tree()
    {
        fs::create_directories(in / "small");
        fs::create_directories(in / "photos");
        fs::create_directories(in / "empty-folder");
        // Stored big files (random: compression does not pay), back to back.
        writeFile(in / "big-1.bin", randomText(5 * kBatch + 12345, 11));
        writeFile(in / "big-2.bin", randomText(20 * kMiB + 1, 12));
        writeFile(in / "big-3.bin", randomText(4 * kMiB + 1, 13));
        writeFile(in / "big-4.bin", randomText(5 * kBatch, 14)); // ends on a batch's end
        // Files alone: 4-16 MiB, compressed or stored.
        writeFile(in / "alone-text.txt", proseOf(6 * kMiB + 3, 21));
        writeFile(in / "alone-random.dat", randomText(7 * kMiB + 5, 22));
        // A big compressible file: frames made by the pack threads.
        writeFile(in / "frames.txt", proseOf(19 * kMiB + kChunk + 7, 31));
        // Many small files (packs), small stored ones (a compressed format), empty ones.
        for (int i = 0; i < 300; ++i)
            writeFile(in / "small" / ("f" + std::to_string(i) + ".txt"), proseOf(100 + 97 * i, 1000 + i));
        for (int i = 0; i < 40; ++i)
            writeFile(in / "photos" / ("p" + std::to_string(i) + ".jpg"), randomText(kChunk * (i % 5) + i, 2000 + i));
        writeFile(in / "empty.txt", "");
        writeFile(in / "photos" / "empty.jpg", "");
        writeFile(in / "small" / "zz-empty.txt", "");
        // A stored big file after everything, as the input's last entry.
        writeFile(in / "zz-last.bin", randomText(4 * kMiB + kChunk + 1, 41));
    }

    Result<EncryptSummary> encrypt(const fs::path& output, bool sign) const
    {
        EncryptRequest request;
        request.inputs = {in};
        request.recipients = {recipientFor(identity)};
        request.output = output;
        request.signer = sign ? &identity : nullptr;
        // The v1 layout (a hash per file) that this test walks; format v2's
        // per-pack hashes are covered by FormatV2Test.
        request.format = crypto::kFormatV1;
        JobControl job;
        return encryptFiles(request, job);
    }
};

/// The archive's bytes from its start to the index: records and data.
Bytes archiveBeforeIndex(const fs::path& container, const crypto::SecretIdentity& identity)
{
    auto reader = ContainerReader::open(container, identitiesOf(identity));
    EXPECT_TRUE(reader.ok()) << reader.error().message;
    if (!reader.ok())
        return {};
    const std::uint64_t length = reader->plaintextLength();
    Bytes trailerBytes(kTrailerSize);
    EXPECT_TRUE(reader->read(length - kTrailerSize, trailerBytes).ok());
    auto trailer = decodeTrailer(trailerBytes, length);
    EXPECT_TRUE(trailer.ok());
    if (!trailer.ok())
        return {};
    Bytes archive(trailer->indexOffset);
    EXPECT_TRUE(reader->read(0, archive).ok());
    return archive;
}

TEST(SignedHash, EveryFileCarriesTheHashOfItsSourceAndTheSignatureVerifies)
{
    Tree t;
    auto encrypted = t.encrypt(t.dir / "signed.coffer", true);
    ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
    auto listing = listContainer(encrypted->output, identitiesOf(t.identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    const ArchiveIndex& index = listing->index;
    ASSERT_TRUE(index.hasHashes);
    ASSERT_TRUE(index.signature.has_value()) << "the signature did not verify";
    EXPECT_EQ(index.signature->signerEd25519, t.identity.card()->ed25519);

    std::set<Codec> codecs;
    std::size_t files = 0;
    std::size_t bigStored = 0;
    for (const auto& e : index.entries) {
        if (e.info.kind != EntryKind::File)
            continue;
        ++files;
        codecs.insert(e.info.codec);
        if (e.info.codec == Codec::Stored && e.info.size > 4 * kMiB)
            ++bigStored;
        ASSERT_TRUE(e.sha256.has_value()) << e.info.path;
        EXPECT_EQ(*e.sha256, crypto::sha256(readBytes(t.dir / e.info.path))) << e.info.path;
    }
    EXPECT_EQ(files, 4u + 2u + 1u + 300u + 40u + 3u + 1u);
    EXPECT_EQ(bigStored, 6u) << "the big random files were not all stored";
    EXPECT_EQ(codecs, (std::set<Codec>{Codec::Stored, Codec::Zstd, Codec::Packed}));

    // Both readers check the signature, then every file they write against its hash.
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        TempDir out;
        auto result = extractWith(mode, encrypted->output, out.path(), identitiesOf(t.identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        ASSERT_TRUE(result->index.signature.has_value()) << "extracted without a verified signature";
        EXPECT_EQ(result->files, files);
        EXPECT_EQ(describeTree(out / "in"), describeTree(t.in));
    }
}

TEST(SignedHash, SigningChangesNothingBeforeTheIndex)
{
    // The records and data of a signed container are byte for byte those of
    // the unsigned one (only the index differs: hashes and the signature), and
    // two signed runs write the same archive: the hash thread, however far
    // behind, decides nothing.
    Tree t;
    auto plain = t.encrypt(t.dir / "unsigned.coffer", false);
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    auto first = t.encrypt(t.dir / "signed-1.coffer", true);
    ASSERT_TRUE(first.ok()) << first.error().message;
    auto second = t.encrypt(t.dir / "signed-2.coffer", true);
    ASSERT_TRUE(second.ok()) << second.error().message;

    const Bytes unsignedArchive = archiveBeforeIndex(plain->output, t.identity);
    const Bytes signedArchive = archiveBeforeIndex(first->output, t.identity);
    ASSERT_GT(unsignedArchive.size(), 40 * kMiB);
    EXPECT_TRUE(signedArchive == unsignedArchive) << "signing changed the records or data";

    auto reader1 = ContainerReader::open(first->output, identitiesOf(t.identity));
    auto reader2 = ContainerReader::open(second->output, identitiesOf(t.identity));
    ASSERT_TRUE(reader1.ok() && reader2.ok());
    ASSERT_EQ(reader1->plaintextLength(), reader2->plaintextLength());
    Bytes whole1(reader1->plaintextLength());
    Bytes whole2(reader2->plaintextLength());
    ASSERT_TRUE(reader1->read(0, whole1).ok());
    ASSERT_TRUE(reader2->read(0, whole2).ok());
    EXPECT_TRUE(whole1 == whole2) << "two signed runs wrote different archives";
}

TEST(SignedHash, ABigStoredFileCostsLittleMoreSigned)
{
    // 64 MiB of random bytes, stored: signed and unsigned, each the best of
    // three. The hash runs beside reading and sealing; the figures are
    // printed (a shared machine's timing is no assertion), the hash checked.
    TempDir dir;
    const fs::path file = dir / "random.bin";
    writeFile(file, randomText(64 * kMiB, 7));
    const auto identity = crypto::SecretIdentity::generate();
    const auto timeOf = [&](bool sign, const std::string& name) {
        double best = 1e9;
        for (int run = 0; run < 3; ++run) {
            EncryptRequest request;
            request.inputs = {file};
            request.recipients = {recipientFor(identity)};
            request.output = dir / name;
            request.overwrite = true;
            request.signer = sign ? &identity : nullptr;
            request.format = crypto::kFormatV1; // the layout this test walks
            JobControl job;
            const auto start = std::chrono::steady_clock::now();
            auto done = encryptFiles(request, job);
            const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            EXPECT_TRUE(done.ok()) << done.error().message;
            best = std::min(best, took);
        }
        return best;
    };
    const double unsignedTime = timeOf(false, "unsigned.coffer");
    const double signedTime = timeOf(true, "signed.coffer");
    std::printf("[ timing   ] 64 MiB stored: unsigned %.3f s, signed %.3f s (%.2fx)\n", unsignedTime, signedTime,
                signedTime / unsignedTime);
    auto listing = listContainer(dir / "signed.coffer", identitiesOf(identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    ASSERT_TRUE(listing->index.signature.has_value());
    const IndexEntry* entry = findEntry(listing->index, "random.bin");
    ASSERT_NE(entry, nullptr);
    ASSERT_TRUE(entry->sha256.has_value());
    EXPECT_EQ(*entry->sha256, crypto::sha256(readBytes(file)));
}

} // namespace

// Format v2's directory is signed under its own label (docs/FORMAT-v2.md
// §3.6): a v1 index signature never verifies as a v2 directory's, nor the
// other way round, and a key agent signs either form and nothing else.
TEST(SignedHash, AV1SignatureNeverVerifiesAsV2AndTheOtherWayRound)
{
    const auto signer = crypto::SecretIdentity::generate("Signer");
    const auto ed25519 = signer.card()->ed25519;
    const Bytes content{'s', 'i', 'g', 'n', 'e', 'd'};
    const auto v1 = crypto::signIndex(signer, content);
    const auto v2 = crypto::signDirectory(signer, content);
    EXPECT_TRUE(crypto::verifyIndexSignature(ed25519, content, v1));
    EXPECT_TRUE(crypto::verifyDirectorySignature(ed25519, content, v2));
    EXPECT_FALSE(crypto::verifyDirectorySignature(ed25519, content, v1));
    EXPECT_FALSE(crypto::verifyIndexSignature(ed25519, content, v2));

    // A v1 index (version 2, signed, no entries) signed with each label.
    const auto card = *signer.card();
    ArchiveIndex index;
    index.version = kIndexVersion2;
    index.hasHashes = true;
    index.recipients.emplace_back(crypto::kAudienceX25519, card.x25519);
    index.signature = IndexSignature{card.x25519, card.ed25519, {}};
    const auto signedWith = [&](crypto::Signature64 (*sign)(const crypto::SecretIdentity&, crypto::ByteView)) {
        Bytes plain = encodeIndex(index);
        const auto sig = sign(signer, crypto::ByteView(plain).first(plain.size() - 64));
        std::copy(sig.begin(), sig.end(), plain.end() - 64);
        return plain;
    };
    EXPECT_TRUE(decodeIndex(signedWith(crypto::signIndex), 0).ok());
    auto refused = decodeIndex(signedWith(crypto::signDirectory), 0);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::Damaged);
    EXPECT_NE(refused.error().message.find("signature"), std::string::npos);
}

TEST(SignedHash, TheAgentsMessageCheckAcceptsBothLabelsAndNothingElse)
{
    const Bytes content{1, 2, 3};
    EXPECT_TRUE(crypto::isIndexSignatureMessage(crypto::indexSignatureMessage(content)));
    EXPECT_TRUE(crypto::isIndexSignatureMessage(crypto::directorySignatureMessage(content)));
    Bytes other = crypto::directorySignatureMessage(content);
    other[8] = '3'; // "coffer/v3/signature"
    EXPECT_FALSE(crypto::isIndexSignatureMessage(other));
    other = crypto::directorySignatureMessage(content);
    other[crypto::kDirectorySignatureLabel.size()] = 1; // no NUL after the label
    EXPECT_FALSE(crypto::isIndexSignatureMessage(other));
    other = crypto::directorySignatureMessage(content);
    other.push_back(0); // longer than a digest
    EXPECT_FALSE(crypto::isIndexSignatureMessage(other));
    other.resize(other.size() - 2); // shorter
    EXPECT_FALSE(crypto::isIndexSignatureMessage(other));
}
