#include "Extract.h"

#include "ExtractPlan.h"
#include "FreeSpace.h"
#include "IndexedReader.h"
#include "PackJob.h"
#include "SequentialReader.h"

#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

/// Extraction from a file: the index comes first, so sizes are reserved and
/// the selection checked before anything is written, and only the chunks of
/// selected entries (and their packs) are ever decrypted.
class FileExtraction {
public:
    FileExtraction(IndexedReader& reader, const ExtractPlan& plan, Extraction& out, JobControl& job)
        : m_reader(reader), m_plan(plan), m_out(out), m_job(job)
    {}
    Status run()
    {
        for (const auto& entry : m_reader.index().entries) {
            if (entry.isPack() || !m_plan.selects(entry.info.path))
                continue;
            if (m_job.isCancelled())
                return makeError(ErrorCode::Cancelled, "cancelled");
            COFFER_TRY(extract(entry));
        }
        return handOverPack(); // a pack is one segment's: the next segment counts its entries afresh
    }

private:
    Status extract(const IndexEntry& entry)
    {
        if (entry.info.kind == EntryKind::Directory) {
            COFFER_TRY(m_reader.checkRecord(entry, m_job));
            return m_out.target().makeDirectory(entry.info);
        }
        if (entry.info.codec == Codec::Packed) {
            COFFER_TRY(addToPack(entry));
        } else {
            COFFER_TRY(m_out.beginFile(entry.info));
            COFFER_TRY(m_reader.readFile(entry, m_out.sink(), m_job));
            COFFER_TRY(m_out.target().commitFile());
        }
        ++m_out.progress().filesDone;
        m_out.fileDone(entry.info);
        return Status::success();
    }
    // Members are decompressed and written on the target's writer threads,
    // while the next pack is decrypted here.
    Status addToPack(const IndexEntry& entry)
    {
        if (!m_pack || m_pack->packEntry != entry.packEntry) {
            COFFER_TRY(handOverPack());
            const IndexEntry& packEntry = m_reader.index().entries[entry.packEntry];
            auto stored = m_reader.loadPack(packEntry, m_job);
            COFFER_TRY(stored);
            m_pack = std::make_shared<PackJob>(
                PackJob{entry.packEntry, packEntry.info, std::move(*stored), {}, packContentHash(packEntry)});
        }
        COFFER_TRY(m_reader.checkRecord(entry, m_job)); // its record; its bytes are in the pack
        m_pack->members.push_back({entry.info, static_cast<std::size_t>(entry.packPosition), entry.sha256});
        m_out.account(entry.info);
        return Status::success();
    }
    Status handOverPack()
    {
        if (!m_pack)
            return Status::success();
        auto ready = std::move(m_pack);
        const std::size_t weight = ready->stored.size();
        JobControl& job = m_job;
        return m_out.target().runOnWriters([ready, &job](SmallFileWriter::Context& c) { return ready->run(c, job); },
                                           weight);
    }

    IndexedReader& m_reader;
    const ExtractPlan& m_plan;
    Extraction& m_out;
    JobControl& m_job;
    std::shared_ptr<PackJob> m_pack; // being gathered
};

Result<ExtractSummary> extractFromFile(const ExtractRequest& request, const crypto::IdentityList& identities,
                                       JobControl& job)
{
    // Segment by segment (FORMAT.md §5.9), in the memory of one: a first
    // walk checks every segment and finds and counts the selection before
    // anything is written, a second extracts.
    auto reader = IndexedReader::openSegmented(request.container, identities);
    COFFER_TRY(reader);
    const ExtractPlan plan{request};
    std::vector<bool> found;
    Progress counted;
    COFFER_TRY(reader->eachSegment([&] {
        plan.markFound(reader->index().entries, found);
        plan.countSelected(reader->index(), counted);
        return Status::success();
    }));
    COFFER_TRY(plan.checkFound(found));
    // Files take their places in finish(): one syncfs there makes every file durable at once.
    auto target = ExtractTarget::open(request.destination, request.overwrite);
    COFFER_TRY(target);
    Extraction out(std::move(*target), job);
    out.progress() = counted;
    // The index declares every size: a bomb is refused before its first byte (FORMAT.md §5.6).
    FreeSpaceGuard space(request.destination);
    COFFER_TRY(space.reserve(counted.bytesTotal, counted.filesTotal));
    FileExtraction extraction(*reader, plan, out, job);
    COFFER_TRY(reader->eachSegment([&] { return extraction.run(); }));
    return out.finish(reader->takeIndex()); // its entries: all of a v1 index, none of v2's
}

/// One record from a stream into the staging folder. No index first on a
/// pipe: each record's declared size is checked before it is written, and
/// every file waits in the staging folder until the index at the end agrees.
Status extractRecord(SequentialReader& reader, const IndexEntry& entry, const ExtractPlan& plan, Extraction& out,
                     FreeSpaceGuard& space, JobControl& job)
{
    if (!plan.selects(entry.info.path))
        return Status::success(); // its data, if any, is skipped by the reader
    // A stored file's bytes are all in the stream: it cannot expand, and a
    // size it lies about is found damaged where the stream ends.
    COFFER_TRY(space.reserve(entry.info.codec == Codec::Stored ? 0 : entry.info.size));
    if (entry.info.kind == EntryKind::Directory)
        return out.target().makeDirectory(entry.info);
    if (entry.info.codec == Codec::Packed) {
        const ByteView bytes = reader.readMember();
        out.account(entry.info);
        COFFER_TRY(out.target().writeWholeFile(entry.info, bytes));
    } else {
        COFFER_TRY(out.beginFile(entry.info));
        COFFER_TRY(reader.readData(out.sink(), job));
        COFFER_TRY(out.target().commitFile());
    }
    out.fileDone(entry.info);
    return Status::success();
}

Result<ExtractSummary> extractFromStream(const ExtractRequest& request, const crypto::IdentityList& identities,
                                         JobControl& job)
{
    StartedSource input(request.inputStart, STDIN_FILENO, "standard input", &job);
    auto reader = SequentialReader::open(input, identities);
    COFFER_TRY(reader);
    auto target = ExtractTarget::open(request.destination, request.overwrite);
    COFFER_TRY(target);
    Extraction out(std::move(*target), job);
    FreeSpaceGuard space(request.destination);
    const ExtractPlan plan{request};
    std::vector<bool> found; // the stream's entries are not kept: the names asked for are found as they pass
    while (true) {
        auto entry = (*reader)->next(job);
        COFFER_TRY(entry);
        if (!*entry)
            break;
        if (!request.only.empty())
            plan.markFound((*entry)->info.path, found);
        COFFER_TRY(extractRecord(**reader, **entry, plan, out, space, job));
    }
    auto index = (*reader)->finish(job);
    COFFER_TRY(index);
    COFFER_TRY(plan.checkFound(found));
    return out.finish(std::move(*index));
}

} // namespace

Result<Listing> listContainer(const fs::path& container, const crypto::IdentityList& identities)
{
    auto reader = IndexedReader::open(container, identities);
    COFFER_TRY(reader);
    std::error_code ec;
    return Listing{reader->takeIndex(), static_cast<std::uint64_t>(fs::file_size(container, ec))};
}

Result<ArchiveIndex> listContainerEntries(const fs::path& container, const crypto::IdentityList& identities,
                                          const std::function<void(const IndexEntry&)>& each, ListingPass pass)
{
    auto reader = IndexedReader::openSegmented(container, identities);
    COFFER_TRY(reader);
    PathCheck check = PathCheck::AgainstAllBefore;
    if (pass == ListingPass::CheckAllFirst && reader->isSegmented()) {
        COFFER_TRY(reader->eachSegment([] { return Status::success(); }));
        check = PathCheck::SyntaxOnly; // the same open file; each segment still checked against its hash or pin
    }
    COFFER_TRY(reader->eachSegment(
        [&] {
            for (const IndexEntry& e : reader->index().entries)
                if (!e.isPack())
                    each(e);
            return Status::success();
        },
        check));
    ArchiveIndex index = reader->takeIndex();
    index.entries.clear();
    return index;
}

Result<crypto::SecureBytes> readStoredEntry(const fs::path& container, const crypto::IdentityList& identities,
                                            const std::string& path, std::uint64_t maxBytes)
{
    auto reader = IndexedReader::open(container, identities);
    COFFER_TRY(reader);
    const IndexEntry* e = reader->find(path);
    if (!e)
        return damaged("\"" + path + "\" is missing");
    if (e->info.kind != EntryKind::File || e->info.codec != Codec::Stored)
        return damaged("\"" + path + "\" is not a stored file");
    if (e->info.size > maxBytes)
        return makeError(ErrorCode::LimitExceeded, "\"" + path + "\" is larger than Coffer reads for it");
    crypto::SecureBytes data(static_cast<std::size_t>(e->info.size));
    JobControl job;
    COFFER_TRY(reader->readRange(*e, 0, data, job)); // into wiped memory only
    return data;
}

Result<ExtractSummary> extractFileTo(const fs::path& container, const std::string& path,
                                     const crypto::IdentityList& identities, ByteSink& out, JobControl& job)
{
    auto reader = IndexedReader::open(container, identities);
    COFFER_TRY(reader);
    const IndexEntry* chosen = nullptr;
    std::size_t files = 0;
    for (const auto& e : reader->index().entries)
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
    const DataSink sink = [&](ByteView d) -> Status {
        COFFER_TRY(out.write(d));
        progress.bytesDone += d.size();
        job.report(progress);
        return Status::success();
    };
    COFFER_TRY(reader->readFile(*chosen, sink, job));
    job.report(progress, true);
    ExtractSummary summary;
    summary.files = 1;
    summary.bytes = chosen->info.size;
    summary.index = reader->takeIndex();
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
