#include "InputScan.h"

#include "FileIO.h"
#include "PathRules.h"
#include "StagingFolder.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
        struct stat st;
        if (::lstat(source.c_str(), &st) != 0)
            return ioError(errno, "read", source);
        return add(source.string(), archivePath, st);
    }

    ScanResult take() { return std::move(m_result); }

private:
    // `st`: what lstat says of `source`. A folder's names are read and
    // lstat-ed relative to its descriptor (one lookup per file instead of one
    // per path component: a tenth of the scan of /usr/include), then closed
    // before descending, so a deep tree does not hold a descriptor per level.
    Status add(const std::string& source, const std::string& archivePath, const struct stat& st)
    {
        if (m_job.isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        SourceEntry entry{source, {}};
        entry.info.path = archivePath;
        fillInfoFromStat(entry.info, st);
        if (S_ISLNK(st.st_mode)) {
            m_job.warn("skipped the symbolic link \"" + source + "\" (links are not stored)");
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
            m_job.warn("skipped \"" + source + "\" (devices, sockets and pipes are not stored)");
            return Status::success();
        }
        entry.info.kind = EntryKind::Directory;
        COFFER_TRY(checkName(m_paths.add(archivePath, true)));
        m_result.entries.push_back(std::move(entry));

        struct Child {
            std::string name;
            struct stat st;
        };
        std::vector<Child> children;
        {
            UniqueFd dir(::open(source.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            DIR* d = dir.valid() ? openDirAt(dir.get()) : nullptr;
            if (!d)
                return ioError(errno, "read the folder", source);
            errno = 0;
            while (const dirent* e = ::readdir(d)) {
                const std::string_view name(e->d_name);
                if (name != "." && name != "..")
                    children.push_back({std::string(name), {}});
            }
            const int readError = errno;
            ::closedir(d);
            if (readError != 0)
                return ioError(readError, "read the folder", source);
            std::sort(children.begin(), children.end(), [](const Child& x, const Child& y) { return x.name < y.name; });
            for (auto& c : children)
                if (::fstatat(dir.get(), c.name.c_str(), &c.st, AT_SYMLINK_NOFOLLOW) != 0)
                    return ioError(errno, "read", (source.ends_with('/') ? source : source + "/") + c.name);
        }
        const std::string prefix = source.ends_with('/') ? source : source + "/"; // "docs/" as typed
        for (const auto& c : children)
            COFFER_TRY(add(prefix + c.name, archivePath + "/" + c.name, c.st));
        return Status::success();
    }

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
