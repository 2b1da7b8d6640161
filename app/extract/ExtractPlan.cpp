#include "ExtractPlan.h"

#include <algorithm>

namespace coffer {

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

} // namespace

bool ExtractPlan::selects(const std::string& path) const
{
    return isSelected(path, request.only);
}

Status ExtractPlan::checkFound(const std::vector<IndexEntry>& entries) const
{
    std::vector<bool> found;
    markFound(entries, found);
    return checkFound(found);
}

void ExtractPlan::markFound(const std::vector<IndexEntry>& entries, std::vector<bool>& found) const
{
    found.resize(request.only.size());
    for (std::size_t i = 0; i < request.only.size(); ++i)
        found[i] = found[i] || std::any_of(entries.begin(), entries.end(), [&](const IndexEntry& e) {
                       return !e.isPack() && isSelected(e.info.path, {request.only[i]});
                   });
}

void ExtractPlan::markFound(const std::string& path, std::vector<bool>& found) const
{
    found.resize(request.only.size());
    for (std::size_t i = 0; i < request.only.size(); ++i)
        found[i] = found[i] || isSelected(path, {request.only[i]});
}

Status ExtractPlan::checkFound(const std::vector<bool>& found) const
{
    for (std::size_t i = 0; i < request.only.size(); ++i)
        if (i >= found.size() || !found[i])
            return makeError(ErrorCode::InvalidArgument, "\"" + request.only[i] + "\" is not in this container");
    return Status::success();
}

void ExtractPlan::countSelected(const ArchiveIndex& index, Progress& progress) const
{
    for (const auto& e : index.entries)
        if (e.info.kind == EntryKind::File && selects(e.info.path)) {
            const std::uint64_t room = UINT64_MAX - progress.bytesTotal;
            progress.bytesTotal += std::min(e.info.size, room);
            ++progress.filesTotal;
        }
}

Extraction::Extraction(ExtractTarget target, JobControl& job) : m_target(std::move(target)), m_job(job)
{
    for (const auto& notice : m_target.notices()) // what a stale staging folder kept
        m_job.warn(notice);
}

Status Extraction::beginFile(const EntryInfo& info)
{
    m_progress.currentFile = info.path;
    return m_target.beginFile(info);
}

DataSink Extraction::sink()
{
    return [this](ByteView data) -> Status {
        COFFER_TRY(m_target.write(data));
        m_progress.bytesDone += data.size();
        m_job.report(m_progress);
        return Status::success();
    };
}

void Extraction::account(const EntryInfo& info)
{
    m_progress.currentFile = info.path;
    m_progress.bytesDone += info.size;
    m_job.report(m_progress);
}

void Extraction::fileDone(const EntryInfo& info)
{
    ++m_summary.files;
    m_summary.bytes += info.size;
}

Result<ExtractSummary> Extraction::finish(ArchiveIndex index)
{
    COFFER_TRY(m_target.drain(&m_job)); // the writers may hold many files: a cancel does not wait for them
    if (m_job.isCancelled())            // the last chance: after finish() nothing is rolled back
        return makeError(ErrorCode::Cancelled, "cancelled");
    COFFER_TRY(m_target.finish());
    m_job.report(m_progress, true);
    m_summary.written = m_target.placed();
    m_summary.index = std::move(index);
    return std::move(m_summary);
}

} // namespace coffer
