#include "InputScan.h"

#include "FileIO.h"
#include "PathRules.h"

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>

namespace coffer {

namespace fs = std::filesystem;

void fillInfoFromStat(EntryInfo& info, const struct stat& st)
{
    info.mode = static_cast<std::uint16_t>(st.st_mode & 0777);
    info.mtimeSeconds = st.st_mtim.tv_sec;
    info.mtimeNanoseconds = static_cast<std::uint32_t>(st.st_mtim.tv_nsec);
}

namespace {

// A name the format cannot carry is the user's to fix, not a hostile container.
Status checkName(Status status)
{
    if (status.ok() || status.error().code != ErrorCode::UnsafePath)
        return status;
    return makeError(ErrorCode::InvalidArgument, "cannot put this in a container: " + status.error().message +
                                                     ". Rename it (or leave it out) and try again");
}

class Scanner {
public:
    explicit Scanner(JobControl& job) : m_job(job) {}

    Status add(const fs::path& source, const std::string& archivePath)
    {
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        struct stat st;
        if (::lstat(source.c_str(), &st) != 0)
            return ioError(errno, "read", source);
        SourceEntry entry{source.string(), {}};
        entry.info.path = archivePath;
        fillInfoFromStat(entry.info, st);
        if (S_ISLNK(st.st_mode)) {
            m_job.warn("skipped the symbolic link \"" + source.string() + "\" (links are not stored)");
            return Status::success();
        }
        if (S_ISREG(st.st_mode)) {
            entry.info.kind = EntryKind::File;
            entry.info.size = static_cast<std::uint64_t>(st.st_size);
            COFFER_TRY(checkName(m_paths.add(archivePath, false)));
            m_result.totalBytes += entry.info.size;
            ++m_result.fileCount;
            m_result.entries.push_back(std::move(entry));
            return Status::success();
        }
        if (!S_ISDIR(st.st_mode)) {
            m_job.warn("skipped \"" + source.string() + "\" (devices, sockets and pipes are not stored)");
            return Status::success();
        }
        entry.info.kind = EntryKind::Directory;
        COFFER_TRY(checkName(m_paths.add(archivePath, true)));
        m_result.entries.push_back(std::move(entry));

        std::vector<std::string> names;
        std::error_code ec;
        for (fs::directory_iterator it(source, ec), end; !ec && it != end; it.increment(ec))
            names.push_back(it->path().filename().string());
        if (ec)
            return ioError(ec.value(), "read the folder", source);
        std::sort(names.begin(), names.end());
        for (const auto& name : names)
            COFFER_TRY(add(source / name, archivePath + "/" + name));
        return Status::success();
    }

    ScanResult take() { return std::move(m_result); }

private:
    JobControl& m_job;
    PathSet m_paths;
    ScanResult m_result;
};

} // namespace

Result<ScanResult> scanInputs(const std::vector<fs::path>& inputs, JobControl& job)
{
    if (inputs.empty())
        return makeError(ErrorCode::InvalidArgument, "nothing to encrypt");
    Scanner scanner(job);
    for (const auto& input : inputs) {
        std::error_code ec;
        // "." or "dir/" have no file name of their own: use the folder's real name.
        fs::path named = input;
        if (!input.has_filename() || input.filename() == "." || input.filename() == "..")
            named = fs::weakly_canonical(input, ec);
        const std::string name = named.filename().string();
        if (name.empty() || ec)
            return makeError(ErrorCode::InvalidArgument,
                             "cannot encrypt \"" + input.string() + "\" as a whole; choose a folder inside it");
        COFFER_TRY(scanner.add(input, name));
    }
    return scanner.take();
}

} // namespace coffer
