// Makes the packs of small files (FORMAT.md §5.8), the single frame of a
// file of up to 16 MiB, and the frames of larger files, on threads of its
// own. Each frame is made from start to end by one thread, which also reads
// its bytes: as many frames are made at once as there are threads, and each
// frame's window runs through its whole content (zstd's own worker threads
// would cut it into jobs, each re-reading history from the one before, and
// idle at each frame's end). Frames come back in the order they were
// submitted, at most one per thread in flight and one waiting (for the first
// thread to finish, should a later frame end before the oldest), so memory
// stays flat.
#pragma once

#include "ArchiveFormat.h"
#include "FileIO.h"
#include "InputScan.h"
#include "Job.h"
#include "SourceFile.h"
#include "WorkerThreads.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace coffer {

/// The window of a big file's 8 MiB frames: 4 MiB. zstd holds a window's worth
/// of input per thread, and the 270 MB text tar is still 1.1 % smaller than
/// `zstd -3 -T0` (8 MiB: 2.2 %, for 8 MiB more memory).
inline constexpr int kBigFileWindowLog = 22;

class PackCompressor {
public:
    struct Pack {
        // In: the members, read in this order, and the sum of their sizes as
        // scanned (the frame declares it before they are read). One member is
        // not a pack but a file alone (up to 16 MiB), with the size it has
        // when opened; one over 4 MiB is compressed only if that pays.
        // Each keeps the scan's batch it lives in (InputScan.h: EntryRef).
        std::vector<EntryRef> members;
        std::uint64_t contentSize = 0;
        // Format v2 (FORMAT.md §5.8): `stored`: the frame is the members'
        // bytes as they are (a pack of files that do not compress), made even
        // of one member; `packed`: a pack even of one member (v1 writes a file
        // alone as a record of its own).
        bool stored = false;
        bool packed = false;
        // Out: the frame, and each member as it was read (what fstat said;
        // codec Packed, or Zstd for a file alone; its SHA-256 if asked for).
        // A file alone that the caller writes itself comes back open at its
        // start in `open`, with no frame and no hash: one that does not
        // compress (codec Stored), or one that grew past 16 MiB since the scan
        // (codec Zstd: a frame holds no more).
        // A frame of a file over 16 MiB instead (`members` holds that file):
        // the `contentSize` bytes at `frameStart` of `file`, which the caller
        // opened, read with pread; the last one (`endsFile`) also checks that
        // the file ends there. With hashes asked for, `check` gets the
        // ContentCheck of the bytes read, for the caller to compare with its
        // own reading (it hashes the file in order); `entries` is the
        // caller's, untouched.
        std::shared_ptr<const UniqueFd> file;
        std::uint64_t frameStart = 0;
        bool endsFile = false;
        std::uint64_t check = 0;

        Status status = Status::success();
        Bytes frame;
        // The SHA-256 of the whole content, with pack hashes asked for (v2's
        // signed containers bind a pack by one hash, not one per member).
        std::optional<crypto::Digest32> contentHash;
        std::vector<IndexEntry> entries;
        UniqueFd open;
        bool done = false; // guarded by the compressor's mutex; the rest is handed over with it
    };

    enum class Hashes { None, PerMember, PerPack };
    /// `hashes`: compute each member's SHA-256 (signed v1 containers) or each
    /// pack's (signed v2 containers; a file alone still gets its own).
    /// Destroying it stops after the member each thread is reading; packs not
    /// yet returned are dropped.
    PackCompressor(int level, unsigned threads, Hashes hashes, const JobControl& job);
    PackCompressor(const PackCompressor&) = delete;
    PackCompressor& operator=(const PackCompressor&) = delete;

    /// One pack more in flight than threads: take one with next() before submitting.
    bool full() const;
    bool empty() const;
    void submit(std::unique_ptr<Pack> pack);
    /// No more packs: each thread ends, and gives back its memory, once the
    /// queue is empty (while the last packs are still being written).
    void close();
    /// The oldest pack submitted, once it is made (its status says if it failed).
    std::unique_ptr<Pack> next();
    /// Gives a returned pack's frame buffer back, to be written into again.
    void recycle(Bytes frame);

private:
    struct Worker;
    void loop();
    Status makePack(Pack& pack, Worker& worker) const;
    Status makeStoredPack(Pack& pack, Worker& worker) const;
    /// Reads the members in order, each piece to `out`; fills `entries` (and hashes).
    Status readMembers(Pack& pack, Worker& worker, const SourceSink& out) const;
    Status makeAlone(Pack& pack, Worker& worker) const;
    Status makeFrame(Pack& pack, Worker& worker) const;
    /// Compresses `size` bytes of `fd` from `start` into `pack.frame`, as one
    /// frame with a window of 2^`windowLog`; `seen` gets each piece read.
    Status compressRange(Pack& pack, Worker& worker, int fd, const std::filesystem::path& source, std::uint64_t start,
                         std::uint64_t size, int windowLog, const SourceSink& seen) const;
    Status checkStop() const;

    const bool m_hashes;
    const bool m_packHashes;
    const JobControl& m_job;
    const int m_level;
    std::condition_variable m_made;               // a pack is made
    std::deque<std::unique_ptr<Pack>> m_inFlight; // in submission order
    std::deque<Pack*> m_queue;                    // not yet started
    std::vector<Bytes> m_spare;                   // frame buffers to reuse
    bool m_closed = false;
    crypto::WorkerThreads m_threads; // last: stop before the state above goes (woken: a pack was queued)
};

} // namespace coffer
