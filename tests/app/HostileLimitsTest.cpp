// Hostile input beyond the core list (issue 8, item 4), through the real
// readers: the file reader and, where a pipe can carry the input, the stream
// reader. Each refusal is checked for the class FORMAT.md names and for an
// untouched sandbox. The item each test covers:
//   1  MaximalHeader.*              1024 stanzas in 256 KiB open; 1025 stanzas or
//                                   256 KiB + 1 are "limit exceeded" before any stanza is tried
//   2  UnknownStanzas.*             a thousand unknown stanzas are skipped; a thousand
//                                   16 KiB bodies overflow the header limit unread
//   3  BeyondIndex.EntriesPast*,    index entries that point past the payload or
//      BeyondIndex.*Overlap*        overlap each other: damaged
//   4  BeyondIndex.RecordAndIndex*  record and index disagree on a name (of another
//                                   length, in case or normalisation), kind, codec, pack size
//   5  BeyondTrailer.*              trailer offsets before the first record or "negative"
//   6  ChunkLimit.*                 a sparse petabyte payload: 2^38 + 1 chunks are refused
//                                   from the length alone (file reader only: a pipe has no length)
#include "HostileBeyond.h"

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::beyond;
using crypto::Stanza;

// --- 1. A header of maximal size and stanza count (FORMAT.md §2.2, §8) ---

TEST(MaximalHeader, OpensWith1024StanzasAtAndJustUnder256KiB)
{
    ExtractScene scene;
    for (const std::size_t length : {crypto::kMaxHeaderSize, crypto::kMaxHeaderSize - 1}) {
        SCOPED_TRACE(length);
        const auto key = freshFileKey();
        const Stanza x25519 = scene.identity.makeRecipient()->wrap(key).value();
        const auto stanzas = stanzasFilling({}, x25519, crypto::kMaxStanzas, length);
        ASSERT_EQ(stanzas.size(), 1024u);
        ASSERT_EQ(writeContainerWith(scene.container, stanzas, key, oneFileArchive()), length);
        int calls = 0;
        const auto ids = countingIdentities(scene, calls);
        expectExtractedByBoth(
            scene, ids, [](const fs::path& dest) { EXPECT_EQ(readFile(dest / "inside.txt"), "opened"); }, {}, 10);
        EXPECT_GT(calls, 2 * 1023) << "every stanza before the X25519 one is shown to both identities";
    }
}

TEST(MaximalHeader, Refuses1025StanzasOr256KiBPlusOneBeforeAnyStanzaIsTried)
{
    ExtractScene scene;
    struct Case {
        std::size_t count, length;
    };
    for (const Case c : {Case{1025, 64 * 1024}, Case{1025, crypto::kMaxHeaderSize},
                         Case{1024, crypto::kMaxHeaderSize + 1}, Case{16, crypto::kMaxHeaderSize + 1}}) {
        SCOPED_TRACE(std::to_string(c.count) + " stanzas, " + std::to_string(c.length) + " bytes");
        const auto key = freshFileKey();
        // An argon2id stanza first: were it tried, the KDF would take seconds.
        const Stanza x25519 = scene.identity.makeRecipient()->wrap(key).value();
        writeContainerWith(scene.container, stanzasFilling({costlyPassphraseStanza(key)}, x25519, c.count, c.length),
                           key, oneFileArchive());
        int calls = 0;
        expectRefusedByBoth(scene, countingIdentities(scene, calls), ErrorCode::LimitExceeded, 2.0);
        EXPECT_EQ(calls, 0) << "a stanza was tried before the limit was checked";
        const auto info = inspectContainer(scene.container);
        ASSERT_FALSE(info.ok());
        EXPECT_EQ(info.error().code, ErrorCode::LimitExceeded);
    }
}

// --- 2. Unknown stanzas by the thousand (FORMAT.md §3.3) ---

TEST(UnknownStanzas, AThousandUnknownStanzasAreSkippedAndTheContainerOpens)
{
    ExtractScene scene;
    const auto key = freshFileKey();
    // Ten bodies of the largest size, unknown stanzas with 16 arguments, a
    // lookalike "x25519" (types are case-sensitive), then 1011 small unknown
    // stanzas, the real X25519 stanza and a pad: 1024 stanzas in 256 KiB.
    std::vector<Stanza> first;
    for (int i = 0; i < 10; ++i)
        first.push_back(unknownStanza(crypto::kMaxStanzaBody, std::vector<std::string>(16, "arg" + std::to_string(i))));
    first.push_back(Stanza{"x25519", {"AAAA"}, Bytes(48, 1)});
    const Stanza x25519 = scene.identity.makeRecipient()->wrap(key).value();
    const auto stanzas = stanzasFilling(first, x25519, crypto::kMaxStanzas, crypto::kMaxHeaderSize);
    ASSERT_EQ(
        std::count_if(stanzas.begin(), stanzas.end(), [](const Stanza& s) { return s.type == "example.com/future"; }),
        1021);
    writeContainerWith(scene.container, stanzas, key, oneFileArchive());
    int calls = 0;
    expectExtractedByBoth(
        scene, countingIdentities(scene, calls),
        [](const fs::path& dest) { EXPECT_EQ(readFile(dest / "inside.txt"), "opened"); }, {}, 5);
}

TEST(UnknownStanzas, AThousand16KiBBodiesAreLimitExceededAfterReadingAt256KiB)
{
    // 1000 bodies of 16 KiB make a 22 MB header: the readers stop at 256 KiB,
    // before the X25519 stanza (first, and able to open it) is tried.
    ExtractScene scene;
    const auto key = freshFileKey();
    std::vector<Stanza> stanzas{scene.identity.makeRecipient()->wrap(key).value()};
    stanzas.insert(stanzas.end(), 1000, unknownStanza(crypto::kMaxStanzaBody));
    EXPECT_GT(writeContainerWith(scene.container, stanzas, key, oneFileArchive()), 20'000'000u);
    int calls = 0;
    expectRefusedByBoth(scene, countingIdentities(scene, calls), ErrorCode::LimitExceeded, 2.0);
    EXPECT_EQ(calls, 0);
}

// --- 3, 4. Index entries past the payload, overlapping, or disagreeing with their records ---

TEST(BeyondIndex, EntriesPastThePayloadAreDamaged)
{
    ExtractScene scene;
    const auto refuse = [&](const char* what, auto&& edit) {
        SCOPED_TRACE(what);
        HostileArchive archive;
        archive.file("a.txt", "0123456789");
        archive.zstdFile("z.txt", std::string(3000, 'z'));
        edit(archive);
        scene.expectRefused(archive, ErrorCode::Damaged);
        expectListingRefused(scene, ErrorCode::Damaged); // the index alone is enough
    };
    refuse("a stored length of 2^40", [](HostileArchive& a) { a.entries[1].indexStored = std::uint64_t(1) << 40; });
    refuse("a stored length that wraps the end around to 0", [](HostileArchive& a) {
        a.entries[1].indexStored = ~std::uint64_t{0} - a.index().entries[1].dataOffset() + 1;
    });
    refuse("a stored file of 2^63 bytes", [](HostileArchive& a) {
        a.entries[0].record.size = std::uint64_t(1) << 63;
        a.entries[0].indexStored = std::uint64_t(1) << 63;
    });
    refuse("an offset of 2^63", [](HostileArchive& a) { a.entries[1].indexOffset = std::uint64_t(1) << 63; });
    refuse("the last entry ending inside the trailer",
           [](HostileArchive& a) { a.entries[1].indexStored = a.entries[1].data.size() + 40; });
}

TEST(BeyondIndex, EntriesThatOverlapEachOtherAreDamaged)
{
    ExtractScene scene;
    const auto refuse = [&](const char* what, auto&& edit) {
        SCOPED_TRACE(what);
        HostileArchive archive;
        archive.zstdFile("y.txt", std::string(2000, 'y'));
        archive.zstdFile("z.txt", std::string(2000, 'z'));
        edit(archive);
        scene.expectRefused(archive, ErrorCode::Damaged);
        expectListingRefused(scene, ErrorCode::Damaged);
    };
    refuse("both at offset 0", [](HostileArchive& a) { a.entries[1].indexOffset = 0; });
    refuse("the second inside the first's record header", [](HostileArchive& a) { a.entries[1].indexOffset = 4; });
    refuse("the first's data running over the second",
           [](HostileArchive& a) { a.entries[0].indexStored = a.entries[0].data.size() + 30; });
}

TEST(BeyondIndex, RecordAndIndexDisagreeingOnNameKindCodecOrPackSizeAreDamaged)
{
    // HostileRecord covers mode, times, a name of the same length, file-as-directory
    // and stored-as-zstd. Here the index stays self-consistent (offsets and
    // lengths add up) while the record says something else.
    ExtractScene scene;
    const auto refuse = [&](const char* what, HostileArchive archive) {
        SCOPED_TRACE(what);
        scene.expectRefused(archive, ErrorCode::Damaged);
    };
    const auto renamed = [](const std::string& record, const std::string& index) {
        HostileArchive a;
        auto& z = a.zstdFile(record, std::string(1000, 'z'));
        z.indexInfo = z.record;
        z.indexInfo->path = index;
        z.indexStored = z.data.size() + record.size() - index.size(); // contiguity kept
        a.file("next.txt", "x");
        return a;
    };
    refuse("a longer name in the record", renamed("abc.txt", "a.txt"));
    refuse("NFD in the record, NFC in the index", renamed("e\xcc\x81.txt", "\xc3\xa9.txt"));
    refuse("a name differing in case", renamed("A.txt", "a.txt"));
    {
        HostileArchive a;
        auto& d = a.directory("d");
        d.indexInfo = d.record;
        d.indexInfo->kind = EntryKind::File; // an empty file in the index
        refuse("a directory record, a file in the index", a);
    }
    {
        HostileArchive a;
        auto& z = a.zstdFile("z.txt", std::string(1000, 'z'));
        z.indexInfo = z.record;
        z.indexInfo->codec = Codec::Stored; // would extract the compressed bytes as they are
        z.indexInfo->size = z.data.size();
        refuse("a zstd record, stored in the index", a);
    }
    {
        HostileArchive a;
        auto& pack = a.zstdFile("", "aaabbbbbbb");
        pack.record.kind = EntryKind::Pack;
        pack.record.mode = 0;
        pack.record.mtimeSeconds = 0;
        for (const auto& [path, size] : {std::pair{"m1", 3}, std::pair{"m2", 7}}) {
            auto& m = a.file(path, "");
            m.record.codec = Codec::Packed;
            m.record.size = size;
        }
        scene.expectAccepted(a);
        a.entries[1].indexInfo = a.entries[1].record; // 4 + 6: the pack still adds up in the index
        a.entries[1].indexInfo->size = 4;
        a.entries[2].indexInfo = a.entries[2].record;
        a.entries[2].indexInfo->size = 6;
        refuse("pack members of other sizes", a);
    }
}

// --- 5. A trailer pointing before the first record, or "negative" ---

TEST(BeyondTrailer, OffsetsBeforeTheFirstRecordOrWrappingAroundAreDamaged)
{
    ExtractScene scene;
    const auto refuse = [&](const char* what, std::function<void(Trailer&)> edit) {
        SCOPED_TRACE(what);
        HostileArchive archive;
        archive.directory("docs");
        archive.file("docs/a.txt", "first file");
        archive.editTrailer = std::move(edit);
        scene.expectRefused(archive, ErrorCode::Damaged);
        expectListingRefused(scene, ErrorCode::Damaged);
    };
    // body = L - 32 = index_offset + index_length for the honest trailer.
    refuse("offset 2^64 - 1", [](Trailer& t) { t.indexOffset = ~std::uint64_t{0}; });
    refuse("offset 2^63", [](Trailer& t) { t.indexOffset = std::uint64_t(1) << 63; });
    for (const std::uint64_t back : {std::uint64_t{1}, std::uint64_t{32}, std::uint64_t{4096}}) {
        // offset = -back, length = body + back: offset + length wraps to body.
        refuse(("offset -" + std::to_string(back) + ", the sum wrapping to the right end").c_str(), [back](Trailer& t) {
            const std::uint64_t body = t.indexOffset + t.indexLength;
            t.indexOffset = std::uint64_t{0} - back;
            t.indexLength = body + back;
        });
    }
    refuse("an empty index right before the trailer", [](Trailer& t) {
        t.indexOffset += t.indexLength;
        t.indexLength = 0;
    });
}

// --- 6. More than 2^38 chunks, from the length alone (FORMAT.md §4) ---

TEST(ChunkLimit, APayloadClaimingMoreThan2To38ChunksIsRefusedFromItsLengthAlone)
{
    // ext4 stops at 16 TiB; tmpfs takes sparse files of petabytes, and
    // ftruncate costs no memory. A pipe has no length to judge: the stream
    // reader counts chunks as they come, which a test cannot feed 2^38 of.
    char pattern[] = "/dev/shm/coffer-sparse-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << "/dev/shm is needed for a sparse petabyte file";
    struct Remove {
        fs::path dir;
        ~Remove() { fs::remove_all(dir); }
    } remove{pattern};
    ExtractScene scene;
    const fs::path container = remove.dir / "huge.coffer";
    const Bytes real = sealContainer(oneFileArchive(), scene.identity);
    const std::size_t headerLength = crypto::findHeaderEnd(real).value();

    // n chunks with an empty final chunk: L = 56 + (n - 1) * 16400 + 16.
    const auto writeWithChunks = [&](std::uint64_t chunks) {
        writeBytes(container, std::vector<std::uint8_t>(real.begin(), real.end())); // a real header and prefix
        const std::uint64_t payload = 56 + (chunks - 1) * crypto::kSealedChunkSize + 16;
        const UniqueFd fd(::open(container.c_str(), O_WRONLY | O_CLOEXEC));
        ASSERT_EQ(::ftruncate(fd.get(), static_cast<off_t>(headerLength + payload)), 0) << std::strerror(errno);
    };
    const auto expectRefused = [&](ErrorCode code) {
        const auto before = snapshotTree(scene.root.path());
        const auto start = Clock::now();
        const auto listing = listContainer(container, identitiesOf(scene.identity));
        ASSERT_FALSE(listing.ok());
        EXPECT_EQ(listing.error().code, code) << listing.error().message;
        const auto result = extractWith(ReaderMode::File, container, scene.dest, identitiesOf(scene.identity));
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, code) << result.error().message;
        EXPECT_LT(secondsSince(start), 2.0) << "the reader read more than the header and the final chunk";
        EXPECT_EQ(snapshotTree(scene.root.path()), before);
    };
    {
        SCOPED_TRACE("2^38 + 1 chunks");
        writeWithChunks(crypto::kMaxChunks + 1);
        expectRefused(ErrorCode::LimitExceeded);
        const auto info = inspectContainer(container);
        ASSERT_TRUE(info.ok());
        EXPECT_FALSE(info->lengthValid);
    }
    {
        // Exactly 2^38 chunks is a valid length: the reader opens the final
        // chunk (a hole of zeros here), whose tag fails.
        SCOPED_TRACE("2^38 chunks");
        writeWithChunks(crypto::kMaxChunks);
        expectRefused(ErrorCode::Damaged);
        const auto info = inspectContainer(container);
        ASSERT_TRUE(info.ok());
        EXPECT_TRUE(info->lengthValid);
    }
}
