// encryptFiles -> listContainer -> extractContainer with real files: both
// readers give back the same bytes, modes and times; `only` picks entries;
// a wrong key or passphrase is told apart from damage and touches nothing.
#include "ExtractHarness.h"
#include "SampleTree.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace coffer;
using namespace coffer::test;
namespace fs = std::filesystem;

namespace {

struct Encrypted {
    TempDir dir;
    fs::path source;
    fs::path container;
    crypto::SecretIdentity identity = crypto::SecretIdentity::generate("Alice");
};

void encryptSample(Encrypted& e, const crypto::SecretIdentity* signer = nullptr)
{
    e.source = e.dir / "tree";
    makeSampleTree(e.source);
    EncryptRequest request;
    request.inputs = {e.source};
    request.recipients = {recipientFor(e.identity)};
    request.output = e.dir / "tree.coffer";
    request.signer = signer;
    JobControl job;
    auto summary = encryptFiles(request, job);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->output, request.output);
    EXPECT_EQ(summary->files, 7u);
    e.container = summary->output;
}

} // namespace

TEST(RoundTrip, ListingShowsEveryEntryWithItsCodec)
{
    Encrypted e;
    ASSERT_NO_FATAL_FAILURE(encryptSample(e));
    auto listing = listContainer(e.container, identitiesOf(e.identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    std::vector<std::string> paths;
    for (const auto& entry : listing->index.entries)
        if (!entry.isPack()) // packs are storage, not files (FORMAT.md §5.8)
            paths.push_back(entry.info.path);
    const std::vector<std::string> expected{"tree",
                                            "tree/empty-folder",
                                            "tree/empty.txt",
                                            "tree/photo.jpg",
                                            "tree/random.bin",
                                            "tree/readme.txt",
                                            "tree/sub",
                                            "tree/sub/deep",
                                            "tree/sub/deep/.hidden",
                                            "tree/sub/deep/caf\xc3\xa9 notes.txt",
                                            "tree/sub/script.sh"};
    // Storage order is the writer's business (folders go out at once, small files
    // in packs); the set of entries is what the listing must show.
    std::sort(paths.begin(), paths.end());
    EXPECT_EQ(paths, expected);
    // Small files share packs (format v2: a known compressed format in a stored pack).
    EXPECT_EQ(findEntry(listing->index, "tree/readme.txt")->info.codec, Codec::Packed);
    EXPECT_EQ(findEntry(listing->index, "tree/photo.jpg")->info.codec, Codec::Packed);
    EXPECT_EQ(findEntry(listing->index, "tree/empty.txt")->info.codec, Codec::Stored);
    EXPECT_EQ(findEntry(listing->index, "tree/sub")->info.kind, EntryKind::Directory);
    EXPECT_EQ(findEntry(listing->index, "tree/sub")->info.mode, 0750);
    EXPECT_EQ(findEntry(listing->index, "tree/readme.txt")->info.mtimeNanoseconds, 123'456'789u);
    EXPECT_EQ(listing->containerBytes, fs::file_size(e.container));
    ASSERT_EQ(listing->index.recipients.size(), 1u);
    EXPECT_EQ(listing->index.recipients[0], IndexRecipient(crypto::kAudienceX25519, e.identity.x25519Public()));
}

TEST(RoundTrip, BothReadersRestoreBytesModesAndTimes)
{
    Encrypted e;
    ASSERT_NO_FATAL_FAILURE(encryptSample(e));
    const auto expected = describeTree(e.source);
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path out = e.dir / (mode == ReaderMode::File ? "out-file" : "out-stream");
        auto result = extractWith(mode, e.container, out, identitiesOf(e.identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result->files, 7u);
        EXPECT_EQ(result->written, std::vector<fs::path>{out / "tree"}); // what appeared in the destination
        EXPECT_EQ(listTree(out),
                  std::vector<std::string>({"tree/", "tree/empty-folder/", "tree/empty.txt", "tree/photo.jpg",
                                            "tree/random.bin", "tree/readme.txt", "tree/sub/", "tree/sub/deep/",
                                            "tree/sub/deep/.hidden", "tree/sub/deep/caf\xc3\xa9 notes.txt",
                                            "tree/sub/script.sh"}));
        EXPECT_EQ(describeTree(out / "tree"), expected);
    }
}

TEST(RoundTrip, SignedContainersCarryHashesThatBothReadersCheck)
{
    Encrypted e;
    ASSERT_NO_FATAL_FAILURE(encryptSample(e, &e.identity));
    auto listing = listContainer(e.container, identitiesOf(e.identity));
    ASSERT_TRUE(listing.ok()) << listing.error().message;
    EXPECT_TRUE(listing->index.hasHashes);
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path out = e.dir / (mode == ReaderMode::File ? "out-file" : "out-stream");
        auto result = extractWith(mode, e.container, out, identitiesOf(e.identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(describeTree(out / "tree"), describeTree(e.source));
    }
}

TEST(RoundTrip, OnlyExtractsTheChosenEntries)
{
    Encrypted e;
    ASSERT_NO_FATAL_FAILURE(encryptSample(e));
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        TempDir out;
        ExtractRequest request;
        request.destination = out.path();
        request.only = {"tree/sub/script.sh"};
        JobControl job;
        auto result = extractWith(mode, e.container, request, identitiesOf(e.identity), job);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result->files, 1u);
        EXPECT_EQ(listTree(out.path()), std::vector<std::string>({"tree/", "tree/sub/", "tree/sub/script.sh"}));
        EXPECT_EQ(readFile(out / "tree/sub/script.sh"), readFile(e.source / "sub/script.sh"));

        TempDir folder; // a folder selects everything under it, and not "tree/subway"
        request.destination = folder.path();
        request.only = {"tree/sub"};
        result = extractWith(mode, e.container, request, identitiesOf(e.identity), job);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(listTree(folder.path()),
                  std::vector<std::string>({"tree/", "tree/sub/", "tree/sub/deep/", "tree/sub/deep/.hidden",
                                            "tree/sub/deep/caf\xc3\xa9 notes.txt", "tree/sub/script.sh"}));
        EXPECT_EQ(describeTree(folder / "tree/sub"), describeTree(e.source / "sub"));
    }
}

TEST(RoundTrip, OnlyNamingAMissingEntryFailsAndWritesNothing)
{
    Encrypted e;
    ASSERT_NO_FATAL_FAILURE(encryptSample(e));
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        TempDir out;
        writeFile(out / "marker", "x");
        ExtractRequest request;
        request.destination = out.path();
        request.only = {"tree/su"}; // a prefix of a name is not a folder
        JobControl job;
        auto result = extractWith(mode, e.container, request, identitiesOf(e.identity), job);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument) << result.error().message;
        EXPECT_EQ(listTree(out.path()), std::vector<std::string>{"marker"});
    }
}

TEST(RoundTrip, AWrongIdentityIsNoKeyMatchedAndTouchesNothing)
{
    Encrypted e;
    ASSERT_NO_FATAL_FAILURE(encryptSample(e));
    const auto stranger = crypto::SecretIdentity::generate("Mallory");
    auto listing = listContainer(e.container, identitiesOf(stranger));
    ASSERT_FALSE(listing.ok());
    EXPECT_EQ(listing.error().code, ErrorCode::NoKeyMatched);
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        TempDir out;
        writeFile(out / "marker", "x");
        auto result = extractWith(mode, e.container, out.path(), identitiesOf(stranger));
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::NoKeyMatched) << result.error().message;
        EXPECT_EQ(listTree(out.path()), std::vector<std::string>{"marker"});
    }
}

TEST(RoundTrip, PassphraseContainersOpenWithThePassphraseOnly)
{
    TempDir dir;
    makeSampleTree(dir / "tree");
    EncryptRequest request;
    request.inputs = {dir / "tree"};
    request.passphrase = crypto::SecureString("correct horse battery staple");
    request.argon2 = kFastArgon2;
    request.output = dir / "tree.coffer";
    JobControl job;
    auto summary = encryptFiles(request, job);
    ASSERT_TRUE(summary.ok()) << summary.error().message;

    const auto withPassphrase = [](const char* passphrase) {
        crypto::IdentityList ids;
        ids.push_back(std::make_unique<crypto::PassphraseIdentity>(crypto::SecureString(passphrase)));
        return ids;
    };
    auto wrongListing = listContainer(summary->output, withPassphrase("Tr0ub4dor&3"));
    ASSERT_FALSE(wrongListing.ok());
    EXPECT_EQ(wrongListing.error().code, ErrorCode::WrongPassphrase);
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const fs::path out = dir / (mode == ReaderMode::File ? "out-file" : "out-stream");
        auto wrong = extractWith(mode, summary->output, out, withPassphrase("Tr0ub4dor&3"));
        ASSERT_FALSE(wrong.ok());
        EXPECT_EQ(wrong.error().code, ErrorCode::WrongPassphrase) << wrong.error().message;
        EXPECT_FALSE(fs::exists(out) && !fs::is_empty(out));

        auto right = extractWith(mode, summary->output, out, withPassphrase("correct horse battery staple"));
        ASSERT_TRUE(right.ok()) << right.error().message;
        EXPECT_EQ(describeTree(out / "tree"), describeTree(dir / "tree"));
    }
}
