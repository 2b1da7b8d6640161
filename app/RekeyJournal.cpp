#include "RekeyJournal.h"

#include "Header.h"
#include "Primitives.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "coffer-rekey-journal/v1\n";

fs::path folderOf(const fs::path& path)
{
    return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

void syncFolder(const fs::path& path)
{
    UniqueFd dir(::open(folderOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.valid())
        ::fsync(dir.get());
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

} // namespace

Bytes encodeRekeyJournal(ByteView oldHeader, ByteView newHeader)
{
    Bytes out(kMagic.begin(), kMagic.end());
    const std::uint64_t length = oldHeader.size();
    for (int i = 7; i >= 0; --i)
        out.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
    out.insert(out.end(), oldHeader.begin(), oldHeader.end());
    out.insert(out.end(), newHeader.begin(), newHeader.end());
    const auto digest = crypto::sha256(out);
    out.insert(out.end(), digest.begin(), digest.end());
    return out;
}

namespace {

struct Journal {
    ByteView oldHeader;
    ByteView newHeader;
};

/// Nullopt for a journal that is not whole (the crash came while writing it).
std::optional<Journal> decodeJournal(ByteView bytes)
{
    const std::size_t fixed = kMagic.size() + 8;
    if (bytes.size() < fixed + crypto::kSha256Size || std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0)
        return std::nullopt;
    std::uint64_t length = 0;
    for (std::size_t i = 0; i < 8; ++i)
        length = (length << 8) | bytes[kMagic.size() + i];
    if (length == 0 || length > crypto::kMaxHeaderSize || bytes.size() != fixed + 2 * length + crypto::kSha256Size)
        return std::nullopt;
    const ByteView body = bytes.first(bytes.size() - crypto::kSha256Size);
    const auto digest = crypto::sha256(body);
    if (std::memcmp(digest.data(), bytes.data() + body.size(), digest.size()) != 0)
        return std::nullopt;
    const auto n = static_cast<std::size_t>(length);
    return Journal{bytes.subspan(fixed, n), bytes.subspan(fixed + n, n)};
}

Result<Bytes> readWhole(int fd, const fs::path& name)
{
    struct stat st;
    if (::fstat(fd, &st) != 0)
        return ioError(errno, "read", name);
    // A journal holds two headers of at most 256 KiB each.
    const std::size_t cap = 2 * crypto::kMaxHeaderSize + 64 + kMagic.size();
    Bytes bytes(static_cast<std::size_t>(std::min<off_t>(st.st_size, static_cast<off_t>(cap) + 1)));
    auto got = preadFull(fd, bytes, 0, name);
    COFFER_TRY(got);
    bytes.resize(*got);
    return bytes;
}

} // namespace

fs::path rekeyJournalPath(const fs::path& container)
{
    return folderOf(container) / ("." + container.filename().string() + ".rekey-journal");
}

Status rewriteHeaderInPlace(int fd, const fs::path& container, ByteView oldHeader, ByteView newHeader)
{
    if (oldHeader.size() != newHeader.size())
        return makeError(ErrorCode::Internal, "in-place rekey with a header of another length");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
        return makeError(ErrorCode::Io, "\"" + container.string() +
                                            "\" is being changed by another Coffer; try again when it is done");
    // 1. The journal, on disk before the container changes.
    const fs::path journalPath = rekeyJournalPath(container);
    {
        UniqueFd journal(::open(journalPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!journal.valid())
            return ioError(errno, "create", journalPath);
        Status written = pwriteFull(journal.get(), encodeRekeyJournal(oldHeader, newHeader), 0, journalPath);
        if (written.ok() && ::fsync(journal.get()) != 0)
            written = ioError(errno, "write", journalPath);
        if (!written.ok()) {
            ::unlink(journalPath.c_str());
            return written;
        }
    }
    syncFolder(journalPath);
    // 2. The new header over the old one, on disk.
    Status done = pwriteFull(fd, newHeader, 0, container);
    if (done.ok() && ::fdatasync(fd) != 0)
        done = ioError(errno, "write", container);
    if (!done.ok()) {
        // Put the old header back; if even that fails, the journal stays for the next open.
        if (pwriteFull(fd, oldHeader, 0, container).ok() && ::fdatasync(fd) == 0)
            ::unlink(journalPath.c_str());
        return done;
    }
    // 3. The journal goes: the rekey is complete.
    ::unlink(journalPath.c_str());
    syncFolder(journalPath);
    return Status::success();
}

Status recoverInterruptedRekey(const fs::path& container)
{
    const fs::path journalPath = rekeyJournalPath(container);
    UniqueFd journal(::open(journalPath.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!journal.valid())
        return Status::success(); // the usual case: no journal
    UniqueFd fd(::open(container.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid())
        return Status::success(); // read-only, or gone: the reader reports what it finds
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)
        return Status::success(); // a rekey is running right now
    auto bytes = readWhole(journal.get(), journalPath);
    COFFER_TRY(bytes);
    const auto parsed = decodeJournal(*bytes);
    if (!parsed) {
        // Cut short while it was written: the container was not touched yet.
        ::unlink(journalPath.c_str());
        return Status::success();
    }
    Bytes current(parsed->newHeader.size());
    auto got = preadFull(fd.get(), current, 0, container);
    COFFER_TRY(got);
    const ByteView now = ByteView(current).first(*got);
    const auto same = [&](ByteView header) {
        return now.size() == header.size() && std::memcmp(now.data(), header.data(), header.size()) == 0;
    };
    if (!same(parsed->newHeader) && !same(parsed->oldHeader)) {
        // Torn between the two: finish the rekey (both headers hold the same file key).
        COFFER_TRY(pwriteFull(fd.get(), parsed->newHeader, 0, container));
        if (::fdatasync(fd.get()) != 0)
            return ioError(errno, "write", container);
    }
    ::unlink(journalPath.c_str());
    syncFolder(journalPath);
    return Status::success();
}

} // namespace coffer
