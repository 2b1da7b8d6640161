#include "ArchiveWriter.h"

#include "FileIO.h"
#include "Signature.h"
#include "WorkerPool.h"
#include "Zstd.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace coffer {

namespace {

constexpr std::size_t kBlockSize = 4 * 1024 * 1024;       // larger files get frames of their own, smaller ones packs
constexpr std::uint64_t kFrameContent = 16 * 1024 * 1024; // per zstd frame and per pack (FORMAT.md §5.1 maximum)
constexpr std::size_t kStoredPiece = 1024 * 1024;         // read at a time
constexpr int kAutoLevel = 3;
constexpr int kProbeLevel = 1;
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
    : m_payload(payload), m_compression(compression), m_job(job), m_probe(kProbeLevel)
{
    const unsigned workers = crypto::WorkerPool::shared().size();
    m_stream = std::make_unique<ZstdFrameStream>(compression == Compression::Max ? kMaxLevel : kAutoLevel, workers);
}

Status ArchiveWriter::put(ByteView data)
{
    COFFER_TRY(m_payload.write(data));
    m_offset += data.size();
    return Status::success();
}

Status ArchiveWriter::writeDirectory(const EntryInfo& info)
{
    IndexEntry ie{info, 0, m_offset, std::nullopt};
    if (m_signer)
        ie.sha256 = crypto::sha256({});
    COFFER_TRY(put(encodeEntryRecordHeader(info)));
    m_index.entries.push_back(std::move(ie));
    return Status::success();
}

Status ArchiveWriter::writeEntries(const ScanResult& scan)
{
    m_progress.bytesTotal = scan.totalBytes;
    m_progress.filesTotal = scan.fileCount;
    const auto& entries = scan.entries;
    std::vector<const SourceEntry*> members;
    for (std::size_t i = 0; i < entries.size();) {
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        // Consecutive small compressible files share a pack (FORMAT.md §5.8) of up
        // to 16 MiB: folders and small files that are not compressed on the way
        // are written ahead of it (record order is free), a big file ends it.
        members.clear();
        std::uint64_t packSize = 0;
        for (; i < entries.size(); ++i) {
            const SourceEntry& e = entries[i];
            if (e.info.kind == EntryKind::Directory) {
                COFFER_TRY(writeDirectory(e.info));
                continue;
            }
            if (e.info.size > kBlockSize)
                break;
            if (!wantsCompression(e.info)) {
                COFFER_TRY(writeSmallFile(e, Codec::Stored));
                continue;
            }
            if (packSize + e.info.size > kFrameContent)
                break;
            members.push_back(&e);
            packSize += e.info.size;
        }
        if (members.size() == 1) { // a pack of one is just a compressed file
            COFFER_TRY(writeSmallFile(*members.front(), Codec::Zstd));
            continue;
        }
        if (!members.empty()) {
            COFFER_TRY(writePack(members, packSize));
            continue;
        }
        if (i < entries.size()) { // a big file
            UniqueFd fd;
            EntryInfo info;
            COFFER_TRY(openSource(entries[i], fd, info));
            m_progress.currentFile = info.path;
            COFFER_TRY(writeLargeFile(entries[i], fd.get(), info));
            ++m_progress.filesDone;
            ++i;
        }
    }
    m_job.report(m_progress, true);
    return Status::success();
}

Status ArchiveWriter::openSource(const SourceEntry& entry, UniqueFd& fd, EntryInfo& info)
{
    // O_NONBLOCK: a file replaced by a FIFO since the scan must not block the open
    // (it is then refused below); it changes nothing for regular files.
    fd.reset(::open(entry.source.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid())
        return ioError(errno, "read", entry.source);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0)
        return ioError(errno, "read", entry.source);
    if (!S_ISREG(st.st_mode))
        return changedWhileReading(entry.source);
    if (st.st_size > static_cast<off_t>(kBlockSize)) // read-ahead pays for big files only (one call per file)
        ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    info = entry.info;
    fillInfoFromStat(info, st);
    info.size = static_cast<std::uint64_t>(st.st_size);
    return Status::success();
}

Status ArchiveWriter::checkEndOfFile(int fd, const std::filesystem::path& path)
{
    // A file that grew while we read it is a different file than the one we stored.
    std::uint8_t extra;
    auto more = readFull(fd, MutableByteView(&extra, 1), path);
    COFFER_TRY(more);
    if (*more != 0)
        return changedWhileReading(path);
    return Status::success();
}

bool ArchiveWriter::wantsCompression(const EntryInfo& info) const
{
    return m_compression != Compression::Off && info.size > 0 && !looksCompressed(info.path);
}

Status ArchiveWriter::readSmallFile(const SourceEntry& entry, EntryInfo& info, const BeforeData& before,
                                    const DataSink& consume)
{
    if (m_job.isCancelled())
        return makeError(ErrorCode::Cancelled, "cancelled");
    UniqueFd fd;
    COFFER_TRY(openSource(entry, fd, info));
    // Planned as a small file from the scan: one that grew past 4 MiB since
    // is not one any more (a zstd frame holds at most 16 MiB).
    if (info.size > kBlockSize)
        return changedWhileReading(entry.source);
    COFFER_TRY(before(info));
    std::uint64_t remaining = info.size;
    while (remaining > 0) {
        m_piece.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kStoredPiece, remaining)));
        auto got = readFull(fd.get(), m_piece, entry.source);
        COFFER_TRY(got);
        if (*got != m_piece.size())
            return changedWhileReading(entry.source);
        COFFER_TRY(consume(m_piece));
        remaining -= m_piece.size();
    }
    COFFER_TRY(checkEndOfFile(fd.get(), entry.source));
    ++m_progress.filesDone;
    m_progress.bytesDone += info.size;
    m_progress.currentFile = info.path;
    m_job.report(m_progress);
    return Status::success();
}

Status ArchiveWriter::writeSmallFile(const SourceEntry& entry, Codec codec)
{
    // A file on its own: stored, or one zstd frame. Its record goes out once
    // the file is open, with what fstat says.
    const bool zstd = codec == Codec::Zstd;
    std::optional<crypto::Sha256> hash;
    if (m_signer)
        hash.emplace();
    IndexEntry ie{{}, 0, m_offset, std::nullopt};
    std::uint64_t dataStart = 0;
    const auto out = [this](ByteView compressed) { return put(compressed); };
    const auto writeRecord = [&](EntryInfo& info) -> Status {
        info.codec = codec;
        ie.info = info;
        COFFER_TRY(put(encodeEntryRecordHeader(info)));
        dataStart = m_offset;
        return zstd ? m_stream->beginFrame(info.size, ZstdFrameStream::FrameContent::OneFile) : Status::success();
    };
    EntryInfo info;
    COFFER_TRY(readSmallFile(entry, info, writeRecord, [&](ByteView data) {
        if (hash)
            hash->update(data);
        return zstd ? m_stream->feed(data, out) : put(data);
    }));
    if (zstd)
        COFFER_TRY(m_stream->endFrame(out));
    ie.storedSize = m_offset - dataStart;
    if (hash)
        ie.sha256 = hash->finish();
    m_index.entries.push_back(std::move(ie));
    return Status::success();
}

Status ArchiveWriter::writePack(const std::vector<const SourceEntry*>& members, std::uint64_t contentSize)
{
    // The pack's frame is compressed on zstd's threads while the next members
    // are read; the members' records follow it (FORMAT.md §5.8).
    EntryInfo packInfo;
    packInfo.kind = EntryKind::Pack;
    packInfo.codec = Codec::Zstd;
    packInfo.mode = 0;
    packInfo.size = contentSize;
    IndexEntry packEntry{packInfo, 0, m_offset, std::nullopt};
    if (m_signer)
        packEntry.sha256 = crypto::sha256({});
    COFFER_TRY(put(encodeEntryRecordHeader(packInfo)));
    const std::uint64_t dataStart = m_offset;
    const auto out = [this](ByteView compressed) { return put(compressed); };
    COFFER_TRY(m_stream->beginFrame(contentSize, ZstdFrameStream::FrameContent::ManyFiles));
    std::vector<IndexEntry> memberEntries;
    memberEntries.reserve(members.size());
    for (const SourceEntry* member : members) {
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        std::optional<crypto::Sha256> hash;
        if (m_signer)
            hash.emplace();
        EntryInfo info;
        // The pack declared its size from the scan before its members are read:
        // a member whose size changed since would break that promise.
        const auto sameAsScanned = [&](EntryInfo& seen) {
            return seen.size == member->info.size ? Status::success() : Status(changedWhileReading(member->source));
        };
        COFFER_TRY(readSmallFile(*member, info, sameAsScanned, [&](ByteView data) {
            if (hash)
                hash->update(data);
            return m_stream->feed(data, out);
        }));
        info.codec = Codec::Packed;
        IndexEntry ie{info, 0, 0, std::nullopt};
        if (hash)
            ie.sha256 = hash->finish();
        memberEntries.push_back(std::move(ie));
    }
    COFFER_TRY(m_stream->endFrame(out));
    packEntry.storedSize = m_offset - dataStart;
    m_index.entries.push_back(std::move(packEntry));
    for (auto& ie : memberEntries) {
        ie.offset = m_offset;
        COFFER_TRY(put(encodeEntryRecordHeader(ie.info)));
        m_index.entries.push_back(std::move(ie));
    }
    return Status::success();
}

Status ArchiveWriter::putFromFile(int fd, const std::string& source, std::uint64_t size, crypto::Sha256* hash)
{
    // readv into the payload's own batch buffers, at the chunks' places: the
    // bytes are copied once, by the kernel (one memmove per byte less: 10 % of
    // the CPU time of a 1 GiB encryption, by perf).
    std::vector<struct iovec> iov;
    while (size > 0) {
        const auto pieces = m_payload.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(size, kStoredPiece)));
        iov.clear();
        std::size_t want = 0;
        for (const auto& p : pieces) {
            iov.push_back({p.data(), p.size()});
            want += p.size();
        }
        std::size_t done = 0;
        std::size_t first = 0; // the first iovec not yet filled
        while (done < want) {
            const ssize_t n = ::readv(fd, iov.data() + first, static_cast<int>(iov.size() - first));
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return ioError(errno, "read", source);
            }
            if (n == 0)
                return changedWhileReading(source);
            done += static_cast<std::size_t>(n);
            for (std::size_t left = static_cast<std::size_t>(n); left > 0;) { // skip what is filled
                const std::size_t take = std::min(left, iov[first].iov_len);
                iov[first].iov_base = static_cast<std::uint8_t*>(iov[first].iov_base) + take;
                iov[first].iov_len -= take;
                left -= take;
                if (iov[first].iov_len == 0)
                    ++first;
            }
        }
        if (hash)
            for (const auto& p : pieces)
                hash->update(p);
        COFFER_TRY(m_payload.commit(want));
        m_offset += want;
        size -= want;
        m_progress.bytesDone += want;
        m_job.report(m_progress);
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
    return Status::success();
}

Status ArchiveWriter::writeLargeFile(const SourceEntry& entry, int fd, EntryInfo info)
{
    // Decide the codec from the first 4 MiB, compressed at zstd's fastest level
    // (a few milliseconds): zstd only where it pays.
    Bytes& piece = m_piece;
    piece.resize(kBlockSize);
    auto got = readFull(fd, piece, entry.source);
    COFFER_TRY(got);
    if (*got != kBlockSize)
        return changedWhileReading(entry.source);
    info.codec = Codec::Stored;
    if (wantsCompression(info)) {
        Bytes probe;
        COFFER_TRY(m_probe.compress(piece, probe));
        if (compressionPays(piece.size(), probe.size()))
            info.codec = Codec::Zstd;
    }
    IndexEntry ie{info, 0, m_offset, std::nullopt};
    COFFER_TRY(put(encodeEntryRecordHeader(info)));
    const std::uint64_t dataStart = m_offset;
    std::optional<crypto::Sha256> hash;
    if (m_signer)
        hash.emplace(); // content hashes are what a signature binds

    // Read 1 MiB at a time: reading overlaps the sealing of what went before
    // (PayloadWriter) and, for zstd, the compression of it on zstd's workers,
    // in frames of 16 MiB (FORMAT.md §5.1's largest).
    const bool zstd = info.codec == Codec::Zstd;
    const auto out = [this](ByteView compressed) { return put(compressed); };
    std::uint64_t remaining = info.size;
    std::uint64_t frameLeft = 0;
    while (true) {
        if (hash)
            hash->update(piece);
        if (zstd) {
            if (frameLeft == 0) {
                frameLeft = std::min<std::uint64_t>(kFrameContent, remaining);
                COFFER_TRY(m_stream->beginFrame(frameLeft, ZstdFrameStream::FrameContent::OneFile));
            }
            COFFER_TRY(m_stream->feed(piece, out));
            frameLeft -= piece.size();
            if (frameLeft == 0)
                COFFER_TRY(m_stream->endFrame(out));
        } else {
            COFFER_TRY(put(piece)); // the first block, read to decide the codec
        }
        remaining -= piece.size();
        m_progress.bytesDone += piece.size();
        m_job.report(m_progress);
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        if (remaining == 0)
            break;
        if (!zstd) { // the rest is read straight into the payload's buffers
            COFFER_TRY(putFromFile(fd, entry.source, remaining, hash ? &*hash : nullptr));
            break;
        }
        // A piece never crosses a frame boundary.
        std::uint64_t next = std::min<std::uint64_t>(kStoredPiece, remaining);
        if (frameLeft > 0)
            next = std::min(next, frameLeft);
        piece.resize(static_cast<std::size_t>(next));
        got = readFull(fd, piece, entry.source);
        COFFER_TRY(got);
        if (*got != piece.size())
            return changedWhileReading(entry.source);
    }
    COFFER_TRY(checkEndOfFile(fd, entry.source));
    Bytes().swap(piece);
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
    m_stream.reset(); // zstd's buffers (~20 MiB) go before the index is built
    Bytes().swap(m_piece);
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
        // Everything before the signature itself is signed, the signer's keys included.
        const ByteView signedPart = ByteView(plain).first(plain.size() - crypto::kEd25519SignatureSize);
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
