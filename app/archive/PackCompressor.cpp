#include "PackCompressor.h"

#include "Primitives.h"
#include "SourceFile.h"
#include "Zstd.h"

#include <cerrno>
#include <optional>
#include <unistd.h>

namespace coffer {

PackCompressor::PackCompressor(int level, unsigned threads, Hashes hashes, const JobControl& job)
    : m_hashes(hashes != Hashes::None), m_packHashes(hashes == Hashes::PerPack), m_job(job), m_level(level)
{
    m_threads.start(std::max(threads, 1u), [this](unsigned) { loop(); });
}

bool PackCompressor::full() const
{
    std::lock_guard lock(m_threads.mutex());
    return m_inFlight.size() > m_threads.size();
}

bool PackCompressor::empty() const
{
    std::lock_guard lock(m_threads.mutex());
    return m_inFlight.empty();
}

void PackCompressor::submit(std::unique_ptr<Pack> pack)
{
    {
        std::lock_guard lock(m_threads.mutex());
        if (!m_spare.empty()) {
            pack->frame = std::move(m_spare.back());
            m_spare.pop_back();
        }
        m_queue.push_back(pack.get());
        m_inFlight.push_back(std::move(pack));
    }
    m_threads.wakeOne();
}

void PackCompressor::close()
{
    std::vector<Bytes> spare; // freed last, outside the lock
    {
        std::lock_guard lock(m_threads.mutex());
        m_closed = true;
        spare.swap(m_spare);
    }
    m_threads.wakeAll();
}

std::unique_ptr<PackCompressor::Pack> PackCompressor::next()
{
    std::unique_lock lock(m_threads.mutex());
    if (m_inFlight.empty())
        return nullptr;
    m_made.wait(lock, [&] { return m_inFlight.front()->done; });
    auto pack = std::move(m_inFlight.front());
    m_inFlight.pop_front();
    return pack;
}

void PackCompressor::recycle(Bytes frame)
{
    if (frame.capacity() == 0)
        return;
    frame.clear(); // keeps its capacity: no new pages to fault in for the next pack
    std::lock_guard lock(m_threads.mutex());
    // One is enough: the next pack submitted takes it, its pages already
    // mapped (a pack is submitted just before the one made is written).
    if (!m_closed && m_spare.empty())
        m_spare.push_back(std::move(frame));
}

namespace {

// A pack's window runs through it (8 MiB: 0.8 % smaller than 4 MiB on
// /usr/include). A big file's frames get kBigFileWindowLog (PackCompressor.h).
constexpr int kPackWindowLog = 23;

} // namespace

struct PackCompressor::Worker {
    // One frame at a time, no threads of zstd's own. Below level 4, a match
    // table of 2^16 instead of level 3's 2^17: 10 % less time for 0.6 % more
    // bytes on /usr/include in 15 MiB packs (fits the cache better).
    explicit Worker(int level) : fast(level < 4), stream(level, kPackWindowLog, fast ? 16 : 0) {}
    const bool fast;
    // Packs grow from 1 MiB to 15 MiB: at the fast levels zstd's memory for
    // the largest (9.5 MiB at level 3) is taken once, at the first pack,
    // instead of once per size. Not at level 19, whose tables for small inputs
    // are far smaller, nor for a big file's frames, whose window is smaller.
    bool prepared = !fast;
    ZstdFrameStream stream;
    std::unique_ptr<ZstdFrameStream> probe; // made for the first file over 4 MiB
    Bytes piece;                            // what files are read into
};

void PackCompressor::loop()
{
    Worker worker(m_level);
    std::unique_lock lock(m_threads.mutex());
    while (true) {
        if (!m_threads.wait(lock, [&] { return m_closed || !m_queue.empty(); }) || m_queue.empty())
            return; // `worker` is freed here, on this thread
        Pack* pack = m_queue.front();
        m_queue.pop_front();
        lock.unlock();
        if (!worker.prepared && !pack->file) { // a failure here shows again in the frame
            static_cast<void>(worker.stream.prepare(kMaxFrameContent));
            worker.prepared = true;
        }
        try {
            pack->status = pack->file                  ? makeFrame(*pack, worker)
                           : pack->stored              ? makeStoredPack(*pack, worker)
                           : pack->members.size() == 1 ? makeAlone(*pack, worker)
                                                       : makePack(*pack, worker);
        } catch (const std::exception&) { // out of memory: fail the encryption, not the process
            pack->status = makeError(ErrorCode::Internal, "out of memory");
        }
        lock.lock();
        pack->done = true;
        m_made.notify_all();
    }
}

Status PackCompressor::checkStop() const
{
    if (m_threads.stopping() || m_job.isCancelled())
        return makeError(ErrorCode::Cancelled, "cancelled");
    return Status::success();
}

namespace {

/// Where a frame's compressed bytes go: `frame`, given room for all of them up
/// front (growing it would copy it into new pages each time; the pages are
/// only taken as the frame fills them).
ZstdFrameStream::Output appendTo(Bytes& frame, std::uint64_t contentSize)
{
    frame.reserve(ZstdFrameStream::frameBound(contentSize));
    return [&frame](ByteView compressed) {
        frame.insert(frame.end(), compressed.begin(), compressed.end());
        return Status::success();
    };
}

} // namespace

Status PackCompressor::readMembers(Pack& pack, Worker& worker, const SourceSink& out) const
{
    std::optional<crypto::Sha256> packHash;
    if (m_packHashes)
        packHash.emplace();
    pack.entries.reserve(pack.members.size());
    for (const EntryRef& member : pack.members) {
        COFFER_TRY(checkStop());
        std::optional<crypto::Sha256> hash;
        if (m_hashes && !m_packHashes)
            hash.emplace();
        // The frame declared the pack's size from the scan before its members
        // were read: a member whose size changed since would break that promise.
        const auto sameAsScanned = [&](EntryInfo& seen) {
            return seen.size == member->info.size ? Status::success() : Status(changedWhileReading(member->source));
        };
        EntryInfo info;
        COFFER_TRY(readSmallFile(*member, info, worker.piece, sameAsScanned, [&](ByteView data) {
            if (hash)
                hash->update(data);
            if (packHash)
                packHash->update(data);
            return out(data);
        }));
        info.codec = Codec::Packed;
        IndexEntry entry{info, 0, 0, std::nullopt};
        if (hash)
            entry.sha256 = hash->finish();
        pack.entries.push_back(std::move(entry));
    }
    if (packHash)
        pack.contentHash = packHash->finish();
    return Status::success();
}

Status PackCompressor::makePack(Pack& pack, Worker& worker) const
{
    COFFER_TRY(worker.stream.beginFrame(pack.contentSize));
    const auto out = appendTo(pack.frame, pack.contentSize);
    COFFER_TRY(readMembers(pack, worker, [&](ByteView data) { return worker.stream.feed(data, out); }));
    return worker.stream.endFrame(out);
}

Status PackCompressor::makeStoredPack(Pack& pack, Worker& worker) const
{
    // Files that do not compress, side by side as they are (v2's codec 0):
    // no record and no index entry of their own each.
    pack.frame.reserve(static_cast<std::size_t>(pack.contentSize));
    return readMembers(pack, worker, [&](ByteView data) {
        pack.frame.insert(pack.frame.end(), data.begin(), data.end());
        return Status::success();
    });
}

Status PackCompressor::makeAlone(Pack& pack, Worker& worker) const
{
    COFFER_TRY(checkStop());
    const SourceEntry& entry = *pack.members.front();
    UniqueFd fd;
    EntryInfo info;
    COFFER_TRY(openSource(entry, fd, info));
    const auto writtenByCaller = [&](Codec codec) {
        info.codec = codec;
        pack.entries.push_back(IndexEntry{info, 0, 0, std::nullopt});
        pack.open = std::move(fd);
        return Status::success();
    };
    if (info.size == 0) // emptied since the scan: no frame to make
        return writtenByCaller(Codec::Stored);
    if (info.size > kMaxFrameContent) // grew since the scan: more than one frame
        return writtenByCaller(Codec::Zstd);
    if (info.size > kSmallFileMax) {
        if (!worker.probe)
            worker.probe = std::make_unique<ZstdFrameStream>(1, 19); // as ArchiveWriter's probe
        auto pays = compressionPays(fd.get(), entry.source, worker.piece, *worker.probe);
        COFFER_TRY(pays);
        if (!*pays)
            return writtenByCaller(Codec::Stored);
    }
    std::optional<crypto::Sha256> hash;
    if (m_hashes)
        hash.emplace();
    COFFER_TRY(compressRange(pack, worker, fd.get(), entry.source, 0, info.size, kPackWindowLog, [&](ByteView piece) {
        if (hash)
            hash->update(piece);
        return Status::success();
    }));
    COFFER_TRY(checkEndOfFile(fd.get(), info.size, entry.source));
    info.codec = Codec::Zstd;
    IndexEntry result{info, 0, 0, std::nullopt};
    if (hash)
        result.sha256 = hash->finish();
    pack.entries.push_back(std::move(result));
    return Status::success();
}

Status PackCompressor::makeFrame(Pack& pack, Worker& worker) const
{
    const std::filesystem::path& source = pack.members.front()->source;
    const int fd = pack.file->get();
    std::optional<ContentCheck> check;
    if (m_hashes)
        check.emplace();
    COFFER_TRY(compressRange(pack, worker, fd, source, pack.frameStart, pack.contentSize, kBigFileWindowLog,
                             [&](ByteView piece) {
                                 if (check)
                                     check->update(piece);
                                 return Status::success();
                             }));
    if (pack.endsFile)
        COFFER_TRY(checkEndOfFile(fd, pack.frameStart + pack.contentSize, source));
    if (check)
        pack.check = check->value();
    return Status::success();
}

Status PackCompressor::compressRange(Pack& pack, Worker& worker, int fd, const std::filesystem::path& source,
                                     std::uint64_t start, std::uint64_t size, int windowLog,
                                     const SourceSink& seen) const
{
    COFFER_TRY(worker.stream.beginFrame(size, windowLog));
    const auto out = appendTo(pack.frame, size);
    const auto compress = [&](ByteView piece) -> Status {
        COFFER_TRY(checkStop());
        COFFER_TRY(seen(piece));
        return worker.stream.feed(piece, out);
    };
    COFFER_TRY(readRange(fd, source, start, size, worker.piece, compress));
    return worker.stream.endFrame(out);
}

} // namespace coffer
