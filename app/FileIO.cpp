#include "FileIO.h"

#include "Job.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

Error ioError(int err, const std::string& what, const fs::path& path)
{
    std::string cause;
    switch (err) {
    case ENOSPC:
    case EDQUOT:
        cause = "the disk is full";
        break;
    case EFBIG:
        cause = "the file is too large for this disk or limit";
        break;
    case EACCES:
    case EPERM:
        cause = "permission denied";
        break;
    case EROFS:
        cause = "the disk is read-only";
        break;
    case ENOENT:
        cause = "it does not exist";
        break;
    case ENAMETOOLONG:
        cause = "the name is too long for this file system";
        break;
    case EEXIST:
        cause = "it already exists";
        break;
    case ELOOP:
        cause = "it is a symbolic link, which Coffer does not follow";
        break;
    default:
        cause = std::strerror(err);
    }
    return makeError(ErrorCode::Io, "cannot " + what + " \"" + path.string() + "\": " + cause);
}

void UniqueFd::reset(int fd)
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
}

Status FdSink::write(ByteView data)
{
    while (!data.empty()) {
        const ssize_t n = ::write(m_fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(errno, "write", m_name);
        }
        data = data.subspan(static_cast<std::size_t>(n));
        m_written += static_cast<std::uint64_t>(n);
    }
    return Status::success();
}

Result<std::size_t> FdSource::read(MutableByteView buffer)
{
    while (true) {
        const ssize_t n = ::read(m_fd, buffer.data(), buffer.size());
        if (n >= 0)
            return static_cast<std::size_t>(n);
        if (errno != EINTR)
            return ioError(errno, "read", m_name);
        if (m_job && m_job->isCancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
}

Result<std::size_t> StartedSource::read(MutableByteView buffer)
{
    if (m_given == m_start.size())
        return m_rest.read(buffer);
    const std::size_t n = std::min(buffer.size(), m_start.size() - m_given);
    std::copy_n(m_start.begin() + static_cast<std::ptrdiff_t>(m_given), n, buffer.begin());
    m_given += n;
    return n;
}

namespace {

/// Calls `io(done)` (a read of what is still missing) until `out` is full or it returns 0.
template <typename Io> Result<std::size_t> fill(MutableByteView out, const fs::path& name, Io io)
{
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = io(done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(errno, "read", name);
        }
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

} // namespace

Result<std::size_t> preadFull(int fd, MutableByteView out, std::uint64_t offset, const fs::path& name)
{
    return fill(out, name, [&](std::size_t done) {
        return ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    });
}

Result<std::size_t> readFull(int fd, MutableByteView out, const fs::path& name)
{
    return fill(out, name, [&](std::size_t done) { return ::read(fd, out.data() + done, out.size() - done); });
}

namespace {

std::string numberedName(const std::string& name, int n)
{
    // Keep the extension: "report.pdf" -> "report (2).pdf"; "archive.tar.gz" -> "archive (2).tar.gz";
    // a leading dot is part of the stem (".bashrc" -> ".bashrc (2)").
    std::size_t dot = name.find('.', name.empty() ? 0 : 1);
    if (dot == std::string::npos)
        dot = name.size();
    return name.substr(0, dot) + " (" + std::to_string(n) + ")" + name.substr(dot);
}

bool existsAt(int dirFd, const std::string& name)
{
    struct stat st;
    return ::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

} // namespace

std::string freeName(int dirFd, const std::string& name)
{
    if (!existsAt(dirFd, name))
        return name;
    for (int n = 2;; ++n) {
        const std::string candidate = numberedName(name, n);
        if (!existsAt(dirFd, candidate))
            return candidate;
    }
}

fs::path freePath(const fs::path& path)
{
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    UniqueFd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirFd.valid())
        return path;
    const std::string name = path.filename().string();
    const std::string free = freeName(dirFd.get(), name);
    return free == name ? path : path.parent_path() / free;
}

namespace {

// Coffer marks its partial outputs with this extended attribute and holds an
// flock on them while it writes, so a NAME.part left by a Coffer that was
// killed can be told from a live one and from anybody else's NAME.part (a
// browser's download, say), which are never touched.
constexpr const char* kPartAttribute = "user.coffer.partial";

bool isStaleCofferPart(const fs::path& part)
{
    UniqueFd fd(::open(part.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    struct stat st;
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    char value[8];
    if (::fgetxattr(fd.get(), kPartAttribute, value, sizeof value) < 0)
        return false;
    return ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0; // released when fd closes
}

} // namespace

namespace {

/// The partial file, marked and locked before it gets its name: made nameless
/// (O_TMPFILE), marked, then linked in, so a kill at any moment leaves either
/// nothing or a marked NAME.part. -1 where the file system cannot (FAT).
int createMarkedPart(const fs::path& wanted, fs::path& named, int mode)
{
    const fs::path dir = wanted.has_parent_path() ? wanted.parent_path() : fs::path(".");
    UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode));
    if (!fd.valid() || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0 ||
        ::fsetxattr(fd.get(), kPartAttribute, "1", 1, 0) != 0)
        return -1;
    const std::string self = "/proc/self/fd/" + std::to_string(fd.get());
    for (int attempt = 0; attempt < 100; ++attempt) {
        named = freePath(wanted); // someone else's NAME.part is never touched
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, named.c_str(), AT_SYMLINK_FOLLOW) == 0)
            return fd.release();
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

} // namespace

Result<AtomicOutput> AtomicOutput::create(const fs::path& target, bool overwrite, int mode)
{
    AtomicOutput out;
    out.m_target = target;
    out.m_overwrite = overwrite;
    fs::path part = target;
    part += ".part";
    // What a killed run of ours left goes; someone else's NAME.part is never touched.
    if (isStaleCofferPart(part))
        ::unlink(part.c_str());
    out.m_done = true; // nothing of ours to remove until the file exists
    int fd = createMarkedPart(part, out.m_part, mode);
    if (fd < 0) {
        // No O_TMPFILE or no extended attributes here: an unmarked part, which a
        // later run will not recognise as stale.
        out.m_part = freePath(part);
        fd = ::open(out.m_part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
            return ioError(errno, "create", out.m_part);
    }
    out.m_fd.reset(fd);
    out.m_done = false;
    return out;
}

AtomicOutput::AtomicOutput(AtomicOutput&& o) noexcept
    : m_fd(std::move(o.m_fd)), m_target(std::move(o.m_target)), m_part(std::move(o.m_part)), m_overwrite(o.m_overwrite),
      m_done(o.m_done)
{
    o.m_done = true;
}

AtomicOutput::~AtomicOutput()
{
    if (!m_done) {
        m_fd.reset();
        ::unlink(m_part.c_str());
    }
}

int renameNoReplaceAt(int fromDir, const char* from, int toDir, const char* to)
{
    if (::renameat2(fromDir, from, toDir, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return -1;
    // File systems without RENAME_NOREPLACE (FAT on some kernels): check, then rename.
    struct stat st;
    if (::fstatat(toDir, to, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        errno = EEXIST;
        return -1;
    }
    return ::renameat(fromDir, from, toDir, to);
}

Result<fs::path> AtomicOutput::commit()
{
    if (::fsync(m_fd.get()) != 0)
        return ioError(errno, "write", m_part);
    fs::path final = m_overwrite ? m_target : freePath(m_target);
    if (m_overwrite) {
        if (::rename(m_part.c_str(), final.c_str()) != 0)
            return ioError(errno, "rename to", final);
    } else {
        // A file that appeared since freePath() is never replaced: try the next free name.
        while (renameNoReplaceAt(AT_FDCWD, m_part.c_str(), AT_FDCWD, final.c_str()) != 0) {
            if (errno != EEXIST)
                return ioError(errno, "create", final);
            final = freePath(m_target);
        }
    }
    m_done = true;
    // Only now, under its final name: a part that lost its mark before the
    // rename would never be recognised as stale.
    ::fremovexattr(m_fd.get(), kPartAttribute);
    m_fd.reset();
    const fs::path dir = final.has_parent_path() ? final.parent_path() : fs::path(".");
    UniqueFd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dirFd.valid())
        ::fsync(dirFd.get());
    return final;
}

} // namespace coffer
