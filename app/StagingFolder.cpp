#include "StagingFolder.h"

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

// One call for a whole folder path, refusing links and anything outside
// `root` (openat2, Linux 5.6); -1 when it cannot (missing folder, older
// kernel, a path longer than PATH_MAX), and the caller walks instead.
int openBeneath(int root, const std::string& path)
{
    struct open_how how {};
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    return static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how));
}

// Unlinks everything in `dirFd` that is not a folder; returns the name of a
// folder left in it, or "" when it is empty.
std::string clearFiles(int dirFd)
{
    DIR* d = ::fdopendir(::openat(dirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d)
        return {};
    std::string folder;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        if (name == "." || name == "..")
            continue;
        struct stat st;
        if (::fstatat(dirFd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
            if (folder.empty())
                folder = e->d_name;
        } else {
            ::unlinkat(dirFd, e->d_name, 0);
        }
    }
    ::closedir(d);
    return folder;
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
    m_last.reset();
    auto folder = openFolder(parent);
    COFFER_TRY(folder);
    m_last = std::move(*folder);
    m_lastPath = parent;
    return m_last.get();
}

Result<UniqueFd> FolderCursor::openFolder(const std::string& path)
{
    UniqueFd fast(openBeneath(m_root, path));
    if (fast.valid())
        return fast;
    // Walk one component at a time, making what is missing, never through a link.
    UniqueFd dir; // none yet: the root itself
    std::string sofar;
    for (const auto& part : splitPath(path)) {
        const int at = dir.valid() ? dir.get() : m_root;
        sofar += sofar.empty() ? part : "/" + part;
        UniqueFd next(::openat(at, part.c_str(), kFolderFlags));
        if (!next.valid() && errno == ENOENT) {
            if (::mkdirat(at, part.c_str(), 0755) != 0 && errno != EEXIST)
                return ioError(errno, "create the folder", m_shown / sofar);
            next.reset(::openat(at, part.c_str(), kFolderFlags));
        }
        if (!next.valid()) {
            if (errno == ELOOP || errno == ENOTDIR)
                return makeError(ErrorCode::UnsafePath,
                                 "\"" + (m_shown / sofar).string() +
                                     "\" is a link or a file, not a folder; Coffer will not write through it");
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

void removeTreeAt(int dirFd, const std::string& name)
{
    UniqueFd current(::openat(dirFd, name.c_str(), kFolderFlags));
    if (!current.valid()) {
        if (errno == ENOTDIR || errno == ELOOP)
            ::unlinkat(dirFd, name.c_str(), 0);
        return;
    }
    // Down to a folder with no folders in it, empty it, up one and remove it:
    // only the names on the way down are kept, not one descriptor per level.
    std::vector<std::string> below;
    while (true) {
        ::fchmod(current.get(), 0700); // ours; a folder made read-only still empties
        const std::string folder = clearFiles(current.get());
        if (!folder.empty()) {
            UniqueFd next(::openat(current.get(), folder.c_str(), kFolderFlags));
            if (!next.valid())
                return; // replaced meanwhile: leave the rest
            below.push_back(folder);
            current = std::move(next);
            continue;
        }
        if (below.empty())
            break;
        UniqueFd up(::openat(current.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!up.valid())
            return;
        current = std::move(up);
        if (::unlinkat(current.get(), below.back().c_str(), AT_REMOVEDIR) != 0)
            return; // something we cannot remove: stop rather than loop
        below.pop_back();
    }
    current.reset();
    ::unlinkat(dirFd, name.c_str(), AT_REMOVEDIR);
}

void removeStaleStagingFolders(int dirFd)
{
    DIR* d = ::fdopendir(::openat(dirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d)
        return;
    std::vector<std::string> found;
    while (const dirent* e = ::readdir(d))
        if (std::string_view(e->d_name).starts_with(kStagingPrefix))
            found.emplace_back(e->d_name);
    ::closedir(d);
    for (const auto& name : found) {
        UniqueFd folder(::openat(dirFd, name.c_str(), kFolderFlags));
        // A running extraction holds its lock: only the dead ones' folders go.
        if (folder.valid() && ::flock(folder.get(), LOCK_EX | LOCK_NB) == 0)
            removeTreeAt(dirFd, name); // still locked by `folder` meanwhile
    }
}

} // namespace coffer
