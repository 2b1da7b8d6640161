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
#include <unistd.h>

namespace coffer {

namespace {

constexpr std::size_t kBlockSize = 4 * 1024 * 1024;       // input per zstd frame
constexpr std::size_t kStoredPiece = 1024 * 1024;         // read at a time when stored
constexpr std::size_t kSmallBatchBytes = 8 * 1024 * 1024; // small files read, then packed together
constexpr std::size_t kSmallBatchFiles = 4096;
constexpr std::size_t kPackTarget = 4 * 1024 * 1024; // content per pack: one pack per worker in a batch
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
{
    const unsigned workers = crypto::WorkerPool::shared().size();
    for (unsigned i = 0; i < workers; ++i)
        m_workerCompressors.push_back(
            std::make_unique<ZstdCompressor>(compression == Compression::Max ? kMaxLevel : kAutoLevel));
    m_blocks.resize(workers);
    m_frames.resize(workers);
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
    for (const auto& entry : scan.entries) {
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        if (entry.info.kind == EntryKind::Directory) {
            // Written at once, ahead of pending small files: a folder's record may
            // come before or after its files, and packs then span folders.
            COFFER_TRY(writeDirectory(entry.info));
            continue;
        }
        UniqueFd fd;
        EntryInfo info;
        COFFER_TRY(openSource(entry, fd, info));
        if (info.size > kBlockSize) {
            COFFER_TRY(flushSmallFiles());
            m_progress.currentFile = info.path;
            COFFER_TRY(writeLargeFile(entry, fd.get(), info));
            ++m_progress.filesDone;
            continue;
        }
        // Small files are read now and compressed together, one per worker.
        PendingFile pending{&entry, info, Bytes(static_cast<std::size_t>(info.size)), {}, Status::success()};
        auto got = readFull(fd.get(), pending.data, entry.source);
        COFFER_TRY(got);
        if (*got != pending.data.size())
            return changedWhileReading(entry.source);
        COFFER_TRY(checkEndOfFile(fd.get(), entry.source));
        m_smallBytes += pending.data.size();
        m_small.push_back(std::move(pending));
        if (m_smallBytes >= kSmallBatchBytes || m_small.size() >= kSmallBatchFiles)
            COFFER_TRY(flushSmallFiles());
    }
    COFFER_TRY(flushSmallFiles());
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

Status ArchiveWriter::flushSmallFiles()
{
    if (m_small.empty())
        return Status::success();
    // Consecutive compressible files share a pack (FORMAT.md §5.8): one zstd
    // frame per ~4 MiB instead of one per file, so small files compress as
    // well as in a tar, and any one of them still needs only its pack.
    struct Group {
        std::size_t first = 0;
        std::size_t count = 0;
        bool pack = false;
        std::uint64_t contentSize = 0;
        Bytes frame;
        Status status;
    };
    std::vector<Group> groups;
    for (std::size_t i = 0; i < m_small.size(); ++i) {
        const bool compressible = wantsCompression(m_small[i].info);
        if (compressible && !groups.empty() && groups.back().pack &&
            groups.back().contentSize + m_small[i].data.size() <= kPackTarget) {
            groups.back().contentSize += m_small[i].data.size();
            ++groups.back().count;
            continue;
        }
        Group g;
        g.first = i;
        g.count = 1;
        g.pack = compressible;
        g.contentSize = m_small[i].data.size();
        groups.push_back(std::move(g));
    }
    crypto::WorkerPool::shared().run(groups.size(), [&](unsigned worker, std::size_t k) {
        auto& g = groups[k];
        if (!g.pack)
            return;
        std::vector<ByteView> parts;
        for (std::size_t i = g.first; i < g.first + g.count; ++i)
            parts.emplace_back(m_small[i].data);
        g.status = m_workerCompressors[worker]->compressParts(parts, g.frame);
    });
    for (auto& g : groups) {
        COFFER_TRY(g.status);
        const bool packed = g.pack && compressionPays(g.contentSize, g.frame.size());
        if (packed) {
            EntryInfo packInfo;
            packInfo.kind = EntryKind::Pack;
            packInfo.codec = Codec::Zstd;
            packInfo.mode = 0;
            packInfo.size = g.contentSize;
            IndexEntry ie{packInfo, g.frame.size(), m_offset, std::nullopt};
            if (m_signer)
                ie.sha256 = crypto::sha256({});
            COFFER_TRY(put(encodeEntryRecordHeader(packInfo)));
            COFFER_TRY(put(g.frame));
            m_index.entries.push_back(std::move(ie));
        }
        for (std::size_t i = g.first; i < g.first + g.count; ++i) {
            auto& p = m_small[i];
            p.info.codec = packed && !p.data.empty() ? Codec::Packed : Codec::Stored;
            IndexEntry ie{p.info, 0, m_offset, std::nullopt};
            COFFER_TRY(put(encodeEntryRecordHeader(p.info)));
            if (p.info.codec == Codec::Stored) {
                COFFER_TRY(put(p.data));
                ie.storedSize = p.data.size();
            }
            if (m_signer)
                ie.sha256 = crypto::sha256(p.data);
            m_index.entries.push_back(std::move(ie));
            m_progress.bytesDone += p.data.size();
            ++m_progress.filesDone;
            m_progress.currentFile = p.info.path;
        }
    }
    m_small.clear();
    m_smallBytes = 0;
    m_job.report(m_progress);
    return Status::success();
}

Status ArchiveWriter::writeLargeFile(const SourceEntry& entry, int fd, EntryInfo info)
{
    // Decide the codec from the first block: zstd only where it pays.
    auto& blocks = m_blocks;
    auto& frames = m_frames;
    blocks[0].resize(kBlockSize);
    auto got = readFull(fd, blocks[0], entry.source);
    COFFER_TRY(got);
    if (*got != kBlockSize)
        return changedWhileReading(entry.source);
    info.codec = Codec::Stored;
    if (wantsCompression(info)) {
        COFFER_TRY(m_compressor.compress(blocks[0], frames[0]));
        if (compressionPays(blocks[0].size(), frames[0].size()))
            info.codec = Codec::Zstd;
    }
    IndexEntry ie{info, 0, m_offset, std::nullopt};
    COFFER_TRY(put(encodeEntryRecordHeader(info)));
    const std::uint64_t dataStart = m_offset;
    std::optional<crypto::Sha256> hash;
    if (m_signer)
        hash.emplace(); // content hashes are what a signature binds

    // Blocks go out in groups: one block per worker, compressed in parallel.
    std::uint64_t remaining = info.size;
    std::size_t ready = 1; // blocks[0] is read (and compressed if zstd)
    while (true) {
        for (std::size_t k = 0; k < ready; ++k) {
            if (hash)
                hash->update(blocks[k]);
            COFFER_TRY(put(info.codec == Codec::Zstd ? ByteView(frames[k]) : ByteView(blocks[k])));
            remaining -= blocks[k].size();
            m_progress.bytesDone += blocks[k].size();
        }
        m_job.report(m_progress);
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        if (remaining == 0)
            break;
        // Stored data goes out in 1 MiB reads, so that reading overlaps the
        // sealing of the previous batch (PayloadWriter); zstd blocks are read a
        // group at a time, one per worker, and compressed in parallel.
        const bool zstd = info.codec == Codec::Zstd;
        const std::size_t piece = zstd ? kBlockSize : kStoredPiece;
        const std::size_t group = zstd ? blocks.size() : 1;
        ready = 0;
        while (ready < group && remaining > ready * piece) {
            auto& block = blocks[ready];
            block.resize(static_cast<std::size_t>(std::min<std::uint64_t>(piece, remaining - ready * piece)));
            got = readFull(fd, block, entry.source);
            COFFER_TRY(got);
            if (*got != block.size())
                return changedWhileReading(entry.source);
            ++ready;
        }
        if (zstd) {
            std::vector<Status> status(ready);
            crypto::WorkerPool::shared().run(ready, [&](unsigned worker, std::size_t k) {
                status[k] = m_workerCompressors[worker]->compress(blocks[k], frames[k]);
            });
            for (const auto& st : status)
                COFFER_TRY(st);
        }
    }
    COFFER_TRY(checkEndOfFile(fd, entry.source));
    // Give the block buffers back: the small-file batches that may follow need
    // their own memory, and peak memory stays flat (issue #7: under 64 MiB).
    for (auto& b : blocks)
        Bytes().swap(b);
    for (auto& f : frames)
        Bytes().swap(f);
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
