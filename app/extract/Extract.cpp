#include "Extract.h"

#include "ContainerReader.h"
#include "EntryReader.h"
#include "ExtractTarget.h"
#include "FreeSpace.h"
#include "PackJob.h"
#include "PathRules.h"
#include "Zstd.h"

#include <algorithm>
#include <cstring>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

bool isSelected(const std::string& path, const std::vector<std::string>& only)
{
    if (only.empty())
        return true;
    for (const auto& o : only)
        if (path == o || (path.size() > o.size() && path.compare(0, o.size(), o) == 0 && path[o.size()] == '/'))
            return true;
    return false;
}

/// Writes one entry's bytes into the target, checking size and (if present) hash.
class EntryWriter {
public:
    /// `hashing`: compute each entry's SHA-256 (signed containers; costs about as much as decryption).
    EntryWriter(ExtractTarget& target, Progress& progress, JobControl& job, bool hashing)
        : m_target(target), m_progress(progress), m_job(job), m_hashing(hashing)
    {}
    Status begin(const EntryInfo& info)
    {
        m_progress.currentFile = info.path;
        if (m_hashing)
            m_hash.emplace();
        return m_target.beginFile(info);
    }
    DataSink sink()
    {
        return [this](ByteView data) -> Status {
            if (m_hash)
                m_hash->update(data);
            COFFER_TRY(m_target.write(data));
            m_progress.bytesDone += data.size();
            m_job.report(m_progress);
            return Status::success();
        };
    }
    std::optional<crypto::Digest32> digest() { return m_hash ? std::optional(m_hash->finish()) : std::nullopt; }
    /// A pack member, whose bytes are all at hand: counted and hashed here,
    /// written by the target's threads.
    std::optional<crypto::Digest32> account(const EntryInfo& info, ByteView bytes)
    {
        m_progress.currentFile = info.path;
        m_progress.bytesDone += bytes.size();
        m_job.report(m_progress);
        if (!m_hashing)
            return std::nullopt;
        crypto::Sha256 hash;
        hash.update(bytes);
        return hash.finish();
    }

private:
    ExtractTarget& m_target;
    Progress& m_progress;
    JobControl& m_job;
    bool m_hashing;
    std::optional<crypto::Sha256> m_hash;
};

/// The content of the most recently read pack (FORMAT.md §5.8): at most 16 MiB.
struct PackCache {
    Bytes content;
    void renew(std::uint64_t size)
    {
        content.clear();
        content.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(size, kMaxPackContent)));
    }
    ByteView member(const IndexEntry& e) const
    {
        return ByteView(content).subspan(static_cast<std::size_t>(e.packPosition),
                                         static_cast<std::size_t>(e.info.size));
    }
    DataSink sink()
    {
        return [this](ByteView d) {
            content.insert(content.end(), d.begin(), d.end());
            return Status::success();
        };
    }
};

Status checkOnlyPathsExist(const std::vector<std::string>& only, const std::vector<IndexEntry>& entries)
{
    for (const auto& o : only) {
        const bool found = std::any_of(entries.begin(), entries.end(),
                                       [&](const IndexEntry& e) { return isSelected(e.info.path, {o}); });
        if (!found)
            return makeError(ErrorCode::InvalidArgument, "\"" + o + "\" is not in this container");
    }
    return Status::success();
}

/// Reads a whole entry record and its data from a container file, checked
/// against the index; `raw`: its stored bytes as they are (a pack, decompressed later).
Status readIndexedEntry(ContainerReader& reader, const IndexEntry& entry, const DataSink& sink, JobControl& job,
                        bool raw = false)
{
    RangeSource range(reader, entry.offset, entry.end());
    BufferedSource in(range,
                      static_cast<std::size_t>(std::min<std::uint64_t>(entry.end() - entry.offset, kBufferSize)));
    auto info = readRecordHeader(in);
    COFFER_TRY(info);
    if (!(*info == entry.info))
        return damaged("the entry \"" + entry.info.path + "\" does not match the index");
    EntryInfo asStored = entry.info;
    asStored.codec = Codec::Stored;
    asStored.size = entry.storedSize;
    auto stored = readEntryData(in, raw ? asStored : entry.info, sink, job);
    COFFER_TRY(stored);
    auto rest = in.peek();
    COFFER_TRY(rest);
    if (*stored != entry.storedSize || !rest->empty())
        return damaged("the entry \"" + entry.info.path + "\" does not end where the index says");
    return Status::success();
}

Result<ExtractSummary> extractFromFile(const ExtractRequest& request, const crypto::IdentityList& identities,
                                       JobControl& job)
{
    auto reader = ContainerReader::open(request.container, identities);
    COFFER_TRY(reader);
    auto index = reader->readIndex();
    COFFER_TRY(index);
    COFFER_TRY(checkOnlyPathsExist(request.only, index->entries));

    Progress progress;
    for (const auto& e : index->entries)
        if (e.info.kind == EntryKind::File && isSelected(e.info.path, request.only)) {
            const std::uint64_t room = UINT64_MAX - progress.bytesTotal; // hostile sizes saturate
            progress.bytesTotal += std::min(e.info.size, room);
            ++progress.filesTotal;
        }
    // Files take their places in finish(): one syncfs there makes every file durable at once.
    auto target = ExtractTarget::open(request.destination, request.overwrite);
    COFFER_TRY(target);
    for (const auto& notice : target->notices()) // what a stale staging folder kept
        job.warn(notice);
    // The index declares every size: a bomb is refused before its first byte (FORMAT.md §5.6).
    FreeSpaceGuard space(request.destination);
    COFFER_TRY(space.reserve(progress.bytesTotal, progress.filesTotal));
    EntryWriter writer(*target, progress, job, index->hasHashes);
    ExtractSummary summary;
    const auto readEntry = [&](const IndexEntry& entry, const DataSink& sink, bool raw = false) {
        return readIndexedEntry(*reader, entry, sink, job, raw);
    };
    std::shared_ptr<PackJob> pack; // being gathered
    auto handOverPack = [&]() -> Status {
        if (!pack)
            return Status::success();
        auto ready = std::move(pack);
        const std::size_t weight = ready->stored.size();
        return target->runOnWriters([ready, &job](SmallFileWriter::Context& c) { return ready->run(c, job); }, weight);
    };
    for (const auto& entry : index->entries) {
        if (entry.isPack() || !isSelected(entry.info.path, request.only))
            continue; // only the chunks of selected entries (and their packs) are ever decrypted
        if (job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        if (entry.info.kind == EntryKind::Directory) {
            COFFER_TRY(readEntry(entry, kDiscard));
            COFFER_TRY(target->makeDirectory(entry.info));
            continue;
        }
        if (entry.info.codec == Codec::Packed) {
            if (!pack || pack->packEntry != entry.packEntry) {
                COFFER_TRY(handOverPack());
                const IndexEntry& packEntry = index->entries[entry.packEntry];
                if (packEntry.storedSize > kMaxPackStored)
                    return damaged("a pack is larger than 16 MiB compressed can be");
                pack = std::make_shared<PackJob>();
                pack->packEntry = entry.packEntry;
                pack->pack = packEntry.info;
                pack->stored.reserve(static_cast<std::size_t>(packEntry.storedSize)); // <= 16 MiB and a little
                COFFER_TRY(readEntry(
                    packEntry,
                    [&](ByteView d) {
                        pack->stored.insert(pack->stored.end(), d.begin(), d.end());
                        return Status::success();
                    },
                    true));
            }
            COFFER_TRY(readEntry(entry, kDiscard)); // its record; its bytes are in the pack
            pack->members.push_back({entry.info, static_cast<std::size_t>(entry.packPosition), entry.sha256});
            progress.currentFile = entry.info.path;
            progress.bytesDone += entry.info.size;
            job.report(progress);
        } else {
            COFFER_TRY(writer.begin(entry.info));
            COFFER_TRY(readEntry(entry, writer.sink()));
            if (entry.sha256 && writer.digest() != *entry.sha256)
                return damaged("the content of \"" + entry.info.path + "\" does not match its hash");
            COFFER_TRY(target->commitFile());
        }
        ++progress.filesDone;
        ++summary.files;
        summary.bytes += entry.info.size;
    }
    COFFER_TRY(handOverPack());
    COFFER_TRY(target->drain(&job)); // the writers may hold many files: a cancel does not wait for them
    if (job.isCancelled())           // the last chance: after finish() nothing is rolled back
        return makeError(ErrorCode::Cancelled, "cancelled");
    COFFER_TRY(target->finish());
    job.report(progress, true);
    summary.written = target->placed();
    summary.index = std::move(*index);
    return summary;
}

Result<ExtractSummary> extractFromStream(const ExtractRequest& request, const crypto::IdentityList& identities,
                                         JobControl& job)
{
    FdSource input(STDIN_FILENO, "standard input");
    // The header: read until the MAC line is complete (at most 256 KiB).
    Bytes head;
    std::optional<std::size_t> headerEnd;
    while (!(headerEnd = crypto::findHeaderEnd(head)) && head.size() < crypto::kMaxHeaderSize) {
        const std::size_t have = head.size();
        head.resize(have + 4096);
        auto n = input.read(MutableByteView(head).subspan(have));
        COFFER_TRY(n);
        head.resize(have + *n);
        if (*n == 0)
            break;
    }
    auto opened = readAndUnwrapHeader(head, identities);
    COFFER_TRY(opened);
    ChainSource rest(Bytes(head.begin() + static_cast<std::ptrdiff_t>(opened->parsed.length), head.end()), input);
    auto payload = crypto::PayloadReader::create(opened->fileKey.view(), rest);
    COFFER_TRY(payload);
    struct PayloadSource final : ByteSource {
        explicit PayloadSource(crypto::PayloadReader& r) : reader(r) {}
        Result<std::size_t> read(MutableByteView b) override { return reader.read(b); }
        crypto::PayloadReader& reader;
    } payloadSource(*payload);
    BufferedSource in(payloadSource);

    auto target = ExtractTarget::open(request.destination, request.overwrite);
    COFFER_TRY(target);
    for (const auto& notice : target->notices()) // what a stale staging folder kept
        job.warn(notice);
    // No index first on a pipe: each record's declared size is checked before it is written.
    FreeSpaceGuard space(request.destination);
    Progress progress;
    // The index (and whether it has hashes) comes last on a pipe: hash everything.
    EntryWriter writer(*target, progress, job, true);
    ExtractSummary summary;
    std::vector<IndexEntry> seen;
    PathSet paths;
    PackTracker packs;
    PackCache pack;
    while (true) {
        auto magic = in.peek(4);
        COFFER_TRY(magic);
        if (magic->size() < 4 || std::memcmp(magic->data(), "CFEN", 4) != 0)
            break;             // the index starts here
        if (job.isCancelled()) // directories and packed files have no data loop that would notice
            return makeError(ErrorCode::Cancelled, "cancelled");
        if (seen.size() >= kMaxEntries) // the index could not list them all (FORMAT.md §8)
            return makeError(ErrorCode::LimitExceeded, "the archive has more than 1,000,000 entries");
        IndexEntry entry;
        entry.offset = in.position();
        auto info = readRecordHeader(in);
        COFFER_TRY(info);
        entry.info = *info;
        if (!entry.isPack())
            COFFER_TRY(paths.add(entry.info.path, entry.info.kind == EntryKind::Directory));
        COFFER_TRY(packs.add(entry, seen.size()));
        if (entry.isPack()) {
            pack.renew(entry.info.size);
            auto stored = readEntryData(in, entry.info, pack.sink(), job);
            COFFER_TRY(stored);
            entry.storedSize = *stored;
            seen.push_back(std::move(entry));
            continue;
        }
        const bool selected = isSelected(entry.info.path, request.only);
        const bool packed = entry.info.codec == Codec::Packed;
        // A stored file's bytes are all in the stream: it cannot expand, and a
        // size it lies about is found damaged where the stream ends.
        if (selected)
            COFFER_TRY(space.reserve(entry.info.codec == Codec::Stored ? 0 : entry.info.size));
        if (selected && entry.info.kind == EntryKind::Directory)
            COFFER_TRY(target->makeDirectory(entry.info));
        const bool streamed = selected && entry.info.kind == EntryKind::File && !packed;
        if (streamed)
            COFFER_TRY(writer.begin(entry.info));
        auto stored = readEntryData(in, entry.info, streamed ? writer.sink() : kDiscard, job);
        COFFER_TRY(stored);
        entry.storedSize = *stored;
        // Hashes are compared with the index at the end; until then every file waits in the staging folder.
        if (selected && entry.info.kind == EntryKind::File) {
            if (packed) {
                entry.sha256 = writer.account(entry.info, pack.member(entry));
                COFFER_TRY(target->writeWholeFile(entry.info, pack.member(entry)));
            } else {
                entry.sha256 = writer.digest();
                COFFER_TRY(target->commitFile());
            }
            ++summary.files;
            summary.bytes += entry.info.size;
        }
        seen.push_back(std::move(entry));
    }
    COFFER_TRY(packs.finish());
    // Index and trailer: the rest of the stream, authenticated to the end.
    const std::uint64_t indexOffset = in.position();
    Bytes tail;
    while (true) {
        auto view = in.peek();
        COFFER_TRY(view);
        if (view->empty())
            break;
        if (tail.size() + view->size() > kMaxIndexPlainSize + kTrailerSize)
            return makeError(ErrorCode::LimitExceeded, "the archive index is larger than 128 MiB");
        tail.insert(tail.end(), view->begin(), view->end());
        in.consume(view->size());
    }
    const std::uint64_t length = in.position();
    if (tail.size() < kTrailerSize)
        return damaged("the archive is too short to hold a trailer");
    auto trailer = decodeTrailer(ByteView(tail).last(kTrailerSize), length);
    COFFER_TRY(trailer);
    if (trailer->indexOffset != indexOffset)
        return damaged("the index is not where the entries end");
    auto plain = decompressSingleFrame(ByteView(tail).first(tail.size() - kTrailerSize), trailer->indexPlainLength);
    COFFER_TRY(plain);
    if (plain->size() != trailer->indexPlainLength)
        return damaged("the index size does not match the trailer");
    auto index = decodeIndex(*plain, indexOffset);
    COFFER_TRY(index);
    index->openedBy = opened->openedBy;
    // The index must say exactly what the records said.
    if (index->entries.size() != seen.size())
        return damaged("the index does not list the entries that were read");
    for (std::size_t i = 0; i < seen.size(); ++i) {
        const auto& a = index->entries[i];
        const auto& b = seen[i];
        if (!(a.info == b.info) || a.offset != b.offset || a.storedSize != b.storedSize)
            return damaged("the index disagrees with the entry \"" + b.info.path + "\"");
        if (a.sha256 && b.sha256 && *a.sha256 != *b.sha256)
            return damaged("the content of \"" + b.info.path + "\" does not match its hash");
    }
    COFFER_TRY(checkOnlyPathsExist(request.only, index->entries));
    COFFER_TRY(target->drain(&job)); // the writers may hold many files: a cancel does not wait for them
    if (job.isCancelled())           // the last chance: after finish() nothing is rolled back
        return makeError(ErrorCode::Cancelled, "cancelled");
    COFFER_TRY(target->finish());
    job.report(progress, true);
    summary.written = target->placed();
    summary.index = std::move(*index);
    return summary;
}

} // namespace

Result<Listing> listContainer(const fs::path& container, const crypto::IdentityList& identities)
{
    auto reader = ContainerReader::open(container, identities);
    COFFER_TRY(reader);
    auto index = reader->readIndex();
    COFFER_TRY(index);
    std::error_code ec;
    return Listing{std::move(*index), static_cast<std::uint64_t>(fs::file_size(container, ec))};
}

Result<crypto::SecureBytes> readStoredEntry(const fs::path& container, const crypto::IdentityList& identities,
                                            const std::string& path)
{
    auto reader = ContainerReader::open(container, identities);
    COFFER_TRY(reader);
    auto index = reader->readIndex();
    COFFER_TRY(index);
    for (const auto& e : index->entries) {
        if (e.info.path != path)
            continue;
        if (e.info.kind != EntryKind::File || e.info.codec != Codec::Stored)
            return damaged("\"" + path + "\" is not a stored file");
        Bytes record(e.info.recordHeaderSize());
        COFFER_TRY(reader->read(e.offset, record));
        if (record != encodeEntryRecordHeader(e.info))
            return damaged("the entry \"" + path + "\" does not match the index");
        crypto::SecureBytes data(static_cast<std::size_t>(e.info.size));
        COFFER_TRY(reader->read(e.dataOffset(), data));
        return data;
    }
    return damaged("\"" + path + "\" is missing");
}

Result<ExtractSummary> extractFileTo(const fs::path& container, const std::string& path,
                                     const crypto::IdentityList& identities, ByteSink& out, JobControl& job)
{
    auto reader = ContainerReader::open(container, identities);
    COFFER_TRY(reader);
    auto index = reader->readIndex();
    COFFER_TRY(index);
    const IndexEntry* chosen = nullptr;
    std::size_t files = 0;
    for (const auto& e : index->entries)
        if (e.info.kind == EntryKind::File && (path.empty() || e.info.path == path)) {
            chosen = &e;
            ++files;
        }
    if (!path.empty() && !chosen)
        return makeError(ErrorCode::InvalidArgument, "\"" + path + "\" is not a file in this container");
    if (files != 1)
        return makeError(ErrorCode::InvalidArgument,
                         files == 0 ? std::string("this container holds no file")
                                    : "this container holds " + std::to_string(files) +
                                          " files; name one with --only, or extract them into a folder with -o");
    Progress progress;
    progress.bytesTotal = chosen->info.size;
    progress.filesTotal = 1;
    progress.currentFile = chosen->info.path;
    std::optional<crypto::Sha256> hash;
    if (chosen->sha256)
        hash.emplace();
    const DataSink sink = [&](ByteView d) -> Status {
        if (hash)
            hash->update(d);
        COFFER_TRY(out.write(d));
        progress.bytesDone += d.size();
        job.report(progress);
        return Status::success();
    };
    if (chosen->info.codec == Codec::Packed) {
        const IndexEntry& packEntry = index->entries[chosen->packEntry];
        Bytes content;
        content.reserve(static_cast<std::size_t>(packEntry.info.size)); // <= 16 MiB
        COFFER_TRY(readIndexedEntry(
            *reader, packEntry,
            [&](ByteView d) {
                content.insert(content.end(), d.begin(), d.end());
                return Status::success();
            },
            job));
        COFFER_TRY(readIndexedEntry(*reader, *chosen, kDiscard, job));
        const ByteView bytes = ByteView(content).subspan(static_cast<std::size_t>(chosen->packPosition),
                                                         static_cast<std::size_t>(chosen->info.size));
        // All of it is at hand: its hash is checked before a byte goes out.
        if (chosen->sha256 && crypto::sha256(bytes) != *chosen->sha256)
            return damaged("the content of \"" + chosen->info.path + "\" does not match its hash");
        hash.reset();
        COFFER_TRY(sink(bytes));
    } else {
        COFFER_TRY(readIndexedEntry(*reader, *chosen, sink, job));
    }
    if (hash && hash->finish() != *chosen->sha256)
        return damaged("the content of \"" + chosen->info.path + "\" does not match its hash");
    job.report(progress, true);
    ExtractSummary summary;
    summary.files = 1;
    summary.bytes = chosen->info.size;
    summary.index = std::move(*index);
    return summary;
}

Result<ExtractSummary> extractContainer(const ExtractRequest& request, const crypto::IdentityList& identities,
                                        JobControl& job)
{
    if (request.container == "-")
        return extractFromStream(request, identities, job);
    return extractFromFile(request, identities, job);
}

} // namespace coffer
