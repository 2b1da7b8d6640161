#include "ArchiveWriter.h"

#include "FileIO.h"
#include "PackCompressor.h"
#include "SegmentTable.h"
#include "Signature.h"
#include "SourceFile.h"
#include "WorkerPool.h"
#include "Zstd.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <utility>

namespace coffer {

namespace {

constexpr int kAutoLevel = 3;
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

ArchiveWriter::~ArchiveWriter() = default;

void ArchiveWriter::setSigner(const crypto::Signer* signer)
{
    m_signer = signer;
    if (!m_signer || m_hasher)
        return;
    // Compressed big files are hashed on a thread of their own, which reads
    // each frame's bytes again while the pack threads compress and the pool
    // seals (a stored file is hashed as it is read, putFromFile).
    m_hasher = std::make_unique<HashBehind>();
}

void ArchiveWriter::finishHashLater(std::shared_ptr<crypto::Sha256> hash)
{
    auto digest = std::make_shared<crypto::Digest32>();
    m_hasher->post([hash = std::move(hash), digest](Bytes&) {
        *digest = hash->finish();
        return Status::success();
    });
    m_laterHashes.push_back({m_index.entries.size(), std::move(digest)});
}

Status ArchiveWriter::collectHashes()
{
    if (!m_hasher)
        return Status::success();
    COFFER_TRY(m_hasher->drain());
    for (const LaterHash& later : std::exchange(m_laterHashes, {}))
        m_index.entries[later.entry].sha256 = *later.digest;
    return Status::success();
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
    if (m_signer && !v2())
        ie.sha256 = crypto::sha256({});
    COFFER_TRY(putRecordOf(ie));
    return pushEntry(std::move(ie));
}

namespace {

constexpr std::uint64_t kLargestPack = 15 * 1024 * 1024; // room under the 16 MiB cap for the last member
constexpr std::uint64_t kSmallestPack = 1024 * 1024;
// Stored packs stop growing at 2 MiB: each pack in flight is held whole
// until written, and a stored pack gains nothing from its size (no window).
// /usr/share/man (all .gz): peak 67 MiB to encrypt with 15 MiB stored packs,
// 52 MiB with 2, for 0.05 % more bytes (more segments), and no slower.
constexpr std::uint64_t kLargestStoredPack = 2 * 1024 * 1024;
constexpr std::uint64_t kMaxPackPathBytes = 4 * 1024 * 1024; // v2: the paths of one pack's members
// v2: members of one pack as written (the format allows 65,536). A pack's
// members and its segment are held whole by the writer and by every reader:
// 8,192 keeps that near 2 MiB, and costs nothing in size (200,000 files of
// 50 bytes: 2.32 MB against 2.34 MB with 65,536; peak memory to encrypt them
// 78 MiB against 111, to extract 53 against 75).
constexpr std::size_t kPackMembersWritten = 8192;
// Entries the writer looks ahead at most before deciding where a pack ends
// (writeEntries): a few MiB of the scan's entries, a pack's worth of members
// twice over.
constexpr std::size_t kLookaheadEntries = 2 * kPackMembersWritten;

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
    // v2 packs the small files that do not compress too, as they are (FORMAT.md §5.8).
    const auto storable = [this](const SourceEntry& e) {
        return v2() && e.info.kind == EntryKind::File && e.info.size > 0 && e.info.size <= kSmallFileMax;
    };
    // Each pack thread holds a zstd context (9.5 MiB at level 3, 89.5 MiB at 19,
    // by ZSTD_estimateCStreamSize); each pack in flight (one more than threads)
    // and the one being written hold a frame (16 MiB when nothing
    // compresses): a few threads are enough.
    const unsigned threads = std::min(crypto::WorkerPool::shared().size(), m_compression == Compression::Max ? 2u : 4u);
    // The batches received and not yet gone through; packs keep those their
    // members live in (EntryRef), so the scan's entries are held only from
    // the oldest one still in flight on.
    std::deque<std::shared_ptr<const ScanStream::Batch>> batches;
    using Hashes = PackCompressor::Hashes;
    PackCompressor packs(level(), threads,
                         !m_signer ? Hashes::None
                         : v2()    ? Hashes::PerPack
                                   : Hashes::PerMember,
                         m_job);

    // Where packs end depends only on the entries, never on how far the scan
    // got: each decision waits until the entries ahead hold enough to pack
    // for packTarget() to come out the same as with all of them known (2n x
    // the cap, once the member in hand, up to 4 MiB, is taken from them), or
    // until kLookaheadEntries entries are ahead (of files of a few bytes,
    // 64 MiB would be millions of entries): then there are plenty, whatever
    // their bytes, in every run alike.
    std::uint64_t cap = kSmallestPack;
    const auto lookahead = [&] { return cap * 2 * threads + kSmallFileMax; };
    std::uint64_t ahead = 0; // packable bytes received and not yet handled
    std::size_t pending = 0; // entries received and not yet handled
    bool scanEnded = false;
    std::size_t entryAt = 0; // in batches.front()
    const auto pull = [&]() -> Status {
        while (!scanEnded && ((ahead < lookahead() && pending < kLookaheadEntries) || batches.empty())) {
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
            pending += batch->size();
            if (!batch->empty())
                batches.push_back(std::make_shared<const ScanStream::Batch>(std::move(*batch)));
            m_progress.bytesTotal = scan.totalBytes();
            m_progress.filesTotal = scan.fileCount();
        }
        return Status::success();
    };

    // v2 bounds a pack's members and their paths too, so its segment stays small (FORMAT.md §5.8).
    const auto newPack = [this](bool stored) {
        auto p = std::make_unique<PackCompressor::Pack>();
        p->packed = v2();
        p->stored = stored;
        return p;
    };
    std::uint64_t packPaths = 0;
    std::uint64_t storedPaths = 0;
    // Stored packs grow from 1 MiB to 2 MiB, so every thread has files to
    // read early instead of one thread reading thousands of them.
    std::uint64_t storedCap = kSmallestPack;
    const auto memberFits = [&](const PackCompressor::Pack& p, std::uint64_t paths, const SourceEntry& e) {
        return p.contentSize + e.info.size <= kMaxFrameContent &&
               (!v2() || (p.members.size() < kPackMembersWritten && paths + e.info.path.size() <= kMaxPackPathBytes));
    };
    auto pack = newPack(false);
    auto stored = newPack(true);
    const auto submit = [&]() -> Status {
        COFFER_TRY(submitPack(packs, std::move(pack)));
        pack = newPack(false);
        packPaths = 0;
        cap = std::min(cap * 2, kLargestPack);
        return Status::success();
    };
    const auto submitStored = [&]() -> Status {
        COFFER_TRY(submitPack(packs, std::move(stored)));
        stored = newPack(true);
        storedPaths = 0;
        storedCap = std::min(storedCap * 2, kLargestStoredPack);
        return Status::success();
    };
    while (true) {
        COFFER_TRY(pull());
        if (batches.empty())
            break; // the scan ended and every entry is written or in flight
        const EntryRef ref(batches.front(), &(*batches.front())[entryAt]);
        const SourceEntry& e = *ref;
        --pending;
        if (++entryAt == batches.front()->size()) {
            batches.pop_front();
            entryAt = 0;
        }
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        if (e.info.kind == EntryKind::Directory) {
            COFFER_TRY(writeUnpacked(ref));
        } else if (packable(e)) {
            ahead -= e.info.size;
            if (!memberFits(*pack, packPaths, e))
                COFFER_TRY(submit());
            // At least kLookaheadEntries - 1 entries after this one: as good as all
            // (what pull() ensures otherwise is that `ahead` reaches lookahead()).
            const std::uint64_t aheadSeen = pending + 1 >= kLookaheadEntries ? std::max(ahead, lookahead()) : ahead;
            pack->members.push_back(ref);
            pack->contentSize += e.info.size;
            packPaths += e.info.path.size();
            // A pack ends at its target, unless that would leave less than a
            // small pack behind (a pack of one is no pack).
            if (pack->contentSize >= packTarget(pack->contentSize + aheadSeen, threads, cap) &&
                aheadSeen >= kSmallestPack)
                COFFER_TRY(submit());
        } else if (e.info.kind == EntryKind::File && e.info.size <= kMaxFrameContent && wantsCompression(e.info)) {
            auto alone = std::make_unique<PackCompressor::Pack>();
            alone->members.push_back(ref);
            COFFER_TRY(submitPack(packs, std::move(alone)));
        } else if (storable(e)) {
            if (!memberFits(*stored, storedPaths, e))
                COFFER_TRY(submitStored());
            stored->members.push_back(ref);
            stored->contentSize += e.info.size;
            storedPaths += e.info.path.size();
            if (stored->contentSize >= storedCap)
                COFFER_TRY(submitStored());
        } else if (e.info.size <= kSmallFileMax) {
            COFFER_TRY(writeUnpacked(ref));
        } else {
            COFFER_TRY(pull()); // the scan has ended, or another entry is at hand
            COFFER_TRY(writeBigFile(packs, threads, ref, batches.empty()));
        }
        // Entries met during a big file's frames wait for its last one, each
        // holding its batch: many of them (folders, empty files: nothing that
        // makes a pack to move the frames along) wait for the frames instead.
        if (m_deferred.size() >= kLookaheadEntries)
            while (m_bigFile)
                COFFER_TRY(writeNextPack(packs));
    }
    if (!pack->members.empty())
        COFFER_TRY(submit());
    if (!stored->members.empty())
        COFFER_TRY(submitStored());
    packs.close();
    while (!packs.empty())
        COFFER_TRY(writeNextPack(packs));
    report(true);
    return Status::success();
}

void ArchiveWriter::report(bool force)
{
    // Totals that still grow would move a progress bar backwards: until the
    // scan has found everything (for most trees, at once; for a tree of more
    // than ~16,000 entries, once the scan is that close to its end: it waits
    // for the writer) the totals are given as 0, "not known yet".
    if (m_totalsKnown) {
        m_job.report(m_progress, force);
        return;
    }
    Progress sofar = m_progress;
    sofar.bytesTotal = 0;
    sofar.filesTotal = 0;
    m_job.report(sofar, force);
}

int ArchiveWriter::level() const
{
    return m_compression == Compression::Max ? kMaxLevel : kAutoLevel;
}

bool ArchiveWriter::wantsCompression(const EntryInfo& info) const
{
    return m_compression != Compression::Off && info.size > 0 && !looksCompressed(info.path);
}

Status ArchiveWriter::writeUnpacked(const EntryRef& ref)
{
    const SourceEntry& entry = *ref;
    // Between a big file's first frame and its last, nothing else can be
    // written: folders and small stored files met meanwhile wait for its end.
    if (m_bigFile) {
        m_deferred.push_back(ref);
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
        COFFER_TRY(putRecordOf(ie));
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
    COFFER_TRY(pushEntry(std::move(ie)));
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
    if (v2() && pack->packed)
        return writePackV2(packs, std::move(pack));
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

Status ArchiveWriter::writeMemoryFile(const EntryInfo& info, ByteView data)
{
    EntryInfo stored = info;
    stored.kind = EntryKind::File;
    stored.codec = Codec::Stored;
    stored.size = data.size();
    IndexEntry ie{stored, data.size(), m_offset, std::nullopt};
    if (m_signer)
        ie.sha256 = crypto::sha256(data);
    COFFER_TRY(putRecordOf(ie));
    COFFER_TRY(put(data));
    return pushEntry(std::move(ie));
}

Status ArchiveWriter::finish(const std::vector<IndexRecipient>& recipients)
{
    m_index.recipients = recipients;
    m_stream.reset(); // zstd's buffers go before the index is built
    COFFER_TRY(collectHashes());
    Bytes().swap(m_piece);
    if (v2())
        return finishV2(recipients);
    // Never write what readers must refuse (FORMAT.md §8).
    if (m_index.entries.size() > kMaxEntries)
        return makeError(ErrorCode::LimitExceeded, "a container holds at most 1,000,000 files and folders");
    Bytes plain;
    if (m_signer) {
        const auto card = m_signer->card();
        if (!card)
            return makeError(ErrorCode::InvalidArgument, "an age identity cannot sign");
        m_index.hasHashes = true;
        m_index.version = kIndexVersion2; // the audience names passphrases too (§5.7)
        m_index.signature = IndexSignature{card->x25519, card->ed25519, {}};
        plain = encodeIndex(m_index);
        COFFER_TRY(signInPlace(plain, false));
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
