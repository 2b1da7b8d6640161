// Round trips of AgeEncryptor/AgeDecryptor at the sizes where STREAM has its
// edges (empty, one byte, exactly one chunk, one chunk and a byte, several
// batches), armored and not; and tampering: a flipped byte in any chunk, a
// truncated file and appended bytes are refused, and read() never gives a
// byte of a chunk that did not verify.
#include "AgeTestSupport.h"

using namespace coffer;
using namespace coffer::crypto;
using namespace coffer::crypto::age;
using namespace coffer::tests;

namespace {

constexpr std::size_t kChunk = kAgeChunkSize;
constexpr std::size_t kSealed = kAgeChunkSize + 16;

struct Fixture {
    AgeTestKey key = AgeTestKey::generate();
    AgeRecipients recipients() const { return AgeRecipients{{key.recipient}, std::nullopt, kDefaultScryptWorkFactor}; }
    AgeKeys keys() const
    {
        AgeKeys k;
        k.x25519.push_back(key.secret.clone());
        return k;
    }
};

// Where the payload starts: after the header's MAC line and the 16-byte nonce.
std::size_t payloadOffset(const Bytes& file)
{
    const std::string text(file.begin(), file.end());
    return text.find('\n', text.find("\n--- ") + 1) + 1 + 16;
}

// The released bytes are whole verified chunks of the plaintext, in order.
void expectVerifiedPrefix(const AgeOutcome& got, const Bytes& plain, std::size_t maxChunks)
{
    ASSERT_LE(got.released.size(), maxChunks * kChunk);
    EXPECT_EQ(got.released.size() % kChunk, 0u) << "a partial chunk was released";
    EXPECT_TRUE(std::equal(got.released.begin(), got.released.end(), plain.begin()));
}

} // namespace

TEST(AgeStream, RoundTripsAtChunkEdges)
{
    Fixture f;
    for (const std::size_t size :
         std::vector<std::size_t>{0, 1, kChunk - 1, kChunk, kChunk + 1, 2 * kChunk, 32 * kChunk, 32 * kChunk + 1,
                                  64 * kChunk, 5 * 1024 * 1024 + 123}) {
        const Bytes plain = patternBytes(size, static_cast<std::uint32_t>(size));
        for (const bool armor : {false, true}) {
            const Bytes file = encryptAge(plain, f.recipients(), armor, 7000);
            const std::size_t chunks = size == 0 ? 1 : (size + kChunk - 1) / kChunk;
            if (!armor) {
                EXPECT_EQ(file.size() - payloadOffset(file), size + 16 * chunks) << size;
            }
            const AgeOutcome got = decryptAge(file, f.keys(), 4096, 5000);
            EXPECT_EQ(got.failure, AgeFailure::None)
                << size << (armor ? " armored: " : ": ") << (got.error ? got.error->message : "");
            EXPECT_TRUE(got.released == plain) << size << (armor ? " armored" : "");
        }
    }
}

TEST(AgeStream, RoundTripsToThreeRecipientsAndAPassphrase)
{
    Fixture a, b, c;
    const Bytes plain = patternBytes(3 * kChunk + 5);
    AgeRecipients three{{a.key.recipient, b.key.recipient, c.key.recipient}, std::nullopt, kDefaultScryptWorkFactor};
    const Bytes file = encryptAge(plain, three);
    for (const Fixture* who : {&a, &b, &c})
        EXPECT_TRUE(decryptAge(file, who->keys()).released == plain);
    EXPECT_EQ(decryptAge(file, Fixture{}.keys()).failure, AgeFailure::NoMatch);

    AgeRecipients pass{{}, SecureString("correct horse"), 10};
    const Bytes locked = encryptAge(plain, pass, true);
    AgeKeys right;
    right.passphrase = SecureString("correct horse");
    EXPECT_TRUE(decryptAge(locked, right).released == plain);
    AgeKeys wrong;
    wrong.passphrase = SecureString("wrong");
    const AgeOutcome refused = decryptAge(locked, wrong);
    EXPECT_EQ(refused.failure, AgeFailure::NoMatch);
    EXPECT_EQ(refused.error->code, ErrorCode::WrongPassphrase);
    EXPECT_EQ(decryptAge(locked, AgeKeys{}).error->code, ErrorCode::PassphraseNeeded);
}

TEST(AgeStream, RefusesAWorkFactorOverTheCeilingBeforeAnyWork)
{
    AgeRecipients pass{{}, SecureString("pw"), 12};
    const Bytes file = encryptAge(patternBytes(10), pass);
    AgeKeys keys;
    keys.passphrase = SecureString("pw");
    keys.maxWorkFactor = 11;
    const AgeOutcome got = decryptAge(file, keys);
    EXPECT_EQ(got.failure, AgeFailure::WorkFactor);
    EXPECT_EQ(got.error->code, ErrorCode::LimitExceeded);
    keys.passphrase.reset(); // refused even before a passphrase is asked for
    EXPECT_EQ(decryptAge(file, keys).failure, AgeFailure::WorkFactor);
}

TEST(AgeStream, RefusesAFlippedByteInAnyChunk)
{
    Fixture f;
    const std::size_t chunks = 40; // more than one batch
    const Bytes plain = patternBytes(chunks * kChunk - 100);
    const Bytes file = encryptAge(plain, f.recipients());
    const std::size_t start = payloadOffset(file);
    for (const std::size_t chunk : {std::size_t(0), std::size_t(1), std::size_t(31), std::size_t(32), chunks - 1}) {
        for (const std::size_t at : {std::size_t(0), kSealed / 2, kSealed - 1}) {
            Bytes bad = file;
            const std::size_t pos = std::min(start + chunk * kSealed + at, bad.size() - 1);
            bad[pos] ^= 0x20;
            const AgeOutcome got = decryptAge(bad, f.keys(), 3000);
            EXPECT_EQ(got.failure, AgeFailure::Payload) << "chunk " << chunk << " byte " << at;
            expectVerifiedPrefix(got, plain, chunk);
        }
    }
}

TEST(AgeStream, RefusesATruncatedFile)
{
    Fixture f;
    const Bytes plain = patternBytes(3 * kChunk + 77);
    const Bytes file = encryptAge(plain, f.recipients());
    const std::size_t start = payloadOffset(file);
    for (const std::size_t cut : {start - 16, start - 1, start, start + 10, start + kSealed - 1, start + kSealed,
                                  start + kSealed + 1, start + 3 * kSealed, file.size() - 1}) {
        const Bytes bad(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut));
        const AgeOutcome got = decryptAge(bad, f.keys());
        EXPECT_NE(got.failure, AgeFailure::None) << "cut at " << cut;
        expectVerifiedPrefix(got, plain, 3);
    }
}

TEST(AgeStream, RefusesAppendedBytes)
{
    Fixture f;
    for (const std::size_t size : {std::size_t(0), std::size_t(100), kChunk, 2 * kChunk + 3}) {
        const Bytes plain = patternBytes(size);
        const Bytes file = encryptAge(plain, f.recipients());
        for (const std::size_t extra : {std::size_t(1), std::size_t(16), std::size_t(17), kSealed}) {
            Bytes bad = file;
            bad.insert(bad.end(), extra, 0);
            const AgeOutcome got = decryptAge(bad, f.keys());
            EXPECT_EQ(got.failure, AgeFailure::Payload) << size << " + " << extra;
            EXPECT_TRUE(std::equal(got.released.begin(), got.released.end(), plain.begin())) << size << "+" << extra;
        }
    }
}

TEST(AgeStream, RefusesAnyChangeToTheArmor)
{
    Fixture f;
    const Bytes plain = patternBytes(1000);
    const Bytes file = encryptAge(plain, f.recipients(), true);
    const std::string text(file.begin(), file.end());
    EXPECT_TRUE(text.starts_with(std::string(kArmorBegin) + "\n"));
    EXPECT_TRUE(text.ends_with(std::string(kArmorEnd) + "\n"));
    EXPECT_TRUE(looksLikeAge(file));
    const std::size_t firstLine = text.find('\n') + 1;
    for (const std::string& edit : {std::string("insert space"), std::string("drop newline"), std::string("trail")}) {
        std::string bad = text;
        if (edit == "insert space")
            bad.insert(firstLine + 10, " ");
        else if (edit == "drop newline")
            bad.erase(firstLine + 64, 1);
        else
            bad += "x";
        const AgeOutcome got = decryptAge(asBytes(bad), f.keys());
        EXPECT_EQ(got.failure, AgeFailure::Armor) << edit;
    }
}

TEST(AgeStream, InspectsTheHeaderWithoutAKey)
{
    Fixture a, b;
    const Bytes two =
        encryptAge(patternBytes(10),
                   AgeRecipients{{a.key.recipient, b.key.recipient}, std::nullopt, kDefaultScryptWorkFactor}, true);
    AgeMemorySource source(two);
    AgeFailure why = AgeFailure::Header;
    auto info = inspectAge(source, &why);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(why, AgeFailure::None);
    EXPECT_TRUE(info->armored);
    EXPECT_EQ(info->stanzaTypes, (std::vector<std::string>{"X25519", "X25519"}));

    // A work factor of 22 (made here from one of 10: the MAC does not matter to inspect) costs nothing.
    Bytes locked = encryptAge(patternBytes(10), AgeRecipients{{}, SecureString("pw"), 10});
    const std::size_t at = std::string(locked.begin(), locked.end()).find(" 10\n");
    ASSERT_NE(at, std::string::npos);
    locked[at + 1] = '2';
    locked[at + 2] = '2';
    AgeMemorySource lockedSource(locked);
    auto lockedInfo = inspectAge(lockedSource);
    ASSERT_TRUE(lockedInfo.ok());
    EXPECT_FALSE(lockedInfo->armored);
    EXPECT_EQ(lockedInfo->stanzaTypes, std::vector<std::string>{"scrypt"});

    const std::string junk = "age-encryption.org/v1\n-> X25519 short\n\n--- x\n";
    AgeMemorySource junkSource(asBytes(junk));
    EXPECT_FALSE(inspectAge(junkSource, &why).ok());
    EXPECT_EQ(why, AgeFailure::Header);
}

namespace {

// Gives `good` bytes of `data`, then fails as a disk would.
class FailingSource : public ByteSource {
public:
    FailingSource(ByteView data, std::size_t good) : m_data(data.first(good)) {}
    Result<std::size_t> read(MutableByteView buffer) override
    {
        if (m_pos == m_data.size())
            return makeError(ErrorCode::Io, "the disk failed");
        const std::size_t n = std::min(buffer.size(), m_data.size() - m_pos);
        std::memcpy(buffer.data(), m_data.data() + m_pos, n);
        m_pos += n;
        return n;
    }

private:
    ByteView m_data;
    std::size_t m_pos = 0;
};

} // namespace

TEST(AgeStream, ReportsAReadErrorAfterTheChunksBeforeIt)
{
    Fixture f;
    const Bytes plain = patternBytes(40 * kChunk);
    const Bytes file = encryptAge(plain, f.recipients());
    const std::size_t start = payloadOffset(file);
    for (const std::size_t good : {start + 2 * kSealed + 100, start + 33 * kSealed, start + 40 * kSealed}) {
        FailingSource source(file, good);
        auto decryptor = AgeDecryptor::open(source, f.keys());
        ASSERT_TRUE(decryptor.ok());
        Bytes released, buffer(50000);
        Result<std::size_t> n = std::size_t{0};
        while ((n = (*decryptor)->read(buffer)).ok() && *n > 0)
            released.insert(released.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
        ASSERT_FALSE(n.ok()) << "a read error passed for the end, after " << good;
        EXPECT_EQ(n.error().code, ErrorCode::Io);
        EXPECT_EQ((*decryptor)->failure(), AgeFailure::Payload);
        EXPECT_EQ(released.size(), (good - start) / kSealed * kChunk);
        EXPECT_TRUE(std::equal(released.begin(), released.end(), plain.begin()));
    }
}

namespace {

// Gives at most `step` bytes per read, then reports its end.
class SteppedSource final : public ByteSource {
public:
    SteppedSource(ByteView data, std::size_t step) : m_data(data), m_step(step) {}
    Result<std::size_t> read(MutableByteView out) override
    {
        const std::size_t n = std::min({out.size(), m_step, m_data.size()});
        std::copy_n(m_data.begin(), n, out.begin());
        m_data = m_data.subspan(n);
        return n;
    }

private:
    ByteView m_data;
    std::size_t m_step;
};

} // namespace

TEST(AgeStream, ReadsASourceStraightIntoTheChunksAtTheEdges)
{
    // writeFrom() fills the chunks in place; at exactly a batch's worth (32
    // chunks) the final chunk must be that batch's last, not an empty extra.
    Fixture f;
    for (const std::size_t size : std::vector<std::size_t>{1, kChunk, kChunk + 1, 32 * kChunk, 64 * kChunk + 5}) {
        const Bytes plain = patternBytes(size, static_cast<std::uint32_t>(size) + 3);
        AgeMemorySink sink;
        auto encryptor = AgeEncryptor::open(sink, f.recipients());
        ASSERT_TRUE(encryptor.ok());
        ASSERT_TRUE((*encryptor)->write(ByteView(plain).first(1)).ok()); // write() and writeFrom() mix
        SteppedSource source(ByteView(plain).subspan(1), 40000);
        const Status read = (*encryptor)->writeFrom(source, size - 1);
        ASSERT_TRUE(read.ok()) << read.error().message;
        ASSERT_TRUE((*encryptor)->finish().ok());
        const std::size_t chunks = (size + kChunk - 1) / kChunk;
        EXPECT_EQ(sink.bytes.size() - payloadOffset(sink.bytes), size + 16 * chunks) << size;
        const AgeOutcome got = decryptAge(sink.bytes, f.keys(), 4096, 5000);
        EXPECT_EQ(got.failure, AgeFailure::None) << size;
        EXPECT_TRUE(got.released == plain) << size;
    }
}

TEST(AgeStream, RefusesASourceThatEndsBeforeItsSize)
{
    Fixture f;
    const Bytes plain = patternBytes(3 * kChunk);
    AgeMemorySink sink;
    auto encryptor = AgeEncryptor::open(sink, f.recipients());
    ASSERT_TRUE(encryptor.ok());
    SteppedSource source(plain, kChunk);
    const Status read = (*encryptor)->writeFrom(source, plain.size() + 1);
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("ended early"), std::string::npos) << read.error().message;
}
