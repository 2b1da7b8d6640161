// Rekey in place (FORMAT.md §12.1): when the new header has exactly the old
// one's length (headers are padded for that, §3.4), it is written over the
// old one and the payload is not touched, so a rekey takes milliseconds
// whatever the container's size. A crash must still leave the old or the new
// container, never a mix: before the overwrite, a journal beside the
// container (".NAME.rekey-journal") holds both headers and the payload's
// first bytes, on disk. The journal is only a hint that anyone could plant:
// the next opener replays it only once its own keys have proved that it
// belongs to this very container (RekeyRecovery.h, §12.2).
#pragma once

#include "FileIO.h"

#include <filesystem>
#include <optional>

namespace coffer {

/// ".NAME.rekey-journal" in the container's folder.
std::filesystem::path rekeyJournalPath(const std::filesystem::path& container);

/// The 56 bytes that start every payload (salt || commitment, FORMAT.md §4).
inline constexpr std::size_t kJournalPrefixSize = 56;

/// The journal's bytes (FORMAT.md §12.1): a line "coffer-rekey-journal/v2",
/// the header length (8 bytes, big-endian), the old header, the new header,
/// and the payload's first 56 bytes. Public for tests that stage interrupted
/// rekeys.
Bytes encodeRekeyJournal(ByteView oldHeader, ByteView newHeader, ByteView payloadPrefix);

/// A journal's parts (views into the bytes decoded).
struct RekeyJournal {
    ByteView oldHeader;
    ByteView newHeader;
    ByteView payloadPrefix;
};
/// Nullopt unless `bytes` is exactly one journal (nothing is authenticated here).
std::optional<RekeyJournal> decodeRekeyJournal(ByteView bytes);
/// The largest journal there can be: two headers of 256 KiB and the rest.
std::size_t maxRekeyJournalSize();

/// Replaces the header `oldHeader` at the start of `container` (open
/// read-write as `fd`) with `newHeader` of the same length, through the
/// journal; `payloadPrefix` is the payload's first 56 bytes. The container is
/// locked (flock) for the duration. False, with nothing changed, when the
/// journal cannot be made here (a file system without unnamed files, or a
/// file Coffer did not verify already holds its name): the caller writes a
/// new file instead.
Result<bool> rewriteHeaderInPlace(int fd, const std::filesystem::path& container, ByteView oldHeader,
                                  ByteView newHeader, ByteView payloadPrefix);

} // namespace coffer
