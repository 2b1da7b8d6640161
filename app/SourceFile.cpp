#include "SourceFile.h"

#include "Zstd.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer {

Error changedWhileReading(const std::filesystem::path& path)
{
    return makeError(ErrorCode::Io,
                     "\"" + path.string() +
                         "\" changed while it was being read; close the program that writes it and try again");
}

Status openSource(const SourceEntry& entry, UniqueFd& fd, EntryInfo& info)
{
    // O_NONBLOCK: a file replaced by a FIFO since the scan must not block the open
    // (it is then refused below); it changes nothing for regular files.
    fd.reset(::open(entry.source.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid())
        return ioError(errno, "read", entry.source);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0)
        return ioError(errno, "read", entry.source);
    if (!S_ISREG(st.st_mode))
        return changedWhileReading(entry.source);
    if (st.st_size > static_cast<off_t>(kSmallFileMax)) // read-ahead pays for big files only (one call per file)
        ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    info = entry.info;
    fillInfoFromStat(info, st);
    info.size = static_cast<std::uint64_t>(st.st_size);
    return Status::success();
}

Status checkEndOfFile(int fd, const std::filesystem::path& path)
{
    // A file that grew while we read it is a different file than the one we stored.
    std::uint8_t extra;
    auto more = readFull(fd, MutableByteView(&extra, 1), path);
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
    std::uint64_t remaining = info.size;
    while (remaining > 0) {
        const MutableByteView view = pieceOf(piece, remaining);
        auto got = readFull(fd.get(), view, entry.source);
        COFFER_TRY(got);
        if (*got != view.size())
            return changedWhileReading(entry.source);
        COFFER_TRY(consume(view));
        remaining -= view.size();
    }
    return checkEndOfFile(fd.get(), entry.source);
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

} // namespace coffer
