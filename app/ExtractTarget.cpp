#include "ExtractTarget.h"

#include "Primitives.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <utility>

namespace coffer {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kOldMarker = ".coffer-old-";
constexpr int kFolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// Packs are decompressed and their files written by this many threads: on two
// cores, two keep decompression and the kernel's file creation beside decryption.
constexpr unsigned kWriterThreads = 2;
// Pack members read front to back (a pipe) go to the writer threads in batches.
constexpr std::size_t kBatchFiles = 64;
constexpr std::size_t kBatchBytes = 256 * 1024;

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

std::string joinPath(const std::string& dir, const std::string& name)
{
    return dir.empty() ? name : dir + "/" + name;
}

// Runs op(dir, name) on `path`, relative to the folder `root`: in one call
// when it fits, else through its parent folder, opened one component at a
// time without following links. A 4096-byte archive path, or a deep one with
// a free name for its last component, is longer than PATH_MAX, which the *at
// calls refuse in one piece (ENAMETOOLONG). Returns what op returns, or -1
// (errno set) if the parent cannot be opened.
template <typename Op> int atPath(int root, const std::string& path, Op op)
{
    if (path.size() < PATH_MAX)
        return op(root, path);
    UniqueFd dir(::dup(root));
    for (const auto& part : splitPath(parentPath(path))) {
        if (!dir.valid())
            return -1;
        dir = UniqueFd(::openat(dir.get(), part.c_str(), kFolderFlags));
    }
    return dir.valid() ? op(dir.get(), lastComponent(path)) : -1;
}

// Stored permissions pass through the user's umask, as with tar and cp: a
// container cannot make world-writable folders where the user forbids it.
// Read from /proc: setting it to read it back would race with other threads.
mode_t currentUmask()
{
    if (std::FILE* f = std::fopen("/proc/self/status", "re")) {
        char line[256];
        unsigned value = 0;
        bool found = false;
        while (!found && std::fgets(line, sizeof line, f))
            found = std::sscanf(line, "Umask: %o", &value) == 1;
        std::fclose(f);
        if (found)
            return value & 0777;
    }
    const mode_t mask = ::umask(022);
    ::umask(mask);
    return mask & 0777;
}

std::vector<std::string> namesIn(int dirFd)
{
    std::vector<std::string> names;
    DIR* d = ::fdopendir(::openat(dirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d)
        return names;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        if (name != "." && name != "..")
            names.emplace_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

ExtractTarget::ExtractTarget(ExtractTarget&&) noexcept = default;

ExtractTarget::~ExtractTarget()
{
    if (!m_finished)
        rollback();
}

Result<ExtractTarget> ExtractTarget::open(const fs::path& destination, bool overwrite)
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
    t.m_destination = destination;
    t.m_overwrite = overwrite;
    t.m_umask = currentUmask();
    t.m_root.reset(::open(destination.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!t.m_root.valid())
        return ioError(errno, "open the folder", destination);
    removeStaleStagingFolders(t.m_root.get());
    // A fresh staging folder, locked at once. A cleaner (another Coffer's
    // removeStaleStagingFolders) that took it between mkdir and flock has
    // removed it: then it is no longer the folder of that name, and we retry.
    for (int attempt = 0;; ++attempt) {
        const std::string name = std::string(kStagingPrefix) + randomSuffix();
        if (::mkdirat(t.m_root.get(), name.c_str(), 0700) != 0)
            return ioError(errno, "create a folder in", destination);
        UniqueFd fd(::openat(t.m_root.get(), name.c_str(), kFolderFlags));
        if (!fd.valid())
            return ioError(errno, "open a folder in", destination);
        const bool locked = ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK; // no flock: no lock
        struct stat mine, there;
        const bool ours = locked && ::fstat(fd.get(), &mine) == 0 &&
                          ::fstatat(t.m_root.get(), name.c_str(), &there, AT_SYMLINK_NOFOLLOW) == 0 &&
                          mine.st_ino == there.st_ino && mine.st_dev == there.st_dev;
        if (ours) {
            t.m_stagingName = name;
            t.m_staging = std::move(fd);
            break;
        }
        if (attempt == 3)
            return ioError(EBUSY, "create a folder in", destination);
    }
    t.m_folders = std::make_unique<FolderCursor>(t.m_staging.get(), destination);
    return t;
}

Status ExtractTarget::beginFile(const EntryInfo& info)
{
    m_async.reset(); // a previous file's writer thread stops before its descriptor can go
    auto parent = m_folders->parentOf(info.path);
    COFFER_TRY(parent);
    auto fd = createFileAt(*parent, lastComponent(info.path), info.mode, m_destination / info.path);
    COFFER_TRY(fd);
    m_file = std::move(*fd);
    m_fileInfo = info;
    m_fileWritten = 0;
    m_anyFile = true;
    if (info.size >= AsyncFileWriter::kWorthItFrom)
        m_async = std::make_unique<AsyncFileWriter>(m_file.get(), m_destination / info.path);
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
    if (m_async) {
        COFFER_TRY(m_async->finish());
        m_async.reset();
    }
    if (m_fileWritten != m_fileInfo.size)
        return damaged("\"" + m_fileInfo.path + "\" does not have its declared size");
    setFileTime(m_file.get(), m_fileInfo.mtimeSeconds, m_fileInfo.mtimeNanoseconds);
    m_file.reset();
    return Status::success();
}

Status ExtractTarget::writeWholeFile(const EntryInfo& info, std::shared_ptr<const Bytes> buffer, std::size_t offset)
{
    m_batchBytes += static_cast<std::size_t>(info.size);
    m_batch.push_back({info, std::move(buffer), offset});
    if (m_batch.size() < kBatchFiles && m_batchBytes < kBatchBytes)
        return Status::success();
    return handOverBatch();
}

Status ExtractTarget::handOverBatch()
{
    if (m_batch.empty())
        return Status::success();
    auto batch = std::make_shared<std::vector<WholeFile>>(std::move(m_batch));
    m_batch.clear();
    const std::size_t weight = std::exchange(m_batchBytes, 0);
    return runOnWriters(
        [batch](SmallFileWriter::Context& context) -> Status {
            for (const auto& f : *batch)
                COFFER_TRY(context.writeFile(f.info.path, f.info.mode, f.info.mtimeSeconds, f.info.mtimeNanoseconds,
                                             ByteView(*f.buffer).subspan(f.offset, f.info.size)));
            return Status::success();
        },
        weight);
}

Status ExtractTarget::runOnWriters(SmallFileWriter::Task task, std::size_t weight)
{
    if (!m_smallFiles)
        m_smallFiles = std::make_unique<SmallFileWriter>(m_staging.get(), m_destination, kWriterThreads);
    m_anyFile = true;
    return m_smallFiles->submit(std::move(task), weight);
}

Status ExtractTarget::makeDirectory(const EntryInfo& info)
{
    COFFER_TRY(m_folders->openFolder(info.path));
    // Its mode and time are set by finish(), once nothing more goes into it.
    m_dirs.push_back({info.path, info.mtimeSeconds, info.mtimeNanoseconds, info.mode});
    return Status::success();
}

// Moves everything in the staging folder into the destination. Merging into
// folders the user has walks both trees together, depth first, holding only
// the current pair of folders open (a 2,000-level tree would otherwise need
// 4,000 descriptors and as many stack frames) and going back up through "..".
Status ExtractTarget::placeAll()
{
    struct Level {
        std::string path; // relative to both roots
        std::vector<std::string> names;
        std::size_t next = 0;
    };
    UniqueFd from(::dup(m_staging.get()));
    UniqueFd to(::dup(m_root.get()));
    std::vector<Level> levels;
    levels.push_back({"", namesIn(from.get())});
    while (true) {
        Level& level = levels.back();
        if (level.next == level.names.size()) {
            levels.pop_back();
            if (levels.empty())
                return Status::success();
            from.reset(::openat(from.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            to.reset(::openat(to.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (!from.valid() || !to.valid())
                return ioError(errno, "open the folder", m_destination / levels.back().path);
            continue;
        }
        const std::string path = joinPath(level.path, level.names[level.next++]);
        auto merge = place(from.get(), to.get(), path);
        COFFER_TRY(merge);
        if (!*merge)
            continue;
        const std::string name = lastComponent(path);
        UniqueFd staged(::openat(from.get(), name.c_str(), kFolderFlags));
        UniqueFd existing(::openat(to.get(), name.c_str(), kFolderFlags));
        if (!staged.valid() || !existing.valid())
            return ioError(errno, "open the folder", m_destination / path);
        from = std::move(staged);
        to = std::move(existing);
        levels.push_back({path, namesIn(from.get())});
    }
}

// Moves `path` (relative to both) from the staging side `from` into `to`;
// true when both are folders, to be merged name by name.
Result<bool> ExtractTarget::place(int from, int to, const std::string& path)
{
    const std::string name = lastComponent(path);
    const std::string dir = parentPath(path);
    const auto moved = [&](const std::string& as) -> Result<bool> {
        m_moved.push_back({path, joinPath(dir, as)});
        m_placed.push_back(m_destination / joinPath(dir, as));
        return false;
    };
    if (renameNoReplaceAt(from, name.c_str(), to, name.c_str()) == 0)
        return moved(name);
    if (errno != EEXIST)
        return ioError(errno, "move into place", m_destination / path);
    struct stat mine, theirs;
    if (::fstatat(from, name.c_str(), &mine, AT_SYMLINK_NOFOLLOW) != 0)
        return ioError(errno, "move into place", m_destination / path);
    if (::fstatat(to, name.c_str(), &theirs, AT_SYMLINK_NOFOLLOW) != 0)
        return ioError(errno, "move into place", m_destination / path);
    if (S_ISDIR(mine.st_mode) && S_ISDIR(theirs.st_mode))
        return true; // a folder the user already has: merged into; it keeps its mode and time
    if (S_ISDIR(mine.st_mode)) {
        // DESIGN §4: a link where the container has a folder is refused, never followed.
        if (S_ISLNK(theirs.st_mode))
            return makeError(ErrorCode::UnsafePath, "\"" + (m_destination / path).string() +
                                                        "\" is a link, not a folder; Coffer will not write through it");
        return makeError(ErrorCode::Io, "cannot create the folder \"" + (m_destination / path).string() +
                                            "\": a file of that name is in the way");
    }
    if (m_overwrite && !S_ISDIR(theirs.st_mode)) {
        // Move the user's file (or link, not followed) aside rather than over it:
        // if a later name fails, rollback() puts it back, so a failed extraction loses nothing.
        const std::string aside = "." + name.substr(0, 100) + std::string(kOldMarker) + randomSuffix();
        if (renameNoReplaceAt(to, name.c_str(), to, aside.c_str()) != 0)
            return ioError(errno, "replace", m_destination / path);
        m_replaced.push_back({path, joinPath(dir, aside)});
        if (renameNoReplaceAt(from, name.c_str(), to, name.c_str()) != 0)
            return ioError(errno, "create", m_destination / path);
        return moved(name);
    }
    // A file never goes over what the user has (nor through a link): the first free "name (N)".
    while (true) {
        const std::string free = freeName(to, name);
        if (renameNoReplaceAt(from, name.c_str(), to, free.c_str()) == 0)
            return moved(free);
        if (errno != EEXIST)
            return ioError(errno, "create", m_destination / joinPath(dir, free));
    }
}

Status ExtractTarget::drain()
{
    COFFER_TRY(handOverBatch());
    if (m_smallFiles) {
        COFFER_TRY(m_smallFiles->finish());
        m_smallFiles.reset();
    }
    return Status::success();
}

Status ExtractTarget::finish()
{
    COFFER_TRY(drain());
    m_folders->reset();
    // Every byte on disk before anything takes its place.
    if (m_anyFile && ::syncfs(m_staging.get()) != 0)
        return ioError(errno, "write", m_destination);
    COFFER_TRY(placeAll());

    // Modes and times of the folders this extraction made (not of those it
    // merged into), deepest first, so that setting a child's time does not
    // touch its parent's afterwards and a read-only folder is set last.
    std::unordered_map<std::string, std::string> placedAs;
    for (const auto& m : m_moved)
        placedAs.emplace(m.staged, m.placed);
    std::vector<DirAttributes> dirs;
    for (const auto& d : m_dirs) {
        std::string rest;
        for (std::string p = d.path; !p.empty(); p = parentPath(p)) {
            if (const auto it = placedAs.find(p); it != placedAs.end()) {
                dirs.push_back(d);
                dirs.back().path = it->second + rest;
                break;
            }
            rest = "/" + lastComponent(p) + rest;
        }
    }
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.path > b.path; });
    for (const auto& d : dirs) {
        const struct timespec times[2] = {{0, UTIME_OMIT},
                                          {static_cast<time_t>(d.seconds), static_cast<long>(d.nanoseconds)}};
        // Through a descriptor opened without following links: a folder swapped
        // for a link meanwhile is refused, not the link's target changed.
        const int chmodResult = atPath(m_root.get(), d.path, [&](int dir, const std::string& name) {
            UniqueFd folder(::openat(dir, name.c_str(), kFolderFlags));
            if (!folder.valid())
                return -1;
            ::futimens(folder.get(), times);
            return ::fchmod(folder.get(), d.mode & ~m_umask & 0777);
        });
        if (chmodResult != 0)
            return ioError(errno, "set permissions of", m_destination / d.path);
    }
    // Only now, with everything in place, are the replaced files let go.
    for (const auto& r : m_replaced)
        atPath(m_root.get(), r.aside,
               [](int dir, const std::string& name) { return ::unlinkat(dir, name.c_str(), 0); });
    m_replaced.clear();
    m_finished = true;
    m_staging.reset();
    removeTreeAt(m_root.get(), m_stagingName); // what is left: the shells of merged folders
    ::fsync(m_root.get());
    return Status::success();
}

void ExtractTarget::unplace()
{
    // Back into the staging folder, latest first (a merged folder's files
    // before the files they replaced come back); removed if that fails.
    for (auto it = m_moved.rbegin(); it != m_moved.rend(); ++it) {
        const int back = atPath(m_root.get(), it->placed, [&](int placedDir, const std::string& placedName) {
            return atPath(m_staging.get(), it->staged, [&](int stagedDir, const std::string& stagedName) {
                return renameNoReplaceAt(placedDir, placedName.c_str(), stagedDir, stagedName.c_str());
            });
        });
        if (back != 0)
            atPath(m_root.get(), it->placed, [](int dir, const std::string& name) {
                removeTreeAt(dir, name);
                return 0;
            });
    }
    m_moved.clear();
    for (auto it = m_replaced.rbegin(); it != m_replaced.rend(); ++it) {
        // Both names are in one folder: whole if the longer fits, else both as names in it.
        const std::string& longer = it->aside.size() > it->path.size() ? it->aside : it->path;
        atPath(m_root.get(), longer, [&](int dir, const std::string& name) {
            const bool whole = name == longer;
            return ::renameat(dir, (whole ? it->aside : lastComponent(it->aside)).c_str(), dir,
                              (whole ? it->path : lastComponent(it->path)).c_str());
        });
    }
    m_replaced.clear();
}

void ExtractTarget::rollback()
{
    m_smallFiles.reset(); // its threads stop before anything goes
    m_batch.clear();
    m_async.reset();
    m_file.reset();
    if (m_folders)
        m_folders->reset();
    if (m_staging.valid()) {
        unplace();
        removeTreeAt(m_root.get(), m_stagingName);
        m_staging.reset();
    }
    for (const auto& dir : m_createdAncestors)
        ::rmdir(dir.c_str());
    m_placed.clear();
    m_finished = true;
}

} // namespace coffer
