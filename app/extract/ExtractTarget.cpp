#include "ExtractTarget.h"

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

std::string joinPath(const std::string& dir, const std::string& name)
{
    return dir.empty() ? name : dir + "/" + name;
}

// Runs op(dir, name) on `path`, relative to the folder `root`, through its
// parent folder opened without following a link in any component (a folder
// swapped for a link meanwhile is refused, not followed), whatever its length.
// Returns what op returns, or -1 (errno set) if the parent cannot be opened.
template <typename Op> int atPath(int root, const std::string& path, Op op)
{
    const UniqueFd dir = openExistingFolder(root, parentPath(path));
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
    DIR* d = openDirAt(dirFd);
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
    t.m_records = StagingRecords::open();
    for (const auto& name : removeStaleStagingFolders(t.m_root.get(), t.m_records))
        t.m_notices.push_back("\"" + (destination / name).string() +
                              "\", left by an extraction that was stopped, holds something Coffer did not put "
                              "there; Coffer removed the rest. Look inside, then remove it yourself");
    COFFER_TRY(t.makeStagingFolder());
    t.m_folders = std::make_unique<FolderCursor>(t.m_staging.get(), destination);
    return t;
}

// A fresh staging folder, recorded before it exists (StagingRecord.h) and
// locked at once. A cleaner (another Coffer's removeStaleStagingFolders) that
// took it between mkdir and flock has removed it: then it is no longer the
// folder of that name, and we retry.
Status ExtractTarget::makeStagingFolder()
{
    for (int attempt = 0;; ++attempt) {
        const std::string name = std::string(kStagingPrefix) + randomSuffix();
        const bool recorded = m_records.add(name, m_root.get());
        if (::mkdirat(m_root.get(), name.c_str(), 0700) != 0) {
            const int err = errno;
            if (recorded)
                m_records.remove(name);
            if (err == EEXIST && attempt < 3)
                continue;
            return ioError(err, "create a folder in", m_destination);
        }
        UniqueFd fd(::openat(m_root.get(), name.c_str(), kFolderFlags));
        if (!fd.valid()) {
            const int err = errno;
            ::unlinkat(m_root.get(), name.c_str(), AT_REMOVEDIR);
            m_records.remove(name);
            return ioError(err, "open a folder in", m_destination);
        }
        const bool locked = ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK; // no flock: no lock
        struct stat mine, there;
        const bool ours = locked && ::fstat(fd.get(), &mine) == 0 &&
                          ::fstatat(m_root.get(), name.c_str(), &there, AT_SYMLINK_NOFOLLOW) == 0 &&
                          mine.st_ino == there.st_ino && mine.st_dev == there.st_dev;
        if (ours) {
            m_stagingName = name;
            m_staging = std::move(fd);
            return Status::success();
        }
        if (attempt == 3)
            return ioError(EBUSY, "create a folder in", m_destination);
    }
}

void ExtractTarget::removeStagingFolder()
{
    removeTreeAt(m_root.get(), m_stagingName); // still locked: no cleaner takes it meanwhile
    m_staging.reset();
    m_records.remove(m_stagingName); // after the folder: a kill in between leaves only a record
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

Status ExtractTarget::commitFileAsWritten()
{
    if (m_async) {
        COFFER_TRY(m_async->finish());
        m_async.reset();
    }
    m_fileInfo.size = m_fileWritten;
    return commitFile();
}

Status ExtractTarget::writeWholeFile(const EntryInfo& info, ByteView bytes)
{
    m_batch.files.push_back(info);
    m_batch.bytes.insert(m_batch.bytes.end(), bytes.begin(), bytes.end());
    if (m_batch.files.size() < kBatchFiles && m_batch.bytes.size() < kBatchBytes)
        return Status::success();
    return handOverBatch();
}

Status ExtractTarget::handOverBatch()
{
    if (m_batch.files.empty())
        return Status::success();
    auto batch = std::make_shared<Batch>(std::exchange(m_batch, {}));
    const std::size_t weight = batch->bytes.size();
    return runOnWriters(
        [batch](SmallFileWriter::Context& context) -> Status {
            ByteView rest(batch->bytes);
            for (const auto& f : batch->files) {
                const auto size = static_cast<std::size_t>(f.size);
                COFFER_TRY(context.writeFile(f.path, f.mode, f.mtimeSeconds, f.mtimeNanoseconds, rest.first(size)));
                rest = rest.subspan(size);
            }
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
    COFFER_TRY(m_folders->makeFolder(info.path));
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
        struct stat fromId, toId; // checked when coming back up through ".."
    };
    UniqueFd from(::dup(m_staging.get()));
    UniqueFd to(::dup(m_root.get()));
    std::vector<Level> levels;
    const auto enter = [&](std::string path) -> Status {
        Level level{std::move(path), namesIn(from.get()), 0, {}, {}};
        if (::fstat(from.get(), &level.fromId) != 0 || ::fstat(to.get(), &level.toId) != 0)
            return ioError(errno, "open the folder", m_destination / level.path);
        levels.push_back(std::move(level));
        return Status::success();
    };
    COFFER_TRY(enter(""));
    while (true) {
        Level& level = levels.back();
        if (level.next == level.names.size()) {
            levels.pop_back();
            if (levels.empty())
                return Status::success(); // finish() syncs the destination itself
            ::fsync(to.get());            // a merged folder: the names moved into it, on disk
            from.reset(::openat(from.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            to.reset(::openat(to.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            const Level& up = levels.back();
            if (!sameFolder(from.get(), up.fromId) || !sameFolder(to.get(), up.toId))
                return makeError(ErrorCode::Io, "the folder \"" + (m_destination / up.path).string() +
                                                    "\" was moved while Coffer was filling it; extract again");
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
        // A folder on another file system (a mount point) cannot take renames from the staging folder.
        struct stat a, b;
        if (::fstat(staged.get(), &a) != 0 || ::fstat(existing.get(), &b) != 0)
            return ioError(errno, "open the folder", m_destination / path);
        if (a.st_dev != b.st_dev)
            return makeError(ErrorCode::Io, "\"" + (m_destination / path).string() +
                                                "\" is on another drive (a mount point); extract into it directly");
        from = std::move(staged);
        to = std::move(existing);
        COFFER_TRY(enter(path));
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

Status ExtractTarget::drain(const JobControl* job)
{
    COFFER_TRY(handOverBatch());
    if (m_smallFiles) {
        COFFER_TRY(m_smallFiles->finish(job));
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
    struct Hash { // looks up string_views without building a string
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> placedAs;
    for (const auto& m : m_moved)
        placedAs.emplace(m.staged, m.placed);
    std::vector<DirAttributes> dirs;
    for (const auto& d : m_dirs) {
        // What was moved is disjoint subtrees: the first prefix found from the top is the one.
        const std::string_view path(d.path);
        for (std::size_t end = path.find('/');; end = path.find('/', end + 1)) {
            const std::string_view prefix = path.substr(0, end);
            if (const auto it = placedAs.find(prefix); it != placedAs.end()) {
                dirs.push_back(d);
                dirs.back().path = it->second + std::string(path.substr(prefix.size()));
                break;
            }
            if (end == std::string_view::npos)
                break;
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
    removeStagingFolder(); // what is left: the shells of merged folders
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
    m_batch = {};
    m_async.reset();
    m_file.reset();
    if (m_folders)
        m_folders->reset();
    if (m_staging.valid()) {
        unplace();
        removeStagingFolder();
    }
    for (const auto& dir : m_createdAncestors)
        ::rmdir(dir.c_str());
    m_placed.clear();
    m_finished = true;
}

} // namespace coffer
