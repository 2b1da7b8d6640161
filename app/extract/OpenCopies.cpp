#include "OpenCopies.h"

#include "StagingFolder.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

constexpr int kFolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
constexpr std::string_view kOpenPrefix = "open-";

fs::path envPath(const char* name)
{
    const char* v = std::getenv(name);
    return v && *v ? fs::path(v) : fs::path();
}

/// A folder of this user's, entered without following a link; `tighten`
/// takes group and other access away, else such access makes it unfit.
Result<UniqueFd> openOwnFolder(int at, const fs::path& path, bool tighten)
{
    UniqueFd fd(::openat(at, path.c_str(), kFolderFlags));
    if (!fd.valid())
        return ioError(errno, "open the private folder", path);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || st.st_uid != ::geteuid())
        return makeError(ErrorCode::Io, "the private folder " + path.string() + " belongs to someone else");
    if ((st.st_mode & 077) != 0 && (!tighten || ::fchmod(fd.get(), 0700) != 0))
        return makeError(ErrorCode::Io, "others can enter the private folder " + path.string());
    return fd;
}

/// Makes the missing levels of `base` (0700), checking each one it made,
/// then opens `base` itself, ours and private.
Result<UniqueFd> makePrivateBase(const fs::path& base)
{
    std::vector<fs::path> missing;
    struct stat st;
    for (fs::path p = base; !p.empty() && ::lstat(p.c_str(), &st) != 0 && errno == ENOENT; p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.parent_path())
            break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST)
            return ioError(errno, "create the private folder", *it);
        COFFER_TRY(openOwnFolder(AT_FDCWD, *it, false)); // made by us, or by someone racing us
    }
    return openOwnFolder(AT_FDCWD, base, true);
}

} // namespace

fs::path openCopiesBase(const DataLocations& locations)
{
    if (locations.portable || !envPath("COFFER_HOME").empty())
        return locations.tempDir / "coffer";
    if (const fs::path runtime = envPath("XDG_RUNTIME_DIR"); !runtime.empty())
        return runtime / "coffer";
    fs::path cache = envPath("XDG_CACHE_HOME");
    if (cache.empty())
        cache = envPath("HOME") / ".cache";
    return cache / "coffer";
}

bool isOpenCopiesName(std::string_view name)
{
    if (name.size() != kOpenPrefix.size() + 12 || name.substr(0, kOpenPrefix.size()) != kOpenPrefix)
        return false;
    for (char c : name.substr(kOpenPrefix.size()))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

Result<CopySnapshot> snapshotOf(const fs::path& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
        return ioError(errno, "read", path);
    if (!S_ISREG(st.st_mode))
        return makeError(ErrorCode::Io, path.string() + " is not a file");
    CopySnapshot snapshot{path,
                          static_cast<std::uint64_t>(st.st_size),
                          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                          {}};
    crypto::Sha256 hash;
    Bytes buffer(1 << 20);
    while (true) {
        auto n = readFull(fd.get(), buffer, path);
        COFFER_TRY(n);
        hash.update(ByteView(buffer.data(), *n));
        if (*n < buffer.size())
            break;
    }
    snapshot.sha256 = hash.finish();
    return snapshot;
}

bool differsFrom(const CopySnapshot& snapshot)
{
    // Size and time first: a changed copy usually shows there, without reading it.
    auto now = snapshotOf(snapshot.path);
    return !now.ok() || now->size != snapshot.size || now->mtimeNs != snapshot.mtimeNs ||
           now->sha256 != snapshot.sha256;
}

Result<ExtractSummary> extractCopy(const fs::path& container, const crypto::IdentityList& identities,
                                   std::vector<std::string> only, const fs::path& slot, JobControl& job)
{
    // A fresh slot: extraction never has to avoid or merge with an older copy.
    if (::mkdir(slot.c_str(), 0700) != 0)
        return ioError(errno, "create the private folder", slot);
    ExtractRequest request;
    request.container = container;
    request.destination = slot;
    request.only = std::move(only);
    return extractContainer(request, identities, job);
}

Result<OpenCopies> OpenCopies::create(const fs::path& base)
{
    auto baseFd = makePrivateBase(base);
    COFFER_TRY(baseFd);
    OpenCopies copies;
    copies.m_name = std::string(kOpenPrefix) + randomSuffix();
    if (::mkdirat(baseFd->get(), copies.m_name.c_str(), 0700) != 0)
        return ioError(errno, "create the private folder", base / copies.m_name);
    copies.m_base = std::move(*baseFd);
    copies.m_folder = base / copies.m_name;
    auto lock = openOwnFolder(copies.m_base.get(), copies.m_name, true);
    COFFER_TRY(lock);
    if (::flock(lock->get(), LOCK_EX | LOCK_NB) != 0)
        return ioError(errno, "lock the private folder", copies.m_folder);
    copies.m_lock = std::move(*lock);
    return copies;
}

OpenCopies& OpenCopies::operator=(OpenCopies&& other) noexcept
{
    if (this != &other) {
        removeAll();
        m_folder = std::move(other.m_folder);
        m_base = std::move(other.m_base);
        m_lock = std::move(other.m_lock);
        m_name = std::move(other.m_name);
        m_slots = other.m_slots;
        m_handedOut = std::move(other.m_handedOut);
    }
    return *this;
}

OpenCopies::~OpenCopies()
{
    removeAll();
}

fs::path OpenCopies::nextSlot()
{
    return m_folder / std::to_string(++m_slots);
}

std::vector<fs::path> OpenCopies::changedCopies() const
{
    std::vector<fs::path> changed;
    for (const CopySnapshot& s : m_handedOut)
        if (differsFrom(s))
            changed.push_back(s.path);
    return changed;
}

void OpenCopies::removeAll()
{
    if (!m_base.valid() || m_name.empty())
        return;
    // Whatever the other program left in our private folder goes too; links
    // are removed, never followed.
    removeTreeAt(m_base.get(), m_name, false);
    m_lock.reset();
    m_name.clear();
    m_handedOut.clear();
}

int sweepStaleOpenCopies(const fs::path& base)
{
    auto baseFd = openOwnFolder(AT_FDCWD, base, false);
    if (!baseFd.ok())
        return 0; // missing, or not ours: nothing there is ours to remove
    std::vector<std::string> found;
    if (DIR* d = openDirAt(baseFd->get())) {
        while (const dirent* e = ::readdir(d))
            if (isOpenCopiesName(e->d_name))
                found.emplace_back(e->d_name);
        ::closedir(d);
    }
    int removed = 0;
    for (const std::string& name : found) {
        UniqueFd folder(::openat(baseFd->get(), name.c_str(), kFolderFlags));
        struct stat st;
        // A link fails to open; a live window holds its folder's flock.
        if (!folder.valid() || ::fstat(folder.get(), &st) != 0 || st.st_uid != ::geteuid() ||
            ::flock(folder.get(), LOCK_EX | LOCK_NB) != 0)
            continue;
        removed += removeTreeAt(baseFd->get(), name, false) ? 1 : 0;
    }
    return removed;
}

} // namespace coffer
