#include "SourceFile.h"

#include "StagingFolder.h"
#include "Zstd.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace coffer {

Error changedWhileReading(const std::filesystem::path& path)
{
    return makeError(ErrorCode::Io,
                     "\"" + path.string() +
                         "\" changed while it was being read; close the program that writes it and try again");
}

Error notWhatTheScanSaw(const std::filesystem::path& path)
{
    return makeError(ErrorCode::Io, "\"" + path.string() +
                                        "\" is not what Coffer found there a moment ago: it, or a folder on its way, "
                                        "was replaced (perhaps by a link). Coffer will not read it; make sure "
                                        "nobody else changes the folder, then try again");
}

bool isWhatTheScanSaw(int fd, dev_t device, ino_t inode)
{
    struct stat st;
    return ::fstat(fd, &st) == 0 && st.st_dev == device && st.st_ino == inode;
}

namespace {

// O_NONBLOCK: a file replaced by a FIFO since the scan must not block the open
// (it is then refused); it changes nothing for regular files.
constexpr int kSourceFlags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;

// One openat2 call per file from the chosen folder's descriptor: no more
// system calls than an open() by full path, and no link followed at any level.
int openBelowRoot(const ScanRoot& root, const char* relative)
{
    struct open_how how {};
    how.flags = kSourceFlags;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const int fd = static_cast<int>(::syscall(SYS_openat2, root.fd.get(), relative, &how, sizeof how));
    if (fd >= 0 || (errno != ENOSYS && errno != ENAMETOOLONG && errno != E2BIG))
        return fd;
    // An older kernel, or a path longer than PATH_MAX: one component at a time.
    const std::string path(relative);
    const UniqueFd dir = openExistingFolder(root.fd.get(), parentPath(path));
    return dir.valid() ? ::openat(dir.get(), lastComponent(path).c_str(), kSourceFlags) : -1;
}

} // namespace

Status openSource(const SourceEntry& entry, UniqueFd& fd, EntryInfo& info)
{
    fd.reset(entry.root ? openBelowRoot(*entry.root, entry.source.c_str() + entry.root->prefix)
                        : ::open(entry.source.c_str(), kSourceFlags));
    if (!fd.valid()) {
        if (errno == ELOOP || errno == EXDEV || errno == ENOTDIR)
            return notWhatTheScanSaw(entry.source);
        return ioError(errno, "read", entry.source);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0)
        return ioError(errno, "read", entry.source);
    if (st.st_dev != entry.device || st.st_ino != entry.inode)
        return notWhatTheScanSaw(entry.source);
    if (!S_ISREG(st.st_mode))
        return changedWhileReading(entry.source);
    if (st.st_size > static_cast<off_t>(kSmallFileMax)) // read-ahead pays for big files only (one call per file)
        ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    info = entry.info;
    fillInfoFromStat(info, st);
    info.size = static_cast<std::uint64_t>(st.st_size);
    return Status::success();
}

Status checkEndOfFile(int fd, std::uint64_t size, const std::filesystem::path& path)
{
    // A file that grew while we read it is a different file than the one we stored.
    std::uint8_t extra;
    auto more = preadFull(fd, MutableByteView(&extra, 1), size, path);
    COFFER_TRY(more);
    if (*more != 0)
        return changedWhileReading(path);
    return Status::success();
}

Status readSmallFile(const SourceEntry& entry, EntryInfo& info, Bytes& piece, const SourceCheck& check,
                     const SourceSink& consume)
{
    UniqueFd fd;
    COFFER_TRY(openSource(entry, fd, info));
    // Planned as a small file from the scan: one that grew past 4 MiB since
    // is not one any more (a zstd frame holds at most 16 MiB).
    if (info.size > kSmallFileMax)
        return changedWhileReading(entry.source);
    COFFER_TRY(check(info));
    COFFER_TRY(readRange(fd.get(), entry.source, 0, info.size, piece, consume));
    return checkEndOfFile(fd.get(), info.size, entry.source);
}

Status readRange(int fd, const std::filesystem::path& name, std::uint64_t start, std::uint64_t size, Bytes& piece,
                 const SourceSink& consume)
{
    for (std::uint64_t done = 0; done < size;) {
        const MutableByteView view = pieceOf(piece, size - done);
        auto got = preadFull(fd, view, start + done, name);
        COFFER_TRY(got);
        if (*got != view.size())
            return changedWhileReading(name);
        COFFER_TRY(consume(view));
        done += view.size();
    }
    return Status::success();
}

Result<bool> compressionPays(int fd, const std::filesystem::path& name, Bytes& piece, ZstdFrameStream& probe)
{
    // A few milliseconds per file, in 1 MiB pieces: nothing of 4 MiB is held.
    std::size_t compressed = 0;
    const auto count = [&compressed](ByteView out) {
        compressed += out.size();
        return Status::success();
    };
    COFFER_TRY(probe.beginFrame(kSmallFileMax));
    for (std::size_t done = 0; done < kSmallFileMax; done += kReadPiece) {
        const MutableByteView view = pieceOf(piece, kReadPiece);
        auto got = readFull(fd, view, name);
        COFFER_TRY(got);
        if (*got != view.size())
            return changedWhileReading(name);
        COFFER_TRY(probe.feed(view, count));
    }
    COFFER_TRY(probe.endFrame(count));
    if (::lseek(fd, 0, SEEK_SET) != 0)
        return ioError(errno, "read", name);
    return compressed < kSmallFileMax - kSmallFileMax / 33;
}

namespace {

constexpr std::uint64_t kPrime1 = 0x9E3779B185EBCA87u;
constexpr std::uint64_t kPrime2 = 0xC2B2AE3D27D4EB4Fu;

std::uint64_t load64(const std::uint8_t* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v); // both readings run on this machine: its byte order is fine
    return v;
}

std::uint64_t round(std::uint64_t lane, std::uint64_t word)
{
    return std::rotl(lane + word * kPrime2, 31) * kPrime1;
}

} // namespace

void ContentCheck::stripe(const std::uint8_t* p)
{
    // Four independent lanes: the multiplications overlap (several GB/s).
    for (std::size_t i = 0; i < m_lanes.size(); ++i)
        m_lanes[i] = round(m_lanes[i], load64(p + 8 * i));
}

void ContentCheck::update(ByteView data)
{
    m_length += data.size();
    const std::uint8_t* p = data.data();
    std::size_t left = data.size();
    if (m_tailSize > 0) {
        const std::size_t take = std::min(left, m_tail.size() - m_tailSize);
        std::memcpy(m_tail.data() + m_tailSize, p, take);
        m_tailSize += take;
        p += take;
        left -= take;
        if (m_tailSize < m_tail.size())
            return;
        stripe(m_tail.data());
        m_tailSize = 0;
    }
    for (; left >= m_tail.size(); p += m_tail.size(), left -= m_tail.size())
        stripe(p);
    if (left > 0)
        std::memcpy(m_tail.data(), p, left);
    m_tailSize = left;
}

std::uint64_t ContentCheck::value() const
{
    std::uint64_t h = std::rotl(m_lanes[0], 1) + std::rotl(m_lanes[1], 7) + std::rotl(m_lanes[2], 12) +
                      std::rotl(m_lanes[3], 18) + m_length;
    for (std::size_t i = 0; i < m_tailSize; ++i)
        h = std::rotl(h ^ (m_tail[i] * kPrime1), 11) * kPrime2;
    h ^= h >> 33; // every input bit reaches every output bit
    h *= kPrime2;
    h ^= h >> 29;
    return h;
}

} // namespace coffer
