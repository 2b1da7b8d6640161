#include "ArchiveWriter.h"

#include "FileIO.h"
#include "PackCompressor.h"
#include "Signature.h"
#include "SourceFile.h"
#include "WorkerPool.h"
#include "Zstd.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <utility>

namespace coffer {

namespace {

constexpr int kAutoLevel = 3;
constexpr int kProbeLevel = 1;
constexpr int kProbeWindowLog = 19; // what level 1 picks by itself: a 512 KiB buffer
constexpr int kMaxLevel = 19;
// The index (paths and numbers) at level 2: /usr/include's 981 KB index is 1 %
// smaller than at level 3 and made in three quarters of the time, at the
// very end where nothing else runs.
constexpr int kIndexLevel = 2;

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
    : m_payload(payload), m_compression(compression), m_job(job)
{}

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

namespace {

constexpr std::uint64_t kLargestPack = 15 * 1024 * 1024; // room under the 16 MiB cap for the last member
constexpr std::uint64_t kSmallestPack = 1024 * 1024;

std::uint64_t packTarget(std::uint64_t remaining, unsigned threads, std::uint64_t cap)
{
    // Small packs first (`cap` doubles from 1 MiB with each pack), so every
    // thread has work a few milliseconds into the scan; full packs (15 MiB)
    // while every thread can still get a few; then smaller and smaller: each
    // takes a 2n-th of what is left (n threads), so the last ones end close
    // together instead of one thread making a pack alone at the end.
    // `remaining` counts from the pack's start; at or above 2n x `cap` the
    // answer is `cap`, which is all the writer needs to know.
    return std::min(cap,
                    std::clamp<std::uint64_t>(remaining / (2 * std::uint64_t(threads)), kSmallestPack, kLargestPack));
}

// A big file's frames hold 8 MiB, not the 16 MiB a frame may: each of the
// frames in flight is held compressed until its turn to be written (with 16
// MiB, the text tar took 75 MiB of memory instead of 54).
constexpr std::uint64_t kBigFileFrame = 8 * 1024 * 1024;
constexpr std::uint64_t kTailFrame = 2 * 1024 * 1024;

std::uint64_t frameTarget(std::uint64_t remaining, unsigned threads, bool lastFile)
{
    // 8 MiB. The input's last file ends on smaller frames, an n-th of what is
    // left (n threads, at least 2 MiB), so the threads finish together (after
    // any other file, other work keeps them busy; each cut costs some
    // compression). No frame leaves less than 2 MiB behind: the last two
    // share what is left instead.
    const std::uint64_t size =
        lastFile ? std::clamp<std::uint64_t>(remaining / threads, kTailFrame, kBigFileFrame) : kBigFileFrame;
    if (remaining <= size)
        return remaining;
    if (remaining - size < kTailFrame)
        return (remaining + 1) / 2;
    return size;
}

} // namespace

Status ArchiveWriter::writeEntries(ScanStream& scan)
{
    // Consecutive small compressible files share packs (FORMAT.md §5.8), made
    // on threads of their own, which also make the frame of a compressible
    // file of up to 16 MiB and the frames of larger ones, while this thread
    // writes everything else: folders and files that are not compressed go out
    // as they are met (record order is free), unless a big file's frames are
    // being written (then after its last). Entries arrive while the scan goes on.
    const auto packable = [this](const SourceEntry& e) {
        return e.info.kind == EntryKind::File && e.info.size <= kSmallFileMax && wantsCompression(e.info);
    };
    // Each pack thread holds a zstd context (9.5 MiB at level 3, 89.5 MiB at 19,
    // by ZSTD_estimateCStreamSize); each pack in flight (one more than threads)
    // and the one being written hold a frame (16 MiB when nothing
    // compresses): a few threads are enough.
    const unsigned threads = std::min(crypto::WorkerPool::shared().size(), m_compression == Compression::Max ? 2u : 4u);
    std::deque<ScanStream::Batch> batches; // outlives the packs, which point into it
    PackCompressor packs(level(), threads, m_signer != nullptr, m_job);

    // Where packs end depends only on the entries, never on how far the scan
    // got: each decision waits until the entries ahead hold enough to pack
    // for packTarget() to come out the same as with all of them known (2n x
    // the cap, once the member in hand, up to 4 MiB, is taken from them).
    std::uint64_t cap = kSmallestPack;
    const auto lookahead = [&] { return cap * 2 * threads + kSmallFileMax; };
    std::uint64_t ahead = 0; // packable bytes received and not yet handled
    bool scanEnded = false;
    std::size_t batchAt = 0;
    std::size_t entryAt = 0;
    const auto pull = [&]() -> Status {
        while (!scanEnded && (ahead < lookahead() || batchAt == batches.size())) {
            auto batch = scan.next();
            if (!batch) {
                COFFER_TRY(scan.status());
                scanEnded = true;
                m_totalsKnown = true;
                break;
            }
            for (const SourceEntry& e : *batch)
                if (packable(e))
                    ahead += e.info.size;
            batches.push_back(std::move(*batch));
            m_progress.bytesTotal = scan.totalBytes();
            m_progress.filesTotal = scan.fileCount();
        }
        return Status::success();
    };

    auto pack = std::make_unique<PackCompressor::Pack>();
    const auto submit = [&]() -> Status {
        COFFER_TRY(submitPack(packs, std::move(pack)));
        pack = std::make_unique<PackCompressor::Pack>();
        cap = std::min(cap * 2, kLargestPack);
        return Status::success();
    };
    while (true) {
        COFFER_TRY(pull());
        if (batchAt == batches.size())
            break; // the scan ended and every entry is written or in flight
        const SourceEntry& e = batches[batchAt][entryAt];
        if (++entryAt == batches[batchAt].size()) {
            ++batchAt;
            entryAt = 0;
        }
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        if (e.info.kind == EntryKind::Directory) {
            COFFER_TRY(writeUnpacked(e));
        } else if (packable(e)) {
            ahead -= e.info.size;
            if (pack->contentSize + e.info.size > kMaxFrameContent)
                COFFER_TRY(submit());
            pack->members.push_back(&e);
            pack->contentSize += e.info.size;
            // A pack ends at its target, unless that would leave less than a
            // small pack behind (a pack of one is no pack).
            if (pack->contentSize >= packTarget(pack->contentSize + ahead, threads, cap) && ahead >= kSmallestPack)
                COFFER_TRY(submit());
        } else if (e.info.kind == EntryKind::File && e.info.size <= kMaxFrameContent && wantsCompression(e.info)) {
            auto alone = std::make_unique<PackCompressor::Pack>();
            alone->members.push_back(&e);
            COFFER_TRY(submitPack(packs, std::move(alone)));
        } else if (e.info.size <= kSmallFileMax) {
            COFFER_TRY(writeUnpacked(e));
        } else {
            COFFER_TRY(pull()); // the scan has ended, or another entry is at hand
            COFFER_TRY(writeBigFile(packs, threads, e, batchAt == batches.size()));
        }
    }
    if (!pack->members.empty())
        COFFER_TRY(submit());
    packs.close();
    while (!packs.empty())
        COFFER_TRY(writeNextPack(packs));
    report(true);
    return Status::success();
}

void ArchiveWriter::report(bool force)
{
    // Totals that still grow would move a progress bar backwards: nothing is
    // shown until the scan has found everything (for most trees, at once).
    if (m_totalsKnown)
        m_job.report(m_progress, force);
}

int ArchiveWriter::level() const
{
    return m_compression == Compression::Max ? kMaxLevel : kAutoLevel;
}

bool ArchiveWriter::wantsCompression(const EntryInfo& info) const
{
    return m_compression != Compression::Off && info.size > 0 && !looksCompressed(info.path);
}

Result<bool> ArchiveWriter::probe(const SourceEntry& entry, int fd)
{
    if (!m_probe)
        m_probe = std::make_unique<ZstdFrameStream>(kProbeLevel, kProbeWindowLog);
    return compressionPays(fd, entry.source, m_piece, *m_probe);
}

Status ArchiveWriter::writeBigFile(PackCompressor& packs, unsigned threads, const SourceEntry& entry, bool lastEntry)
{
    UniqueFd fd;
    EntryInfo info;
    COFFER_TRY(openSource(entry, fd, info));
    m_progress.currentFile = info.path;
    // zstd only where it pays (SourceFile.h), else read straight into the payload's buffers.
    bool compress = false;
    if (wantsCompression(info)) {
        auto pays = probe(entry, fd.get());
        COFFER_TRY(pays);
        compress = *pays;
    }
    if (!compress) {
        while (m_bigFile) // its record must not fall among another file's frames
            COFFER_TRY(writeNextPack(packs));
        return writeStoredFrom(entry, fd.get(), info);
    }
    // Its frames are made by the pack threads, several at once, each reading
    // its own part of the file; they come back in order (writeMadeFrame).
    info.codec = Codec::Zstd;
    const auto file = std::make_shared<const UniqueFd>(std::move(fd));
    for (std::uint64_t start = 0; start < info.size;) {
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        auto frame = std::make_unique<PackCompressor::Pack>();
        frame->members.push_back(&entry);
        frame->contentSize = frameTarget(info.size - start, threads, lastEntry);
        frame->file = file;
        frame->frameStart = start;
        start += frame->contentSize;
        frame->endsFile = start == info.size;
        if (frame->frameStart == 0) // what the record says, written with the first frame
            frame->entries.push_back(IndexEntry{info, 0, 0, std::nullopt});
        COFFER_TRY(submitPack(packs, std::move(frame)));
    }
    return Status::success();
}

Status ArchiveWriter::writeMadeFrame(PackCompressor& packs, std::unique_ptr<PackCompressor::Pack> frame)
{
    // A big file's record goes out with its first frame, its index entry after
    // its last (no other record comes between: its frames were submitted in a row).
    if (frame->frameStart == 0) {
        IndexEntry& ie = frame->entries.front();
        ie.offset = m_offset;
        COFFER_TRY(put(encodeEntryRecordHeader(ie.info)));
        m_bigFile.emplace(BigFile{std::move(ie), m_offset, std::nullopt});
        if (m_signer)
            m_bigFile->hash.emplace(); // content hashes are what a signature binds
    }
    const std::filesystem::path& source = frame->members.front()->source;
    if (m_bigFile->hash) {
        // A SHA-256 is computed in order, so here rather than on the frame's
        // thread: the frame's bytes are read again, and must be those it was
        // made of (else the file changed in between, and the hash would not
        // be the content's).
        ContentCheck check;
        for (std::uint64_t done = 0; done < frame->contentSize;) {
            const MutableByteView piece = pieceOf(m_piece, frame->contentSize - done);
            auto got = preadFull(frame->file->get(), piece, frame->frameStart + done, source);
            COFFER_TRY(got);
            if (*got != piece.size())
                return changedWhileReading(source);
            m_bigFile->hash->update(piece);
            check.update(piece);
            done += piece.size();
        }
        if (check.value() != frame->check)
            return changedWhileReading(source);
    }
    COFFER_TRY(put(frame->frame));
    packs.recycle(std::move(frame->frame));
    m_progress.bytesDone += frame->contentSize;
    m_progress.currentFile = m_bigFile->entry.info.path;
    if (frame->endsFile) {
        IndexEntry& ie = m_bigFile->entry;
        ie.storedSize = m_offset - m_bigFile->dataStart;
        if (m_bigFile->hash)
            ie.sha256 = m_bigFile->hash->finish();
        m_index.entries.push_back(std::move(ie));
        m_bigFile.reset();
        ++m_progress.filesDone;
        for (const SourceEntry* e : std::exchange(m_deferred, {}))
            COFFER_TRY(writeUnpacked(*e));
    }
    report();
    return Status::success();
}

Status ArchiveWriter::writeUnpacked(const SourceEntry& entry)
{
    // Between a big file's first frame and its last, nothing else can be
    // written: folders and small stored files met meanwhile wait for its end.
    if (m_bigFile) {
        m_deferred.push_back(&entry);
        return Status::success();
    }
    if (entry.info.kind == EntryKind::Directory)
        return writeDirectory(entry.info);
    return writeStoredFile(entry);
}

Status ArchiveWriter::writeStoredFile(const SourceEntry& entry)
{
    // Its record goes out once the file is open, with what fstat says.
    if (m_job.isCancelled())
        return makeError(ErrorCode::Cancelled, "cancelled");
    std::optional<crypto::Sha256> hash;
    if (m_signer)
        hash.emplace();
    IndexEntry ie{{}, 0, m_offset, std::nullopt};
    std::uint64_t dataStart = 0;
    const auto writeRecord = [&](EntryInfo& info) -> Status {
        info.codec = Codec::Stored;
        ie.info = info;
        COFFER_TRY(put(encodeEntryRecordHeader(info)));
        dataStart = m_offset;
        return Status::success();
    };
    EntryInfo info;
    COFFER_TRY(readSmallFile(entry, info, m_piece, writeRecord, [&](ByteView data) {
        if (hash)
            hash->update(data);
        return put(data);
    }));
    ie.storedSize = m_offset - dataStart;
    if (hash)
        ie.sha256 = hash->finish();
    m_index.entries.push_back(std::move(ie));
    ++m_progress.filesDone;
    m_progress.bytesDone += info.size;
    m_progress.currentFile = info.path;
    report();
    return Status::success();
}

Status ArchiveWriter::submitPack(PackCompressor& packs, std::unique_ptr<PackCompressor::Pack> pack)
{
    // The thread that made the oldest pack gets the next one before this
    // thread writes what it made: no thread waits on the writing.
    std::unique_ptr<PackCompressor::Pack> made;
    if (packs.full())
        made = packs.next();
    packs.submit(std::move(pack));
    if (made)
        COFFER_TRY(writeMadePack(packs, std::move(made)));
    return Status::success();
}

Status ArchiveWriter::writeNextPack(PackCompressor& packs)
{
    return writeMadePack(packs, packs.next());
}

Status ArchiveWriter::writeMadePack(PackCompressor& packs, std::unique_ptr<PackCompressor::Pack> pack)
{
    // Its record, its frame, then its members' records (FORMAT.md §5.8); a
    // file alone is a record and its frame.
    COFFER_TRY(pack->status);
    if (pack->file)
        return writeMadeFrame(packs, std::move(pack));
    if (pack->open.valid()) { // a file alone, better written here
        packs.recycle(std::move(pack->frame));
        const EntryInfo& info = pack->entries.front().info;
        if (info.codec == Codec::Stored)
            return writeStoredFrom(*pack->members.front(), pack->open.get(), info);
        return writeGrownFile(*pack->members.front(), pack->open.get(), info);
    }
    const bool alone = pack->members.size() == 1;
    const std::uint64_t recordStart = m_offset;
    if (alone) {
        COFFER_TRY(put(encodeEntryRecordHeader(pack->entries.front().info)));
    } else {
        EntryInfo packInfo;
        packInfo.kind = EntryKind::Pack;
        packInfo.codec = Codec::Zstd;
        packInfo.mode = 0;
        packInfo.size = pack->contentSize;
        IndexEntry packEntry{packInfo, pack->frame.size(), m_offset, std::nullopt};
        if (m_signer)
            packEntry.sha256 = crypto::sha256({});
        COFFER_TRY(put(encodeEntryRecordHeader(packInfo)));
        m_index.entries.push_back(std::move(packEntry));
    }
    COFFER_TRY(put(pack->frame));
    for (IndexEntry& ie : pack->entries) {
        if (alone) {
            ie.offset = recordStart;
            ie.storedSize = pack->frame.size();
        } else {
            ie.offset = m_offset;
            COFFER_TRY(put(encodeEntryRecordHeader(ie.info)));
        }
        m_progress.bytesDone += ie.info.size;
        m_progress.currentFile = ie.info.path;
        m_index.entries.push_back(std::move(ie));
    }
    m_progress.filesDone += pack->entries.size();
    report();
    packs.recycle(std::move(pack->frame));
    return Status::success();
}

Status ArchiveWriter::putFromFile(int fd, const std::string& source, std::uint64_t size, crypto::Sha256* hash)
{
    // readv into the payload's own batch buffers, at the chunks' places: the
    // bytes are copied once, by the kernel (one memmove per byte less: 10 % of
    // the CPU time of a 1 GiB encryption, by perf).
    std::vector<struct iovec> iov;
    while (size > 0) {
        const auto pieces = m_payload.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(size, kReadPiece)));
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
        report();
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
    return Status::success();
}

Status ArchiveWriter::writeStoredFrom(const SourceEntry& entry, int fd, EntryInfo info)
{
    info.codec = Codec::Stored;
    IndexEntry ie{info, info.size, m_offset, std::nullopt};
    COFFER_TRY(put(encodeEntryRecordHeader(info)));
    std::optional<crypto::Sha256> hash;
    if (m_signer)
        hash.emplace(); // content hashes are what a signature binds
    m_progress.currentFile = info.path;
    COFFER_TRY(putFromFile(fd, entry.source, info.size, hash ? &*hash : nullptr));
    COFFER_TRY(checkEndOfFile(fd, info.size, entry.source));
    if (hash)
        ie.sha256 = hash->finish();
    m_index.entries.push_back(std::move(ie));
    ++m_progress.filesDone;
    report();
    return Status::success();
}

Status ArchiveWriter::writeGrownFile(const SourceEntry& entry, int fd, EntryInfo info)
{
    // A file planned as one frame that grew past 16 MiB since the scan: its
    // frames are made here, on this thread (rare; see writeBigFile for the rest).
    auto pays = probe(entry, fd);
    COFFER_TRY(pays);
    if (!*pays)
        return writeStoredFrom(entry, fd, info);
    info.codec = Codec::Zstd;
    IndexEntry ie{info, 0, m_offset, std::nullopt};
    COFFER_TRY(put(encodeEntryRecordHeader(info)));
    const std::uint64_t dataStart = m_offset;
    std::optional<crypto::Sha256> hash;
    if (m_signer)
        hash.emplace(); // content hashes are what a signature binds
    if (!m_stream)
        m_stream = std::make_unique<ZstdFrameStream>(level(), 22); // as the pack threads' for big files
    const auto out = [this](ByteView compressed) { return put(compressed); };
    std::uint64_t frameLeft = 0;
    for (std::uint64_t remaining = info.size; remaining > 0;) {
        if (frameLeft == 0) {
            frameLeft = std::min<std::uint64_t>(kBigFileFrame, remaining);
            COFFER_TRY(m_stream->beginFrame(frameLeft));
        }
        const MutableByteView piece = pieceOf(m_piece, frameLeft);
        auto got = readFull(fd, piece, entry.source);
        COFFER_TRY(got);
        if (*got != piece.size())
            return changedWhileReading(entry.source);
        if (hash)
            hash->update(piece);
        COFFER_TRY(m_stream->feed(piece, out));
        frameLeft -= piece.size();
        if (frameLeft == 0)
            COFFER_TRY(m_stream->endFrame(out));
        remaining -= piece.size();
        m_progress.bytesDone += piece.size();
        report();
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
    COFFER_TRY(checkEndOfFile(fd, info.size, entry.source));
    ie.storedSize = m_offset - dataStart;
    if (hash)
        ie.sha256 = hash->finish();
    m_index.entries.push_back(std::move(ie));
    ++m_progress.filesDone;
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
    m_stream.reset(); // zstd's buffers go before the index is built
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
    ZstdCompressor compressor(kIndexLevel);
    COFFER_TRY(compressor.compress(plain, compressed));
    Trailer trailer{m_offset, compressed.size(), plain.size()};
    COFFER_TRY(put(compressed));
    COFFER_TRY(put(encodeTrailer(trailer)));
    return Status::success();
}

} // namespace coffer
