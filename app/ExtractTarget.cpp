#include "ExtractTarget.h"

#include "Primitives.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempMarker = ".coffer-tmp-";
constexpr std::string_view kOldMarker = ".coffer-old-";

std::vector<std::string> splitPath(const std::string& path)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto slash = path.find('/', start);
        parts.push_back(path.substr(start, slash - start));
        if (slash == std::string::npos)
            return parts;
        start = slash + 1;
    }
}

std::string baseName(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parentOf(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string randomSuffix()
{
    std::array<std::uint8_t, 6> r{};
    crypto::randomBytes(r);
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    for (auto b : r) {
        s += hex[b >> 4];
        s += hex[b & 15];
    }
    return s;
}

// Runs op(dir, name) on `path`, relative to the destination folder `root`:
// in one call when it fits, else through its parent folder, opened one
// component at a time without following links. A 4096-byte archive path, or
// a deep one with a temporary or free name for its last component, is longer
// than PATH_MAX, which the *at calls refuse in one piece (ENAMETOOLONG).
// Returns what op returns, or -1 (errno set) if the parent cannot be opened.
template <typename Op> int atPath(int root, const std::string& path, Op op)
{
    if (path.size() < PATH_MAX)
        return op(root, path);
    UniqueFd dir(::dup(root));
    for (const auto& part : splitPath(parentOf(path))) {
        if (!dir.valid())
            return -1;
        dir = UniqueFd(::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    return dir.valid() ? op(dir.get(), baseName(path)) : -1;
}

int unlinkAt(int root, const std::string& path, int flags)
{
    return atPath(root, path,
                  [flags](int dir, const std::string& name) { return ::unlinkat(dir, name.c_str(), flags); });
}

// Removes ".NAME.coffer-tmp-*" files directly in `dirFd`: what an extraction
// that was killed (or lost power) left in a folder before it could clean up.
void removeStaleTemporariesAt(int dirFd)
{
    DIR* d = ::fdopendir(::openat(dirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d)
        return;
    std::vector<std::string> stale;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        struct stat st;
        if (name.size() > 1 && name[0] == '.' && name.find(kTempMarker) != std::string_view::npos &&
            ::fstatat(dirFd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            stale.emplace_back(name);
    }
    ::closedir(d);
    for (const auto& name : stale)
        ::unlinkat(dirFd, name.c_str(), 0);
}

} // namespace

ExtractTarget::ExtractTarget(ExtractTarget&&) noexcept = default;

ExtractTarget::~ExtractTarget()
{
    if (!m_finished)
        rollback();
}

Result<ExtractTarget> ExtractTarget::open(const fs::path& destination, bool overwrite, bool deferRenames)
{
    std::error_code ec;
    ExtractTarget t;
    if (!fs::exists(destination, ec)) {
        // The folders made here are removed again on failure, like everything else.
        for (fs::path p = destination; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
            t.m_createdAncestors.push_back(p);
            if (p == p.parent_path())
                break;
        }
        if (!fs::create_directories(destination, ec))
            return ioError(ec.value(), "create the folder", destination);
    }
    // Stored permissions pass through the user's umask, as with tar and cp:
    // a container cannot make world-writable files where the user forbids it.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    t.m_umask = static_cast<std::uint16_t>(mask & 0777);
    t.m_destination = destination;
    t.m_overwrite = overwrite;
    t.m_defer = deferRenames;
    t.m_root.reset(::open(destination.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!t.m_root.valid())
        return ioError(errno, "open the folder", destination);
    return t;
}

Result<int> ExtractTarget::openParent(const std::string& path, bool create)
{
    // Walk from the destination one component at a time, never following a
    // link: whatever the container says, nothing lands outside the destination.
    const std::string parent = parentOf(path);
    if (parent.empty())
        return m_root.get();
    // Files come folder by folder: reuse the folder opened for the previous one
    // (the walk costs a dozen system calls; ten thousand files paid for it each).
    if (m_lastParent.valid() && parent == m_lastParentPath)
        return m_lastParent.get();
    m_lastParent.reset();
    UniqueFd dir; // none yet: the destination itself
    std::string sofar;
    for (const auto& part : splitPath(parent)) {
        const int at = dir.valid() ? dir.get() : m_root.get();
        sofar += sofar.empty() ? part : "/" + part;
        if (create) {
            if (::mkdirat(at, part.c_str(), 0755) == 0)
                m_createdDirs.push_back(sofar);
            else if (errno != EEXIST)
                return ioError(errno, "create the folder", m_destination / sofar);
        }
        UniqueFd next(::openat(at, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next.valid()) {
            if (errno == ELOOP || errno == ENOTDIR)
                return makeError(ErrorCode::UnsafePath,
                                 "\"" + (m_destination / sofar).string() +
                                     "\" is a link or a file, not a folder; Coffer will not write through it");
            return ioError(errno, "open the folder", m_destination / sofar);
        }
        dir = std::move(next);
    }
    m_lastParent = std::move(dir);
    m_lastParentPath = parent;
    return m_lastParent.get();
}

Status ExtractTarget::beginFile(const EntryInfo& info)
{
    m_async.reset(); // a previous file's writer thread stops before its descriptor can go
    auto parent = openParent(info.path, true);
    COFFER_TRY(parent);
    // The first file of this run in a folder: clear what an interrupted run left there.
    if (m_cleanedDirs.insert(parentOf(info.path)).second)
        removeStaleTemporariesAt(*parent);
    m_fileTemp = "." + baseName(info.path).substr(0, 100) + std::string(kTempMarker) + randomSuffix();
    const int fd = ::openat(*parent, m_fileTemp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return ioError(errno, "create a file in", m_destination / parentOf(info.path));
    m_file.reset(fd);
    m_fileInfo = info;
    m_fileWritten = 0;
    if (info.size >= AsyncFileWriter::kWorthItFrom)
        m_async = std::make_unique<AsyncFileWriter>(fd, m_destination / info.path);
    return Status::success();
}

Status ExtractTarget::write(ByteView data)
{
    if (m_async) {
        COFFER_TRY(m_async->write(data));
    } else {
        FdSink sink(m_file.get(), m_destination / m_fileInfo.path);
        COFFER_TRY(sink.write(data));
    }
    m_fileWritten += data.size();
    return Status::success();
}

Status ExtractTarget::commitFile()
{
    const fs::path shown = m_destination / m_fileInfo.path;
    if (m_async) {
        COFFER_TRY(m_async->finish());
        m_async.reset();
    }
    if (m_fileWritten != m_fileInfo.size)
        return damaged("\"" + m_fileInfo.path + "\" does not have its declared size");
    if (::fchmod(m_file.get(), m_fileInfo.mode & ~m_umask) != 0)
        return ioError(errno, "set permissions of", shown);
    const struct timespec times[2] = {
        {0, UTIME_OMIT},
        {static_cast<time_t>(m_fileInfo.mtimeSeconds), static_cast<long>(m_fileInfo.mtimeNanoseconds)}};
    ::futimens(m_file.get(), times);
    // Deferred files are made durable together in finish() (one syncfs instead of
    // one fsync per file: thousands of small files would otherwise wait on the disk).
    if (!m_defer && ::fsync(m_file.get()) != 0)
        return ioError(errno, "write", shown);
    const std::string tempPath =
        parentOf(m_fileInfo.path).empty() ? m_fileTemp : parentOf(m_fileInfo.path) + "/" + m_fileTemp;
    if (m_defer) {
        m_pending.push_back({tempPath, m_fileInfo.path});
    } else {
        // Still open until it has its name: if the rename fails, rollback() removes the temporary.
        COFFER_TRY(renameIntoPlace(tempPath, m_fileInfo.path));
    }
    m_file.reset();
    m_fileTemp.clear();
    return Status::success();
}

Status ExtractTarget::renameIntoPlace(const std::string& tempPath, const std::string& path)
{
    auto parent = openParent(path, false);
    COFFER_TRY(parent);
    const std::string tempName = baseName(tempPath);
    std::string name = baseName(path);
    if (m_overwrite) {
        struct stat st;
        if (::fstatat(*parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
            if (S_ISDIR(st.st_mode)) {
                name = freeName(*parent, name);
            } else {
                // Move the user's file aside rather than over it: if a later entry
                // fails, rollback() puts it back, so a failed extraction loses nothing.
                const std::string aside = "." + name.substr(0, 100) + std::string(kOldMarker) + randomSuffix();
                if (renameNoReplaceAt(*parent, name.c_str(), *parent, aside.c_str()) != 0)
                    return ioError(errno, "replace", m_destination / path);
                const std::string dir = parentOf(path);
                m_replaced.push_back({dir.empty() ? name : dir + "/" + name, dir.empty() ? aside : dir + "/" + aside});
            }
        }
        if (renameNoReplaceAt(*parent, tempName.c_str(), *parent, name.c_str()) != 0)
            return ioError(errno, "create", m_destination / path);
    } else {
        // The name as it is, else the first free "name (N)": the rename itself
        // refuses a taken name, so the check costs a call only when needed.
        for (std::string candidate = name;; candidate = freeName(*parent, name)) {
            if (renameNoReplaceAt(*parent, tempName.c_str(), *parent, candidate.c_str()) == 0) {
                name = candidate;
                break;
            }
            if (errno != EEXIST)
                return ioError(errno, "create", m_destination / path);
        }
    }
    const std::string finalPath = parentOf(path).empty() ? name : parentOf(path) + "/" + name;
    m_createdFiles.push_back(finalPath);
    m_written.push_back(m_destination / finalPath);
    return Status::success();
}

Status ExtractTarget::makeDirectory(const EntryInfo& info)
{
    auto parent = openParent(info.path, true);
    COFFER_TRY(parent);
    const std::string name = baseName(info.path);
    const bool created = ::mkdirat(*parent, name.c_str(), 0700) == 0;
    if (created)
        m_createdDirs.push_back(info.path);
    else if (errno != EEXIST)
        return ioError(errno, "create the folder", m_destination / info.path);
    UniqueFd check(::openat(*parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!check.valid()) {
        struct stat st;
        const bool link = ::fstatat(*parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
        if (link)
            return makeError(ErrorCode::UnsafePath, "\"" + (m_destination / info.path).string() +
                                                        "\" is a symbolic link; Coffer will not write through it");
        return makeError(ErrorCode::Io, "cannot create the folder \"" + (m_destination / info.path).string() +
                                            "\": a file of that name is in the way");
    }
    // A folder the user already had keeps its mode and time: only folders this
    // extraction created (here or as a parent of an earlier file) take the archive's.
    if (!created && std::find(m_createdDirs.rbegin(), m_createdDirs.rend(), info.path) == m_createdDirs.rend())
        return Status::success();
    if (::fchmod(check.get(), info.mode | 0700) != 0)
        return ioError(errno, "set permissions of", m_destination / info.path);
    // Writable by us until finish() sets the stored mode.
    m_dirTimes.push_back({info.path, info.mtimeSeconds, info.mtimeNanoseconds, info.mode});
    return Status::success();
}

Status ExtractTarget::finish()
{
    // Every byte on disk before any file takes its real name.
    if (!m_pending.empty() && ::syncfs(m_root.get()) != 0)
        return ioError(errno, "write", m_destination);
    for (const auto& p : m_pending)
        COFFER_TRY(renameIntoPlace(p.tempName, p.path));
    m_pending.clear();
    // Deepest folders first, so setting a child's time does not touch its parent's afterwards.
    std::sort(m_dirTimes.begin(), m_dirTimes.end(), [](const DirTime& a, const DirTime& b) { return a.path > b.path; });
    for (const auto& d : m_dirTimes) {
        const struct timespec times[2] = {{0, UTIME_OMIT},
                                          {static_cast<time_t>(d.seconds), static_cast<long>(d.nanoseconds)}};
        const int chmodResult = atPath(m_root.get(), d.path, [&](int dir, const std::string& name) {
            ::utimensat(dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
            return ::fchmodat(dir, name.c_str(), d.mode & ~m_umask, 0);
        });
        if (chmodResult != 0)
            return ioError(errno, "set permissions of", m_destination / d.path);
    }
    // Only now, with everything in place, are the replaced files let go.
    for (const auto& r : m_replaced)
        unlinkAt(m_root.get(), r.aside, 0);
    m_replaced.clear();
    ::fsync(m_root.get());
    m_finished = true;
    return Status::success();
}

void ExtractTarget::rollback()
{
    m_async.reset(); // its thread stops before the file goes
    m_lastParent.reset();
    if (m_file.valid()) {
        m_file.reset();
        const std::string dir = parentOf(m_fileInfo.path);
        unlinkAt(m_root.get(), dir.empty() ? m_fileTemp : dir + "/" + m_fileTemp, 0);
    }
    for (const auto& p : m_pending)
        unlinkAt(m_root.get(), p.tempName, 0);
    for (const auto& f : m_createdFiles)
        unlinkAt(m_root.get(), f, 0);
    for (auto it = m_replaced.rbegin(); it != m_replaced.rend(); ++it) {
        // Both names are in one folder: whole if the longer fits, else both as names in it.
        const std::string& longer = it->aside.size() > it->path.size() ? it->aside : it->path;
        atPath(m_root.get(), longer, [&](int dir, const std::string& name) {
            const bool whole = name == longer;
            return ::renameat(dir, (whole ? it->aside : baseName(it->aside)).c_str(), dir,
                              (whole ? it->path : baseName(it->path)).c_str());
        });
    }
    m_replaced.clear();
    for (auto it = m_createdDirs.rbegin(); it != m_createdDirs.rend(); ++it)
        unlinkAt(m_root.get(), *it, AT_REMOVEDIR); // only if empty: never the user's files
    for (const auto& dir : m_createdAncestors)
        ::rmdir(dir.c_str());
    m_pending.clear();
    m_createdFiles.clear();
    m_createdDirs.clear();
    m_written.clear();
    m_finished = true;
}

void removeStaleTemporaries(const fs::path& dir)
{
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > 1 && name[0] == '.' && name.find(kTempMarker) != std::string::npos && it->is_regular_file(ec))
            fs::remove(it->path(), ec);
    }
}

} // namespace coffer
