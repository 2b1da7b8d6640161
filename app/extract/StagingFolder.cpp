#include "StagingFolder.h"

#include "Primitives.h"
#include "StagingRecord.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

constexpr int kFolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

} // namespace

int openBeneath(int root, const std::string& path)
{
    struct open_how how {};
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how));
}

UniqueFd openExistingFolder(int root, const std::string& path)
{
    if (path.empty())
        return UniqueFd(::dup(root));
    UniqueFd fast(openBeneath(root, path));
    if (fast.valid() || errno == ENOENT || errno == ELOOP)
        return fast;
    UniqueFd dir(::dup(root)); // too long for one call, or no openat2: one component at a time
    for (const auto& part : splitPath(path)) {
        if (!dir.valid())
            break;
        dir = UniqueFd(::openat(dir.get(), part.c_str(), kFolderFlags));
    }
    return dir;
}

namespace {

// What Coffer itself never creates in a staging folder: a link, a device, a
// file with another name elsewhere (a hard link), anything of another owner.
bool isForeign(const struct stat& st)
{
    if (st.st_uid != ::geteuid())
        return true;
    return S_ISDIR(st.st_mode) ? false : !S_ISREG(st.st_mode) || st.st_nlink > 1;
}

// Unlinks everything in `dirFd` that is not a folder (after reading the
// whole folder: unlinking while reading may skip names); returns the folders.
// `onlyOurs`: what is foreign stays, and sets `kept`.
std::vector<std::string> clearFiles(int dirFd, bool onlyOurs, bool& kept)
{
    std::vector<std::string> folders, files;
    DIR* d = openDirAt(dirFd);
    if (!d)
        return folders;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        if (name == "." || name == "..")
            continue;
        bool folder = e->d_type == DT_DIR;
        struct stat st;
        if (onlyOurs || e->d_type == DT_UNKNOWN) { // some file systems do not say
            if (::fstatat(dirFd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            folder = S_ISDIR(st.st_mode);
            if (onlyOurs && isForeign(st)) {
                kept = true;
                continue;
            }
        }
        (folder ? folders : files).emplace_back(name);
    }
    ::closedir(d);
    for (const auto& f : files)
        ::unlinkat(dirFd, f.c_str(), 0);
    return folders;
}

} // namespace

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

bool sameFolder(int fd, const struct stat& expected)
{
    struct stat st;
    return fd >= 0 && ::fstat(fd, &st) == 0 && st.st_dev == expected.st_dev && st.st_ino == expected.st_ino;
}

DIR* openDirAt(int dirFd)
{
    const int fd = ::openat(dirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return nullptr;
    DIR* d = ::fdopendir(fd);
    if (!d)
        ::close(fd);
    return d;
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

bool isStagingName(std::string_view name)
{
    if (name.size() != kStagingPrefix.size() + 12 || !name.starts_with(kStagingPrefix))
        return false;
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(kStagingPrefix.size()), name.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string parentPath(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string lastComponent(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<int> FolderCursor::parentOf(const std::string& path)
{
    const std::string parent = parentPath(path);
    if (parent.empty())
        return m_root;
    if (m_last.valid() && parent == m_lastPath)
        return m_last.get();
    auto folder = openFolder(parent); // from the last folder, if it holds this one
    if (!folder.ok())
        reset();
    COFFER_TRY(folder);
    m_last = std::move(*folder);
    m_lastPath = parent;
    return m_last.get();
}

Status FolderCursor::makeFolder(const std::string& path)
{
    auto folder = openFolder(path);
    COFFER_TRY(folder);
    m_last = std::move(*folder); // the next folder is likely inside it
    m_lastPath = path;
    return Status::success();
}

Result<UniqueFd> FolderCursor::openFolder(const std::string& path)
{
    // Walk one component at a time, making what is missing, never through a
    // link: from the folder open last when it holds `path` (folders come
    // before what is in them: 1,000 nested levels take 1,000 steps, not
    // half a million), else in one openat2 call if it all exists, else from
    // the root.
    UniqueFd dir; // none yet: the root itself
    std::string sofar;
    std::string rest = path;
    if (m_last.valid() && path.size() > m_lastPath.size() && path[m_lastPath.size()] == '/' &&
        path.compare(0, m_lastPath.size(), m_lastPath) == 0) {
        dir.reset(::dup(m_last.get()));
        if (!dir.valid())
            return ioError(errno, "open the folder", m_shown / m_lastPath);
        sofar = m_lastPath;
        rest = path.substr(m_lastPath.size() + 1);
    } else if (UniqueFd fast(openBeneath(m_root, path)); fast.valid()) {
        return fast;
    }
    for (const auto& part : splitPath(rest)) {
        const int at = dir.valid() ? dir.get() : m_root;
        sofar += sofar.empty() ? part : "/" + part;
        UniqueFd next(::openat(at, part.c_str(), kFolderFlags));
        if (!next.valid() && errno == ENOENT) {
            if (::mkdirat(at, part.c_str(), 0755) != 0 && errno != EEXIST)
                return ioError(errno, "create the folder", m_shown / sofar);
            next.reset(::openat(at, part.c_str(), kFolderFlags));
        }
        if (!next.valid()) {
            // A link is refused as unsafe; a file (two names one on a disk that
            // folds case) is the file system's limit, as in place() (FORMAT.md §5.6).
            if (errno == ELOOP)
                return makeError(ErrorCode::UnsafePath,
                                 "\"" + (m_shown / sofar).string() +
                                     "\" is a link, not a folder; Coffer will not write through it");
            if (errno == ENOTDIR)
                return makeError(ErrorCode::Io, "cannot create the folder \"" + (m_shown / sofar).string() +
                                                    "\": a file of that name is in the way");
            return ioError(errno, "open the folder", m_shown / sofar);
        }
        dir = std::move(next);
    }
    if (!dir.valid())
        return ioError(ENOENT, "open the folder", m_shown / path);
    return dir;
}

Result<UniqueFd> createFileAt(int dirFd, const std::string& name, std::uint16_t mode, const fs::path& shown)
{
    constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    const mode_t bits = mode & 0777; // never setuid, setgid or sticky
    int fd = ::openat(dirFd, name.c_str(), flags, bits);
    while (fd < 0 && errno == EEXIST)
        fd = ::openat(dirFd, freeName(dirFd, name).c_str(), flags, bits);
    if (fd < 0)
        return ioError(errno, "create", shown);
    return UniqueFd(fd);
}

void setFileTime(int fd, std::int64_t seconds, std::uint32_t nanoseconds)
{
    const struct timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(seconds), static_cast<long>(nanoseconds)}};
    ::futimens(fd, times);
}

bool removeTreeAt(int dirFd, const std::string& name, bool onlyOurs)
{
    UniqueFd current(::openat(dirFd, name.c_str(), kFolderFlags));
    if (!current.valid()) {
        if (errno == ENOTDIR || errno == ELOOP)
            return onlyOurs ? false : ::unlinkat(dirFd, name.c_str(), 0) == 0;
        return errno == ENOENT;
    }
    bool kept = false;
    // Depth first, one folder open at a time: each level keeps the names of
    // the folders still to remove in it (read once, so wide folders cost
    // linear time) and its identity, checked when coming back up through "..":
    // a folder moved elsewhere meanwhile stops the removal there.
    struct Level {
        std::string name;
        struct stat id;
        std::vector<std::string> folders;
    };
    std::vector<Level> levels;
    const auto enter = [&](std::string levelName) {
        ::fchmod(current.get(), 0700); // ours; a folder made read-only still empties
        Level level{std::move(levelName), {}, {}};
        if (::fstat(current.get(), &level.id) != 0)
            return false;
        level.folders = clearFiles(current.get(), onlyOurs, kept);
        levels.push_back(std::move(level));
        return true;
    };
    if (!enter(name))
        return false;
    while (true) {
        Level& level = levels.back();
        if (!level.folders.empty()) {
            const std::string next = std::move(level.folders.back());
            level.folders.pop_back();
            UniqueFd below(::openat(current.get(), next.c_str(), kFolderFlags));
            if (!below.valid())
                continue; // gone, or no longer a folder: not ours to follow
            current = std::move(below);
            if (!enter(next))
                return false;
            continue;
        }
        if (levels.size() == 1)
            break;
        const std::string done = std::move(level.name);
        levels.pop_back();
        UniqueFd up(::openat(current.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!up.valid() || !sameFolder(up.get(), levels.back().id))
            return false; // moved meanwhile: leave the rest rather than follow it
        current = std::move(up);
        ::unlinkat(current.get(), done.c_str(), AT_REMOVEDIR);
    }
    current.reset();
    return ::unlinkat(dirFd, name.c_str(), AT_REMOVEDIR) == 0 && !kept;
}

std::vector<std::string> removeStaleStagingFolders(int dirFd, StagingRecords& records)
{
    std::vector<std::string> found, leftWithSomething;
    if (DIR* d = openDirAt(dirFd)) {
        while (const dirent* e = ::readdir(d))
            if (isStagingName(e->d_name))
                found.emplace_back(e->d_name);
        ::closedir(d);
    }
    for (const auto& name : found) {
        if (!records.has(name, dirFd))
            continue; // not made here by this user's Coffer: a look-alike, never touched
        UniqueFd folder(::openat(dirFd, name.c_str(), kFolderFlags));
        struct stat st;
        // Ours as Coffer makes them, and not held by a running extraction.
        if (!folder.valid() || ::fstat(folder.get(), &st) != 0 || st.st_uid != ::geteuid() ||
            (st.st_mode & 07777) != 0700 || ::flock(folder.get(), LOCK_EX | LOCK_NB) != 0)
            continue;
        if (removeTreeAt(dirFd, name, true)) // still locked by `folder` meanwhile
            records.remove(name);
        else
            leftWithSomething.push_back(name); // its record stays: said again next time
    }
    return leftWithSomething;
}

} // namespace coffer
