#include "Extract.h"

#include "ContainerReader.h"
#include "ExtractTarget.h"
#include "PathRules.h"
#include "Zstd.h"

#include <algorithm>
#include <cstring>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBufferSize = 256 * 1024;
constexpr std::size_t kMinBufferSize = 64; // above every peek(min)
// A pack's content compressed can take a little more than its 16 MiB
// (zstd's bound is 1/256 more); a hostile index may claim any length.
constexpr std::uint64_t kMaxPackStored = kMaxPackContent + kMaxPackContent / 128 + 64 * 1024;

/// A read buffer over a source, with peek/consume for parsing records.
class BufferedSource {
public:
    /// `capacity` bounds the buffer (callers that know the source is short pass
    /// its length: a buffer of 256 KiB cleared for each small entry costs more
    /// than the entry). peek(min) needs min <= capacity.
    explicit BufferedSource(ByteSource& source, std::size_t capacity = kBufferSize) : m_source(source)
    {
        m_buf.resize(std::clamp<std::size_t>(capacity, kMinBufferSize, kBufferSize));
    }

    /// At least `min` bytes unless the source ends first; empty only at the end.
    Result<ByteView> peek(std::size_t min = 1)
    {
        if (m_end - m_begin < min) {
            std::memmove(m_buf.data(), m_buf.data() + m_begin, m_end - m_begin);
            m_end -= m_begin;
            m_begin = 0;
            while (m_end < min) {
                auto n = m_source.read(MutableByteView(m_buf).subspan(m_end));
                COFFER_TRY(n);
                if (*n == 0)
                    break;
                m_end += *n;
            }
        }
        return ByteView(m_buf.data() + m_begin, m_end - m_begin);
    }
    void consume(std::size_t n)
    {
        m_begin += n;
        m_position += n;
    }
    Status readExact(MutableByteView out)
    {
        std::size_t done = 0;
        while (done < out.size()) {
            auto view = peek(1);
            COFFER_TRY(view);
            if (view->empty())
                return damaged("an entry is truncated");
            const std::size_t take = std::min(view->size(), out.size() - done);
            std::memcpy(out.data() + done, view->data(), take);
            consume(take);
            done += take;
        }
        return Status::success();
    }
    std::uint64_t position() const { return m_position; }

private:
    ByteSource& m_source;
    Bytes m_buf;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    std::uint64_t m_position = 0;
};

/// Leftover bytes first, then the rest of a stream.
class ChainSource final : public ByteSource {
public:
    ChainSource(Bytes first, ByteSource& rest) : m_first(std::move(first)), m_rest(rest) {}
    Result<std::size_t> read(MutableByteView buffer) override
    {
        if (m_pos < m_first.size()) {
            const std::size_t n = std::min(buffer.size(), m_first.size() - m_pos);
            std::memcpy(buffer.data(), m_first.data() + m_pos, n);
            m_pos += n;
            return n;
        }
        return m_rest.read(buffer);
    }

private:
    Bytes m_first;
    std::size_t m_pos = 0;
    ByteSource& m_rest;
};

Result<EntryInfo> readRecordHeader(BufferedSource& in)
{
    std::uint8_t fixed[kEntryFixedSize];
    COFFER_TRY(in.readExact(fixed));
    auto rec = decodeEntryRecordFixed(fixed);
    COFFER_TRY(rec);
    rec->info.path.resize(rec->pathLength);
    COFFER_TRY(in.readExact(MutableByteView(reinterpret_cast<std::uint8_t*>(rec->info.path.data()), rec->pathLength)));
    return rec->info;
}

using DataSink = std::function<Status(ByteView)>;

/// Reads one entry's data; returns the stored length consumed.
Result<std::uint64_t> readEntryData(BufferedSource& in, const EntryInfo& info, const DataSink& sink, JobControl& job)
{
    const std::uint64_t start = in.position();
    if (info.kind == EntryKind::Directory || info.codec == Codec::Packed)
        return std::uint64_t{0}; // no data of their own
    if (info.codec == Codec::Stored) {
        std::uint64_t remaining = info.size;
        while (remaining > 0) {
            auto view = in.peek();
            COFFER_TRY(view);
            if (view->empty())
                return damaged("\"" + info.path + "\" is truncated");
            const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(view->size(), remaining));
            COFFER_TRY(sink(view->first(take)));
            in.consume(take);
            remaining -= take;
            if (job.isCancelled())
                return makeError(ErrorCode::Cancelled, "cancelled");
        }
        return in.position() - start;
    }
    if (info.size == 0)
        return damaged("an empty entry claims to be compressed");
    ZstdEntryDecoder decoder(info.size, sink);
    while (!decoder.finished()) {
        auto view = in.peek();
        COFFER_TRY(view);
        if (view->empty())
            return damaged("\"" + info.path + "\" is truncated");
        auto used = decoder.feed(*view);
        COFFER_TRY(used);
        in.consume(*used);
        if (job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
    return in.position() - start;
}

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

const DataSink kDiscard = [](ByteView) { return Status::success(); };

/// The content of the most recently read pack (FORMAT.md §5.8): at most 16 MiB.
struct PackCache {
    std::optional<std::size_t> entry;
    std::shared_ptr<Bytes> content = std::make_shared<Bytes>();
    /// Empties it for the next pack, in a buffer the target's writer threads
    /// are done with (they may still be writing files from the last pack).
    /// Buffers are reused: fresh 16 MiB cost more in page faults than decompressing into them.
    void renew(std::uint64_t size)
    {
        entry.reset();
        spare.push_back(std::move(content));
        const auto idle = std::find_if(spare.begin(), spare.end(), [](const auto& b) { return b.use_count() == 1; });
        if (idle != spare.end()) { // only here: the writers let go of it, and they never take a buffer back
            content = std::move(*idle);
            spare.erase(idle);
        } else {
            content = std::make_shared<Bytes>();
        }
        if (spare.size() > 2)
            spare.erase(spare.begin()); // still being written from; freed by its last writer
        content->clear();
        content->reserve(static_cast<std::size_t>(std::min<std::uint64_t>(size, kMaxPackContent)));
    }
    ByteView member(const IndexEntry& e) const
    {
        return ByteView(*content).subspan(static_cast<std::size_t>(e.packPosition),
                                          static_cast<std::size_t>(e.info.size));
    }
    DataSink sink()
    {
        return [this](ByteView d) {
            content->insert(content->end(), d.begin(), d.end());
            return Status::success();
        };
    }

private:
    std::vector<std::shared_ptr<Bytes>> spare;
};

/// A pack read from a file (its stored bytes decrypted and authenticated) and
/// the members to extract from it: decompressed, checked and written out on
/// the target's writer threads while the next pack is decrypted.
struct PackJob {
    std::size_t packEntry = 0;
    EntryInfo pack;
    Bytes stored;
    struct Member {
        EntryInfo info;
        std::size_t position;
        std::optional<crypto::Digest32> sha256;
    };
    std::vector<Member> members;

    /// Decompresses the pack, writing each member out as soon as its bytes
    /// are decoded (the whole 16 MiB never needs to be in memory at once).
    Status run(SmallFileWriter::Context& context, JobControl& job) const
    {
        Bytes& carry = context.scratch(); // a member split across decoded blocks; kept by the thread
        std::size_t next = 0;             // the member being assembled
        std::uint64_t at = 0;             // content position of the next decoded byte
        const auto emit = [&](const Member& m, ByteView bytes) -> Status {
            if (m.sha256) {
                crypto::Sha256 hash;
                hash.update(bytes);
                if (hash.finish() != *m.sha256)
                    return damaged("the content of \"" + m.info.path + "\" does not match its hash");
            }
            return context.writeFile(m.info.path, m.info.mode, m.info.mtimeSeconds, m.info.mtimeNanoseconds, bytes);
        };
        const DataSink sink = [&](ByteView d) -> Status {
            const std::uint64_t end = at + d.size();
            while (next < members.size()) {
                const Member& m = members[next];
                const std::uint64_t from = std::max<std::uint64_t>(m.position, at);
                const std::uint64_t to = std::min<std::uint64_t>(m.position + m.info.size, end);
                if (m.position >= end)
                    break; // starts in a later block
                const ByteView part =
                    d.subspan(static_cast<std::size_t>(from - at), static_cast<std::size_t>(to - from));
                if (carry.empty() && m.position >= at && to == m.position + m.info.size) {
                    COFFER_TRY(emit(m, part)); // whole in this block: straight from the decoder's buffer
                } else {
                    carry.insert(carry.end(), part.begin(), part.end());
                    if (to < m.position + m.info.size)
                        break; // continues in the next block
                    COFFER_TRY(emit(m, carry));
                    carry.clear();
                }
                ++next;
            }
            at = end;
            return Status::success();
        };
        carry.clear();
        ByteView rest(stored);
        if (pack.size == 0)
            return damaged("an empty entry claims to be compressed");
        ZstdEntryDecoder decoder(pack.size, sink);
        constexpr std::size_t kPiece = 256 * 1024; // a cancel is seen within a piece
        while (!decoder.finished()) {
            if (rest.empty())
                return damaged("\"" + pack.path + "\" is truncated");
            auto used = decoder.feed(rest.first(std::min(rest.size(), kPiece)));
            COFFER_TRY(used);
            rest = rest.subspan(*used);
            if (job.isCancelled())
                return makeError(ErrorCode::Cancelled, "cancelled");
        }
        if (!rest.empty() || at != pack.size || next != members.size())
            return damaged("the entry \"" + pack.path + "\" does not end where the index says");
        return Status::success();
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
            progress.bytesTotal += e.info.size;
            ++progress.filesTotal;
        }
    // Files take their places in finish(): one syncfs there makes every file durable at once.
    auto target = ExtractTarget::open(request.destination, request.overwrite);
    COFFER_TRY(target);
    EntryWriter writer(*target, progress, job, index->hasHashes);
    ExtractSummary summary;
    // Reads a whole entry record and its data from the file, checked against
    // the index; `raw`: its stored bytes as they are (a pack, decompressed later).
    auto readEntry = [&](const IndexEntry& entry, const DataSink& sink, bool raw = false) -> Status {
        RangeSource range(*reader, entry.offset, entry.end());
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
    COFFER_TRY(target->drain());
    if (job.isCancelled()) // the last chance: after finish() nothing is rolled back
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
            break; // the index starts here
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
                COFFER_TRY(target->writeWholeFile(entry.info, pack.content, entry.packPosition));
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
            return makeError(ErrorCode::LimitExceeded, "the archive index is larger than 1 GiB");
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
    COFFER_TRY(target->drain());
    if (job.isCancelled()) // the last chance: after finish() nothing is rolled back
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

Result<ExtractSummary> extractContainer(const ExtractRequest& request, const crypto::IdentityList& identities,
                                        JobControl& job)
{
    if (request.container == "-")
        return extractFromStream(request, identities, job);
    return extractFromFile(request, identities, job);
}

} // namespace coffer
