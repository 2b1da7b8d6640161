#include "InputScan.h"

#include "ArchiveFormat.h"
#include "FileIO.h"
#include "PathRules.h"
#include "SourceFile.h"
#include "StagingFolder.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <string>
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

std::function<void()>& scanEndHook()
{
    static std::function<void()> hook;
    return hook;
}

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
    /// A batch, and the bytes and files found so far.
    using Emit = std::function<void(std::vector<SourceEntry>&&, std::uint64_t, std::uint64_t)>;
    Scanner(JobControl& job, const crypto::WorkerThreads& thread, Emit emit)
        : m_job(job), m_thread(thread), m_emit(std::move(emit))
    {}

    void setLinkPolicy(LinkPolicy links) { m_links = links; }

    /// The chosen inputs as real paths: where FollowInside lets a link lead.
    void addRoot(const std::string& input)
    {
        if (char* real = ::realpath(input.c_str(), nullptr)) {
            m_roots.emplace_back(real);
            std::free(real);
        }
    }

    /// Hands over what is left.
    void finish()
    {
        if (!m_batch.empty())
            m_emit(std::move(m_batch), m_totalBytes, m_fileCount);
    }

    // `st`: what lstat says of `source`. A folder's names are read and
    // lstat-ed relative to its descriptor (one lookup per file instead of one
    // per path component: a tenth of the scan of /usr/include), then closed
    // before descending, so a deep tree does not hold a descriptor per level.
    Status add(const std::string& source, const std::string& archivePath, const struct stat& st,
               std::shared_ptr<const ScanRoot> root = nullptr)
    {
        if (m_job.isCancelled() || m_thread.stopping())
            return makeError(ErrorCode::Cancelled, "cancelled");
        // Followed links can fan out (two links to the next folder, thirty
        // times over): stop at what a container may hold, not at the disk's end.
        if (++m_entryCount > kMaxEntries)
            return makeError(ErrorCode::LimitExceeded, "more than " + std::to_string(kMaxEntries) +
                                                           " files and folders: a container holds at most that many");
        SourceEntry entry{source, {}, root, st.st_dev, st.st_ino};
        entry.info.path = archivePath;
        fillInfoFromStat(entry.info, st);
        if (S_ISLNK(st.st_mode))
            return followLink(source, archivePath);
        if (S_ISREG(st.st_mode)) {
            entry.info.kind = EntryKind::File;
            entry.info.size = static_cast<std::uint64_t>(st.st_size);
            COFFER_TRY(checkName(m_paths.add(archivePath, false)));
            m_totalBytes += entry.info.size;
            ++m_fileCount;
            push(std::move(entry));
            return Status::success();
        }
        if (!S_ISDIR(st.st_mode)) {
            m_job.warn("skipped \"" + source + "\" (devices, sockets and pipes are not stored)");
            return Status::success();
        }
        entry.info.kind = EntryKind::Directory;
        COFFER_TRY(checkName(m_paths.add(archivePath, true)));
        push(std::move(entry));

        struct Child {
            std::string name;
            struct stat st;
        };
        std::vector<Child> children;
        {
            auto opened = openScannedFolder(source, st, root);
            COFFER_TRY(opened);
            UniqueFd dir = std::move(*opened);
            DIR* d = openDirAt(dir.get());
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
        m_folders.emplace_back(st.st_dev, st.st_ino);
        for (const auto& c : children)
            COFFER_TRY(add(prefix + c.name, archivePath + "/" + c.name, c.st, root));
        m_folders.pop_back();
        return Status::success();
    }

private:
    // The folder the scan just lstat-ed as `st`, opened without following a
    // link in any component below the chosen folder; a chosen folder itself
    // becomes the root its contents are opened from (`root` is set to it).
    Result<UniqueFd> openScannedFolder(const std::string& source, const struct stat& st,
                                       std::shared_ptr<const ScanRoot>& root)
    {
        UniqueFd dir;
        if (!root) {
            dir.reset(::open(source.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        } else {
            dir = openExistingFolder(root->fd.get(), source.substr(root->prefix));
        }
        if (!dir.valid())
            return errno == ELOOP || errno == ENOTDIR ? Result<UniqueFd>(notWhatTheScanSaw(source))
                                                      : Result<UniqueFd>(ioError(errno, "read the folder", source));
        if (!isWhatTheScanSaw(dir.get(), st.st_dev, st.st_ino))
            return notWhatTheScanSaw(source);
        if (!root) {
            auto made = std::make_shared<ScanRoot>();
            made->fd.reset(::dup(dir.get()));
            if (!made->fd.valid())
                return ioError(errno, "read the folder", source);
            made->prefix = source.ends_with('/') ? source.size() : source.size() + 1;
            root = std::move(made);
        }
        return dir;
    }

    // A link is followed by opening what it leads to (O_PATH: nothing is
    // read yet) and judging what was opened: its real path, from /proc, must
    // lie inside the chosen inputs, and it must not be a folder being walked.
    // Judging the path realpath() gave and then looking it up again would let
    // another user swap a folder on the way in between (review finding). What
    // is stored and later opened is the target, never the link, pinned by
    // device and inode like every input.
    Status followLink(const std::string& source, const std::string& archivePath)
    {
        const bool chosen = m_folders.empty(); // named by the user, not met in a folder
        if (m_links == LinkPolicy::Skip)
            return skipLink(source, "links are not stored");
        const UniqueFd opened(::open(source.c_str(), O_PATH | O_CLOEXEC));
        struct stat st;
        if (!opened.valid() || ::fstat(opened.get(), &st) != 0)
            return skipLink(source, std::string("it points to nothing usable: ") + std::strerror(errno));
        const std::string target = realPathOf(opened.get());
        if (target.empty())
            return skipLink(source, "where it points cannot be told");
        if (m_links == LinkPolicy::FollowInside && !chosen && !insideRoots(target))
            return skipLink(source, "it points outside the chosen files and folders, to \"" + target + "\"");
        const auto id = std::make_pair(st.st_dev, st.st_ino);
        if (S_ISDIR(st.st_mode) && std::find(m_folders.begin(), m_folders.end(), id) != m_folders.end())
            return skipLink(source, "it leads back into a folder it is in (a loop)");
        return add(target, archivePath, st);
    }

    /// The path the kernel has for an open descriptor; empty if it cannot say.
    static std::string realPathOf(int fd)
    {
        const std::string link = "/proc/self/fd/" + std::to_string(fd);
        std::string path(4096, '\0');
        const ssize_t n = ::readlink(link.c_str(), path.data(), path.size());
        if (n <= 0 || static_cast<std::size_t>(n) >= path.size() || path[0] != '/')
            return {};
        path.resize(static_cast<std::size_t>(n));
        return path;
    }

    Status skipLink(const std::string& source, const std::string& why)
    {
        m_job.warn("skipped the symbolic link \"" + source + "\" (" + why + ")");
        return Status::success();
    }

    bool insideRoots(const std::string& target) const
    {
        for (const auto& root : m_roots) {
            const std::string prefix = root.ends_with('/') ? root : root + "/";
            if (target == root || target.starts_with(prefix))
                return true;
        }
        return false;
    }

    void push(SourceEntry entry)
    {
        m_batch.push_back(std::move(entry));
        if (m_batch.size() == kBatch) {
            m_emit(std::move(m_batch), m_totalBytes, m_fileCount);
            m_batch = {};
            m_batch.reserve(kBatch);
        }
    }

    static constexpr std::size_t kBatch = 256;
    JobControl& m_job;
    const crypto::WorkerThreads& m_thread; // the scan's own: stopping() once the stream goes
    Emit m_emit;
    LinkPolicy m_links = LinkPolicy::Skip;
    std::vector<std::string> m_roots;               // real paths of the inputs
    std::vector<std::pair<dev_t, ino_t>> m_folders; // the folders being walked, outermost first
    std::uint64_t m_entryCount = 0;
    PathSet m_paths;
    std::vector<SourceEntry> m_batch;
    std::uint64_t m_totalBytes = 0;
    std::uint64_t m_fileCount = 0;
};

} // namespace

void setScanEndHookForTests(std::function<void()> hook)
{
    scanEndHook() = std::move(hook);
}

ScanStream::ScanStream(std::vector<fs::path> inputs, JobControl& job, LinkPolicy links)
{
    m_thread.start(1, [this, inputs = std::move(inputs), &job, links](unsigned) { run(inputs, job, links); });
}

void ScanStream::run(const std::vector<fs::path>& inputs, JobControl& job, LinkPolicy links)
{
    Scanner scanner(job, m_thread, [this](std::vector<SourceEntry>&& batch, std::uint64_t bytes, std::uint64_t files) {
        {
            // The walk stays at most kQueuedBatches ahead of the writer: a tree
            // of a million files is never held whole (the totals are known
            // once the walk is that close to its end).
            std::unique_lock lock(m_thread.mutex());
            m_thread.wait(lock, [&] { return m_batches.size() < kQueuedBatches; });
            m_batches.push_back(std::move(batch));
            m_totalBytes = bytes;
            m_fileCount = files;
        }
        m_ready.notify_all();
    });
    scanner.setLinkPolicy(links);
    // Every input is looked at before the walk starts, so that a missing one
    // is refused before any output exists (started()).
    std::vector<std::pair<std::string, struct stat>> tops;
    const auto check = [&]() -> Status {
        if (inputs.empty())
            return makeError(ErrorCode::InvalidArgument, "nothing to encrypt");
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
            struct stat st;
            if (::lstat(input.c_str(), &st) != 0)
                return ioError(errno, "read", input);
            tops.emplace_back(name, st);
            scanner.addRoot(input.string());
        }
        return Status::success();
    };
    const auto walk = [&]() -> Status {
        COFFER_TRY(check());
        {
            std::lock_guard lock(m_thread.mutex());
            m_checked = true;
        }
        m_ready.notify_all();
        for (std::size_t i = 0; i < inputs.size(); ++i)
            COFFER_TRY(scanner.add(inputs[i].string(), tops[i].first, tops[i].second));
        return Status::success();
    };
    Status status;
    try {
        status = walk();
        if (scanEndHook())
            scanEndHook()();
        scanner.finish();
    } catch (const std::exception&) { // out of memory: fail the encryption, not the process
        status = makeError(ErrorCode::Internal, "out of memory");
    }
    {
        std::lock_guard lock(m_thread.mutex());
        m_status = std::move(status);
        m_ended = true;
    }
    m_ready.notify_all();
}

std::optional<ScanStream::Batch> ScanStream::next()
{
    std::unique_lock lock(m_thread.mutex());
    m_ready.wait(lock, [&] { return m_ended || !m_batches.empty(); });
    if (m_batches.empty() || !m_status.ok())
        return std::nullopt;
    Batch batch = std::move(m_batches.front());
    m_batches.pop_front();
    m_thread.wakeOne(); // the walk may wait for room
    return batch;
}

Status ScanStream::started() const
{
    std::unique_lock lock(m_thread.mutex());
    m_ready.wait(lock, [&] { return m_checked || m_ended; });
    return m_checked ? Status::success() : m_status;
}

Status ScanStream::status() const
{
    std::lock_guard lock(m_thread.mutex());
    return m_status;
}

std::uint64_t ScanStream::totalBytes() const
{
    std::lock_guard lock(m_thread.mutex());
    return m_totalBytes;
}

std::uint64_t ScanStream::fileCount() const
{
    std::lock_guard lock(m_thread.mutex());
    return m_fileCount;
}

} // namespace coffer
