// Cobblestone-256 decryption against all 35 C2SP chunked-encryption vectors,
// applied as wycheproof/doc/c2sp_chunked_encryption.md says: streaming
// (PayloadReader), random access (PayloadLayout + ChunkCipher::openChunk),
// final-chunk length authentication, and raw mode (aeadKey + baseNonce).
#include "CobblestoneVectors.h"

#include <iostream>
#include <limits>

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::tests;

namespace {

struct StreamOutcome {
    std::optional<Error> error; // the first error seen, from create() or read()
    bool failedAtCreate = false;
    Bytes produced;           // every byte released before the error (or the end)
    bool keepsFailing = true; // reads after an error kept failing
    bool endIsSticky = true;  // reads after a clean end kept returning 0
};

// Decrypts `v` through PayloadReader. `maxSourceRead` limits how much the
// source returns per call; `readSize` is the caller's buffer size.
StreamOutcome streamDecrypt(const ChunkedVector& v, std::size_t maxSourceRead, std::size_t readSize)
{
    StreamOutcome outcome;
    MemorySource source(v.ct, maxSourceRead);
    auto reader = PayloadReader::create(v.key, source, v.ctx);
    if (!reader.ok()) {
        outcome.error = reader.error();
        outcome.failedAtCreate = true;
        return outcome;
    }
    Bytes buffer(readSize);
    // Bounded, so that a reader stuck returning non-zero counts cannot hang the test.
    for (std::size_t calls = 0; calls <= v.ct.size() + 2; ++calls) {
        auto n = reader->read(buffer);
        if (!n.ok()) {
            outcome.error = n.error();
            break;
        }
        if (*n == 0)
            break;
        outcome.produced.insert(outcome.produced.end(), buffer.begin(),
                                buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    // The doc: after an error, further reads must keep failing rather than
    // report a clean end; after a clean end, reads must not resume.
    for (int i = 0; i < 3; ++i) {
        auto again = reader->read(buffer);
        if (outcome.error)
            outcome.keepsFailing = outcome.keepsFailing && !again.ok();
        else
            outcome.endIsSticky = outcome.endIsSticky && again.ok() && *again == 0;
    }
    return outcome;
}

ErrorCode expectedCode(const ChunkedVector& v)
{
    return v.has("InvalidKeySize") ? ErrorCode::InvalidArgument : ErrorCode::Damaged;
}

// Random-access decryption of the whole ciphertext, or only of its final chunk.
Status randomAccess(const ChunkedVector& v, bool finalOnly, Bytes* plain)
{
    const ByteView ct = v.ct;
    auto cipher = ChunkCipher::forDecryption(v.key, v.ctx, ct.first(std::min(ct.size(), kPayloadPrefixSize)));
    if (!cipher.ok())
        return cipher.error();
    return openChunks(*cipher, ct.subspan(std::min(ct.size(), kPayloadPrefixSize)), finalOnly, plain);
}

} // namespace

TEST(CobblestoneVectors, FileHoldsAllThirtyFiveVectors)
{
    const auto vectors = loadChunkedVectors();
    const auto valid = std::count_if(vectors.begin(), vectors.end(), [](const auto& v) { return v.valid; });
    std::cout << "Cobblestone-256: " << vectors.size() << " vectors loaded (" << valid << " valid, "
              << vectors.size() - static_cast<std::size_t>(valid) << " invalid)\n";
    ASSERT_EQ(vectors.size(), 35u);
    EXPECT_EQ(valid, 10);
}

TEST(CobblestoneVectors, StreamingDecryptionReleasesOnlyAuthenticatedPrefixes)
{
    const auto vectors = loadChunkedVectors();
    ASSERT_FALSE(vectors.empty());
    int valid = 0, invalid = 0, prefixesHashed = 0;
    for (const ChunkedVector& v : vectors) {
        // Pipe-like sources and odd caller buffers, to cross every chunk boundary
        // in different ways; tiny reads only where the ciphertext is small.
        std::vector<std::pair<std::size_t, std::size_t>> shapes = {{std::numeric_limits<std::size_t>::max(), 1 << 20},
                                                                   {4099, 1000}};
        if (v.ct.size() <= 64 * 1024)
            shapes.emplace_back(7, 1);
        for (const auto& [maxRead, readSize] : shapes) {
            SCOPED_TRACE(v.name() + ", source reads <= " + std::to_string(maxRead) + ", buffer " +
                         std::to_string(readSize));
            const StreamOutcome out = streamDecrypt(v, maxRead, readSize);
            if (v.valid) {
                ASSERT_FALSE(out.error) << out.error->message;
                ASSERT_TRUE(v.msgLength.has_value());
                EXPECT_EQ(out.produced.size(), *v.msgLength);
                EXPECT_EQ(toHex(sha512Of(out.produced)), toHex(v.msgSha512));
                EXPECT_TRUE(out.endIsSticky);
                continue;
            }
            ASSERT_TRUE(out.error.has_value()) << "an invalid vector decrypted cleanly";
            EXPECT_EQ(out.error->code, expectedCode(v)) << out.error->message;
            EXPECT_TRUE(out.keepsFailing) << "a read after the error did not fail";
            if (v.has("InvalidKeySize")) {
                EXPECT_TRUE(out.failedAtCreate) << "the bad key size was not rejected up front";
            }
            if (v.has("PartialPlaintext")) {
                ASSERT_TRUE(v.msgLength.has_value());
                EXPECT_LE(out.produced.size(), *v.msgLength) << "released bytes past the valid prefix";
                if (out.produced.size() == *v.msgLength) {
                    EXPECT_EQ(toHex(sha512Of(out.produced)), toHex(v.msgSha512));
                    ++prefixesHashed;
                }
            } else {
                EXPECT_TRUE(out.produced.empty()) << out.produced.size() << " bytes released";
            }
        }
        ++(v.valid ? valid : invalid);
    }
    std::cout << "Cobblestone-256 streaming: " << valid << " valid, " << invalid << " invalid vectors checked ("
              << prefixesHashed << " partial prefixes hash-checked)\n";
    ASSERT_GT(valid, 0);
    ASSERT_GT(invalid, 0);
    ASSERT_GT(prefixesHashed, 0);
}

TEST(CobblestoneVectors, RejectsInvalidKeySizesWhenKeyIsProvided)
{
    const auto vectors = loadChunkedVectors();
    ASSERT_FALSE(vectors.empty());
    int checked = 0;
    for (const ChunkedVector& v : vectors) {
        if (!v.has("InvalidKeySize"))
            continue;
        SCOPED_TRACE(v.name());
        ASSERT_NE(v.key.size(), kGcmKeySize);
        MemorySource source(v.ct, v.ct.size());
        auto reader = PayloadReader::create(v.key, source, v.ctx);
        ASSERT_FALSE(reader.ok());
        EXPECT_EQ(reader.error().code, ErrorCode::InvalidArgument);
        auto dec = ChunkCipher::forDecryption(v.key, v.ctx, ByteView(v.ct).first(kPayloadPrefixSize));
        ASSERT_FALSE(dec.ok());
        EXPECT_EQ(dec.error().code, ErrorCode::InvalidArgument);
        auto enc = ChunkCipher::forEncryption(v.key, v.ctx);
        ASSERT_FALSE(enc.ok());
        EXPECT_EQ(enc.error().code, ErrorCode::InvalidArgument);
        MemorySink sink;
        EXPECT_FALSE(PayloadWriter::create(v.key, sink, v.ctx).ok());
        EXPECT_TRUE(sink.bytes.empty()) << "a header was written for an unusable key";
        ++checked;
    }
    std::cout << "Cobblestone-256: " << checked << " InvalidKeySize vectors rejected on the key\n";
    ASSERT_GT(checked, 0);
}

TEST(CobblestoneVectors, RandomAccessOpensEveryChunkOfValidVectorsOnly)
{
    const auto vectors = loadChunkedVectors();
    ASSERT_FALSE(vectors.empty());
    int valid = 0, invalid = 0;
    for (const ChunkedVector& v : vectors) {
        SCOPED_TRACE(v.name());
        Bytes plain;
        const Status status = randomAccess(v, false, &plain);
        if (v.valid) {
            ASSERT_TRUE(status.ok()) << status.error().message;
            ASSERT_TRUE(v.msgLength.has_value());
            auto layout = PayloadLayout::fromCiphertextLength(v.ct.size());
            ASSERT_TRUE(layout.ok());
            EXPECT_EQ(layout->plaintextLength, *v.msgLength);
            EXPECT_EQ(plain.size(), *v.msgLength);
            EXPECT_EQ(toHex(sha512Of(plain)), toHex(v.msgSha512));
            ++valid;
        } else {
            ASSERT_FALSE(status.ok()) << "every chunk of an invalid vector opened";
            EXPECT_EQ(status.error().code, expectedCode(v)) << status.error().message;
            ++invalid;
        }
    }
    std::cout << "Cobblestone-256 random access: " << valid << " valid, " << invalid << " invalid vectors checked\n";
    ASSERT_GT(valid, 0);
    ASSERT_GT(invalid, 0);
}

TEST(CobblestoneVectors, FinalChunkAuthenticatesLengthUnlessValidFinalChunk)
{
    const auto vectors = loadChunkedVectors();
    ASSERT_FALSE(vectors.empty());
    int valid = 0, rejected = 0, validFinalChunk = 0;
    for (const ChunkedVector& v : vectors) {
        SCOPED_TRACE(v.name());
        Bytes finalPlain;
        const Status status = randomAccess(v, true, &finalPlain);
        if (v.valid) {
            ASSERT_TRUE(status.ok()) << status.error().message;
            EXPECT_EQ(finalPlain.size(), *v.msgLength % kChunkSize);
            ++valid;
        } else if (v.has("ValidFinalChunk")) {
            // The error is elsewhere; length authentication may succeed. Both
            // outcomes are allowed, but a success must report the vector's true
            // final-chunk size.
            if (status.ok()) {
                EXPECT_EQ(finalPlain.size(), (v.ct.size() - kPayloadPrefixSize) % kSealedChunkSize - kGcmTagSize);
            }
            ++validFinalChunk;
        } else {
            ASSERT_FALSE(status.ok()) << "the final chunk of an invalid vector authenticated";
            EXPECT_TRUE(finalPlain.empty());
            ++rejected;
        }
    }
    std::cout << "Cobblestone-256 final chunk: " << valid << " valid, " << rejected << " invalid rejected, "
              << validFinalChunk << " ValidFinalChunk vectors checked\n";
    ASSERT_GT(valid, 0);
    ASSERT_GT(rejected, 0);
    ASSERT_GT(validFinalChunk, 0);
}

TEST(CobblestoneVectors, RawModeDecryptsVectorsWithoutHeaderFailure)
{
    const auto vectors = loadChunkedVectors();
    ASSERT_FALSE(vectors.empty());
    int valid = 0, invalid = 0;
    for (const ChunkedVector& v : vectors) {
        if (v.has("HeaderFailure"))
            continue;
        SCOPED_TRACE(v.name());
        auto cipher = ChunkCipher::raw(v.aeadKey, v.baseNonce);
        ASSERT_TRUE(cipher.ok()) << cipher.error().message;
        // Raw mode has no header: strip the 56 bytes (salt and commitment).
        ASSERT_GE(v.ct.size(), kPayloadPrefixSize);
        Bytes plain;
        const Status status = openChunks(*cipher, ByteView(v.ct).subspan(kPayloadPrefixSize), false, &plain);
        if (v.valid) {
            ASSERT_TRUE(status.ok()) << status.error().message;
            EXPECT_EQ(plain.size(), *v.msgLength);
            EXPECT_EQ(toHex(sha512Of(plain)), toHex(v.msgSha512));
            ++valid;
        } else {
            ASSERT_FALSE(status.ok()) << "raw mode decrypted an invalid vector";
            EXPECT_EQ(status.error().code, ErrorCode::Damaged);
            ++invalid;
        }
    }
    std::cout << "Cobblestone-256 raw mode: " << valid << " valid, " << invalid << " invalid vectors checked\n";
    ASSERT_GT(valid, 0);
    ASSERT_GT(invalid, 0);
}

TEST(CobblestoneVectors, RawModeRejectsBadKeyAndNonceSizes)
{
    const Bytes key(32, 1), nonce(12, 2);
    EXPECT_TRUE(ChunkCipher::raw(key, nonce).ok());
    EXPECT_FALSE(ChunkCipher::raw(ByteView(key).first(31), nonce).ok());
    EXPECT_FALSE(ChunkCipher::raw(key, ByteView(nonce).first(11)).ok());
    const Bytes longNonce(13, 2);
    EXPECT_FALSE(ChunkCipher::raw(key, longNonce).ok());
}
