#include "ContainerReader.h"

#include "Zstd.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>

namespace coffer {

namespace fs = std::filesystem;
using crypto::kSealedChunkSize;
using crypto::PayloadLayout;

namespace {

struct RawHeader {
    Bytes bytes; // at least the whole header; may hold payload bytes after it
    std::uint64_t fileSize = 0;
};

Result<RawHeader> readHeaderBytes(int fd, const fs::path& path)
{
    struct stat st;
    if (::fstat(fd, &st) != 0)
        return ioError(errno, "read", path);
    if (!S_ISREG(st.st_mode))
        return makeError(ErrorCode::InvalidArgument, "\"" + path.string() + "\" is not a regular file");
    RawHeader raw;
    raw.fileSize = static_cast<std::uint64_t>(st.st_size);
    raw.bytes.resize(static_cast<std::size_t>(std::min<std::uint64_t>(raw.fileSize, crypto::kMaxHeaderSize)));
    auto n = preadFull(fd, raw.bytes, 0, path);
    COFFER_TRY(n);
    raw.bytes.resize(*n);
    return raw;
}

} // namespace

Result<OpenedHeader> readAndUnwrapHeader(ByteView headerBytes, const crypto::IdentityList& identities)
{
    auto parsed = crypto::parseHeader(headerBytes);
    COFFER_TRY(parsed);
    auto key = crypto::unwrapFileKey(*parsed, headerBytes, identities);
    COFFER_TRY(key);
    return OpenedHeader{std::move(*parsed), std::move(*key)};
}

Result<ContainerInfo> inspectContainer(const fs::path& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return ioError(errno, "open", path);
    auto raw = readHeaderBytes(fd.get(), path);
    COFFER_TRY(raw);
    auto parsed = crypto::parseHeader(raw->bytes);
    COFFER_TRY(parsed);
    ContainerInfo info;
    info.version = std::string(crypto::kVersionLine);
    for (const auto& s : parsed->header.stanzas)
        info.stanzaTypes.push_back(s.type);
    info.headerBytes = parsed->length;
    info.payloadBytes = raw->fileSize - parsed->length;
    auto layout = PayloadLayout::fromCiphertextLength(info.payloadBytes);
    info.lengthValid = layout.ok();
    if (layout.ok())
        info.plaintextBytes = layout->plaintextLength;
    return info;
}

ContainerReader::ContainerReader(ContainerReader&&) noexcept = default;
ContainerReader::~ContainerReader() = default;

Result<ContainerReader> ContainerReader::open(const fs::path& path, const crypto::IdentityList& identities)
{
    ContainerReader r;
    r.m_path = path;
    r.m_fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!r.m_fd.valid())
        return ioError(errno, "open", path);
    auto raw = readHeaderBytes(r.m_fd.get(), path);
    COFFER_TRY(raw);
    auto opened = readAndUnwrapHeader(raw->bytes, identities);
    COFFER_TRY(opened);
    r.m_payloadOffset = opened->parsed.length;
    auto layout = PayloadLayout::fromCiphertextLength(raw->fileSize - r.m_payloadOffset);
    COFFER_TRY(layout);
    r.m_layout = *layout;
    Bytes prefix(crypto::kPayloadPrefixSize);
    auto n = preadFull(r.m_fd.get(), prefix, r.m_payloadOffset, path);
    COFFER_TRY(n);
    auto cipher =
        crypto::ChunkCipher::forDecryption(opened->fileKey.view(), crypto::asBytes(crypto::kPayloadContext), prefix);
    COFFER_TRY(cipher);
    r.m_cipher.emplace(std::move(*cipher));
    r.m_sealed.resize(kSealedChunkSize);
    r.m_plain.resize(crypto::kChunkSize);
    return r;
}

Status ContainerReader::loadChunk(std::uint64_t index)
{
    if (m_cachedChunk == index)
        return Status::success();
    m_cachedChunk.reset();
    const std::size_t plainSize = m_layout.chunkPlainSize(index);
    const std::size_t sealedSize = plainSize + crypto::kGcmTagSize;
    auto n = preadFull(m_fd.get(), MutableByteView(m_sealed).first(sealedSize),
                       m_payloadOffset + PayloadLayout::chunkOffset(index), m_path);
    COFFER_TRY(n);
    if (*n != sealedSize)
        return makeError(ErrorCode::Damaged,
                         "the container is shorter than expected; it may be still downloading or truncated");
    m_plain.resize(plainSize);
    COFFER_TRY(m_cipher->openChunk(index, ByteView(m_sealed).first(sealedSize), m_plain));
    m_cachedChunk = index;
    return Status::success();
}

Status ContainerReader::read(std::uint64_t offset, MutableByteView out)
{
    if (offset > m_layout.plaintextLength || out.size() > m_layout.plaintextLength - offset)
        return damaged("a read goes past the end of the payload");
    std::size_t done = 0;
    while (done < out.size()) {
        const std::uint64_t pos = offset + done;
        const std::uint64_t chunk = pos / crypto::kChunkSize;
        COFFER_TRY(loadChunk(chunk));
        const std::size_t inChunk = static_cast<std::size_t>(pos % crypto::kChunkSize);
        const std::size_t take = std::min(out.size() - done, m_plain.size() - inChunk);
        std::copy_n(m_plain.begin() + static_cast<std::ptrdiff_t>(inChunk), take,
                    out.begin() + static_cast<std::ptrdiff_t>(done));
        done += take;
    }
    return Status::success();
}

Result<ArchiveIndex> ContainerReader::readIndex()
{
    // The final chunk is opened first: it authenticates the payload length.
    COFFER_TRY(loadChunk(m_layout.chunkCount - 1));
    const std::uint64_t length = m_layout.plaintextLength;
    if (length < kTrailerSize)
        return damaged("the archive is too short to hold a trailer");
    Bytes trailerBytes(kTrailerSize);
    COFFER_TRY(read(length - kTrailerSize, trailerBytes));
    auto trailer = decodeTrailer(trailerBytes, length);
    COFFER_TRY(trailer);
    if (trailer->indexLength > kMaxIndexPlainSize)
        return makeError(ErrorCode::LimitExceeded, "the archive index is larger than 1 GiB");
    Bytes compressed(static_cast<std::size_t>(trailer->indexLength));
    COFFER_TRY(read(trailer->indexOffset, compressed));
    auto plain = decompressSingleFrame(compressed, trailer->indexPlainLength);
    COFFER_TRY(plain);
    if (plain->size() != trailer->indexPlainLength)
        return damaged("the index size does not match the trailer");
    return decodeIndex(*plain, trailer->indexOffset);
}

Result<std::size_t> RangeSource::read(MutableByteView buffer)
{
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), m_end - m_pos));
    COFFER_TRY(m_reader.read(m_pos, buffer.first(n)));
    m_pos += n;
    return n;
}

} // namespace coffer
