// Reading the files being encrypted: opened without following a link or
// blocking on a FIFO, checked against what the scan saw, read to their end.
// Used by the archive writer and, for packs, by its compressing threads.
#pragma once

#include "FileIO.h"
#include "InputScan.h"

#include <array>
#include <functional>

namespace coffer {

/// Files up to this size are read whole into packs or stored; larger ones get
/// frames of their own (FORMAT.md §5.1, §5.8).
inline constexpr std::size_t kSmallFileMax = 4 * 1024 * 1024;
/// Files are read 1 MiB at a time.
inline constexpr std::size_t kReadPiece = 1024 * 1024;

/// Where the next piece of `left` bytes is read: the start of `buffer`, made
/// 1 MiB once (resizing it to each piece would zero the bytes it gains, every
/// time: about as much work as the reading, over many small files).
inline MutableByteView pieceOf(Bytes& buffer, std::uint64_t left)
{
    if (buffer.size() < kReadPiece)
        buffer.resize(kReadPiece);
    return MutableByteView(buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, kReadPiece)));
}

/// "PATH changed while it was being read; ...": the file is not what the scan saw.
Error changedWhileReading(const std::filesystem::path& path);

/// "PATH is not what Coffer found there...": a file or a folder on its way was
/// replaced (by a link, say) between the scan and the reading.
Error notWhatTheScanSaw(const std::filesystem::path& path);
/// True if `fd` is open on the file or folder the scan saw (device and inode).
bool isWhatTheScanSaw(int fd, dev_t device, ino_t inode);

/// Opens the file of a scanned entry, relative to its root folder and never
/// through a link in any component (openat2, else one component at a time),
/// and refuses it unless it is the very file the scan saw. `info` gets the
/// entry with what fstat says.
Status openSource(const SourceEntry& entry, UniqueFd& fd, EntryInfo& info);

/// Fails if the file has bytes past `size` (it grew since it was measured).
Status checkEndOfFile(int fd, std::uint64_t size, const std::filesystem::path& path);

/// A 64-bit checksum of bytes fed in pieces of any sizes, to tell whether two
/// readings of the same part of a file saw the same bytes (the file changed in
/// between). It guards against accidents, not against someone choosing bytes
/// to collide: such a person could as well change the file before it is read.
class ContentCheck {
public:
    void update(ByteView data);
    std::uint64_t value() const;

private:
    void stripe(const std::uint8_t* p);

    std::array<std::uint64_t, 4> m_lanes{0x9E3779B185EBCA87u, 0xC2B2AE3D27D4EB4Fu, 0x165667B19E3779F9u,
                                         0x85EBCA77C2B2AE63u};
    std::array<std::uint8_t, 32> m_tail{}; // bytes short of a whole stripe
    std::size_t m_tailSize = 0;
    std::uint64_t m_length = 0;
};

using SourceCheck = std::function<Status(EntryInfo&)>;
using SourceSink = std::function<Status(ByteView)>;

/// Hands the `size` bytes at `start` of `fd` to `consume`, in pieces read
/// (pread) into `piece`; a file that ends before them changed while it was read.
Status readRange(int fd, const std::filesystem::path& name, std::uint64_t start, std::uint64_t size, Bytes& piece,
                 const SourceSink& consume);

/// Opens a small file, calls `check` with what fstat says, then hands all its
/// bytes to `consume` in pieces read into `piece`, and checks it ended there.
Status readSmallFile(const SourceEntry& entry, EntryInfo& info, Bytes& piece, const SourceCheck& check,
                     const SourceSink& consume);

/// Whether a file over 4 MiB is worth compressing: its first 4 MiB, compressed
/// at zstd's fastest level by `probe` (a ZstdFrameStream at level 1), must
/// shrink by at least 3 %. Reads them through `piece` and puts the file back at
/// its start.
Result<bool> compressionPays(int fd, const std::filesystem::path& name, Bytes& piece, class ZstdFrameStream& probe);

} // namespace coffer
