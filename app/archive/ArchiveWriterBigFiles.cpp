// ArchiveWriter's files over 4 MiB: stored by reading them straight into the
// payload's buffers, or compressed in frames made by the pack threads and
// written here in order (FORMAT.md §5.1; WRITER.md §3).
#include "ArchiveWriter.h"

#include "FileIO.h"
#include "SourceFile.h"
#include "Zstd.h"

#include <algorithm>
#include <cerrno>
#include <sys/uio.h>
#include <utility>

namespace coffer {

namespace {

constexpr int kProbeLevel = 1;
constexpr int kProbeWindowLog = 19; // what level 1 picks by itself: a 512 KiB buffer

// A big file's frames hold 8 MiB, not the 16 MiB a frame may: each of the
// frames in flight is held compressed until its turn to be written (with 16
// MiB, the text tar took 75 MiB of memory instead of 54).
constexpr std::uint64_t kBigFileFrame = 8 * 1024 * 1024;
constexpr std::uint64_t kTailFrame = 2 * 1024 * 1024;

// A stored file being hashed is read in pieces of 128 KiB, not 1 MiB: each
// is hashed right after it is read, while it is still in this core's cache.
constexpr std::uint64_t kHashedPiece = 128 * 1024;

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

Result<bool> ArchiveWriter::probe(const SourceEntry& entry, int fd)
{
    if (!m_probe)
        m_probe = std::make_unique<ZstdFrameStream>(kProbeLevel, kProbeWindowLog);
    return compressionPays(fd, entry.source, m_piece, *m_probe);
}

Status ArchiveWriter::writeBigFile(PackCompressor& packs, unsigned threads, const EntryRef& ref, bool lastEntry)
{
    const SourceEntry& entry = *ref;
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
        frame->members.push_back(ref);
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
        COFFER_TRY(putRecordOf(ie));
        m_bigFile.emplace(BigFile{std::move(ie), m_offset, nullptr});
        if (m_signer) // content hashes are what a signature binds
            m_bigFile->hash = std::make_shared<crypto::Sha256>();
    }
    if (m_bigFile->hash) {
        // A SHA-256 is computed in order, so on the hash thread rather than
        // the frame's, while this one goes on: the frame's bytes are read
        // again, and must be those it was made of (else the file changed in
        // between, and the hash would not be the content's).
        m_hasher->post([hash = m_bigFile->hash, file = frame->file, source = frame->members.front()->source,
                        start = frame->frameStart, size = frame->contentSize,
                        expected = frame->check](Bytes& scratch) -> Status {
            ContentCheck check;
            COFFER_TRY(readRange(file->get(), source, start, size, scratch, [&](ByteView piece) {
                hash->update(piece);
                check.update(piece);
                return Status::success();
            }));
            if (check.value() != expected)
                return changedWhileReading(source);
            return Status::success();
        });
    }
    COFFER_TRY(put(frame->frame));
    packs.recycle(std::move(frame->frame));
    m_progress.bytesDone += frame->contentSize;
    m_progress.currentFile = m_bigFile->entry.info.path;
    if (frame->endsFile) {
        IndexEntry ie = std::move(m_bigFile->entry);
        ie.storedSize = m_offset - m_bigFile->dataStart;
        if (m_bigFile->hash)
            finishHashLater(std::move(m_bigFile->hash));
        m_bigFile.reset();
        COFFER_TRY(pushEntry(std::move(ie)));
        ++m_progress.filesDone;
        for (const EntryRef& e : std::exchange(m_deferred, {}))
            COFFER_TRY(writeUnpacked(e));
    }
    report();
    return Status::success();
}

Status ArchiveWriter::putFromFile(int fd, const std::string& source, std::uint64_t size, crypto::Sha256* hash)
{
    // readv into the payload's own batch buffers, at the chunks' places: the
    // bytes are copied once, by the kernel (one memmove per byte less: 10 % of
    // the CPU time of a 1 GiB encryption, by perf). A signed container's
    // hash is taken here, on this thread, as each piece arrives: the bytes
    // are still in cache, and the payload's writer thread seals each batch
    // just before writing it (sealBehind). (On a hash thread of its own, a
    // piece behind, the seal waited for the hash and the hash shared its
    // core with the sealing workers: 1.2 s for 1 GiB signed on 2 cores
    // instead of 0.96 s, bench/scale.sh; WRITER.md §3.)
    const std::uint64_t pieceSize = hash ? kHashedPiece : kReadPiece;
    std::vector<struct iovec> iov;
    while (size > 0) {
        const auto pieces = m_payload.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(size, pieceSize)));
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
            for (const MutableByteView piece : pieces)
                hash->update(piece);
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
    COFFER_TRY(putRecordOf(ie));
    std::optional<crypto::Sha256> hash;
    if (m_signer) {
        hash.emplace();                         // content hashes are what a signature binds
        COFFER_TRY(m_payload.sealBehind(true)); // this thread hashes as it reads
    }
    m_progress.currentFile = info.path;
    const Status put = putFromFile(fd, entry.source, info.size, hash ? &*hash : nullptr);
    COFFER_TRY(m_payload.sealBehind(false));
    COFFER_TRY(put);
    COFFER_TRY(checkEndOfFile(fd, info.size, entry.source));
    if (hash)
        ie.sha256 = hash->finish();
    COFFER_TRY(pushEntry(std::move(ie)));
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
    COFFER_TRY(putRecordOf(ie));
    const std::uint64_t dataStart = m_offset;
    std::optional<crypto::Sha256> hash;
    if (m_signer)
        hash.emplace(); // content hashes are what a signature binds
    if (!m_stream)
        m_stream = std::make_unique<ZstdFrameStream>(level(), kBigFileWindowLog);
    const auto out = [this](ByteView compressed) { return put(compressed); };
    for (std::uint64_t start = 0; start < info.size;) {
        const std::uint64_t size = std::min<std::uint64_t>(kBigFileFrame, info.size - start);
        COFFER_TRY(m_stream->beginFrame(size));
        const auto compress = [&](ByteView piece) -> Status {
            if (hash)
                hash->update(piece);
            COFFER_TRY(m_stream->feed(piece, out));
            m_progress.bytesDone += piece.size();
            report();
            if (m_job.isCancelled())
                return makeError(ErrorCode::Cancelled, "cancelled");
            return Status::success();
        };
        COFFER_TRY(readRange(fd, entry.source, start, size, m_piece, compress));
        COFFER_TRY(m_stream->endFrame(out));
        start += size;
    }
    COFFER_TRY(checkEndOfFile(fd, info.size, entry.source));
    ie.storedSize = m_offset - dataStart;
    if (hash)
        ie.sha256 = hash->finish();
    COFFER_TRY(pushEntry(std::move(ie)));
    ++m_progress.filesDone;
    return Status::success();
}

} // namespace coffer
