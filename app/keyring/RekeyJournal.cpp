#include "RekeyJournal.h"

#include "Header.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "coffer-rekey-journal/v2\n";

fs::path folderOf(const fs::path& path)
{
    return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

Status pwriteFull(int fd, ByteView data, std::uint64_t offset, const fs::path& name)
{
    while (!data.empty()) {
        const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(errno, "write", name);
        }
        data = data.subspan(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return Status::success();
}

/// Writes the journal as an unnamed file and names it only once it is whole
/// and on disk, so a journal under its name is never cut short (FORMAT.md
/// §12.1 step 2). False when this file system has no unnamed files, or the
/// name is taken (by a journal that did not verify: §12.2 leaves those alone).
Result<bool> placeJournal(int dir, const fs::path& journalPath, ByteView bytes)
{
    UniqueFd file(::openat(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
    if (!file.valid())
        return false;
    Status written = pwriteFull(file.get(), bytes, 0, journalPath);
    if (written.ok() && ::fsync(file.get()) != 0)
        written = ioError(errno, "write", journalPath);
    COFFER_TRY(written);
    // linkat through /proc needs no privilege (AT_EMPTY_PATH would).
    const std::string self = "/proc/self/fd/" + std::to_string(file.get());
    if (::linkat(AT_FDCWD, self.c_str(), dir, journalPath.filename().c_str(), AT_SYMLINK_FOLLOW) != 0)
        return errno == EEXIST || errno == ENOENT ? Result<bool>(false)
                                                  : Result<bool>(ioError(errno, "create", journalPath));
    if (::fsync(dir) != 0)
        return ioError(errno, "write", folderOf(journalPath));
    return true;
}

} // namespace

Bytes encodeRekeyJournal(ByteView oldHeader, ByteView newHeader, ByteView payloadPrefix)
{
    Bytes out(kMagic.begin(), kMagic.end());
    const std::uint64_t length = oldHeader.size();
    for (int i = 7; i >= 0; --i)
        out.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
    out.insert(out.end(), oldHeader.begin(), oldHeader.end());
    out.insert(out.end(), newHeader.begin(), newHeader.end());
    out.insert(out.end(), payloadPrefix.begin(), payloadPrefix.end());
    return out;
}

std::size_t maxRekeyJournalSize()
{
    return kMagic.size() + 8 + 2 * crypto::kMaxHeaderSize + kJournalPrefixSize;
}

std::optional<RekeyJournal> decodeRekeyJournal(ByteView bytes)
{
    const std::size_t fixed = kMagic.size() + 8;
    if (bytes.size() < fixed || std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0)
        return std::nullopt;
    std::uint64_t length = 0;
    for (std::size_t i = 0; i < 8; ++i)
        length = (length << 8) | bytes[kMagic.size() + i];
    if (length == 0 || length > crypto::kMaxHeaderSize || bytes.size() != fixed + 2 * length + kJournalPrefixSize)
        return std::nullopt;
    const auto n = static_cast<std::size_t>(length);
    return RekeyJournal{bytes.subspan(fixed, n), bytes.subspan(fixed + n, n), bytes.subspan(fixed + 2 * n)};
}

fs::path rekeyJournalPath(const fs::path& container)
{
    return folderOf(container) / ("." + container.filename().string() + ".rekey-journal");
}

Result<bool> rewriteHeaderInPlace(int fd, const fs::path& container, ByteView oldHeader, ByteView newHeader,
                                  ByteView payloadPrefix)
{
    if (oldHeader.size() != newHeader.size() || payloadPrefix.size() != kJournalPrefixSize)
        return makeError(ErrorCode::Internal, "in-place rekey with a header of another length");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
        return makeError(ErrorCode::Io, "\"" + container.string() +
                                            "\" is being changed by another Coffer; try again when it is done");
    const fs::path journalPath = rekeyJournalPath(container);
    UniqueFd dir(::open(folderOf(container).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid())
        return ioError(errno, "open", folderOf(container));
    // 1. The journal, on disk before the container changes.
    auto placed = placeJournal(dir.get(), journalPath, encodeRekeyJournal(oldHeader, newHeader, payloadPrefix));
    if (!placed.ok() || !*placed)
        return placed;
    const auto removeJournal = [&] {
        ::unlinkat(dir.get(), journalPath.filename().c_str(), 0);
        ::fsync(dir.get());
    };
    // 2. The new header over the old one, on disk.
    Status done = pwriteFull(fd, newHeader, 0, container);
    if (done.ok() && ::fdatasync(fd) != 0)
        done = ioError(errno, "write", container);
    if (!done.ok()) {
        // Put the old header back; if even that fails, the journal stays for the next open.
        if (pwriteFull(fd, oldHeader, 0, container).ok() && ::fdatasync(fd) == 0)
            removeJournal();
        return done.error();
    }
    // 3. The journal goes: the rekey is complete.
    removeJournal();
    return true;
}

} // namespace coffer
