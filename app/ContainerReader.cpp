#include "ContainerReader.h"

#include "SegmentIndex.h"

#include "PassphraseRecipient.h"
#include "RekeyRecovery.h"
#include "Zstd.h"

#include <algorithm>
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

/// A passphrase identity always answers a passphrase stanza (opened, or
/// WrongPassphrase): NoKeyMatched with one present means none was given.
bool hasPassphraseStanza(const crypto::Header& header)
{
    return std::any_of(header.stanzas.begin(), header.stanzas.end(),
                       [](const crypto::Stanza& s) { return s.type == crypto::kArgon2StanzaType; });
}

} // namespace

Result<OpenedHeader> readAndUnwrapHeader(ByteView headerBytes, const crypto::IdentityList& identities)
{
    auto parsed = crypto::parseHeader(headerBytes);
    COFFER_TRY(parsed);
    crypto::AudienceTag openedBy;
    auto key = crypto::unwrapFileKey(*parsed, headerBytes, identities, &openedBy);
    if (!key.ok() && key.error().code == ErrorCode::NoKeyMatched && hasPassphraseStanza(parsed->header))
        return makeError(ErrorCode::PassphraseNeeded, key.error().message); // the caller may ask, then retry
    COFFER_TRY(key);
    return OpenedHeader{std::move(*parsed), std::move(*key), IndexRecipient{openedBy.type, openedBy.value}};
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
    info.version =
        std::string(parsed->header.version == crypto::kFormatV2 ? crypto::kVersionLineV2 : crypto::kVersionLine);
    for (const auto& s : parsed->header.stanzas) {
        info.stanzaTypes.push_back(s.type);
        if (!info.argon2)
            info.argon2 = crypto::argon2ParamsOf(s);
    }
    info.headerBytes = parsed->length;
    info.payloadBytes = raw->fileSize - parsed->length;
    auto layout = PayloadLayout::fromCiphertextLength(info.payloadBytes);
    info.lengthValid = layout.ok();
    if (layout.ok())
        info.plaintextBytes = layout->plaintextLength;
    return info;
}

ContainerReader::ContainerReader(ContainerReader&&) noexcept = default;
ContainerReader::~ContainerReader()
{
    if (m_readAheadBusy && m_batch)
        m_batch->wait(); // the workers write into our buffers
}

Result<ContainerReader> ContainerReader::open(const fs::path& path, const crypto::IdentityList& identities)
{
    // An in-place rekey cut short leaves a journal: finish it first, if our
    // keys verify it (FORMAT.md §12.2). If not, the header below is what the
    // reader has to judge.
    const RekeyRecovery recovery = recoverInterruptedRekey(path, identities);
    ContainerReader r;
    r.m_path = path;
    r.m_fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!r.m_fd.valid())
        return ioError(errno, "open", path);
    auto raw = readHeaderBytes(r.m_fd.get(), path);
    COFFER_TRY(raw);
    auto opened = readAndUnwrapHeader(raw->bytes, identities);
    if (!opened.ok())
        return explainUntrustedJournal(opened.error(), recovery, path);
    r.m_payloadOffset = opened->parsed.length;
    raw->bytes.resize(static_cast<std::size_t>(r.m_payloadOffset));
    r.m_headerBytes = std::move(raw->bytes);
    auto layout = PayloadLayout::fromCiphertextLength(raw->fileSize - r.m_payloadOffset);
    COFFER_TRY(layout);
    r.m_layout = *layout;
    Bytes prefix(crypto::kPayloadPrefixSize);
    auto n = preadFull(r.m_fd.get(), prefix, r.m_payloadOffset, path);
    COFFER_TRY(n);
    auto cipher =
        crypto::ChunkCipher::forDecryption(opened->fileKey.view(), crypto::asBytes(crypto::kPayloadContext), prefix);
    COFFER_TRY(cipher);
    auto batch = crypto::ChunkBatch::create(*cipher);
    COFFER_TRY(batch);
    r.m_batch = std::make_unique<crypto::ChunkBatch>(std::move(*batch));
    r.m_header = std::move(*opened);
    return r;
}

namespace {
constexpr std::uint64_t kMaxWindow = 64; // chunks: 1 MiB of plaintext
}

Status ContainerReader::fetch(Window& w, std::uint64_t first, std::uint64_t count, bool wait)
{
    w.count = 0;
    const std::size_t lastPlain = m_layout.chunkPlainSize(first + count - 1);
    w.plain.resize(static_cast<std::size_t>(count * crypto::kChunkSize));
    if (m_prefetched.count == count && m_prefetched.first == first) {
        std::swap(w.sealed, m_prefetched.sealed); // read already
        m_prefetched.count = 0;
    } else {
        COFFER_TRY(readSealed(w.sealed, first, count));
    }
    w.first = first;
    m_batch->startOpen(first, w.sealed.data(), static_cast<std::size_t>(count), lastPlain, w.plain.data());
    if (!wait)
        return Status::success();
    const auto outcome = m_batch->wait();
    if (outcome.error)
        return *outcome.error;
    w.count = count;
    return Status::success();
}

void ContainerReader::startReadAhead()
{
    const Window& cur = m_windows[m_current];
    const std::uint64_t next = cur.first + cur.count;
    if (cur.count < kMaxWindow || next >= m_layout.chunkCount)
        return; // only while streaming at full window size
    Window& ahead = m_windows[1 - m_current];
    const std::uint64_t count = std::min(kMaxWindow, m_layout.chunkCount - next);
    m_readAheadBusy = fetch(ahead, next, count, false).ok();
    if (!m_readAheadBusy)
        return;
    ahead.count = count; // valid only once wait() succeeds
    prefetch(next + count);
}

void ContainerReader::prefetch(std::uint64_t first)
{
    m_prefetched.count = 0;
    if (first >= m_layout.chunkCount)
        return;
    const std::uint64_t count = std::min(kMaxWindow, m_layout.chunkCount - first);
    // A failure is not reported here: the same read, made again when the
    // window is needed, reports it then (or not at all, if it never is).
    if (readSealed(m_prefetched.sealed, first, count).ok()) {
        m_prefetched.first = first;
        m_prefetched.count = count;
    }
}

Status ContainerReader::readSealed(Bytes& sealed, std::uint64_t first, std::uint64_t count)
{
    const std::size_t lastPlain = m_layout.chunkPlainSize(first + count - 1);
    const std::size_t sealedSize =
        static_cast<std::size_t>((count - 1) * kSealedChunkSize + lastPlain + crypto::kGcmTagSize);
    sealed.resize(static_cast<std::size_t>(count * kSealedChunkSize));
    auto n = preadFull(m_fd.get(), MutableByteView(sealed).first(sealedSize),
                       m_payloadOffset + PayloadLayout::chunkOffset(first), m_path);
    COFFER_TRY(n);
    if (*n != sealedSize)
        return makeError(ErrorCode::Damaged,
                         "the container is shorter than expected; it may be still downloading or truncated");
    return Status::success();
}

Status ContainerReader::loadChunk(std::uint64_t index)
{
    Window& cur = m_windows[m_current];
    if (cur.count && index >= cur.first && index < cur.first + cur.count)
        return Status::success();
    if (m_readAheadBusy) {
        m_readAheadBusy = false;
        const auto outcome = m_batch->wait();
        Window& ahead = m_windows[1 - m_current];
        if (index >= ahead.first && index < ahead.first + ahead.count) {
            if (outcome.error) {
                ahead.count = 0;
                return *outcome.error;
            }
            m_current = 1 - m_current;
            startReadAhead();
            return Status::success();
        }
        ahead.count = 0; // a jump: the read-ahead is not needed
    }
    // Sequential reading doubles the window (up to 1 MiB); a jump starts small,
    // so extracting one small entry decrypts little more than that entry.
    const bool sequential = cur.count > 0 && index == cur.first + cur.count;
    const std::uint64_t want = sequential ? std::min(kMaxWindow, cur.count * 2) : 1;
    COFFER_TRY(fetch(cur, index, std::min(want, m_layout.chunkCount - index), true));
    startReadAhead();
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
        // Offset in the window, and what is left of it (the last chunk may be short).
        const Window& w = m_windows[m_current];
        const std::size_t inWindow = static_cast<std::size_t>(pos - w.first * crypto::kChunkSize);
        const std::uint64_t windowEnd = std::min(m_layout.plaintextLength, (w.first + w.count) * crypto::kChunkSize);
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, windowEnd - pos));
        std::copy_n(w.plain.begin() + static_cast<std::ptrdiff_t>(inWindow), take,
                    out.begin() + static_cast<std::ptrdiff_t>(done));
        done += take;
    }
    return Status::success();
}

PlainReader ContainerReader::plaintext()
{
    return [this](std::uint64_t at, MutableByteView out) { return read(at, out); };
}

Result<SegmentWalk> ContainerReader::openSegments()
{
    if (!isSegmented())
        return makeError(ErrorCode::Internal, "a v1 container has no segments");
    COFFER_TRY(loadChunk(m_layout.chunkCount - 1)); // it authenticates the payload length
    return SegmentWalk::open(m_layout.plaintextLength, plaintext());
}

Result<ArchiveIndex> ContainerReader::readIndex()
{
    // The final chunk is opened first: it authenticates the payload length.
    COFFER_TRY(loadChunk(m_layout.chunkCount - 1));
    const std::uint64_t length = m_layout.plaintextLength;
    const PlainReader plaintext = [this](std::uint64_t at, MutableByteView out) { return read(at, out); };
    if (m_header.parsed.header.version == crypto::kFormatV2) {
        auto index = readSegmentedIndex(length, plaintext);
        COFFER_TRY(index);
        index->openedBy = m_header.openedBy;
        return index;
    }
    auto last = readFinalFrame(length, plaintext, decodeTrailer, "the index size does not match the trailer");
    COFFER_TRY(last);
    auto index = decodeIndex(last->plain, last->trailer.indexOffset);
    COFFER_TRY(index);
    index->openedBy = m_header.openedBy;
    return index;
}

Result<std::size_t> RangeSource::read(MutableByteView buffer)
{
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), m_end - m_pos));
    COFFER_TRY(m_reader.read(m_pos, buffer.first(n)));
    m_pos += n;
    return n;
}

} // namespace coffer
