#include "ArchiveWriter.h"

#include "FileIO.h"
#include "Signature.h"
#include "Zstd.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

namespace {

constexpr std::size_t kBlockSize = 4 * 1024 * 1024; // input per zstd frame
constexpr int kAutoLevel = 3;
constexpr int kMaxLevel = 19;

// Compression pays if the first block shrinks by at least 3%.
bool compressionPays(std::size_t plain, std::size_t compressed)
{
    return compressed < plain - plain / 33;
}

Result<std::size_t> readFull(int fd, MutableByteView out, const std::filesystem::path& name)
{
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(errno, "read", name);
        }
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

Error changedWhileReading(const std::filesystem::path& path)
{
    return makeError(ErrorCode::Io,
                     "\"" + path.string() +
                         "\" changed while it was being read; close the program that writes it and try again");
}

} // namespace

bool looksCompressed(const std::string& fileName)
{
    static const std::array<std::string_view, 34> kExtensions = {
        "7z",   "aac", "apk",  "avi", "bz2",  "coffer", "docx", "epub", "flac", "gif", "gpg", "gz",
        "heic", "jar", "jpeg", "jpg", "lz",   "lzma",   "m4a",  "m4v",  "mkv",  "mov", "mp3", "mp4",
        "odt",  "ogg", "opus", "png", "pptx", "rar",    "webm", "webp", "xz",   "zip"};
    const auto dot = fileName.rfind('.');
    if (dot == std::string::npos)
        return false;
    std::string ext = fileName.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end() || ext == "zst" ||
           ext == "xlsx" || ext == "age";
}

ArchiveWriter::ArchiveWriter(crypto::PayloadWriter& payload, Compression compression, JobControl& job)
    : m_payload(payload), m_compression(compression), m_job(job),
      m_compressor(compression == Compression::Max ? kMaxLevel : kAutoLevel)
{}

Status ArchiveWriter::put(ByteView data)
{
    COFFER_TRY(m_payload.write(data));
    m_offset += data.size();
    return Status::success();
}

Status ArchiveWriter::writeEntries(const ScanResult& scan)
{
    m_progress.bytesTotal = scan.totalBytes;
    m_progress.filesTotal = scan.fileCount;
    for (const auto& entry : scan.entries) {
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        if (entry.info.kind == EntryKind::Directory) {
            IndexEntry ie{entry.info, 0, m_offset, std::nullopt};
            if (m_signer)
                ie.sha256 = crypto::sha256({});
            COFFER_TRY(put(encodeEntryRecordHeader(entry.info)));
            m_index.entries.push_back(std::move(ie));
            continue;
        }
        m_progress.currentFile = entry.info.path;
        m_job.report(m_progress);
        COFFER_TRY(writeFile(entry));
        ++m_progress.filesDone;
    }
    m_job.report(m_progress, true);
    return Status::success();
}

Status ArchiveWriter::writeFile(const SourceEntry& entry)
{
    UniqueFd fd(::open(entry.source.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
        return ioError(errno, "read", entry.source);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0)
        return ioError(errno, "read", entry.source);
    if (!S_ISREG(st.st_mode))
        return changedWhileReading(entry.source);
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

    EntryInfo info = entry.info;
    fillInfoFromStat(info, st);
    info.size = static_cast<std::uint64_t>(st.st_size);

    Bytes block(static_cast<std::size_t>(std::min<std::uint64_t>(kBlockSize, info.size)));
    auto got = readFull(fd.get(), block, entry.source);
    COFFER_TRY(got);
    if (*got != block.size())
        return changedWhileReading(entry.source);

    // Decide the codec from the first block: zstd only where it pays.
    auto& compressor = m_compressor;
    Bytes& frame = m_frame;
    info.codec = Codec::Stored;
    if (m_compression != Compression::Off && info.size > 0 && !looksCompressed(info.path)) {
        COFFER_TRY(compressor.compress(block, frame));
        if (compressionPays(block.size(), frame.size()))
            info.codec = Codec::Zstd;
    }

    IndexEntry ie{info, 0, m_offset, std::nullopt};
    COFFER_TRY(put(encodeEntryRecordHeader(info)));
    const std::uint64_t dataStart = m_offset;
    std::uint64_t remaining = info.size;
    bool first = true;
    std::optional<crypto::Sha256> hash;
    if (m_signer)
        hash.emplace(); // content hashes are what a signature binds
    while (remaining > 0) {
        if (!first) {
            block.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kBlockSize, remaining)));
            got = readFull(fd.get(), block, entry.source);
            COFFER_TRY(got);
            if (*got != block.size())
                return changedWhileReading(entry.source);
        }
        if (hash)
            hash->update(block);
        if (info.codec == Codec::Zstd) {
            if (!first)
                COFFER_TRY(compressor.compress(block, frame));
            COFFER_TRY(put(frame));
        } else {
            COFFER_TRY(put(block));
        }
        first = false;
        remaining -= block.size();
        m_progress.bytesDone += block.size();
        m_job.report(m_progress);
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
    // A file that grew while we read it is a different file than the one we stored.
    std::uint8_t extra;
    auto more = readFull(fd.get(), MutableByteView(&extra, 1), entry.source);
    COFFER_TRY(more);
    if (*more != 0)
        return changedWhileReading(entry.source);

    ie.storedSize = m_offset - dataStart;
    if (hash)
        ie.sha256 = hash->finish();
    m_index.entries.push_back(std::move(ie));
    return Status::success();
}

Status ArchiveWriter::writeMemoryFile(const EntryInfo& info, ByteView data)
{
    EntryInfo stored = info;
    stored.kind = EntryKind::File;
    stored.codec = Codec::Stored;
    stored.size = data.size();
    IndexEntry ie{stored, data.size(), m_offset, std::nullopt};
    if (m_signer)
        ie.sha256 = crypto::sha256(data);
    COFFER_TRY(put(encodeEntryRecordHeader(stored)));
    COFFER_TRY(put(data));
    m_index.entries.push_back(std::move(ie));
    return Status::success();
}

Status ArchiveWriter::finish(const std::vector<IndexRecipient>& recipients)
{
    m_index.recipients = recipients;
    // Never write what readers must refuse (FORMAT.md §8).
    if (m_index.entries.size() > kMaxEntries)
        return makeError(ErrorCode::LimitExceeded, "a container holds at most 10,000,000 files and folders");
    Bytes plain;
    if (m_signer) {
        const auto card = m_signer->card();
        if (!card)
            return makeError(ErrorCode::InvalidArgument, "an age identity cannot sign");
        m_index.hasHashes = true;
        m_index.signature = IndexSignature{card->x25519, card->ed25519, {}};
        plain = encodeIndex(m_index);
        const ByteView signedPart = ByteView(plain).first(plain.size() - kSignatureBlockSize);
        const auto sig = crypto::signIndex(*m_signer, signedPart);
        std::copy(sig.begin(), sig.end(), plain.end() - 64);
    } else {
        plain = encodeIndex(m_index);
    }
    if (plain.size() > kMaxIndexPlainSize)
        return makeError(ErrorCode::LimitExceeded, "the list of files is too large for one container");
    Bytes compressed;
    ZstdCompressor compressor(kAutoLevel);
    COFFER_TRY(compressor.compress(plain, compressed));
    Trailer trailer{m_offset, compressed.size(), plain.size()};
    COFFER_TRY(put(compressed));
    COFFER_TRY(put(encodeTrailer(trailer)));
    return Status::success();
}

} // namespace coffer
