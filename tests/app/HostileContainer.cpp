#include "HostileContainer.h"

#include "PayloadStream.h"
#include "Recipient.h"
#include "TestSupport.h"
#include "Zstd.h"

#include <stdexcept>
#include <zstd.h>

namespace coffer::test {

namespace {

void require(bool ok, const char* what)
{
    if (!ok)
        throw std::runtime_error(std::string("HostileContainer: ") + what);
}

void putLe(Bytes& out, std::uint64_t v, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

Bytes compressWith(ByteView content, int contentSizeFlag, int checksumFlag)
{
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    require(cctx != nullptr, "ZSTD_createCCtx");
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, contentSizeFlag);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksumFlag);
    Bytes out(ZSTD_compressBound(content.size()));
    // Streaming with an unknown size, so that contentSizeFlag 0 really omits it.
    ZSTD_inBuffer in{content.data(), content.size(), 0};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    std::size_t left = 0;
    do {
        left = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end);
        require(!ZSTD_isError(left), "ZSTD_compressStream2");
    } while (left != 0);
    ZSTD_freeCCtx(cctx);
    out.resize(o.pos);
    return out;
}

struct MemorySink final : crypto::ByteSink {
    Status write(ByteView data) override
    {
        bytes.insert(bytes.end(), data.begin(), data.end());
        return Status::success();
    }
    Bytes bytes;
};

} // namespace

Bytes bytesOf(std::string_view s)
{
    const ByteView v = crypto::asBytes(s);
    return Bytes(v.begin(), v.end());
}

void setLe(Bytes& bytes, std::size_t offset, std::uint64_t value, std::size_t n)
{
    require(offset + n <= bytes.size(), "setLe out of range");
    for (std::size_t i = 0; i < n; ++i)
        bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

HostileEntry& HostileArchive::file(const std::string& path, std::string_view content)
{
    HostileEntry e;
    e.record.kind = EntryKind::File;
    e.record.codec = Codec::Stored;
    e.record.mode = 0644;
    e.record.mtimeSeconds = 1'600'000'000;
    e.record.size = content.size();
    e.record.path = path;
    e.content = bytesOf(content);
    e.data = e.content;
    entries.push_back(std::move(e));
    return entries.back();
}

HostileEntry& HostileArchive::zstdFile(const std::string& path, std::string_view content, std::size_t frameSize)
{
    HostileEntry& e = file(path, content);
    e.record.codec = Codec::Zstd;
    e.data.clear();
    for (std::size_t pos = 0; pos < content.size(); pos += frameSize) {
        const Bytes frame = zstdFrame(crypto::asBytes(content.substr(pos, frameSize)));
        e.data.insert(e.data.end(), frame.begin(), frame.end());
    }
    return e;
}

HostileEntry& HostileArchive::zstdRaw(const std::string& path, Bytes data, std::uint64_t size)
{
    HostileEntry& e = file(path, "");
    e.record.codec = Codec::Zstd;
    e.record.size = size;
    e.data = std::move(data);
    return e;
}

HostileEntry& HostileArchive::directory(const std::string& path, std::uint16_t mode)
{
    HostileEntry e;
    e.record.kind = EntryKind::Directory;
    e.record.mode = mode;
    e.record.mtimeSeconds = 1'600'000'000;
    e.record.path = path;
    entries.push_back(std::move(e));
    return entries.back();
}

HostileEntry& HostileArchive::pack(std::string_view content)
{
    HostileEntry e;
    e.record.kind = EntryKind::Pack;
    e.record.codec = Codec::Zstd;
    e.record.mode = 0;
    e.record.size = content.size();
    e.data = zstdFrame(bytesOf(content));
    entries.push_back(std::move(e));
    return entries.back();
}

ArchiveIndex HostileArchive::index() const
{
    ArchiveIndex index;
    index.hasHashes = hashes;
    index.recipients = recipients;
    std::uint64_t offset = 0;
    for (const auto& e : entries) {
        const std::uint64_t here = offset;
        if (e.inRecords)
            offset += (e.rawRecordHeader ? e.rawRecordHeader->size() : e.record.recordHeaderSize()) + e.data.size();
        if (!e.inIndex)
            continue;
        IndexEntry ie;
        ie.info = e.indexInfo.value_or(e.record);
        ie.storedSize = e.indexStored.value_or(e.data.size());
        ie.offset = e.indexOffset.value_or(here);
        if (hashes)
            ie.sha256 = e.indexSha256.value_or(crypto::sha256(e.content));
        index.entries.push_back(std::move(ie));
    }
    return index;
}

Bytes HostileArchive::plaintext() const
{
    Bytes out;
    for (const auto& e : entries) {
        if (!e.inRecords)
            continue;
        const Bytes header = e.rawRecordHeader ? *e.rawRecordHeader : encodeEntryRecordHeader(e.record);
        out.insert(out.end(), header.begin(), header.end());
        out.insert(out.end(), e.data.begin(), e.data.end());
    }
    out.insert(out.end(), afterEntries.begin(), afterEntries.end());

    Bytes plain = encodeIndex(index());
    if (editIndexPlain)
        editIndexPlain(plain);
    Bytes frame = zstdFrame(plain);
    if (editIndexFrame)
        editIndexFrame(frame);

    Trailer trailer{out.size(), frame.size(), plain.size()};
    if (editTrailer)
        editTrailer(trailer);
    out.insert(out.end(), frame.begin(), frame.end());
    Bytes trailerBytes = encodeTrailer(trailer);
    if (editTrailerBytes)
        editTrailerBytes(trailerBytes);
    out.insert(out.end(), trailerBytes.begin(), trailerBytes.end());
    out.insert(out.end(), afterTrailer.begin(), afterTrailer.end());
    return out;
}

Bytes zstdFrame(ByteView content, int level)
{
    ZstdCompressor compressor(level);
    Bytes out;
    require(compressor.compress(content, out).ok(), "ZstdCompressor::compress");
    return out;
}

Bytes zstdFrameWithoutSize(ByteView content)
{
    return compressWith(content, 0, 0);
}

Bytes zstdFrameWithChecksum(ByteView content)
{
    return compressWith(content, 1, 1);
}

Bytes zstdRawBlockFrame(ByteView content, unsigned windowLog, std::uint64_t declaredSize)
{
    // RFC 8878 §3.1.1: magic, Frame_Header_Descriptor (FCS field 8 bytes,
    // Single_Segment off, no checksum, no dictionary), Window_Descriptor, FCS.
    Bytes out{0x28, 0xb5, 0x2f, 0xfd, 0xc0, static_cast<std::uint8_t>((windowLog - 10) << 3)};
    putLe(out, declaredSize, 8);
    const std::size_t maxBlock = std::min<std::size_t>(128 * 1024, std::size_t(1) << windowLog);
    std::size_t pos = 0;
    do {
        const std::size_t n = std::min(maxBlock, content.size() - pos);
        const bool last = pos + n == content.size();
        putLe(out, (static_cast<std::uint64_t>(n) << 3) | (last ? 1u : 0u), 3); // raw block
        out.insert(out.end(), content.begin() + static_cast<std::ptrdiff_t>(pos),
                   content.begin() + static_cast<std::ptrdiff_t>(pos + n));
        pos += n;
    } while (pos < content.size());
    return out;
}

Bytes zstdSkippableFrame(std::size_t payloadSize)
{
    Bytes out{0x50, 0x2a, 0x4d, 0x18};
    putLe(out, payloadSize, 4);
    out.resize(out.size() + payloadSize, 0);
    return out;
}

Bytes sealContainer(ByteView plaintext, const crypto::SecretIdentity& identity, std::uint8_t version)
{
    crypto::RecipientList recipients;
    recipients.push_back(identity.makeRecipient());
    auto sealed = crypto::sealHeader(recipients, version);
    require(sealed.ok(), "sealHeader");
    MemorySink sink;
    require(sink.write(crypto::asBytes(sealed->text)).ok(), "header");
    auto payload = crypto::PayloadWriter::create(sealed->fileKey.view(), sink);
    require(payload.ok(), "PayloadWriter::create");
    require(payload->write(plaintext).ok(), "PayloadWriter::write");
    require(payload->finish().ok(), "PayloadWriter::finish");
    return std::move(sink.bytes);
}

void writeContainer(const std::filesystem::path& path, ByteView plaintext, const crypto::SecretIdentity& identity,
                    std::uint8_t version)
{
    const Bytes bytes = sealContainer(plaintext, identity, version);
    writeBytes(path, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

crypto::IdentityList identitiesOf(const crypto::SecretIdentity& identity)
{
    crypto::IdentityList list;
    list.push_back(identity.makeIdentity());
    return list;
}

} // namespace coffer::test
