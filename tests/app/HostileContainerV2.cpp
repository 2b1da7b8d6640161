#include "HostileContainerV2.h"

#include "Extract.h"
#include "Signature.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace coffer::test {

namespace fs = std::filesystem;

namespace {

EntryInfo fileInfo(const std::string& path, std::uint64_t size, Codec codec)
{
    EntryInfo info;
    info.kind = EntryKind::File;
    info.codec = codec;
    info.mode = 0644;
    info.mtimeSeconds = 1'600'000'000;
    info.size = size;
    info.path = path;
    return info;
}

SegmentEntry tableEntry(SegmentKind kind, const std::string& path, std::uint16_t mode)
{
    SegmentEntry s;
    s.kind = kind;
    s.path = path;
    s.mode = mode;
    s.mtimeSeconds = 1'600'000'000;
    return s;
}

} // namespace

V2Region& V2Region::record(const std::string& path, std::string_view content, bool zstd)
{
    V2Part part;
    part.kind = V2Part::Kind::Record;
    part.info = fileInfo(path, content.size(), zstd ? Codec::Zstd : Codec::Stored);
    part.data = zstd ? zstdFrame(crypto::asBytes(content)) : bytesOf(content);
    SegmentEntry s = tableEntry(SegmentKind::Record, path, 0644);
    s.size = content.size();
    s.stored = part.data.size();
    s.sha256 = crypto::sha256(crypto::asBytes(content));
    parts.push_back(std::move(part));
    table.entries.push_back(std::move(s));
    return *this;
}

V2Region& V2Region::pack(const std::vector<std::pair<std::string, std::string>>& files, bool zstd)
{
    std::string content;
    for (const auto& [path, text] : files) {
        SegmentEntry s = tableEntry(SegmentKind::Member, path, 0644);
        s.size = text.size();
        table.entries.push_back(std::move(s));
        content += text;
    }
    V2Part part;
    part.kind = V2Part::Kind::Pack;
    part.pack = {zstd ? Codec::Zstd : Codec::Stored, static_cast<std::uint32_t>(content.size())};
    part.data = zstd ? zstdFrame(crypto::asBytes(content)) : bytesOf(content);
    table.packCodec = part.pack.codec;
    table.packStored = part.data.size();
    table.packSha256 = crypto::sha256(crypto::asBytes(content));
    parts.push_back(std::move(part));
    return *this;
}

V2Region& V2Region::directory(const std::string& path)
{
    table.entries.push_back(tableEntry(SegmentKind::Directory, path, 0755));
    return *this;
}

V2Region& V2Region::emptyFile(const std::string& path)
{
    table.entries.push_back(tableEntry(SegmentKind::EmptyFile, path, 0644));
    return *this;
}

V2Region& V2Region::raw(Bytes bytes)
{
    V2Part part;
    part.kind = V2Part::Kind::Raw;
    part.data = std::move(bytes);
    parts.push_back(std::move(part));
    return *this;
}

SegmentEntry& V2Region::entry(const std::string& path)
{
    for (SegmentEntry& s : table.entries)
        if (s.path == path)
            return s;
    throw std::runtime_error("HostileContainerV2: no entry " + path);
}

V2Region& HostileArchiveV2::region()
{
    regions.emplace_back();
    return regions.back();
}

Bytes HostileArchiveV2::plaintext(std::vector<SegmentRow>* truthfulRows) const
{
    const bool withHashes = hashes || signer != nullptr;
    Bytes out;
    const auto put = [&out](ByteView b) { out.insert(out.end(), b.begin(), b.end()); };
    Directory directory;
    directory.hashes = withHashes;
    for (const V2Region& region : regions) {
        for (const V2Part& part : region.parts) {
            if (part.kind == V2Part::Kind::Record)
                put(part.rawHeader ? *part.rawHeader : encodeEntryRecordHeader(part.info));
            else if (part.kind == V2Part::Kind::Pack)
                put(encodePackHeader(part.pack));
            put(part.data);
        }
        if (region.segment) {
            SegmentTable table = region.table;
            table.hashes = withHashes;
            if (!withHashes) {
                table.packSha256 = {};
                for (SegmentEntry& s : table.entries)
                    s.sha256.reset();
            }
            if (region.editTable)
                region.editTable(table);
            Bytes plain = encodeSegmentTable(table);
            if (region.editTablePlain)
                region.editTablePlain(plain);
            const Bytes frame = zstdFrame(plain);
            SegmentRow row;
            row.offset = out.size();
            row.storedLength = static_cast<std::uint32_t>(frame.size());
            row.plainLength = static_cast<std::uint32_t>(plain.size());
            row.entryCount = static_cast<std::uint32_t>(table.entries.size());
            if (withHashes)
                row.sha256 = crypto::sha256(plain);
            directory.rows.push_back(row);
            put(encodeSegmentHeader(row.storedLength));
            put(frame);
        }
        put(region.afterSegment);
    }
    if (truthfulRows)
        *truthfulRows = directory.rows;
    if (signer) {
        const auto card = signer->card();
        if (!card)
            throw std::runtime_error("HostileContainerV2: the signer has no card");
        directory.signature = IndexSignature{card->x25519, card->ed25519, {}};
    }
    if (editDirectory)
        editDirectory(directory);
    Bytes plain = encodeDirectory(directory);
    if (signer) {
        const ByteView signedPart = ByteView(plain).first(plain.size() - crypto::kEd25519SignatureSize);
        const auto sig = crypto::signDirectory(*signer, signedPart);
        std::copy(sig.begin(), sig.end(), plain.end() - crypto::kEd25519SignatureSize);
    }
    if (editDirectoryPlain)
        editDirectoryPlain(plain);
    const Bytes frame = zstdFrame(plain);
    Trailer trailer{out.size(), frame.size(), plain.size()};
    if (editTrailer)
        editTrailer(trailer);
    put(frame);
    Bytes trailerBytes = encodeTrailerV2(trailer);
    if (editTrailerBytes)
        editTrailerBytes(trailerBytes);
    put(trailerBytes);
    return out;
}

void writeV2(const ExtractScene& scene, ByteView plain, std::uint8_t version)
{
    writeContainer(scene.container, plain, scene.identity, version);
}

void expectRefusedV2(const ExtractScene& scene, ByteView plain, ErrorCode code, std::string_view says,
                     std::string_view streamSays, std::uint8_t version)
{
    writeV2(scene, plain, version);
    const auto before = snapshotTree(scene.root.path());
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const auto result = scene.extract(mode);
        ASSERT_FALSE(result.ok()) << "the hostile archive was extracted";
        EXPECT_EQ(static_cast<int>(result.error().code), static_cast<int>(code)) << result.error().message;
        const std::string_view want = mode == ReaderMode::Stream && !streamSays.empty() ? streamSays : says;
        EXPECT_NE(result.error().message.find(want), std::string::npos)
            << "\"" << result.error().message << "\" does not say \"" << want << "\"";
        EXPECT_EQ(snapshotTree(scene.root.path()), before) << "the extraction left something behind";
        EXPECT_TRUE(fs::is_empty(scene.outside));
        EXPECT_TRUE(fs::is_empty(scene.sibling));
    }
}

void expectListRefusedV2(const ExtractScene& scene, ByteView plain, ErrorCode code, std::string_view says,
                         std::uint8_t version)
{
    writeV2(scene, plain, version);
    const auto listing = listContainer(scene.container, identitiesOf(scene.identity));
    ASSERT_FALSE(listing.ok()) << "the hostile archive was listed";
    EXPECT_EQ(static_cast<int>(listing.error().code), static_cast<int>(code)) << listing.error().message;
    EXPECT_NE(listing.error().message.find(says), std::string::npos)
        << "\"" << listing.error().message << "\" does not say \"" << says << "\"";
    // The listing that goes a segment at a time (coffer list) refuses it the same way.
    const auto streamed = listContainerEntries(scene.container, identitiesOf(scene.identity), [](const IndexEntry&) {});
    ASSERT_FALSE(streamed.ok()) << "the hostile archive was listed a segment at a time";
    EXPECT_EQ(static_cast<int>(streamed.error().code), static_cast<int>(code)) << streamed.error().message;
    EXPECT_NE(streamed.error().message.find(says), std::string::npos)
        << "\"" << streamed.error().message << "\" does not say \"" << says << "\"";
    // The window's listing checks it all before it gives a single entry.
    std::size_t given = 0;
    const auto checkedFirst = listContainerEntries(
        scene.container, identitiesOf(scene.identity), [&](const IndexEntry&) { ++given; }, ListingPass::CheckAllFirst);
    ASSERT_FALSE(checkedFirst.ok()) << "the hostile archive was listed after checking it all";
    EXPECT_EQ(static_cast<int>(checkedFirst.error().code), static_cast<int>(code)) << checkedFirst.error().message;
    EXPECT_EQ(given, 0u) << "entries were given before the whole index was checked";
}

void expectAcceptedV2(const ExtractScene& scene, ByteView plain)
{
    writeV2(scene, plain);
    for (const ReaderMode mode : kBothReaders) {
        SCOPED_TRACE(readerName(mode));
        const auto result = scene.extract(mode);
        EXPECT_TRUE(result.ok()) << result.error().message;
        for (const auto& entry : fs::directory_iterator(scene.dest))
            if (entry.path().filename() != "marker.txt")
                fs::remove_all(entry.path());
    }
}

} // namespace coffer::test
